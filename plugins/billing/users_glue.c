/* users_glue.c — every read and write of auth's users table by billing, in
 * one file so it can be swapped for the users service when that lands.
 * billing is the only writer of subscription_tier, subscription_status and
 * trial_ends_at (apply.c decides; this file only carries it out). */
#include <string.h>

#include "billing.h"

int users_get(cb_req *req, const char *user_id, int lock, struct user_state *out)
{
	static const char q_lock[] =
	    "SELECT subscription_tier, subscription_status, email, "
	    "COALESCE(floor(extract(epoch FROM trial_ends_at))::bigint, 0) AS trial_ends_at, "
	    "COALESCE(trial_ends_at > now(), false) AS in_trial "
	    "FROM users WHERE id = $1 AND deleted_at IS NULL FOR UPDATE";
	static const char q_plain[] =
	    "SELECT subscription_tier, subscription_status, email, "
	    "COALESCE(floor(extract(epoch FROM trial_ends_at))::bigint, 0) AS trial_ends_at, "
	    "COALESCE(trial_ends_at > now(), false) AS in_trial "
	    "FROM users WHERE id = $1 AND deleted_at IS NULL";
	cb_res *r;

	if (!cb_is_uuid(user_id))
		return 0;
	r = cb_db_q(req, lock ? q_lock : q_plain, user_id);
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) != 1)
		return 0;
	out->tier = cb_res_val(r, 0, "subscription_tier");
	out->status = cb_res_val(r, 0, "subscription_status");
	out->email = cb_res_val(r, 0, "email");
	out->trial_ends_at = cb_res_int(r, 0, "trial_ends_at");
	out->in_trial = cb_res_bool(r, 0, "in_trial");
	return 1;
}

int users_set_tier(cb_req *req, const char *user_id, const char *tier, const char *status)
{
	if (!cb_db_q(req,
	             "UPDATE users SET subscription_tier = $2, subscription_status = $3, "
	             "updated_at = now() WHERE id = $1",
	             user_id, tier, status))
		return CB_EDB;
	return CB_OK;
}

int users_start_trial(cb_req *req, const char *user_id, long long days)
{
	if (!cb_db_q(req,
	             "UPDATE users SET subscription_tier = 'premium', "
	             "subscription_status = 'trialing', "
	             "trial_ends_at = now() + make_interval(days => $2::int), updated_at = now() "
	             "WHERE id = $1 AND trial_ends_at IS NULL",
	             user_id, cb_sprintf(req, "%lld", days)))
		return CB_EDB;
	return CB_OK;
}

cb_res *users_trials_over(cb_req *req)
{
	return cb_db_q0(req, "SELECT id FROM users WHERE subscription_status = 'trialing' "
	                     "AND trial_ends_at <= now() AND deleted_at IS NULL LIMIT 1000");
}
