/* rbac.c — permissions by subscription tier, exactly the spec's map, plus the
 * operator role "admin" (users.role) that holds everything.
 *
 * A permission is "action:resource". A granted "*" matches any action or any
 * resource: "*:own_keys" covers "read:own_keys", "*:*" covers all.
 *
 * Note: the spec gives enterprise "*:*", which also covers "admin:users" and
 * "admin:system" (it lists them anyway). Routes meant for CarBot's own
 * operators must therefore check role "admin" themselves (cb_req_get(req,
 * "user.role")), not only a permission string.
 */
#include <string.h>

#include "auth.h"

static const char *const perm_basic[] = {"read:own_keys", "create:own_keys", "read:own_analytics",
                                         NULL};
static const char *const perm_premium[] = {"*:own_keys", "*:own_landing_pages", "read:templates",
                                           NULL};
static const char *const perm_enterprise[] = {"*:*", "admin:users", "admin:system", NULL};
static const char *const perm_admin[] = {"*:*", NULL};
static const char *const perm_none[] = {NULL};

static const char *const *tier_perms(const char *tier, const char *role)
{
	if (role && strcmp(role, "admin") == 0)
		return perm_admin;
	if (!tier)
		return perm_none;
	if (strcmp(tier, "basic") == 0)
		return perm_basic;
	if (strcmp(tier, "premium") == 0)
		return perm_premium;
	if (strcmp(tier, "enterprise") == 0)
		return perm_enterprise;
	return perm_none; /* an unknown tier grants nothing rather than guessing */
}

cb_json *rbac_permissions(cb_req *req, const char *tier, const char *role)
{
	cb_json *arr = cb_json_new_array(req);

	for (const char *const *p = tier_perms(tier, role); *p; p++)
		cb_json_push(arr, cb_json_new_str(req, *p));
	return arr;
}

/* Compares one side ("read" against "*" or "read"): granted part g (length
 * gn) covers wanted part w (length wn). */
static int part_covers(const char *g, size_t gn, const char *w, size_t wn)
{
	if (gn == 1 && g[0] == '*')
		return 1;
	return gn == wn && memcmp(g, w, gn) == 0;
}

int rbac_match(const char *granted, const char *wanted)
{
	const char *gc = strchr(granted, ':'), *wc = strchr(wanted, ':');

	if (!gc || !wc)
		return strcmp(granted, wanted) == 0;
	return part_covers(granted, (size_t)(gc - granted), wanted, (size_t)(wc - wanted)) &&
	       part_covers(gc + 1, strlen(gc + 1), wc + 1, strlen(wc + 1));
}

int rbac_allows(const char *tier, const char *role, const char *permission)
{
	if (!permission || !*permission)
		return 1;
	for (const char *const *p = tier_perms(tier, role); *p; p++)
		if (rbac_match(*p, permission))
			return 1;
	return 0;
}
