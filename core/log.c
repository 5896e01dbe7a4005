/* log.c — one JSON object per line on stderr, written with a single write(2)
 * so lines from different threads never interleave. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

static int min_level = CB_LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

struct line {
	char buf[4096];
	size_t n;
};

static void put(struct line *l, const char *s, size_t n)
{
	if (n > sizeof l->buf - 8 - l->n)
		n = sizeof l->buf - 8 - l->n; /* truncate, keep room for the tail */
	memcpy(l->buf + l->n, s, n);
	l->n += n;
}

static void puts_raw(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static void put_escaped(struct line *l, const char *s)
{
	put(l, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put(l, esc, 2);
		} else if (*p < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			put(l, esc, 6);
		} else {
			put(l, (const char *)p, 1);
		}
	}
	put(l, "\"", 1);
}

static void start(struct line *l, int level)
{
	struct timeval tv;
	struct tm tm;
	char ts[40];
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof ts - n, ".%03dZ", (int)(tv.tv_usec / 1000));
	l->n = 0;
	puts_raw(l, "{\"time\":\"");
	puts_raw(l, ts);
	puts_raw(l, "\",\"level\":\"");
	puts_raw(l, level_names[level]);
	puts_raw(l, "\"");
}

static void field(struct line *l, const char *name, const char *value)
{
	if (!value)
		return;
	put(l, ",\"", 2);
	puts_raw(l, name);
	put(l, "\":", 2);
	put_escaped(l, value);
}

static void finish(struct line *l)
{
	memcpy(l->buf + l->n, "}\n", 2);
	l->n += 2;
	ssize_t w = write(STDERR_FILENO, l->buf, l->n);
	(void)w; /* nowhere left to report a failed log write */
}

void log_init(int level)
{
	min_level = level;
}

static void vlog(cb_req *req, int level, const char *fmt, va_list ap)
{
	if (level < min_level || level < CB_LOG_DEBUG || level > CB_LOG_ERROR)
		return;
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	struct line l;
	start(&l, level);
	if (req) {
		field(&l, "plugin", req->plugin);
		field(&l, "request_id", req->id);
	}
	field(&l, "msg", msg);
	finish(&l);
}

void cb_log(cb_req *req, int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(req, level, fmt, ap);
	va_end(ap);
}

void log_core(int level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(NULL, level, fmt, ap);
	va_end(ap);
}

/* The access line names the route pattern, never the raw path or query:
 * those may carry tokens or personal data. */
void log_access(cb_req *req, double ms)
{
	if (CB_LOG_INFO < min_level)
		return;
	char num[64];
	struct line l;
	start(&l, CB_LOG_INFO);
	field(&l, "request_id", req->id);
	field(&l, "method", req->method);
	field(&l, "route", req->route ? req->route->label : "(unmatched)");
	snprintf(num, sizeof num, ",\"status\":%d,\"duration_ms\":%.3f", req->status, ms);
	puts_raw(&l, num);
	finish(&l);
}
