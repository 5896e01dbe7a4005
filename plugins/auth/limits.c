/* limits.c — abuse protection, counted in Redis through cb_ratelimit so that
 * every carbotd process behind a load balancer shares the counts.
 *
 *   login brute force   failures per email + client IP: login_max_failures in
 *                       login_window seconds, then 429 for login_block seconds
 *   registration        register_per_ip attempts per client IP per window
 *   API, per tier       rate_<tier> requests per user per rate_window; for
 *                       premium and enterprise successful responses (status
 *                       < 400) are given back (the spec's
 *                       skipSuccessfulRequests)
 *
 * Redis keys never hold an email or an IP in clear: they are hashed.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"

static const char *login_key(cb_req *req, const char *email)
{
	const char *ip = cb_req_client_ip(req);
	char *both = cb_sprintf(req, "%s\n%s", email, ip ? ip : "");

	return cb_sprintf(req, "auth:login:%s", cb_sha256_hex(req, both, strlen(both)));
}

static void set_retry_after(cb_req *req, long long reset_ms)
{
	long long s = (reset_ms + 999) / 1000;
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", s > 0 ? s : 1);
	cb_set_header(req, "Retry-After", buf);
}

/* cb_ratelimit lets the request that uses up the limit through and starts
 * the block with it: the login_max_failures-th failure still gets its 401,
 * and the next attempt, whatever the password, gets 429 for login_block. */
static long long login_limit(void)
{
	return auth_cf.login_max_failures;
}

int login_blocked(cb_req *req, const char *email)
{
	cb_rate r = CB_RATE_INIT;

	cb_ratelimit(req, login_key(req, email), login_limit(), auth_cf.login_window,
	             auth_cf.login_block, 0, &r);
	if (r.allowed)
		return 0;
	if (r.unavailable) {
		cb_ratelimit_reply(req, &r);
		return 1;
	}
	set_retry_after(req, r.reset_ms);
	cb_log(req, CB_LOG_WARN, "login locked out after repeated failures");
	cb_reply_error(req, 429, "too_many_attempts",
	               "Too many failed sign-in attempts; try again in %lld seconds",
	               (r.reset_ms + 999) / 1000);
	return 1;
}

void login_failed(cb_req *req, const char *email)
{
	cb_rate r = CB_RATE_INIT;
	const char *key = login_key(req, email);

	cb_ratelimit(req, key, login_limit(), auth_cf.login_window, auth_cf.login_block, 1, &r);
	/* This failure started the block (kept under a key of its own): empty
	 * the count, so that when the block ends the next failures count from
	 * zero even if the window (e.g. longer than the block) is still open. */
	if (!r.unavailable && r.remaining == 0)
		cb_ratelimit_refund(req, key, 2 * auth_cf.login_max_failures);
}

int register_throttled(cb_req *req)
{
	const char *ip = cb_req_client_ip(req);
	cb_rate r = CB_RATE_INIT;
	const char *key;

	key = cb_sprintf(req, "auth:register:%s",
	                 cb_sha256_hex(req, ip ? ip : "", ip ? strlen(ip) : 0));
	cb_ratelimit(req, key, auth_cf.register_per_ip, auth_cf.register_window, 0, 1, &r);
	if (r.allowed)
		return 0;
	cb_ratelimit_reply(req, &r);
	return 1;
}

int tier_rate_limited(cb_req *req, const char *user_id, const char *tier)
{
	long long limit = auth_cf.rate_basic;
	int skip_ok = 0;
	cb_rate r = CB_RATE_INIT;
	const char *key = cb_sprintf(req, "auth:rate:%s", user_id);

	if (strcmp(tier, "premium") == 0) {
		limit = auth_cf.rate_premium;
		skip_ok = 1;
	} else if (strcmp(tier, "enterprise") == 0) {
		limit = auth_cf.rate_enterprise;
		skip_ok = 1;
	}
	cb_ratelimit(req, key, limit, auth_cf.rate_window, 0, 1, &r);
	if (!r.allowed) {
		cb_ratelimit_reply(req, &r);
		return 1;
	}
	cb_ratelimit_headers(req, &r);
	/* Remembered for the http.response hook below. */
	if (skip_ok && !r.unavailable)
		cb_req_set(req, "auth.rate_key", key);
	return 0;
}

int tier_rate_on_response(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	const char *key = cb_req_get(req, "auth.rate_key");
	long long status = 0;

	(void)event;
	(void)udata;
	if (!key || cb_json_int(cb_json_get(data, "status"), &status) != CB_OK)
		return CB_OK;
	if (status < 400)
		cb_ratelimit_refund(req, key, 1);
	return CB_OK;
}
