/* plugin.c — the templates plugin: the catalogue table and its seed
 * (migrations), the public catalogue endpoints, and the templates.v1 render
 * service (templates_api.h) for the landing plugin. */
#include <carbot/sdk.h>
#include <carbot/embed.h>

#include "templates.h"

struct route_def {
	const char *pattern;
	cb_handler handler;
};

static int templates_init(cb_plugin *p)
{
	static const struct route_def routes[] = {
	    {"/api/v1/templates", h_list},
	    {"/api/v1/templates/{id}", h_get},
	    {"/api/v1/templates/{id}/preview", h_preview},
	    {"/api/v1/templates/{id}/preview.svg", h_preview_svg},
	};
	int rc;

	if (cb_openapi(p, cb_openapi_json) != CB_OK) /* openapi.json: its routes described */
		return CB_ERR;
	for (size_t i = 0; i < cb_embedded_n; i++) {
		rc = cb_migration(p, cb_embedded[i].name, cb_embedded[i].text);
		if (rc != CB_OK)
			return cb_plugin_fail(p, "migration %s: %s", cb_embedded[i].name,
			                      cb_strerror(rc));
	}
	/* The catalogue is public marketing material, shown before sign-up
	 * (the spec's read:templates permission is not required; README.md). */
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		rc = cb_route(p, "GET", routes[i].pattern, CB_AUTH_PUBLIC, NULL, routes[i].handler);
		if (rc != CB_OK)
			return cb_plugin_fail(p, "route GET %s: %s", routes[i].pattern,
			                      cb_strerror(rc));
	}
	rc = cb_service_provide(p, "templates.v1", &templates_service);
	if (rc != CB_OK)
		return cb_plugin_fail(p, "service templates.v1: %s", cb_strerror(rc));
	return CB_OK;
}

static void templates_fini(void)
{
	tpl_cache_free();
}

CB_PLUGIN("templates", "1.0.0", NULL, templates_init, templates_fini)
