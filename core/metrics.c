/* metrics.c — counters kept in the route table (atomics, no locks) and their
 * Prometheus text rendering for GET /metrics. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

static const double bounds_ms[12] = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};

/* requests that matched no route (404, 405) */
static struct route unmatched = {.label = "(unmatched)"};

void metrics_observe(cb_req *req, double ms)
{
	struct route *r = req->route ? (struct route *)req->route : &unmatched;
	int st = req->status >= 100 && req->status < 600 ? req->status : 0;
	atomic_fetch_add(&r->by_status[st], 1);
	for (int i = 0; i < 12; i++)
		if (ms <= bounds_ms[i])
			atomic_fetch_add(&r->latency_buckets[i], 1);
	atomic_fetch_add(&r->latency_sum_us, (unsigned long long)(ms * 1000.0));
}

struct out {
	cb_req *req;
	char *buf;
	size_t len, cap;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = o->cap * 2 + (size_t)(n > 0 ? n : 0);
		char *nb = cb_alloc(o->req, cap);
		memcpy(nb, o->buf, o->len);
		o->buf = nb;
		o->cap = cap;
	}
}

/* Route labels go into label values: escape \ " and newlines. */
static const char *label(cb_req *req, const char *s)
{
	char *o = cb_alloc(req, strlen(s) * 2 + 1), *p = o;
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			*p++ = '\\';
		*p++ = *s == '\n' ? 'n' : *s;
	}
	return o;
}

static void route_lines(struct out *o, struct route *r, int histogram)
{
	const char *l = label(o->req, r->label);
	unsigned long long total = 0;
	for (int s = 0; s < 600; s++)
		total += atomic_load(&r->by_status[s]);
	if (!histogram) {
		for (int s = 0; s < 600; s++) {
			unsigned long long n = atomic_load(&r->by_status[s]);
			if (n)
				emit(o, "carbot_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
				     l, s, n);
		}
		return;
	}
	if (!total)
		return;
	for (int i = 0; i < 12; i++)
		emit(o, "carbot_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
		     l, bounds_ms[i] / 1000.0, atomic_load(&r->latency_buckets[i]));
	emit(o, "carbot_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", l,
	     total);
	emit(o, "carbot_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", l,
	     (double)atomic_load(&r->latency_sum_us) / 1e6);
	emit(o, "carbot_http_request_duration_seconds_count{route=\"%s\"} %llu\n", l, total);
}

char *metrics_render(cb_req *req, size_t *len)
{
	struct out o = {req, cb_alloc(req, 8192), 0, 8192};
	emit(&o, "# HELP carbot_http_requests_total HTTP responses by route and status.\n"
		 "# TYPE carbot_http_requests_total counter\n");
	for (struct route *r = router_first(); r; r = r->next)
		route_lines(&o, r, 0);
	route_lines(&o, &unmatched, 0);
	emit(&o, "# HELP carbot_http_request_duration_seconds Time from request to response.\n"
		 "# TYPE carbot_http_request_duration_seconds histogram\n");
	for (struct route *r = router_first(); r; r = r->next)
		route_lines(&o, r, 1);
	route_lines(&o, &unmatched, 1);
	emit(&o, "# HELP carbot_http_inflight Requests being served now.\n"
		 "# TYPE carbot_http_inflight gauge\ncarbot_http_inflight %ld\n",
	     atomic_load(&core.inflight));
	int total, busy, waiting;
	db_pool_stats(&total, &busy, &waiting);
	emit(&o, "# HELP carbot_db_pool_connections PostgreSQL pool connections by state.\n"
		 "# TYPE carbot_db_pool_connections gauge\n"
		 "carbot_db_pool_connections{state=\"open\"} %d\n"
		 "carbot_db_pool_connections{state=\"busy\"} %d\n"
		 "carbot_db_pool_connections{state=\"waiting\"} %d\n"
		 "carbot_db_pool_connections{state=\"max\"} %d\n",
	     total, busy, waiting, core.conf->core.db_pool_size);
	long long pending, running, failed;
	jobs_stats(req, &pending, &running, &failed);
	if (pending >= 0)
		emit(&o, "# HELP carbot_jobs Durable jobs by status.\n# TYPE carbot_jobs gauge\n"
			 "carbot_jobs{status=\"pending\"} %lld\ncarbot_jobs{status=\"running\"} %lld\n"
			 "carbot_jobs{status=\"failed\"} %lld\n",
		     pending, running, failed);
	emit(&o, "%s", metrics_plugin_lines(req));
	*len = o.len;
	return o.buf;
}
