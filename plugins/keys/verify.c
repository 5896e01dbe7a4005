/* verify.c — POST /api/v1/client-keys/{id}/verify-domain.
 *
 * The owner publishes the key's verification_token (not the key: the key is
 * a secret, the token is meant to be public) at
 * https://DOMAIN/.well-known/carbot-verification (the verification_url
 * setting). carbotd fetches it with short timeouts, a size cap, redirects
 * only within the same host, and only public addresses (cb_fetch's
 * public_only: the domain is user input, so no requests into the operator's
 * network). When the body contains the token, domain_verified is set.
 * Attempts are rate limited per user (verify_per_hour).
 */
#include <string.h>

#include "keys.h"

struct outcome {
	const char *reason, *message;
};

static struct outcome fetch_outcome(int rc, const cb_fetch_res *r, const char *token)
{
	struct outcome o = {NULL, NULL};

	if (rc == CB_ETIMEOUT)
		o = (struct outcome){"timeout", "The server did not answer in time"};
	else if (rc == CB_ETOOBIG)
		o = (struct outcome){"too_big", "The verification file is too large"};
	else if (rc == CB_EFETCH && r->error && strstr(r->error, "redirect"))
		o = (struct outcome){"redirect", "The server redirected to another host"};
	else if (rc == CB_EFETCH && r->error && strstr(r->error, "not public"))
		o = (struct outcome){"not_public", "The domain resolves to a non-public address"};
	else if (rc != CB_OK)
		o = (struct outcome){"unreachable", "The server could not be reached"};
	else if (r->status != 200)
		o = (struct outcome){"http_status", "The server did not answer 200 OK"};
	else if (!memmem(r->body, r->body_len, token, strlen(token)))
		o = (struct outcome){"token_not_found",
		                     "The verification file does not contain the token"};
	return o;
}

static int reply_failed(cb_req *req, struct outcome o, const char *url, long status)
{
	cb_json *details = cb_json_new_array(req), *d = cb_json_new_object(req);

	cb_json_set_str(d, "field", "domain");
	cb_json_set_str(d, "reason", o.reason);
	cb_json_set_str(d, "message", o.message);
	cb_json_set_str(d, "url", url);
	if (status)
		cb_json_set_int(d, "status", status);
	cb_json_push(details, d);
	return cb_reply_error_details(req, 422, "verification_failed",
	                              "The domain could not be verified", details);
}

static int throttled(cb_req *req, const char *user_id)
{
	cb_rate r = CB_RATE_INIT;

	cb_ratelimit(req, cb_sprintf(req, "keys:verify:%s", user_id), keys_cf.verify_per_hour, 3600,
	             0, 1, &r);
	if (r.allowed)
		return 0;
	cb_ratelimit_reply(req, &r);
	return 1;
}

static int mark_verified(cb_req *req, const cb_res *key)
{
	cb_res *res;

	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "verify: begin");
	res = cb_db_q(req,
	              "WITH k AS (UPDATE client_keys SET domain_verified = true, "
	              "  domain_verified_at = now(), updated_at = now() "
	              "  WHERE id = $1 AND revoked_at IS NULL RETURNING *) "
	              "SELECT " KEY_COLS " FROM " KEY_FROM("k"),
	              cb_res_val(key, 0, "id"));
	if (!res)
		return cb_reply_db_error(req, "verify: update");
	if (cb_res_rows(res) != 1) /* revoked meanwhile */
		return reply_revoked(req);
	if (commit_forgetting(req, cb_res_val(res, 0, "id"), cb_res_val(res, 0, "key_hash"), NULL))
		return CB_OK;
	return cb_reply_json(req, 200, key_json_live(req, res, 0));
}

int h_verify(cb_req *req)
{
	const char *user_id = cb_req_get(req, "user.id"), *token, *url;
	cb_fetch_opts opts = CB_FETCH_INIT;
	cb_fetch_res fr = CB_FETCH_RES_INIT;
	const char *headers[] = {"Accept: text/plain, */*", NULL};
	struct outcome o;
	cb_res *key;
	int rc;

	key = key_load(req, user_id, cb_req_param(req, "id"), 0);
	if (!key)
		return cb_reply_db_error(req, "verify: load key");
	if (cb_res_rows(key) != 1)
		return reply_not_found(req);
	if (cb_res_bool(key, 0, "revoked"))
		return reply_revoked(req);
	if (throttled(req, user_id))
		return CB_OK;

	token = cb_res_val(key, 0, "verification_token");
	url = verification_url(req, cb_res_val(key, 0, "domain"));
	opts.url = url;
	opts.headers = headers;
	opts.timeout_ms = keys_cf.verify_timeout_ms;
	opts.connect_timeout_ms =
	    keys_cf.verify_timeout_ms < 2000 ? keys_cf.verify_timeout_ms : 2000;
	opts.max_bytes = (size_t)keys_cf.verify_max_bytes;
	opts.follow_redirects = 1; /* the core follows only within the same host */
	opts.public_only = 1;
	rc = cb_fetch(req, &opts, &fr);
	o = fetch_outcome(rc, &fr, token);
	if (o.reason) {
		cb_log(req, CB_LOG_INFO, "key %s: domain not verified: %s (%s)",
		       cb_res_val(key, 0, "id"), o.reason, fr.error ? fr.error : "fetched");
		return reply_failed(req, o, url, fr.status);
	}
	cb_log(req, CB_LOG_INFO, "key %s: domain %s verified", cb_res_val(key, 0, "id"),
	       cb_res_val(key, 0, "domain"));
	return mark_verified(req, key);
}
