/* plugin.c — the admin plugin: serves the owner's dashboard (admin-ui/,
 * built by `make admin-ui` into $(B)/admin-ui/) at /admin/. */
#include <limits.h>
#include <stdio.h>

#include "admin.h"

/* The router has no catch-all: one route per depth of client path. */
static const char *const patterns[] = {
    "/admin", "/admin/{a}", "/admin/{a}/{b}", "/admin/{a}/{b}/{c}", "/admin/{a}/{b}/{c}/{d}",
};

/* dir, or (empty) the build next to the plugins: plugin_dir/../admin-ui,
 * where `make admin-ui` puts it. A missing build is a warning, not a
 * refusal to start: /admin/ answers 404 until carbotd restarts with it. */
static void load_files(cb_plugin *p)
{
	const char *dir = cb_conf_str(p, "dir");
	const char *pd = cb_core_setting("plugin_dir");
	char buf[PATH_MAX];
	int rc;

	if (!dir || !*dir) {
		snprintf(buf, sizeof(buf), "%s/../admin-ui", pd && *pd ? pd : "build/plugins");
		dir = buf;
	}
	rc = admin_files_load(dir);
	if (rc != CB_OK)
		cb_log(NULL, CB_LOG_WARN,
		       "admin: the dashboard in %s cannot be read (%s; run make admin-ui); "
		       "/admin/ answers 404",
		       dir, cb_strerror(rc));
}

static int admin_init(cb_plugin *p)
{
	int rc = cb_setting(p, "dir", CB_SET_STR, "", 0, 0);

	if (rc != CB_OK)
		return rc;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		/* everything is in memory: answered on the I/O thread */
		rc = cb_route_fast(p, "GET", patterns[i], admin_serve, admin_serve);
		if (rc != CB_OK)
			return cb_plugin_fail(p, "route GET %s: %s", patterns[i], cb_strerror(rc));
	}
	load_files(p);
	return CB_OK;
}

static void admin_fini(void)
{
	admin_files_free();
}

CB_PLUGIN("admin", "1.0.0", NULL, admin_init, admin_fini)
