/* mem.c — the SDK's arena functions (mem.h) over a request's arena. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "req.h"

void *cb_alloc(cb_req *req, size_t n)
{
	return arena_alloc(req->arena, n);
}

char *cb_strndup(cb_req *req, const char *s, size_t n)
{
	char *p = arena_alloc(req->arena, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *cb_strdup(cb_req *req, const char *s)
{
	return s ? cb_strndup(req, s, strlen(s)) : NULL;
}

char *cb_sprintf(cb_req *req, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return cb_strdup(req, "");
	if ((size_t)n < sizeof small)
		return cb_strndup(req, small, (size_t)n);
	char *p = arena_alloc(req->arena, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int cb_cleanup(cb_req *req, void (*fn)(void *arg), void *arg)
{
	arena_on_free(req->arena, fn, arg);
	return CB_OK;
}
