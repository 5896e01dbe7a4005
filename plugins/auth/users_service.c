/* users_service.c — users.v1 (carbot/services/users_api.h): what other
 * plugins may know about a user, and the tier change billing makes. */
#include <string.h>

#include "auth.h"
#include <carbot/services/users_api.h>

static int get(cb_req *req, const char *id, cb_user *out)
{
	cb_res *r;

	if (!id || !cb_is_uuid(id) || !out || out->size < sizeof(cb_user))
		return id && cb_is_uuid(id) ? CB_EINVAL : CB_ENOTFOUND;
	/* language is not auth's column (yet): read it when some migration
	 * added it, else the product's default */
	r = cb_db_q(req,
	            "SELECT id, email, subscription_tier, subscription_status, role, "
	            "COALESCE(to_jsonb(u) ->> 'language', 'de') AS language "
	            "FROM users u WHERE id = $1 AND deleted_at IS NULL",
	            id);
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) != 1)
		return CB_ENOTFOUND;
	out->id = cb_res_val(r, 0, "id");
	out->email = cb_res_val(r, 0, "email");
	out->tier = cb_res_val(r, 0, "subscription_tier");
	out->status = cb_res_val(r, 0, "subscription_status");
	out->role = cb_res_val(r, 0, "role");
	out->language = cb_res_val(r, 0, "language");
	return CB_OK;
}

static int one_of(const char *s, const char *const *words)
{
	for (; s && *words; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

static int set_tier(cb_req *req, const char *id, const char *tier, const char *status,
                    const char **old_tier)
{
	static const char *const tiers[] = {"basic", "premium", "enterprise", NULL};
	static const char *const states[] = {"trialing", "active",     "past_due",
	                                     "canceled", "incomplete", NULL};
	cb_res *r;

	if (!id || !cb_is_uuid(id))
		return CB_ENOTFOUND;
	if (!one_of(tier, tiers) || !one_of(status, states))
		return CB_EINVAL;
	/* the old tier under the row lock, then the update: one statement */
	r = cb_db_q(req,
	            "WITH old AS (SELECT id, subscription_tier FROM users "
	            "  WHERE id = $1 AND deleted_at IS NULL FOR UPDATE) "
	            "UPDATE users u SET subscription_tier = $2, subscription_status = $3, "
	            "updated_at = now() FROM old WHERE u.id = old.id "
	            "RETURNING old.subscription_tier AS old_tier",
	            id, tier, status);
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) != 1)
		return CB_ENOTFOUND;
	if (old_tier)
		*old_tier = cb_res_val(r, 0, "old_tier");
	return CB_OK;
}

static int announce_tier(cb_req *req, const char *id, const char *old_tier, const char *new_tier,
                         const char *status)
{
	cb_json *d = cb_json_new_object(req);

	cb_json_set_str(d, "user_id", id);
	cb_json_set_str(d, "old_tier", old_tier);
	cb_json_set_str(d, "new_tier", new_tier);
	cb_json_set_str(d, "status", status);
	cb_emit(req, CB_EV_SUBSCRIPTION_CHANGED, d);
	return CB_OK;
}

static const struct cb_users_v1 users_v1 = {sizeof(struct cb_users_v1), get, set_tier,
                                            announce_tier};

int users_service_provide(cb_plugin *p)
{
	int rc = cb_service_provide(p, CB_USERS_V1, &users_v1);

	return rc == CB_OK ? CB_OK
	                   : cb_plugin_fail(p, "service %s: %s", CB_USERS_V1, cb_strerror(rc));
}
