/* authn.c — the core's client-key authenticator: every CB_AUTH_CLIENT_KEY
 * route of every plugin (the widget API) passes through keys_authenticate
 * before its handler runs.
 *
 * Order: the per-IP limit first (it also guards the key lookup against
 * guessing), then the key (X-CarBot-Key header, else the JSON body's
 * client_key), its checks against the Origin header (validate.c), then the
 * per-key limit. The spec's numbers are the defaults: 100 requests per IP per
 * 15 minutes (then blocked for 15 minutes), 1000 per key per hour (then
 * blocked for an hour).
 */
#include <string.h>
#include <strings.h>

#include "keys.h"

static int json_body(cb_req *req)
{
	const char *ct = cb_req_header(req, "Content-Type");

	return ct && strncasecmp(ct, "application/json", 16) == 0;
}

/* The presented key, or NULL. A JSON body that is not valid JSON has been
 * answered (400) by cb_req_json: *answered is set then. */
static const char *presented_key(cb_req *req, int *answered)
{
	const char *key = cb_req_header(req, "X-CarBot-Key");
	cb_json *body;

	*answered = 0;
	if (key && *key)
		return key;
	if (!json_body(req))
		return NULL;
	body = cb_req_json(req);
	if (!body) {
		*answered = 1;
		return NULL;
	}
	return cb_json_get_str(body, "client_key");
}

static int limited(cb_req *req, const char *key, long long limit, long long window, long long block,
                   int headers)
{
	cb_rate r = CB_RATE_INIT;

	cb_ratelimit(req, key, limit, window, block, 1, &r);
	if (!r.allowed) {
		cb_ratelimit_reply(req, &r);
		return 1;
	}
	if (headers)
		cb_ratelimit_headers(req, &r);
	return 0;
}

/* A browser hides an error from the widget unless the answer carries CORS
 * headers; a refusal holds no data, so echoing a well-formed http(s) origin
 * on it is safe, and lets the widget say why it failed. */
static int refused(cb_req *req)
{
	const char *origin = cb_req_header(req, "Origin");
	if (origin && (strncmp(origin, "https://", 8) == 0 || strncmp(origin, "http://", 7) == 0) &&
	    strlen(origin) <= 262 && !strpbrk(origin, " ,;\"")) {
		cb_set_header(req, "Access-Control-Allow-Origin", origin);
		cb_set_header(req, "Access-Control-Expose-Headers", "Retry-After, RateLimit-Reset");
		cb_add_header(req, "Vary", "Origin");
	}
	return CB_ERR;
}

int keys_authenticate(cb_req *req, const char *permission)
{
	struct keys_info info = KEYS_INFO_INIT;
	const char *key;
	int answered, st;

	(void)permission; /* a client key carries no permissions of its own */
	if (limited(req, cb_sprintf(req, "keys:ip:%s", sha256_hex(req, cb_req_client_ip(req))),
	            keys_cf.ip_rate_limit, keys_cf.ip_rate_window, keys_cf.ip_rate_block, 0))
		return refused(req);
	key = presented_key(req, &answered);
	if (answered)
		return refused(req);
	if (!key) {
		cb_reply_error(req, 401, "invalid_client_key",
		               "A client key is needed: send it in the X-CarBot-Key header or as "
		               "client_key in the JSON body");
		return refused(req);
	}
	st = svc_validate(req, key, cb_req_header(req, "Origin"), &info);
	if (st != KEYS_OK) {
		/* the key itself is never logged; its id only once it is known */
		cb_log(req, CB_LOG_INFO, "client key refused: %s%s%s", svc_status_name(st),
		       info.id ? ", key " : "", info.id ? info.id : "");
		svc_reply(req, st, &info.hit);
		return refused(req);
	}
	if (limited(req, cb_sprintf(req, "keys:key:%s", info.id), keys_cf.key_rate_limit,
	            keys_cf.key_rate_window, keys_cf.key_rate_block, 1))
		return refused(req);
	cb_req_set(req, "key.id", info.id);
	cb_req_set(req, "key.user_id", info.user_id);
	cb_req_set(req, "key.tier", info.tier);
	cb_req_set(req, "key.environment", info.environment);
	cb_req_set(req, "key.domain", info.domain);
	return CB_OK;
}
