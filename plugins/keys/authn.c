/* authn.c — the core's client-key authenticator: every CB_AUTH_CLIENT_KEY
 * route of every plugin (the widget API) passes through keys_authenticate
 * before its handler runs.
 *
 * Order: the per-IP limit first (it also guards the key lookup against
 * guessing), then the key (X-CarBot-Key header, else the JSON body's
 * client_key), its checks against the Origin header (validate.c), then the
 * per-key limit. Round trips to Redis: one for a key this process has seen
 * pass before (hint.c: one script does it all when Redis's cached record is
 * still the one seen), else two for a cached key (the IP limit with the
 * cached record; the key limit with the usage counts). The spec's numbers are the
 * defaults: 100 requests per IP per 15 minutes (then blocked for 15 minutes), 1000 per key per hour
 * (then blocked for an hour).
 *
 * A widget on a hosted landing page cannot carry a key (keys are stored
 * hashed); it names its page in X-CarBot-Page instead. The landing plugin
 * (optional, so asked through cb_service at request time, never CB_DEPS)
 * holds the Origin against the page's hosts and names the owner; the
 * owner's newest live prod key is then used as if it had been presented,
 * without its own domain binding: the page's hosts are the binding.
 */
#include <string.h>
#include <strings.h>

#include <carbot/services/landing_api.h>
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

/* The host of an Origin header (lower-cased, without scheme and port). */
static const char *origin_host_of(cb_req *req, const char *origin)
{
	const char *h = origin ? strstr(origin, "://") : NULL;
	char *s;

	if (!h)
		return NULL;
	s = cb_strndup(req, h + 3, strcspn(h + 3, ":/"));
	for (char *c = s; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return s;
}

/* The key of the page named in X-CarBot-Page: the page published and the
 * Origin one of its hosts (landing.v1), then the owner's newest live prod
 * key, checked like a presented one minus its domain binding. Sets the
 * refusal itself and returns non-zero, or KEYS_OK with *info filled. */
static int page_key(cb_req *req, const struct landing_api *landing, const char *page,
                    struct keys_info *info)
{
	const char *user_id = NULL;
	cb_res *res;
	int rc, st;

	rc = landing->page_for_origin(req, page, cb_req_header(req, "Origin"), &user_id);
	if (rc == CB_EDB || rc == CB_EREDIS) {
		svc_reply(req, KEYS_UNAVAILABLE, NULL);
		return KEYS_UNAVAILABLE;
	}
	if (rc != CB_OK || !user_id) {
		cb_log(req, CB_LOG_INFO, "page widget refused: origin not a host of the page");
		cb_reply_error(req, 403, "origin_not_allowed",
		               "This page may not use the widget from this origin");
		return KEYS_BAD_ORIGIN;
	}
	res = cb_db_q(req,
	              "SELECT id FROM client_keys WHERE user_id = $1 AND environment = 'prod' "
	              "AND is_active AND revoked_at IS NULL "
	              "AND (expires_at IS NULL OR expires_at > now()) "
	              "ORDER BY created_at DESC, id DESC LIMIT 1",
	              user_id);
	if (!res) {
		cb_log(req, CB_LOG_ERROR, "page widget: key look-up failed: %s",
		       cb_db_sqlstate(req));
		svc_reply(req, KEYS_UNAVAILABLE, NULL);
		return KEYS_UNAVAILABLE;
	}
	if (cb_res_rows(res) != 1) {
		cb_reply_error(req, 401, "invalid_client_key",
		               "the page's owner has no active client key");
		return KEYS_UNKNOWN;
	}
	st = svc_validate_bound(req, cb_res_val(res, 0, "id"), info);
	if (st != KEYS_OK) {
		cb_log(req, CB_LOG_INFO, "page widget refused: %s%s%s", svc_status_name(st),
		       info->id ? ", key " : "", info->id ? info->id : "");
		svc_reply(req, st, &info->hit);
	}
	return st;
}

/* The per-IP limit's key: the client address hashed, scoped to what the
 * request names (its client key, or the page of a hosted widget), so an
 * office network or a carrier's shared address busy on one business's
 * widget leaves every other business's widget alone. */
static const char *ip_limit_key(cb_req *req, const char *key)
{
	const char *ip = cb_req_client_ip(req), *page = cb_req_header(req, "X-CarBot-Page");
	const char *scope = key && *key ? key : page && *page ? page : "";

	scope = cb_sha256_hex(req, scope, strlen(scope));
	return cb_sprintf(req, "keys:ip:%s:%.16s", cb_sha256_hex(req, ip, strlen(ip)), scope);
}

/* The IP's ceiling over every key: what is left of the old global limit,
 * against one address trying many (made-up) keys. */
static const char *ip_all_key(cb_req *req)
{
	const char *ip = cb_req_client_ip(req);

	return cb_sprintf(req, "keys:ipall:%s", cb_sha256_hex(req, ip, strlen(ip)));
}

/* The hash of a well-formed presented key when cached records are used. */
static const char *cached_hash(cb_req *req, const char *key)
{
	return key && keys_cf.cache_ttl > 0 && key_well_formed(key) ? key_hash_hex(req, key) : NULL;
}

/* The per-IP limits (of this key, and over all keys) and, with hash (of a
 * well-formed presented key), its cached record: one round trip. 1 when
 * the IP is refused (answered). A key this process has seen pass takes
 * the hinted path instead, which counts only the per-key one. */
static int ip_refused(cb_req *req, const char *key, const char *hash)
{
	cb_redis_pipe *p = cb_redis_pipe_new(req);
	cb_rate r = CB_RATE_INIT, all = CB_RATE_INIT;
	int li = cb_redis_pipe_ratelimit(p, ip_limit_key(req, key), keys_cf.ip_rate_limit,
	                                 keys_cf.ip_rate_window, keys_cf.ip_rate_block, 1);
	/* 0: five keys' worth */
	long long all_limit =
	    keys_cf.ip_all_limit ? keys_cf.ip_all_limit : 5 * keys_cf.ip_rate_limit;
	int ai = cb_redis_pipe_ratelimit(p, ip_all_key(req), all_limit, keys_cf.ip_rate_window,
	                                 keys_cf.ip_rate_block, 1);
	int gi = hash ? cb_redis_pipe_c(p, "GET", keyrec_cache_key(req, hash)) : -1;

	cb_redis_pipe_run(p);
	cb_redis_pipe_rate(p, li, &r);
	cb_redis_pipe_rate(p, ai, &all);
	if (!r.allowed || !all.allowed) {
		cb_ratelimit_reply(req, r.allowed ? &all : &r);
		return 1;
	}
	if (gi >= 0)
		keyrec_memo(req, cb_redis_pipe_reply(p, gi));
	return 0;
}

/* The whole check in one round trip when this process holds a hint for
 * the key whose hash is hash (hint.c); see validate_hinted for what it
 * returns. */
static int hinted(cb_req *req, const char *key, const char *hash, struct keys_info *info,
                  struct key_rate *kr)
{
	cb_rate r = CB_RATE_INIT;
	struct ip_rate ip = {NULL, keys_cf.ip_rate_limit, keys_cf.ip_rate_window,
	                     keys_cf.ip_rate_block, &r};
	const char *hint = hash ? hint_get(req, hash) : NULL;
	int st;

	if (!hint)
		return HINT_NONE;
	ip.key = ip_limit_key(req, key);
	st = validate_hinted(req, hash, hint, cb_req_header(req, "Origin"), &ip, info, kr);
	if (st == HINT_IP_REFUSED)
		cb_ratelimit_reply(req, &r);
	return st;
}

/* After the key's checks: 1 with the refusal answered, else 0 with the key
 * limit's headers set. */
static int key_refused(cb_req *req, int st, struct keys_info *info, struct key_rate *kr)
{
	if (st == KEYS_OK) {
		cb_ratelimit_headers(req, &kr->rate);
		return 0;
	}
	if (st == KEYS_RATE_LIMITED) {
		cb_ratelimit_reply(req, &kr->rate);
		return 1;
	}
	/* the key itself is never logged; its id only once it is known */
	cb_log(req, CB_LOG_INFO, "client key refused: %s%s%s", svc_status_name(st),
	       info->id ? ", key " : "", info->id ? info->id : "");
	svc_reply(req, st, &info->hit);
	return 1;
}

int keys_authenticate(cb_req *req, const char *permission)
{
	struct keys_info info = KEYS_INFO_INIT;
	struct key_rate kr = {keys_cf.key_rate_limit, keys_cf.key_rate_window,
	                      keys_cf.key_rate_block, CB_RATE_INIT};
	const struct landing_api *landing;
	const char *key, *hash, *page = NULL, *bound_host = NULL;
	int answered, st;

	(void)permission; /* a client key carries no permissions of its own */
	key = presented_key(req, &answered);
	hash = answered ? NULL : cached_hash(req, key);
	st = hinted(req, key, hash, &info, &kr);
	if (st == HINT_IP_REFUSED)
		return refused(req);
	if (st == HINT_NONE && ip_refused(req, answered ? NULL : key, hash))
		return refused(req);
	if (answered)
		return refused(req);
	if (st >= 0) { /* decided in one round trip */
		if (key_refused(req, st, &info, &kr))
			return refused(req);
	} else if (!key && (page = cb_req_header(req, "X-CarBot-Page")) && *page &&
	           (landing = cb_service(LANDING_SERVICE)) &&
	           landing->size >= LANDING_API_V1_SIZE) {
		st = page_key(req, landing, page, &info);
		if (st != KEYS_OK)
			return refused(req);
		bound_host = origin_host_of(req, cb_req_header(req, "Origin"));
		if (limited(req, cb_sprintf(req, "keys:key:%s", info.id), keys_cf.key_rate_limit,
		            keys_cf.key_rate_window, keys_cf.key_rate_block, 1))
			return refused(req);
	} else if (!key) {
		cb_reply_error(req, 401, "invalid_client_key",
		               "A client key is needed: send it in the X-CarBot-Key header or as "
		               "client_key in the JSON body");
		return refused(req);
	} else if (key_refused(req,
	                       validate_limited(req, key, cb_req_header(req, "Origin"), &info, &kr),
	                       &info, &kr)) {
		return refused(req);
	}
	cb_req_set(req, "key.id", info.id);
	cb_req_set(req, "key.user_id", info.user_id);
	cb_req_set(req, "key.tier", info.tier);
	cb_req_set(req, "key.environment", info.environment);
	/* on a hosted page the page's host is what the key is bound to */
	cb_req_set(req, "key.domain", bound_host ? bound_host : info.domain);
	if (bound_host)
		cb_req_set(req, "key.page_id", page);
	return CB_OK;
}
