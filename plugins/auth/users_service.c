/* users_service.c — users.v1 (carbot/services/users_api.h): what other
 * plugins may know about a user, and the tier change billing makes. */
#include <stddef.h>
#include <string.h>

#include "auth.h"
#include <carbot/services/users_api.h>

static int read_user(cb_req *req, const char *id, cb_user *out, int lock)
{
	static const char q[] =
	    "SELECT id, email, subscription_tier, subscription_status, role, "
	    "COALESCE(to_jsonb(u) ->> 'language', 'de') AS language, "
	    "COALESCE(floor(extract(epoch FROM trial_ends_at))::bigint, 0) AS trial_ends_at "
	    "FROM users u WHERE id = $1 AND deleted_at IS NULL";
	cb_res *r;

	if (!id || !cb_is_uuid(id) || !out || out->size < offsetof(cb_user, trial_ends_at))
		return id && cb_is_uuid(id) ? CB_EINVAL : CB_ENOTFOUND;
	/* language is not auth's column (yet): read it when some migration
	 * added it, else the product's default */
	r = cb_db_q(req, lock ? cb_sprintf(req, "%s FOR UPDATE", q) : q, id);
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
	if (out->size > offsetof(cb_user, trial_ends_at))
		out->trial_ends_at = cb_res_int(r, 0, "trial_ends_at");
	return CB_OK;
}

static int get(cb_req *req, const char *id, cb_user *out)
{
	return read_user(req, id, out, 0);
}

static int lock(cb_req *req, const char *id, cb_user *out)
{
	return read_user(req, id, out, 1);
}

static int start_trial(cb_req *req, const char *id, long long days, long long *ends_at)
{
	cb_res *r;

	if (ends_at)
		*ends_at = 0;
	if (!id || !cb_is_uuid(id))
		return CB_ENOTFOUND;
	if (days < 1 || days > 3650)
		return CB_EINVAL;
	r = cb_db_q(req,
	            "UPDATE users SET subscription_tier = 'premium', "
	            "subscription_status = 'trialing', "
	            "trial_ends_at = now() + make_interval(days => $2::int), updated_at = now() "
	            "WHERE id = $1 AND deleted_at IS NULL AND trial_ends_at IS NULL "
	            "RETURNING floor(extract(epoch FROM trial_ends_at))::bigint AS ends",
	            id, cb_sprintf(req, "%lld", days));
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) == 1 && ends_at)
		*ends_at = cb_res_int(r, 0, "ends");
	return CB_OK;
}

static int trials_over(cb_req *req, size_t max, const char ***ids, size_t *n)
{
	cb_res *r;
	const char **v;

	*ids = NULL;
	*n = 0;
	r = cb_db_q(req,
	            "SELECT id FROM users WHERE subscription_status = 'trialing' "
	            "AND trial_ends_at <= now() AND deleted_at IS NULL LIMIT $1::int",
	            cb_sprintf(req, "%zu", max > 10000 ? (size_t)10000 : max));
	if (!r)
		return CB_EDB;
	v = cb_alloc(req, sizeof *v * ((size_t)cb_res_rows(r) + 1));
	for (int i = 0; i < cb_res_rows(r); i++)
		v[(*n)++] = cb_res_val(r, i, "id");
	*ids = v;
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

static const struct cb_users_v1 users_v1 = {
    sizeof(struct cb_users_v1), get, set_tier, announce_tier, lock, start_trial, trials_over};

int users_service_provide(cb_plugin *p)
{
	int rc = cb_service_provide(p, CB_USERS_V1, &users_v1);

	return rc == CB_OK ? CB_OK
	                   : cb_plugin_fail(p, "service %s: %s", CB_USERS_V1, cb_strerror(rc));
}
