/* switchoff.c — a plan change never deletes data: what the new plan does not
 * allow is switched off (the newest client keys beyond its limit deactivated,
 * landing pages beyond it unpublished), recorded in billing_switched_off and
 * shown by GET /api/v1/billing/subscription; at the next tier change
 * everything recorded is switched back on first and the new plan's limits
 * applied again, so an upgrade restores what a downgrade took away.
 *
 * keys and landing do the switching through their services (keys.v1 since
 * KEYS_API_V3_SIZE, landing.v1 since LANDING_API_V2_SIZE), looked up at
 * request time: both are optional. Runs inside the caller's transaction. */
#include <string.h>

#include "billing.h"
#include "keys_api.h"
#include "landing_api.h"

static const struct keys_api *keys_svc(void)
{
	const struct keys_api *k = cb_service(KEYS_SERVICE);
	return k && k->size >= KEYS_API_V3_SIZE ? k : NULL;
}

static const struct landing_api *landing_svc(void)
{
	const struct landing_api *l = cb_service(LANDING_SERVICE);
	return l && l->size >= LANDING_API_V2_SIZE ? l : NULL;
}

static int record(cb_req *req, const char *user_id, const char *kind, const cb_json *ids)
{
	for (size_t i = 0; i < cb_json_len(ids); i++)
		if (!cb_db_q(req,
		             "INSERT INTO billing_switched_off (kind, object_id, user_id) "
		             "VALUES ($1, $2::uuid, $3) ON CONFLICT DO NOTHING",
		             kind, cb_json_str(cb_json_at(ids, i)), user_id))
			return CB_EDB;
	return CB_OK;
}

static int restore(cb_req *req, const char *user_id, const struct keys_api *k,
                   const struct landing_api *l)
{
	cb_res *r = cb_db_q(req,
	                    "DELETE FROM billing_switched_off WHERE user_id = $1 "
	                    "RETURNING kind, object_id::text AS id",
	                    user_id);

	if (!r)
		return CB_EDB;
	for (int i = 0; i < cb_res_rows(r); i++) {
		const char *kind = cb_res_val(r, i, "kind"), *id = cb_res_val(r, i, "id");
		int rc = CB_OK;
		if (strcmp(kind, "client_key") == 0 && k)
			rc = k->switch_on(req, user_id, id);
		else if (strcmp(kind, "landing_page") == 0 && l)
			rc = l->republish(req, user_id, id);
		if (rc == CB_EDB)
			return CB_EDB;
		if (rc != CB_OK) /* revoked or deleted meanwhile: nothing to restore */
			cb_log(req, CB_LOG_INFO, "%s %s not switched back on: %s", kind, id,
			       cb_strerror(rc));
	}
	return CB_OK;
}

int enforce_plan(cb_req *req, const char *user_id, const struct plan *plan)
{
	const struct keys_api *k = keys_svc();
	const struct landing_api *l = landing_svc();
	cb_json *keys = cb_json_new_array(req), *pages = cb_json_new_array(req);
	int rc;

	if (!plan)
		return CB_EINVAL;
	if ((rc = restore(req, user_id, k, l)) != CB_OK)
		return rc;
	if (k) {
		rc = k->switch_off_beyond(req, user_id, plan->client_keys, keys);
		if (rc == CB_EDB)
			return rc;
		if (rc == CB_EREDIS) /* made; subscription.changed drops the cache again */
			cb_log(req, CB_LOG_WARN, "user %s: cached keys not dropped", user_id);
	}
	if (l && (rc = l->unpublish_beyond(req, user_id, plan->landing_pages, pages)) != CB_OK)
		return rc;
	if ((rc = record(req, user_id, "client_key", keys)) != CB_OK ||
	    (rc = record(req, user_id, "landing_page", pages)) != CB_OK)
		return rc;
	if (cb_json_len(keys) || cb_json_len(pages))
		cb_log(req, CB_LOG_INFO, "user %s on %s: %zu keys and %zu pages switched off",
		       user_id, plan->id, cb_json_len(keys), cb_json_len(pages));
	return CB_OK;
}
