/* carbot/services/users_api.h — the users.v1 service, provided by the auth
 * plugin: the one way another plugin learns about, or changes the tier of, a
 * user. No plugin reads or writes auth's tables itself.
 *
 *   const struct cb_users_v1 *users = cb_service(CB_USERS_V1);
 *   cb_user u = CB_USER_INIT;
 *   if (users && users->get(req, id, &u) == CB_OK) ... u.email, u.tier ...
 *
 * Look the service up in init (after CB_DEPS("auth")) or per request; it may
 * be NULL when auth is not enabled. Tables grow at their end: test
 * `users->size > offsetof(struct cb_users_v1, fn)` for members newer than
 * the ones listed here.
 *
 * Foreign keys (the rule for plugin tables that reference users): a column
 * holding a user id is `user_id uuid NOT NULL REFERENCES users(id) ON DELETE
 * CASCADE`, indexed, named user_id. The FK is the only thing a plugin's SQL
 * may know of auth's schema. Accounts are soft-deleted first (event
 * user.deleted: switch off what the user owns) and erased later (event
 * user.erasing: delete your rows; the CASCADE is the safety net). Never copy
 * e-mail, tier or role into your own tables: ask users.v1 (or read
 * cb_req_get(req, "user.tier") in a bearer route).
 */
#ifndef CARBOT_SERVICES_USERS_API_H
#define CARBOT_SERVICES_USERS_API_H

#include <stddef.h>

typedef struct cb_req cb_req;

#define CB_USERS_V1 "users.v1"

/* The tiers, lowest first, and lists of them for cb_permission. */
#define CB_TIERS_ALL  "basic premium enterprise"
#define CB_TIERS_PAID "premium enterprise"

/* A user as other plugins see it. Strings live in the request's arena.
 * Grows at its end: initialise with CB_USER_INIT. */
typedef struct cb_user {
	size_t size;
	const char *id;
	const char *email;
	const char *tier; /* basic | premium | enterprise */
	const char
	    *status; /* subscription status: trialing | active | past_due | canceled | incomplete */
	const char *role;     /* user | admin (operator) */
	const char *language; /* "de" | "en" */
	/* since SDK 1.6 (integ2): the end of the local trial, unix seconds, 0
	 * none; test out->size > offsetof(cb_user, trial_ends_at) */
	long long trial_ends_at;
} cb_user;
#define CB_USER_INIT                                                                               \
	{                                                                                          \
		sizeof(cb_user), NULL, NULL, NULL, NULL, NULL, NULL, 0                             \
	}

struct cb_users_v1 {
	size_t size; /* sizeof(struct cb_users_v1) of the provider */

	/* The user with id (a live, not deleted account) into *out. CB_OK,
	 * CB_ENOTFOUND (no such user, deleted, or id not a UUID), CB_EDB. */
	int (*get)(cb_req *req, const char *id, cb_user *out);

	/* Sets tier and subscription status of user id, under a row lock, in
	 * the caller's transaction when one is open (billing opens one). The
	 * previous tier goes to *old_tier (may be NULL). CB_OK, CB_ENOTFOUND,
	 * CB_EINVAL (unknown tier or status), CB_EDB. Takes effect on the next
	 * request (the bearer check reads the row). */
	int (*set_tier)(cb_req *req, const char *id, const char *tier, const char *status,
	                const char **old_tier);

	/* Tells every plugin the tier changed so cached tiers are dropped (keys
	 * caches a key's tier): emits subscription.changed {user_id, old_tier,
	 * new_tier, status} (events.h). Call it after set_tier, once per
	 * change. Returns CB_OK. */
	int (*announce_tier)(cb_req *req, const char *id, const char *old_tier,
	                     const char *new_tier, const char *status);

	/* ---- since SDK 1.6 (integ2): what billing needs so that it never
	 * touches auth's tables. Test users->size > offsetof(...). ---- */

	/* As get, but takes the user's row lock (FOR UPDATE) in the caller's
	 * open transaction: one writer of a user's tier at a time. */
	int (*lock)(cb_req *req, const char *id, cb_user *out);

	/* Starts the account's local trial: tier premium, status trialing,
	 * trial_ends_at now + days, unless a trial was ever started. *ends_at
	 * (may be NULL) gets the trial's end (unix seconds, 0 when none was
	 * started). CB_OK, CB_ENOTFOUND, CB_EINVAL (days < 1), CB_EDB. */
	int (*start_trial)(cb_req *req, const char *id, long long days, long long *ends_at);

	/* Up to max ids (arena strings) of live users still trialing whose
	 * trial ended: *ids, *n. CB_OK or CB_EDB. */
	int (*trials_over)(cb_req *req, size_t max, const char ***ids, size_t *n);
};

#endif
