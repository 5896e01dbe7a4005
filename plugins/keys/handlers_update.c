/* handlers_update.c — PATCH, DELETE (revoke) and POST .../rotate of
 * /api/v1/client-keys/{id}. Each runs in a transaction holding the key's row
 * and drops the key's cached copies before and after its commit, so the
 * widget API sees the change on its very next request. */
#include <string.h>

#include "keys.h"

struct patch {
	int desc_set, active_set, limit_set, active;
	const char *description;
	long long usage_limit;
};

static int read_patch(cb_req *req, const cb_json *body, struct patch *pt)
{
	static const char *const known[] = {"description", "is_active", "usage_limit"};
	cb_check *c = cb_check_new(req, body);

	reject_unknown(c, body, known, sizeof(known) / sizeof(known[0]));
	pt->description = read_description(c, body, &pt->desc_set);
	pt->active_set = cb_check_bool(c, "is_active", CB_OPTIONAL, &pt->active) == 1;
	pt->limit_set =
	    cb_check_int(c, "usage_limit", CB_OPTIONAL, USAGE_LIMIT_MIN,
	                 usage_limit_max(cb_req_get(req, "user.tier")), &pt->usage_limit) == 1;
	if (cb_check_ok(c) && !pt->desc_set && !pt->active_set && !pt->limit_set)
		cb_check_fail(c, "body", "missing",
		              "Give at least one of description, is_active, usage_limit");
	if (!cb_check_ok(c)) {
		cb_check_reply(c);
		return CB_EINVAL;
	}
	return CB_OK;
}

/* Begins, and loads the caller's key {id} FOR UPDATE. NULL when a reply is
 * set (404, 409 for a revoked key, database errors). */
static cb_res *begin_on_key(cb_req *req, int refuse_revoked)
{
	cb_res *res;

	if (cb_db_begin(req) != CB_OK) {
		cb_reply_db_error(req, "begin");
		return NULL;
	}
	res = key_load(req, cb_req_get(req, "user.id"), cb_req_param(req, "id"), 1);
	if (!res) {
		cb_reply_db_error(req, "load key");
		return NULL;
	}
	if (cb_res_rows(res) != 1) {
		reply_not_found(req);
		return NULL;
	}
	if (refuse_revoked && cb_res_bool(res, 0, "revoked")) {
		reply_revoked(req);
		return NULL;
	}
	return res;
}

int h_patch(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	struct patch pt = {0};
	cb_res *old, *res;

	if (!body || read_patch(req, body, &pt) != CB_OK)
		return CB_OK;
	old = begin_on_key(req, 1);
	if (!old)
		return CB_OK;
	res = cb_db_q(req,
	              "WITH k AS (UPDATE client_keys SET "
	              "  description = CASE WHEN $3::boolean THEN $4 ELSE description END, "
	              "  is_active = COALESCE($5::boolean, is_active), "
	              "  usage_limit = COALESCE($6::int, usage_limit), updated_at = now() "
	              "  WHERE id = $1 AND user_id = $2 RETURNING *) "
	              "SELECT " KEY_COLS " FROM " KEY_FROM("k"),
	              cb_res_val(old, 0, "id"), cb_req_get(req, "user.id"), pt.desc_set ? "t" : "f",
	              pt.description, pt.active_set ? (pt.active ? "t" : "f") : NULL,
	              pt.limit_set ? cb_sprintf(req, "%lld", pt.usage_limit) : NULL);
	if (!res)
		return cb_reply_db_error(req, "patch key");
	if (commit_forgetting(req, cb_res_val(res, 0, "id"), cb_res_val(res, 0, "key_hash"), NULL))
		return CB_OK;
	return cb_reply_json(req, 200, key_json_live(req, res, 0));
}

int h_delete(cb_req *req)
{
	cb_res *res = begin_on_key(req, 0);

	if (!res)
		return CB_OK;
	if (cb_res_bool(res, 0, "revoked")) { /* idempotent: revoked stays revoked */
		cb_db_rollback(req);
		return cb_reply(req, 204, NULL, NULL, 0);
	}
	if (!cb_db_q(req,
	             "UPDATE client_keys SET revoked_at = now(), is_active = false, "
	             "updated_at = now() WHERE id = $1",
	             cb_res_val(res, 0, "id")))
		return cb_reply_db_error(req, "revoke key");
	if (commit_forgetting(req, cb_res_val(res, 0, "id"), cb_res_val(res, 0, "key_hash"), NULL))
		return CB_OK;
	cb_log(req, CB_LOG_INFO, "client key %s revoked", cb_res_val(res, 0, "id"));
	return cb_reply(req, 204, NULL, NULL, 0);
}

int h_rotate(cb_req *req)
{
	cb_res *old = begin_on_key(req, 1), *res;
	char *key, *hash;
	cb_json *out;

	if (!old)
		return CB_OK;
	key = key_generate(req, cb_res_val(old, 0, "environment"));
	hash = key ? key_hash_hex(req, key) : NULL;
	if (!hash) {
		cb_log(req, CB_LOG_ERROR, "rotate key: CSPRNG or HMAC failed");
		return cb_reply_error(req, 500, "internal_error", "Something went wrong");
	}
	/* A new secret starts a new lifetime; the domain and its verification
	 * (and token) stay. */
	res = cb_db_q(req,
	              "WITH k AS (UPDATE client_keys SET key_hash = decode($2, 'hex'), "
	              "  key_last4 = $3, rotated_at = now(), updated_at = now(), "
	              "  expires_at = CASE WHEN $4::int > 0 "
	              "    THEN now() + make_interval(days => $4::int) END "
	              "  WHERE id = $1 RETURNING *) "
	              "SELECT " KEY_COLS " FROM " KEY_FROM("k"),
	              cb_res_val(old, 0, "id"), hash, key + KEY_LEN - 4,
	              cb_sprintf(req, "%lld", keys_cf.key_ttl_days));
	if (!res)
		return cb_reply_db_error(req, "rotate key");
	if (commit_forgetting(req, cb_res_val(res, 0, "id"), hash, cb_res_val(old, 0, "key_hash")))
		return CB_OK;
	out = key_json_live(req, res, 0);
	cb_json_set_str(out, "key", key); /* shown once, like at creation */
	cb_set_header(req, "Cache-Control", "no-store");
	cb_log(req, CB_LOG_INFO, "client key %s rotated", cb_res_val(res, 0, "id"));
	return cb_reply_json(req, 200, out);
}
