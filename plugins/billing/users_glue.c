/* users_glue.c — billing's view of a user, through the users.v1 service of
 * the auth plugin (carbot/services/users_api.h). billing never reads or
 * writes auth's tables itself: it decides a tier (apply.c) and users.v1
 * carries it out and announces it. */
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "billing.h"
#include <carbot/services/users_api.h>

static const struct cb_users_v1 *svc(void)
{
	const struct cb_users_v1 *u = cb_service(CB_USERS_V1);

	/* billing needs users.v1 with trials_over (the members it calls) */
	return u && u->size > offsetof(struct cb_users_v1, trials_over) ? u : NULL;
}

int users_ready(void)
{
	return svc() != NULL;
}

int users_get(cb_req *req, const char *user_id, int lock, struct user_state *out)
{
	const struct cb_users_v1 *u = svc();
	cb_user cu = CB_USER_INIT;
	int rc;

	if (!u)
		return CB_EDB;
	if (!cb_is_uuid(user_id))
		return 0;
	rc = lock ? u->lock(req, user_id, &cu) : u->get(req, user_id, &cu);
	if (rc == CB_ENOTFOUND)
		return 0;
	if (rc != CB_OK)
		return CB_EDB;
	out->tier = cu.tier;
	out->status = cu.status;
	out->email = cu.email;
	out->trial_ends_at = cu.trial_ends_at;
	out->in_trial = cu.trial_ends_at > (long long)time(NULL);
	return 1;
}

int users_set_tier(cb_req *req, const char *user_id, const char *tier, const char *status)
{
	const struct cb_users_v1 *u = svc();

	return u && u->set_tier(req, user_id, tier, status, NULL) == CB_OK ? CB_OK : CB_EDB;
}

int users_announce(cb_req *req, const char *user_id, const char *old_tier, const char *new_tier,
                   const char *status)
{
	const struct cb_users_v1 *u = svc();

	return u ? u->announce_tier(req, user_id, old_tier, new_tier, status) : CB_EDB;
}

int users_start_trial(cb_req *req, const char *user_id, long long days, long long *ends_at)
{
	const struct cb_users_v1 *u = svc();
	int rc = u ? u->start_trial(req, user_id, days, ends_at) : CB_EDB;

	return rc == CB_OK || rc == CB_ENOTFOUND ? CB_OK : CB_EDB;
}

int users_trials_over(cb_req *req, const char ***ids, size_t *n)
{
	const struct cb_users_v1 *u = svc();

	*ids = NULL;
	*n = 0;
	return u ? u->trials_over(req, 1000, ids, n) : CB_EDB;
}
