/* plugin.c — the keys plugin: settings, migrations, routes, the client-key
 * authenticator, the keys.v1 service, the usage flush job and hooks. */
#include <string.h>

#include <carbot/sdk.h>
#include <carbot/embed.h>

#include "keys.h"
#include <carbot/services/users_api.h>

struct keys_conf keys_cf;

static const struct keys_api service = {
    sizeof(struct keys_api), svc_validate,    svc_record_usage, svc_reply,
    svc_status_name,         svc_usage_queue, svc_usage_queued, svc_switch_off_beyond,
    svc_switch_on,
};

static int read_ints(cb_plugin *p)
{
	const cb_int_setting ints[] = {
	    {"verify_timeout_ms", "5000", 100, 30000, &keys_cf.verify_timeout_ms},
	    {"verify_max_bytes", "65536", 256, 1048576, &keys_cf.verify_max_bytes},
	    {"verify_per_hour", "20", 1, 100000, &keys_cf.verify_per_hour},
	    /* the spec caches validations for five minutes at most */
	    {"cache_ttl", "300", 0, 300, &keys_cf.cache_ttl},
	    {"key_rate_limit", "1000", 1, 100000000, &keys_cf.key_rate_limit},
	    {"key_rate_window", "3600", 1, 86400, &keys_cf.key_rate_window},
	    {"key_rate_block", "3600", 0, 86400, &keys_cf.key_rate_block},
	    {"ip_rate_limit", "600", 1, 100000000, &keys_cf.ip_rate_limit},
	    {"ip_all_limit", "0", 0, 100000000, &keys_cf.ip_all_limit},
	    {"ip_rate_window", "900", 1, 86400, &keys_cf.ip_rate_window},
	    {"ip_rate_block", "900", 0, 86400, &keys_cf.ip_rate_block},
	    {"basic_conversations", "1000", -1, 1000000000, &keys_cf.conversations[TIER_BASIC]},
	    {"basic_messages", "10000", -1, 1000000000, &keys_cf.messages[TIER_BASIC]},
	    {"premium_conversations", "5000", -1, 1000000000, &keys_cf.conversations[TIER_PREMIUM]},
	    {"premium_messages", "50000", -1, 1000000000, &keys_cf.messages[TIER_PREMIUM]},
	    {"enterprise_conversations", "-1", -1, 1000000000,
	     &keys_cf.conversations[TIER_ENTERPRISE]},
	    {"enterprise_messages", "-1", -1, 1000000000, &keys_cf.messages[TIER_ENTERPRISE]},
	    {"key_ttl_days", "365", 0, 3650, &keys_cf.key_ttl_days},
	    {"max_keys_per_user", "50", 1, 100000, &keys_cf.max_keys_per_user},
	    /* the plans' client_keys (billing's plans endpoint shows the same;
	     * keep them equal when changing either) */
	    {"basic_max_keys", "3", -1, 100000, &keys_cf.max_keys[TIER_BASIC]},
	    {"premium_max_keys", "20", -1, 100000, &keys_cf.max_keys[TIER_PREMIUM]},
	    {"enterprise_max_keys", "-1", -1, 100000, &keys_cf.max_keys[TIER_ENTERPRISE]},
	    {"flush_interval", "30", 1, 3600, &keys_cf.flush_interval},
	};

	return cb_settings_int(p, ints, CB_COUNT(ints));
}

static int read_settings(cb_plugin *p)
{
	const char *bad = NULL;

	/* A failing cb_setting has recorded why, naming file and line. */
	if (cb_setting(p, "key_secret", CB_SET_STR, NULL, 0, 0) != CB_OK ||
	    cb_setting(p, "verification_url", CB_SET_STR,
	               "https://{domain}/.well-known/carbot-verification", 0, 0) != CB_OK ||
	    cb_setting(p, "domain_blocklist", CB_SET_STR, "", 0, 0) != CB_OK ||
	    cb_setting(p, "require_verified", CB_SET_BOOL, "off", 0, 0) != CB_OK ||
	    read_ints(p) != CB_OK)
		return CB_ERR;

	if (cb_settings_secret(p, "key_secret", &keys_cf.secret, &keys_cf.secret_len) != CB_OK)
		return CB_ERR;
	keys_cf.verification_url = cb_conf_str(p, "verification_url");
	if (!strstr(keys_cf.verification_url, "{domain}") ||
	    (strncmp(keys_cf.verification_url, "https://", 8) != 0 &&
	     strncmp(keys_cf.verification_url, "http://", 7) != 0))
		return cb_plugin_fail(p, "verification_url must be an http(s) URL containing "
		                         "{domain}");
	keys_cf.require_verified = cb_conf_bool(p, "require_verified");
	if (blocklist_load(cb_conf_str(p, "domain_blocklist"), &bad) != CB_OK)
		return cb_plugin_fail(p, "domain_blocklist: '%s' is not a domain name", bad);
	return CB_OK;
}

struct route_def {
	const char *method, *pattern, *permission;
	cb_handler handler;
};

/* Every tier holds all four (issue 14): a leaked key must be revocable,
 * rotatable and switchable off by its owner on any plan; what a tier buys is
 * the number of keys and their usage (limits.c). */
static const char *const perms[] = {"read:own_keys", "create:own_keys", "update:own_keys",
                                    "delete:own_keys"};
static const struct route_def routes[] = {
    {"POST", "/api/v1/client-keys", "create:own_keys", h_create},
    {"GET", "/api/v1/client-keys", "read:own_keys", h_list},
    {"GET", "/api/v1/client-keys/{id}", "read:own_keys", h_get},
    {"PATCH", "/api/v1/client-keys/{id}", "update:own_keys", h_patch},
    {"DELETE", "/api/v1/client-keys/{id}", "delete:own_keys", h_delete},
    {"POST", "/api/v1/client-keys/{id}/rotate", "update:own_keys", h_rotate},
    {"POST", "/api/v1/client-keys/{id}/verify-domain", "update:own_keys", h_verify},
};

static int register_all(cb_plugin *p)
{
	static const char *const events[] = {"subscription.changed", "user.erasing",
	                                     "user.deleted"};
	int rc;

	if (cb_openapi(p, cb_openapi_json) != CB_OK) /* openapi.json: its routes described */
		return CB_ERR;
	for (size_t i = 0; i < cb_embedded_n; i++) {
		rc = cb_migration(p, cb_embedded[i].name, cb_embedded[i].text);
		if (rc != CB_OK)
			return cb_plugin_fail(p, "migration %s: %s", cb_embedded[i].name,
			                      cb_strerror(rc));
	}
	for (size_t i = 0; i < sizeof perms / sizeof perms[0]; i++)
		if (cb_permission(p, perms[i], CB_TIERS_ALL) != CB_OK)
			return CB_ERR; /* the core recorded why */
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		rc = cb_route(p, routes[i].method, routes[i].pattern, CB_AUTH_BEARER,
		              routes[i].permission, routes[i].handler);
		if (rc != CB_OK)
			return cb_plugin_fail(p, "route %s %s: %s", routes[i].method,
			                      routes[i].pattern, cb_strerror(rc));
	}
	rc = cb_authenticator(p, CB_AUTH_CLIENT_KEY, keys_authenticate);
	if (rc != CB_OK)
		return cb_plugin_fail(p, "client-key authenticator: %s", cb_strerror(rc));
	rc = cb_service_provide(p, KEYS_SERVICE, &service);
	if (rc != CB_OK)
		return cb_plugin_fail(p, "service %s: %s", KEYS_SERVICE, cb_strerror(rc));
	rc = cb_job_handler(p, FLUSH_JOB, 5, usage_flush_job);
	if (rc != CB_OK)
		return cb_plugin_fail(p, "job %s: %s", FLUSH_JOB, cb_strerror(rc));
	rc = cb_job_handler(p, FORGET_USER_JOB, 10, forget_user_job);
	if (rc != CB_OK)
		return cb_plugin_fail(p, "job %s: %s", FORGET_USER_JOB, cb_strerror(rc));
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		rc = cb_hook(p, events[i], CB_HOOK_MIDDLE, on_user_changed, NULL);
		if (rc != CB_OK)
			return cb_plugin_fail(p, "hook %s: %s", events[i], cb_strerror(rc));
	}
	return gdpr_register(p);
}

static int keys_init(cb_plugin *p)
{
	int rc = read_settings(p);

	if (rc == CB_OK)
		rc = register_all(p);
	if (rc != CB_OK)
		blocklist_free();
	return rc;
}

static void keys_fini(void)
{
	blocklist_free();
	hints_free();
}

CB_PLUGIN("keys", "1.0.0", CB_DEPS("auth"), keys_init, keys_fini)
