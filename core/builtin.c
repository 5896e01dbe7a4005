/* builtin.c — the core's own routes: liveness, readiness, metrics (loopback
 * or metrics_token only). */
#include <string.h>
#include <strings.h>

#include "core.h"

/* Answered on the I/O thread: it proves the event loop itself responds. */
static int healthz(cb_req *req)
{
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "status", "ok");
	cb_set_header(req, "Cache-Control", "no-store");
	return cb_reply_json(req, 200, o);
}

static int readyz(cb_req *req)
{
	int db = db_ping(req) == CB_OK;
	int mig = db && atomic_load(&core.migrations_ok) && migrate_check(req) == CB_OK;
	int redis = redis_ping(req) == CB_OK;
	cb_set_header(req, "Cache-Control", "no-store");
	cb_json *checks = cb_json_new_object(req);
	cb_json_set_str(checks, "database", db ? "ok" : "unreachable");
	cb_json_set_str(checks, "redis", redis ? "ok" : "unreachable");
	cb_json_set_str(checks, "migrations", mig ? "ok" : db ? "pending" : "unknown");
	if (db && mig && redis) {
		cb_json *o = cb_json_new_object(req);
		cb_json_set_str(o, "status", "ready");
		cb_json_set(o, "checks", checks);
		return cb_reply_json(req, 200, o);
	}
	cb_json *details = cb_json_new_array(req);
	for (size_t i = 0; i < cb_json_len(checks); i++) {
		const char *state = cb_json_str(cb_json_at(checks, i));
		if (state[0] == 'o')
			continue;
		cb_json *d = cb_json_new_object(req);
		cb_json_set_str(d, "check", cb_json_key_at(checks, i));
		cb_json_set_str(d, "status", state);
		cb_json_push(details, d);
	}
	cb_set_header(req, "Retry-After", "1");
	return cb_reply_error_details(req, 503, "not_ready", "carbotd is not ready to serve",
				      details);
}

static int loopback(const char *ip)
{
	return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 ||
	       strncmp(ip, "::ffff:127.", 11) == 0;
}

/* 1 when a and b are equal, in time that depends on their lengths only. */
static int same_secret(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	unsigned char d = n != m;

	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i % (m ? m : 1)]);
	return d == 0;
}

/* Per-route counts are business intelligence: /metrics answers the loopback
 * (a scraper on the same host, or through a trusted proxy for a client on
 * it) or, when metrics_token is set, a request with that bearer token.
 * Everyone else gets the 404 of a route that does not exist. */
static int metrics_allowed(cb_req *req)
{
	const char *token = core.conf->core.metrics_token;
	const char *auth = cb_req_header(req, "Authorization");

	if (loopback(cb_req_client_ip(req)))
		return 1;
	return token && *token && auth && strncasecmp(auth, "Bearer ", 7) == 0 &&
	       same_secret(auth + 7, token);
}

static int metrics(cb_req *req)
{
	size_t len;

	if (!metrics_allowed(req))
		return reply_error_plain(req, 404, "not_found", "No such resource");
	char *text = metrics_render(req, &len);
	cb_set_header(req, "Cache-Control", "no-store");
	return cb_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

int builtin_register(void)
{
	cb_plugin *core_p = (cb_plugin *)&core_plugin;
	int rc = cb_route(core_p, "GET", "/healthz", CB_AUTH_PUBLIC, NULL, healthz);
	if (rc == CB_OK) {
		for (struct route *r = router_first(); r; r = r->next)
			if (r->handler == healthz)
				r->inline_io = 1;
		rc = cb_route(core_p, "GET", "/readyz", CB_AUTH_PUBLIC, NULL, readyz);
	}
	if (rc == CB_OK)
		rc = cb_route(core_p, "GET", "/metrics", CB_AUTH_PUBLIC, NULL, metrics);
	if (rc == CB_OK)
		rc = openapi_register();
	if (rc == CB_OK)
		rc = cb_openapi(core_p, cb_core_openapi_json);
	return rc;
}
