/* hooks.c — other plugins' events that concern a user's pages (payload
 * {"user_id"}):
 *
 *   user.deleted   the account is gone (soft-deleted): its pages go offline
 *   user.erasing   GDPR erasure: its pages, their domain checks and their
 *                  uploaded files are deleted
 *
 * Both drop the pages from this process's cache; other carbotd processes
 * see the changed render_version (or the missing row) when they revalidate. */
#include <string.h>

#include "landing.h"

static int on_user_event(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	const char *user = cb_json_get_str(data, "user_id");
	int erase = strcmp(event, "user.erasing") == 0;
	cb_res *res;

	(void)udata;
	if (!user || !cb_is_uuid(user))
		return CB_OK;
	res = erase
	          ? cb_db_q(req, "DELETE FROM landing_pages WHERE user_id = $1 RETURNING id", user)
	          : cb_db_q(req,
	                    "UPDATE landing_pages SET is_published = false, "
	                    "render_version = render_version + 1, updated_at = now() "
	                    "WHERE user_id = $1 RETURNING id",
	                    user);
	if (!res) {
		cb_log(req, CB_LOG_ERROR, "landing: %s: pages of the user not changed: %s", event,
		       cb_db_sqlstate(req));
		return CB_EDB;
	}
	for (int i = 0; i < cb_res_rows(res); i++) {
		cache_invalidate_page(cb_res_val(res, i, "id"));
		if (erase)
			assets_remove_page(cb_res_val(res, i, "id"));
	}
	return CB_OK;
}

int hooks_register(cb_plugin *p)
{
	static const char *const events[] = {"user.deleted", "user.erasing"};

	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
		if (cb_hook(p, events[i], CB_HOOK_MIDDLE, on_user_event, NULL) != CB_OK)
			return cb_plugin_fail(p, "hook %s", events[i]);
	return CB_OK;
}
