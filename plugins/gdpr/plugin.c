/* plugin.c — the gdpr plugin: settings, migrations, routes, jobs and its own
 * part of the data-subject contract (the gdpr section of an export).
 *
 *   [plugin gdpr]
 *   secret = ${CARBOT_GDPR_SECRET}   # >= 32 bytes: signs download URLs
 *   grace_days = 30                  # erasure waits this long (0..365)
 *   download_ttl = 900               # seconds a download URL is valid
 *   export_dir = var/exports         # where archives are written
 *   retention_days = 0               # default conversations_days, 0 = off
 *
 * It knows no other plugin's tables: every plugin answers for its own rows
 * through <carbot/datasubject.h>. */
#include <string.h>

#include <carbot/embed.h>

#include "gdpr.h"

struct gdpr_conf gdpr_cf;

static int export_own(cb_req *req, const char *uid, cb_export *out)
{
	return cb_export_ndjson(req, out, "gdpr/audit.ndjson",
	                        "SELECT json_build_object('action', action, 'actor', actor, "
	                        "'rows', rows, 'at', " CB_SQL_TS(
	                            "at") ")::text AS j, "
	                                  "lpad(id::text, 20, '0') AS k FROM gdpr_audit "
	                                  "WHERE user_id = $1 AND lpad(id::text, 20, '0') > $2 "
	                                  "ORDER BY id LIMIT 1000",
	                        uid);
}

static int erase_own(cb_req *req, const char *uid, long long *rows)
{
	cb_res *a = cb_db_q(req, "DELETE FROM gdpr_exports WHERE user_id = $1 RETURNING id", uid);
	cb_res *b = cb_db_q(req, "DELETE FROM gdpr_retention WHERE user_id = $1", uid);
	cb_res *c = cb_db_q(req, "DELETE FROM gdpr_erasures WHERE user_id = $1", uid);
	if (!a || !b || !c)
		return CB_EDB;
	*rows += cb_res_affected(a) + cb_res_affected(b) + cb_res_affected(c);
	return CB_OK;
}

static const cb_datasubject own = {
    CB_DATASUBJECT_SIZE, "gdpr", export_own, erase_own, NULL, NULL, NULL, NULL, NULL, NULL};

struct route_def {
	const char *method, *pattern;
	int auth;
	const char *permission;
	cb_handler handler;
};

static const struct route_def routes[] = {
    {"POST", "/api/v1/gdpr/export", CB_AUTH_BEARER, NULL, h_export_start},
    {"GET", "/api/v1/gdpr/exports/{id}", CB_AUTH_BEARER, NULL, h_export_get},
    {"GET", "/api/v1/gdpr/exports/{id}/download", CB_AUTH_PUBLIC, NULL, h_export_download},
    {"POST", "/api/v1/gdpr/erasure", CB_AUTH_BEARER, NULL, h_erasure},
    {"POST", "/api/v1/gdpr/erasure/cancel", CB_AUTH_PUBLIC, NULL, h_erasure_cancel},
    {"POST", "/api/v1/gdpr/admin/users/{id}/erase", CB_AUTH_BEARER, "admin:users", h_admin_erase},
    {"GET", "/api/v1/gdpr/audit", CB_AUTH_BEARER, NULL, h_audit},
    {"GET", "/api/v1/gdpr/retention", CB_AUTH_BEARER, NULL, h_retention_get},
    {"PUT", "/api/v1/gdpr/retention", CB_AUTH_BEARER, NULL, h_retention_put},
    {"POST", "/api/v1/gdpr/visitors/export", CB_AUTH_BEARER, NULL, h_visitor_export},
    {"POST", "/api/v1/gdpr/visitors/erase", CB_AUTH_BEARER, NULL, h_visitor_delete},
};

static int read_settings(cb_plugin *p)
{
	if (cb_setting(p, "secret", CB_SET_STR, NULL, 0, 0) != CB_OK ||
	    cb_setting(p, "export_dir", CB_SET_STR, "var/exports", 0, 0) != CB_OK ||
	    cb_setting(p, "grace_days", CB_SET_INT, "30", 0, 365) != CB_OK ||
	    cb_setting(p, "download_ttl", CB_SET_INT, "900", 30, 86400) != CB_OK ||
	    cb_setting(p, "retention_days", CB_SET_INT, "0", 0, 1095) != CB_OK)
		return CB_ERR;
	gdpr_cf.secret = cb_conf_str(p, "secret");
	if (strlen(gdpr_cf.secret) < 32)
		return cb_plugin_fail(p, "secret must be at least 32 bytes");
	gdpr_cf.export_dir = cb_conf_str(p, "export_dir");
	gdpr_cf.grace_days = cb_conf_int(p, "grace_days");
	gdpr_cf.download_ttl = cb_conf_int(p, "download_ttl");
	gdpr_cf.retention_days = cb_conf_int(p, "retention_days");
	if (gdpr_cf.retention_days != 0 && gdpr_cf.retention_days < 30)
		return cb_plugin_fail(p, "retention_days is 0 (off) or 30 to 1095");
	return CB_OK;
}

static int gdpr_init(cb_plugin *p)
{
	int rc;
	if (read_settings(p) != CB_OK)
		return CB_ERR;
	if (cb_openapi(p, cb_openapi_json) != CB_OK) /* openapi.json: its routes described */
		return CB_ERR;
	for (size_t i = 0; i < cb_embedded_n; i++)
		if (cb_migration(p, cb_embedded[i].name, cb_embedded[i].text) != CB_OK)
			return CB_ERR;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		rc = cb_route(p, routes[i].method, routes[i].pattern, routes[i].auth,
		              routes[i].permission, routes[i].handler);
		if (rc != CB_OK)
			return CB_ERR;
	}
	if (cb_job_handler(p, GDPR_EXPORT_JOB, 3, export_job) != CB_OK ||
	    cb_job_handler(p, GDPR_ERASE_JOB, 10, erase_job) != CB_OK ||
	    cb_job_handler(p, GDPR_RETENTION_JOB, 5, retention_job) != CB_OK ||
	    cb_hook(p, "visitor.forgotten", CB_HOOK_MIDDLE, on_visitor_forgotten, NULL) != CB_OK)
		return CB_ERR;
	if (cb_datasubject_register(p, &own) != CB_OK)
		return CB_ERR;
	return CB_OK;
}

CB_PLUGIN("gdpr", "0.1.0", CB_DEPS("auth"), gdpr_init, NULL)
