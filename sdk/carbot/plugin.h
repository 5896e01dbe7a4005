/* carbot/plugin.h — what a plugin is and what it registers.
 *
 * A plugin is a shared object exporting one function, carbot_plugin(), which
 * CB_PLUGIN() defines. carbotd calls it with its function table and gets back
 * a descriptor: the SDK version the plugin was built for, its name, version,
 * dependencies and init/fini. carbotd then checks the version, orders plugins
 * by dependency and calls each init with a cb_plugin handle.
 *
 * Registration (routes, migrations, hooks, jobs, settings, authenticators,
 * services) is only possible inside init; afterwards those calls return
 * CB_ESTATE. When init fails, carbotd stops with one line naming the plugin
 * file and the reason given to cb_plugin_fail.
 */
#ifndef CARBOT_PLUGIN_H
#define CARBOT_PLUGIN_H

#include <stddef.h>

#include "hooks.h"
#include "jobs.h"

typedef struct cb_req cb_req;
typedef struct cb_plugin cb_plugin;
typedef struct cb_json cb_json;
struct cb_api;

/* A route handler: sets a response and returns CB_OK (see http.h). */
typedef int (*cb_handler)(cb_req *req);

/* Who may call a route. */
enum cb_auth {
	CB_AUTH_PUBLIC = 0,     /* anyone */
	CB_AUTH_BEARER = 1,     /* Authorization: Bearer <access token> with a permission */
	CB_AUTH_CLIENT_KEY = 2, /* a business's client key (widget API) */
	CB_AUTH_INTERNAL = 3,   /* only from loopback (operator tooling, TLS ask) */
};

/* Decides whether req may use a route of policy kind with permission (may be
 * NULL). Returns CB_OK to allow (usually after cb_req_set of "user.id" and the
 * like); otherwise it must have set an error response (401, 403, 429 ...) and
 * returns non-zero. */
typedef int (*cb_authenticator_fn)(cb_req *req, const char *permission);

/* The descriptor a plugin hands to carbotd. */
typedef struct cb_plugin_desc {
	size_t size;               /* sizeof(cb_plugin_desc) at build time */
	unsigned sdk_major;        /* CB_SDK_MAJOR at build time */
	unsigned sdk_minor;        /* CB_SDK_MINOR at build time */
	unsigned ptr_size;         /* sizeof(void *) at build time */
	const char *name;          /* [a-z][a-z0-9_]*, unique */
	const char *version;       /* the plugin's own version, for logs */
	const char *const *deps;   /* NULL-terminated names of plugins it needs, or NULL */
	int (*init)(cb_plugin *p); /* CB_OK, or a failure (see cb_plugin_fail) */
	void (*fini)(void);        /* may be NULL; called in reverse load order */
} cb_plugin_desc;

/* ---- registration, only inside init ---- */

/* Route method pattern to handler under policy auth with permission (for
 * CB_AUTH_BEARER, e.g. "create:own_keys"; NULL means any signed-in user).
 * pattern segments in braces are parameters: "/api/v1/keys/{id}". A last
 * segment {name*} (SDK 1.6) takes the rest of the path, one or more
 * segments with their slashes ("/docs/{file*}" gives file = "a/b.html"); it
 * loses to every route matching the path exactly, adds no method to a 405's
 * Allow and is never reported as shadowed. GET routes
 * also answer HEAD. Returns CB_OK, CB_EEXIST when another plugin (or this one)
 * already has method+pattern (carbotd then stops, naming both), or CB_EINVAL
 * for a malformed pattern. */
int cb_route(cb_plugin *p, const char *method, const char *pattern, int auth,
	     const char *permission, cb_handler handler);

/* As cb_route with a request body limit of its own (bytes) instead of the
 * core's max_body setting (e.g. uploads). */
int cb_route_body(cb_plugin *p, const char *method, const char *pattern, int auth,
		  const char *permission, cb_handler handler, size_t max_body);

/* Since SDK 1.2. A public route with two handlers: fast runs on the I/O
 * thread that read the request, before any queueing, and either sets a
 * response (from memory: a cache hit) or returns CB_DEFER, and then handler
 * runs on a handler thread as usual. fast must never block: no database,
 * Redis, fetch, sleeping or long locks; it may read the request, use the
 * arena, build JSON and reply. Returns as cb_route. */
#define CB_DEFER 1
int cb_route_fast(cb_plugin *p, const char *method, const char *pattern, cb_handler fast,
		  cb_handler handler);

/* Since SDK 1.6. Describes the plugin's routes: json is an OpenAPI 3.1
 * fragment {"paths": {...}, "components": {...}, "tags": [...]} (the
 * plugin's openapi.json, embedded by the Makefile as cb_openapi_json, see
 * embed.h). carbotd merges the fragments of the enabled plugins into the
 * document it serves at GET /api/v1/openapi.json; every /api/ and /internal/
 * route should have an operation there (carbotd warns at startup about those
 * that do not). Only inside init; json is copied. Returns CB_OK, CB_EINVAL
 * (and fails the plugin) when json is no such object, or CB_EEXIST when a
 * path operation or a component name is already described by another
 * plugin. */
int cb_openapi(cb_plugin *p, const char *json);

/* Adds migration version (e.g. "001_users"; applied in ascending byte order
 * of version) with its SQL. carbotd applies each once, in a transaction,
 * under an advisory lock, and records (plugin, version, checksum) in
 * schema_migrations. If an applied migration's SQL later changes, startup
 * stops. sql is copied. Returns CB_OK or CB_EEXIST. */
int cb_migration(cb_plugin *p, const char *version, const char *sql);

/* Subscribes fn to event (see hooks.h). Returns CB_OK. */
int cb_hook(cb_plugin *p, const char *event, int priority, cb_hook_fn fn, void *udata);

/* Registers the job handler name (globally unique; prefix it with the plugin
 * name) tried at most max_attempts times. Returns CB_OK or CB_EEXIST. */
int cb_job_handler(cb_plugin *p, const char *name, int max_attempts, cb_job_fn fn);

/* Provides the check for routes of policy kind (one provider per kind).
 * Returns CB_OK or CB_EEXIST. carbotd refuses to start when a route needs a
 * policy nobody provides. */
int cb_authenticator(cb_plugin *p, int kind, cb_authenticator_fn fn);

/* Publishes a service (a function or table other plugins call) under name.
 * Returns CB_OK or CB_EEXIST. */
int cb_service_provide(cb_plugin *p, const char *name, const void *service);

/* ---- settings of the plugin's own config section ---- */

enum cb_setting_type { CB_SET_STR = 0, CB_SET_INT = 1, CB_SET_BOOL = 2 };

/* Declares setting name of type with default def (NULL: required) and, for
 * integers, its range min..max. Values come from the plugin's section in
 * carbot.conf; a bad value stops startup naming file and line. A key in the
 * section that no declaration names also stops startup. Returns CB_OK or
 * CB_EINVAL (the failure is recorded for carbotd to report). */
int cb_setting(cb_plugin *p, const char *name, int type, const char *def, long long min,
	       long long max);

/* Values of declared settings (after ${ENV} expansion). cb_conf_str returns
 * a string owned by carbotd for its whole life; NULL when undeclared. */
const char *cb_conf_str(cb_plugin *p, const char *name);
long long cb_conf_int(cb_plugin *p, const char *name);
int cb_conf_bool(cb_plugin *p, const char *name);

/* Value of a core (global) setting by name, e.g. "listen" or "log_level",
 * as written in the config or else its default ("plugin_dir" comes resolved
 * to an absolute path); NULL for a name that is no core setting (or an
 * optional one left unset). Owned by carbotd. */
const char *cb_core_setting(const char *name);

/* Records why init fails and returns CB_ERR: `return cb_plugin_fail(p, ...)`. */
int cb_plugin_fail(cb_plugin *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- usable any time ---- */

/* A service published by some plugin, or NULL. */
const void *cb_service(const char *name);

/* ---- since 1.6: permissions ----
 *
 * A permission is "action:resource" ("read:own_reviews"), declared by the
 * plugin whose routes need it, with the subscription tiers that grant it.
 * Once every init has run, a CB_AUTH_BEARER route naming a permission that
 * no plugin declared stops startup (one line naming route, plugin and
 * permission). Permissions whose action is "admin" ("admin:users") are
 * operator power: no tier grants them, only the operator role does (the
 * bearer authenticator grants role "admin" everything). */

/* Declares permission name granted by the space-separated tiers ("basic
 * premium enterprise"; NULL or "" for none: operators only). Only inside
 * init. CB_OK; CB_EINVAL (malformed name, or tiers for an admin:
 * permission); CB_EEXIST (declared before, by this or another plugin: the
 * failure names both). */
int cb_permission(cb_plugin *p, const char *name, const char *tiers);

/* 1 when tier grants permission name, 0 when not, CB_ENOTFOUND when nobody
 * declared it. */
int cb_permission_granted(const char *name, const char *tier);

/* The declared permissions tier grants, as a JSON array of names in
 * declaration order (for tokens and /me). */
cb_json *cb_permission_list(cb_req *req, const char *tier);

/* ---- since 1.6 (integ2): a plugin's line in /metrics ----
 *
 * Registers metric name ("carbot_" + [a-z0-9_], unique) of type "counter" or
 * "gauge" with one line of help. Each scrape of the core's /metrics calls
 * fn(req, udata, &value) on the scraping request (it may query the
 * database); fn returns CB_OK for a line "name value", anything else leaves
 * the metric out of that scrape. Only inside init; at most 64 per carbotd.
 * CB_OK, CB_EINVAL (malformed name, type or help), CB_EEXIST (taken),
 * CB_ESTATE (not in init), CB_ENOMEM (too many). */
typedef int (*cb_metric_fn)(cb_req *req, void *udata, double *value);
int cb_metric(cb_plugin *p, const char *name, const char *type, const char *help,
              cb_metric_fn fn, void *udata);

#endif
