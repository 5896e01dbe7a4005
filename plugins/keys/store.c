/* store.c — client_keys rows as the API shows them, and the replies every
 * handler shares. */
#include <string.h>
#include <time.h>

#include "keys.h"

cb_res *key_load(cb_req *req, const char *user_id, const char *id, int for_update)
{
	/* Not a UUID: no such key (a 404, like another user's key), and no
	 * cast error from PostgreSQL. */
	if (!cb_is_uuid(id))
		id = "00000000-0000-0000-0000-000000000000";
	if (for_update)
		return cb_db_q(
		    req,
		    "SELECT " KEY_COLS " FROM " KEY_FROM(
		        "client_keys") " WHERE k.id = $1 AND k.user_id = $2 FOR UPDATE OF k",
		    id, user_id);
	return cb_db_q(req,
	               "SELECT " KEY_COLS
	               " FROM " KEY_FROM("client_keys") " WHERE k.id = $1 AND k.user_id = $2",
	               id, user_id);
}

static const char *status_of(const cb_res *res, int row)
{
	if (cb_res_bool(res, row, "revoked"))
		return "revoked";
	if (cb_res_bool(res, row, "expired"))
		return "expired";
	return cb_res_bool(res, row, "is_active") ? "active" : "inactive";
}

static cb_json *limit_json(cb_req *req, long long used, long long max)
{
	cb_json *o = cb_json_new_object(req);

	cb_json_set_int(o, "used", used);
	if (max < 0)
		cb_json_set_null(o, "limit"); /* unlimited */
	else
		cb_json_set_int(o, "limit", max);
	return o;
}

static cb_json *usage_json(cb_req *req, const cb_res *res, int row, long long conv, long long msg)
{
	const char *tier = cb_res_val(res, row, "tier"), *name = NULL;
	cb_json *u = cb_json_new_object(req);

	cb_json_set_str(u, "period_start", cb_res_val(res, row, "period_start"));
	cb_json_set_str(u, "period_end", cb_res_val(res, row, "period_end"));
	cb_json_set(u, "conversations", limit_json(req, conv, tier_conversations(tier)));
	cb_json_set(
	    u, "messages",
	    limit_json(req, msg, messages_max(tier, cb_res_int(res, row, "usage_limit"), &name)));
	return u;
}

/* Unix seconds as the API writes times: "2025-08-06T10:00:00Z". */
static char *iso_time(cb_req *req, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];

	if (!gmtime_r(&tt, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return NULL;
	return cb_strdup(req, buf);
}

char *verification_url(cb_req *req, const char *domain)
{
	const char *u = keys_cf.verification_url, *at = strstr(u, "{domain}");

	return cb_sprintf(req, "%.*s%s%s", (int)(at - u), u, domain, at + 8);
}

cb_json *key_json(cb_req *req, const cb_res *res, int row, long long conv, long long msg,
                  long long last_used)
{
	static const char *const strs[] = {"id",          "environment", "domain",
	                                   "description", "created_at",  "updated_at",
	                                   "expires_at",  "revoked_at",  "rotated_at"};
	const char *env = cb_res_val(res, row, "environment");
	cb_json *k = cb_json_new_object(req);

	for (size_t i = 0; i < 3; i++)
		cb_json_set_str(k, strs[i], cb_res_val(res, row, strs[i]));
	cb_json_set_str(k, "masked_key", key_mask(req, env, cb_res_val(res, row, "key_last4")));
	cb_json_set_str(k, "status", status_of(res, row));
	cb_json_set_bool(k, "is_active", cb_res_bool(res, row, "is_active"));
	cb_json_set_bool(k, "domain_verified", cb_res_bool(res, row, "domain_verified"));
	cb_json_set_str(k, "domain_verified_at", cb_res_val(res, row, "domain_verified_at"));
	cb_json_set_str(k, "verification_token", cb_res_val(res, row, "verification_token"));
	cb_json_set_str(k, "verification_url",
	                verification_url(req, cb_res_val(res, row, "domain")));
	cb_json_set_int(k, "usage_limit", cb_res_int(res, row, "usage_limit"));
	cb_json_set_int(k, "current_usage", msg);
	cb_json_set(k, "usage", usage_json(req, res, row, conv, msg));
	if (last_used > cb_res_int(res, row, "last_used_epoch")) {
		cb_json_set_str(k, "last_used_at", iso_time(req, last_used));
	} else {
		cb_json_set_str(k, "last_used_at", cb_res_val(res, row, "last_used_at"));
	}
	for (size_t i = 3; i < sizeof(strs) / sizeof(strs[0]); i++)
		cb_json_set_str(k, strs[i], cb_res_val(res, row, strs[i]));
	return k;
}

cb_json *key_json_live(cb_req *req, const cb_res *res, int row)
{
	const char *id = cb_res_val(res, row, "id");
	long long period = cb_res_int(res, row, "period");
	long long conv = cb_res_int(res, row, "conversations");
	long long msg = cb_res_int(res, row, "messages");
	long long last = cb_res_int(res, row, "last_used_epoch");

	usage_live(req, 1, &id, &period, &conv, &msg, &last);
	return key_json(req, res, row, conv, msg, last);
}

int reply_not_found(cb_req *req)
{
	cb_db_rollback(req);
	return cb_reply_error(req, 404, "not_found", "No such client key");
}

int reply_revoked(cb_req *req)
{
	cb_db_rollback(req);
	return cb_reply_error(req, 409, "key_revoked",
	                      "This key is revoked; create a new one instead");
}

int commit_forgetting(cb_req *req, const char *id, const char *hash_hex, const char *old_hash_hex)
{
	/* Before the commit: if Redis cannot drop a cached copy, the change is
	 * rolled back rather than leaving a revoked key usable from the cache. */
	if (keyrec_forget(req, id, hash_hex, old_hash_hex) != CB_OK) {
		cb_db_rollback(req);
		cb_log(req, CB_LOG_ERROR, "key %s: cannot drop cached copies; change refused", id);
		cb_set_header(req, "Retry-After", "1");
		cb_reply_error(req, 503, "unavailable",
		               "A backing service is unavailable; "
		               "try again shortly");
		return 1;
	}
	if (cb_db_commit(req) != CB_OK) {
		cb_reply_db_error(req, "commit");
		return 1;
	}
	/* After it: a validation that read the old row meanwhile may have
	 * cached it (keyrec.c guards against that too, with a generation). */
	if (keyrec_forget(req, id, hash_hex, old_hash_hex) != CB_OK)
		cb_log(req, CB_LOG_WARN, "key %s: cached copies not dropped after commit", id);
	return 0;
}
