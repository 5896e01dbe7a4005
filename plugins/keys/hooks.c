/* hooks.c — events of other plugins that change what a cached key means:
 * a subscription change (another tier, other limits) or an account being
 * erased. The user's keys are dropped from the cache so the next request
 * reads them afresh. Payload: {"user_id": "..."}.
 *
 * Changes nobody announces (a soft deletion by SQL, by an operator or by a
 * plugin that emits nothing) reach the same place through the database: a
 * trigger on users (sql/002_forget_disabled.sql) queues keys.forget_user
 * with the user's key ids and hashes. */
#include "keys.h"

int on_user_changed(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	const char *user_id = cb_json_get_str(data, "user_id");
	cb_res *res;

	(void)udata;
	if (!cb_is_uuid(user_id))
		return CB_OK;
	res = cb_db_q(req,
	              "SELECT id, encode(key_hash, 'hex') AS key_hash FROM client_keys "
	              "WHERE user_id = $1",
	              user_id);
	for (int i = 0; i < cb_res_rows(res); i++)
		if (keyrec_forget(req, cb_res_val(res, i, "id"), cb_res_val(res, i, "key_hash"),
		                  NULL) != CB_OK)
			cb_log(req, CB_LOG_WARN, "%s: cached keys of user %s not dropped", event,
			       user_id);
	return CB_OK;
}

int forget_user_job(cb_req *req, const cb_json *payload)
{
	const cb_json *keys = cb_json_get(payload, "keys");
	int rc = CB_OK;

	for (size_t i = 0; i < cb_json_len(keys); i++) {
		const cb_json *k = cb_json_at(keys, i);
		const char *id = cb_json_get_str(k, "id"), *hash = cb_json_get_str(k, "key_hash");
		if (!cb_is_uuid(id) || !hash)
			continue;
		if (keyrec_forget(req, id, hash, NULL) != CB_OK)
			rc = CB_EREDIS;
	}
	if (rc != CB_OK)
		cb_job_error(req, "Redis: cached keys of user %s not dropped",
		             cb_json_get_str(payload, "user_id"));
	return rc;
}
