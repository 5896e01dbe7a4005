/* switchoff.c — keys.v3: switching a user's keys off and on again for a
 * plan change (billing). A downgrade keeps the oldest live keys up to the new
 * plan's limit and switches off (is_active false, never revoked or deleted)
 * the newest beyond it; an upgrade switches those back on. Both run on the
 * caller's connection (inside its transaction, if one is open) and drop the
 * keys' cached copies, so the widget API sees the change at once; the caller
 * emits subscription.changed after its commit, which drops them again. */
#include "keys.h"

static int forget_rows(cb_req *req, cb_res *res, cb_json *ids_out)
{
	int rc = CB_OK;

	for (int i = 0; i < cb_res_rows(res); i++) {
		if (ids_out)
			cb_json_push(ids_out, cb_json_new_str(req, cb_res_val(res, i, "id")));
		if (keyrec_forget(req, cb_res_val(res, i, "id"), cb_res_val(res, i, "key_hash"),
		                  NULL) != CB_OK)
			rc = CB_EREDIS;
	}
	return rc;
}

int svc_switch_off_beyond(cb_req *req, const char *user_id, long long keep, cb_json *ids_out)
{
	cb_res *res;

	if (!cb_is_uuid(user_id))
		return CB_EINVAL;
	if (keep < 0)
		return CB_OK; /* unlimited */
	res = cb_db_q(req,
	              "WITH live AS (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n "
	              "  FROM client_keys WHERE user_id = $1 AND is_active AND revoked_at IS NULL "
	              "  AND (expires_at IS NULL OR expires_at > now())) "
	              "UPDATE client_keys AS k SET is_active = false, updated_at = now() FROM live "
	              "WHERE k.id = live.id AND live.n > $2::bigint "
	              "RETURNING k.id, encode(k.key_hash, 'hex') AS key_hash",
	              user_id, cb_sprintf(req, "%lld", keep));
	if (!res)
		return CB_EDB;
	return forget_rows(req, res, ids_out);
}

int svc_switch_on(cb_req *req, const char *user_id, const char *key_id)
{
	cb_res *res;

	if (!cb_is_uuid(user_id) || !cb_is_uuid(key_id))
		return CB_ENOTFOUND;
	res = cb_db_q(req,
	              "UPDATE client_keys SET is_active = true, updated_at = now() "
	              "WHERE id = $2 AND user_id = $1 AND revoked_at IS NULL "
	              "RETURNING id, encode(key_hash, 'hex') AS key_hash",
	              user_id, key_id);
	if (!res)
		return CB_EDB;
	if (cb_res_rows(res) != 1)
		return CB_ENOTFOUND;
	return forget_rows(req, res, NULL);
}
