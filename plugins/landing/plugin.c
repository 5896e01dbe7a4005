/* plugin.c — the landing plugin: settings, migrations, routes, init/fini.
 * See README.md for what it does and why. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <carbot/sdk.h>
#include <carbot/embed.h>

#include "landing.h"
#include <carbot/services/users_api.h>

struct landing_conf lp_cf;
const struct templates_api *lp_tpl;
static char asset_dir[PATH_MAX];

static int declare(cb_plugin *p)
{
	const cb_str_setting strs[] = {
	    {"base_domain", "carbot.localhost", &lp_cf.base_domain},
	    {"site_url", "https://{host}", &lp_cf.site_url},
	    {"asset_dir", "var/landing-assets", &lp_cf.asset_dir},
	    {"widget_url", "/widget.js", &lp_cf.widget_url},
	    {"timezone", "Europe/Berlin", &lp_cf.timezone},
	    {"verify_url", "https://{domain}", &lp_cf.verify_url},
	    {"dns_server", "", &lp_cf.dns_server},
	};
	const cb_int_setting ints[] = {
	    {"verify_timeout_ms", "5000", 100, 60000, &lp_cf.verify_timeout_ms},
	    {"verify_per_hour", "30", 1, 100000, &lp_cf.verify_per_hour},
	    {"token_ttl", "604800", 300, 31536000, &lp_cf.token_ttl},
	    {"max_pages", "10", 1, 100000, &lp_cf.max_pages},
	    {"cache_max_bytes", "67108864", 65536, 17179869184LL, &lp_cf.cache_max_bytes},
	    {"cache_revalidate_ms", "1000", 0, 3600000, &lp_cf.cache_revalidate_ms},
	    {"tls_ask_cache_ms", "10000", 0, 3600000, &lp_cf.tls_ask_cache_ms},
	    {"tls_ask_per_second", "20", 1, 100000, &lp_cf.tls_ask_per_second},
	};

	if (cb_settings_str(p, strs, CB_COUNT(strs)) != CB_OK ||
	    cb_settings_int(p, ints, CB_COUNT(ints)) != CB_OK)
		return CB_ERR;
	if (cb_setting(p, "tls_ask_subdomains", CB_SET_BOOL, "off", 0, 0) != CB_OK)
		return CB_ERR;
	lp_cf.tls_ask_subdomains = cb_conf_bool(p, "tls_ask_subdomains");
	if (cb_setting(p, "require_imprint", CB_SET_BOOL, "off", 0, 0) != CB_OK)
		return CB_ERR;
	lp_cf.require_imprint = cb_conf_bool(p, "require_imprint");
	return CB_OK;
}

static int is_domainish(const char *s)
{
	if (!*s || *s == '.' || s[strlen(s) - 1] == '.' || strstr(s, ".."))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '.'))
			return 0;
	return 1;
}

static int http_base(const char *s, const char *must)
{
	return (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) &&
	       (!must || strstr(s, must)) && !strpbrk(s, " \"'<>\\");
}

/* Checks the settings that have a shape; the message names the setting. */
static int check_settings(cb_plugin *p)
{
	const char *tz = lp_cf.timezone, *w = lp_cf.widget_url;
	char zone[256];
	struct stat st;

	if (!is_domainish(lp_cf.base_domain))
		return cb_plugin_fail(p, "base_domain '%s' must be a lower-case domain name",
		                      lp_cf.base_domain);
	if (!http_base(lp_cf.site_url, "{host}"))
		return cb_plugin_fail(p, "site_url must be an http(s) URL with {host}, got '%s'",
		                      lp_cf.site_url);
	if (!http_base(lp_cf.verify_url, NULL))
		return cb_plugin_fail(p, "verify_url must be an http(s) URL, got '%s'",
		                      lp_cf.verify_url);
	if (!(w[0] == '/' || http_base(w, NULL)) || strpbrk(w, " \"'<>\\"))
		return cb_plugin_fail(p, "widget_url must be a path or an http(s) URL, got '%s'",
		                      w);
	if (!*tz ||
	    strspn(tz, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/+-") !=
	        strlen(tz) ||
	    strstr(tz, ".."))
		return cb_plugin_fail(p, "timezone '%s' is not a time zone name", tz);
	if (strlen(tz) > 200)
		return cb_plugin_fail(p, "timezone '%.40s...' is too long", tz);
	snprintf(zone, sizeof zone, "/usr/share/zoneinfo/%.200s", tz);
	if (stat("/usr/share/zoneinfo", &st) == 0 && stat(zone, &st) != 0)
		return cb_plugin_fail(p, "timezone '%s' is unknown (no %s)", tz, zone);
	if (strspn(lp_cf.dns_server, "0123456789abcdefABCDEF.:[],") != strlen(lp_cf.dns_server))
		return cb_plugin_fail(p, "dns_server must be IP or IP:PORT, got '%s'",
		                      lp_cf.dns_server);
	return CB_OK;
}

/* asset_dir made absolute (relative to carbotd's working directory) and
 * created when missing. */
static int prepare_asset_dir(cb_plugin *p)
{
	const char *d = lp_cf.asset_dir;
	char cwd[PATH_MAX];
	int n;

	if (d[0] == '/')
		n = snprintf(asset_dir, sizeof asset_dir, "%s", d);
	else if (getcwd(cwd, sizeof cwd))
		n = snprintf(asset_dir, sizeof asset_dir, "%.2048s/%.1024s", cwd, d);
	else
		return cb_plugin_fail(p, "asset_dir: cannot know the working directory");
	if (n < 0 || (size_t)n >= sizeof asset_dir - 200)
		return cb_plugin_fail(p, "asset_dir: the path is too long");
	for (char *s = asset_dir + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(asset_dir, 0755) != 0 && errno != EEXIST)
			return cb_plugin_fail(p, "asset_dir: cannot create %s: %s", asset_dir,
			                      strerror(errno));
		*s = '/';
	}
	if (mkdir(asset_dir, 0755) != 0 && errno != EEXIST)
		return cb_plugin_fail(p, "asset_dir: cannot create %s: %s", asset_dir,
		                      strerror(errno));
	if (access(asset_dir, W_OK | X_OK) != 0)
		return cb_plugin_fail(p, "asset_dir %s is not writable", asset_dir);
	lp_cf.asset_dir = asset_dir;
	return CB_OK;
}

struct route_def {
	const char *method, *pattern;
	int auth;
	const char *permission;
	cb_handler handler;
};

#define PAGES "/api/v1/landing-pages"
#define OWN_C "create:own_landing_pages"
#define OWN_R "read:own_landing_pages"
#define OWN_U "update:own_landing_pages"
#define OWN_D "delete:own_landing_pages"

static const struct route_def routes[] = {
    {"POST", PAGES, CB_AUTH_BEARER, OWN_C, h_create},
    {"GET", PAGES, CB_AUTH_BEARER, OWN_R, h_list},
    /* a literal segment: wins over {id} */
    {"GET", PAGES "/subdomain-check", CB_AUTH_BEARER, OWN_R, h_subdomain_check},
    {"GET", PAGES "/{id}", CB_AUTH_BEARER, OWN_R, h_get},
    {"PATCH", PAGES "/{id}", CB_AUTH_BEARER, OWN_U, h_patch},
    {"DELETE", PAGES "/{id}", CB_AUTH_BEARER, OWN_D, h_delete},
    {"POST", PAGES "/{id}/publish", CB_AUTH_BEARER, OWN_U, h_publish},
    {"POST", PAGES "/{id}/unpublish", CB_AUTH_BEARER, OWN_U, h_unpublish},
    {"GET", PAGES "/{id}/preview", CB_AUTH_BEARER, OWN_R, h_preview},
    {"POST", PAGES "/{id}/domain", CB_AUTH_BEARER, OWN_U, h_domain_set},
    {"GET", PAGES "/{id}/domain", CB_AUTH_BEARER, OWN_R, h_domain_get},
    {"DELETE", PAGES "/{id}/domain", CB_AUTH_BEARER, OWN_U, h_domain_delete},
    {"POST", PAGES "/{id}/domain/verify", CB_AUTH_BEARER, OWN_U, h_domain_verify},
    {"GET", "/robots.txt", CB_AUTH_PUBLIC, NULL, h_robots},
    {"GET", "/sitemap.xml", CB_AUTH_PUBLIC, NULL, h_sitemap},
    {"GET", "/assets/{page}/{file}", CB_AUTH_PUBLIC, NULL, h_asset_get},
    {"GET", "/internal/tls/ask", CB_AUTH_INTERNAL, NULL, h_tls_ask},
    {"GET", "/impressum", CB_AUTH_PUBLIC, NULL, h_imprint},
    {"GET", "/datenschutz", CB_AUTH_PUBLIC, NULL, h_privacy},
    /* any other path on a page's host, however deep: an HTML 404 in its
     * design, not JSON (a {rest*} route loses to every exact one, so every
     * other plugin's routes stay theirs) */
    {"GET", "/{path*}", CB_AUTH_PUBLIC, NULL, h_not_a_page},
};

static int landing_init(cb_plugin *p)
{
	int rc;

	if (declare(p) != CB_OK)
		return CB_ERR; /* cb_setting recorded why, naming file and line */
	rc = check_settings(p);
	if (rc != CB_OK)
		return rc;
	rc = prepare_asset_dir(p);
	if (rc != CB_OK)
		return rc;
	lp_tpl = cb_service("templates.v1");
	if (!lp_tpl || lp_tpl->size < sizeof *lp_tpl)
		return cb_plugin_fail(p,
		                      "the templates plugin's service templates.v1 is missing or "
		                      "older than this plugin");
	if (dns_global_init() != CB_OK)
		return cb_plugin_fail(p, "c-ares cannot be initialised");
	respond_init();

	if (cb_openapi(p, cb_openapi_json) != CB_OK) /* openapi.json: its routes described */
		return CB_ERR;
	for (size_t i = 0; i < cb_embedded_n; i++) {
		rc = cb_migration(p, cb_embedded[i].name, cb_embedded[i].text);
		if (rc != CB_OK)
			return cb_plugin_fail(p, "migration %s: %s", cb_embedded[i].name,
			                      cb_strerror(rc));
	}
	/* landing pages are a paid feature (the spec's premium map) */
	static const char *const perms[] = {OWN_C, OWN_R, OWN_U, OWN_D};
	for (size_t i = 0; i < sizeof perms / sizeof perms[0]; i++)
		if (cb_permission(p, perms[i], CB_TIERS_PAID) != CB_OK)
			return CB_ERR; /* the core recorded why */
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		rc = cb_route(p, routes[i].method, routes[i].pattern, routes[i].auth,
		              routes[i].permission, routes[i].handler);
		if (rc != CB_OK)
			return rc; /* the core names both sides of a clash */
	}
	/* published pages: a fresh cache hit is answered on the I/O thread */
	rc = cb_route_fast(p, "GET", "/", f_serve_root, h_serve_root);
	if (rc == CB_OK)
		rc = cb_route_fast(p, "GET", "/p/{subdomain}", f_serve_local, h_serve_local);
	if (rc != CB_OK)
		return rc;
	/* uploads: the image is the body, up to 2 MiB */
	rc = cb_route_body(p, "POST", PAGES "/{id}/assets", CB_AUTH_BEARER, OWN_U, h_asset_upload,
	                   2u << 20);
	if (rc != CB_OK)
		return rc;
	rc = service_register(p);
	if (rc != CB_OK)
		return rc;
	rc = gdpr_register(p);
	if (rc != CB_OK)
		return rc;
	return hooks_register(p);
}

static void landing_fini(void)
{
	cache_clear();
	dns_global_cleanup();
}

CB_PLUGIN("landing", "1.0.0", CB_DEPS("auth", "templates"), landing_init, landing_fini)
