/* rbac.c — who holds a permission. Since SDK 1.6 every plugin declares the
 * permissions its routes need with the tiers that grant them
 * (cb_permission); this file only adds the two rules that are auth's own:
 *
 *   - the operator role "admin" (users.role) holds every permission;
 *   - "admin:*" permissions (admin:users, admin:system) come from that role
 *     ONLY: no tier grants them, so paying for enterprise never makes a
 *     customer an operator (the core also refuses a tier list for them).
 *
 * auth declares admin:users and admin:system itself (operators only), so the
 * operator routes of any plugin can name them. */
#include <string.h>

#include "auth.h"

static int is_operator(const char *role)
{
	return role && strcmp(role, "admin") == 0;
}

cb_json *rbac_permissions(cb_req *req, const char *tier, const char *role)
{
	if (is_operator(role)) {
		cb_json *all = cb_json_new_array(req);
		cb_json_push(all, cb_json_new_str(req, "*:*"));
		return all;
	}
	return cb_permission_list(req, tier);
}

int rbac_allows(const char *tier, const char *role, const char *permission)
{
	if (!permission || !*permission || is_operator(role))
		return 1;
	if (strncmp(permission, "admin:", 6) == 0)
		return 0;
	return cb_permission_granted(permission, tier) == 1;
}

int rbac_declare(cb_plugin *p)
{
	static const char *const operator_only[] = {"admin:users", "admin:system"};

	for (size_t i = 0; i < sizeof operator_only / sizeof operator_only[0]; i++)
		if (cb_permission(p, operator_only[i], NULL) != CB_OK)
			return CB_ERR;
	return CB_OK;
}
