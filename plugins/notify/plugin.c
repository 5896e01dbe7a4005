/* plugin.c — the notify plugin: e-mail over SMTP and signed outgoing
 * webhooks, both sent from durable jobs. Settings, migrations, routes,
 * hooks and jobs; README.md tells the whole design. */
#include <string.h>

#include <curl/curl.h>

#include <carbot/embed.h>
#include <carbot/sdk.h>

#include "notify.h"

struct notify_conf notify_cf;

static int read_settings(cb_plugin *p)
{
	const cb_str_setting strs[] = {
	    {"smtp_url", "smtp://127.0.0.1:25", &notify_cf.smtp_url},
	    {"smtp_tls", "try", &notify_cf.smtp_tls},
	    {"smtp_user", "", &notify_cf.smtp_user},
	    {"smtp_password", "", &notify_cf.smtp_password},
	    {"smtp_ca_file", "", &notify_cf.smtp_ca_file},
	    {"mail_from", "noreply@carbot.localhost", &notify_cf.mail_from},
	    {"mail_from_name", "CarBot", &notify_cf.mail_from_name},
	    {"public_url", "http://127.0.0.1:8080", &notify_cf.public_url},
	    {"secret", NULL, &notify_cf.secret},
	};
	const cb_int_setting ints[] = {
	    {"smtp_timeout_ms", "30000", 100, 600000, &notify_cf.smtp_timeout_ms},
	    {"smtp_connect_timeout_ms", "10000", 100, 600000, &notify_cf.smtp_connect_timeout_ms},
	    {"mail_max_attempts", "12", 1, 100, &notify_cf.mail_max_attempts},
	    {"webhook_retry_base", "60", 1, 3600, &notify_cf.webhook_retry_base},
	    {"webhook_timeout_ms", "10000", 100, 60000, &notify_cf.webhook_timeout_ms},
	    {"webhook_max_attempts", "8", 1, 50, &notify_cf.webhook_max_attempts},
	    {"digest_hour", "7", 0, 23, &notify_cf.digest_hour},
	};

	if (cb_settings_str(p, strs, CB_COUNT(strs)) != CB_OK ||
	    cb_settings_int(p, ints, CB_COUNT(ints)) != CB_OK ||
	    cb_setting(p, "webhook_allow_loopback", CB_SET_BOOL, "off", 0, 0) != CB_OK)
		return CB_ERR;
	notify_cf.webhook_allow_loopback = cb_conf_bool(p, "webhook_allow_loopback");
	if (cb_settings_secret(p, "secret", &notify_cf.secret, &notify_cf.secret_len) != CB_OK)
		return CB_ERR;
	if (strcmp(notify_cf.smtp_tls, "off") != 0 && strcmp(notify_cf.smtp_tls, "try") != 0 &&
	    strcmp(notify_cf.smtp_tls, "on") != 0)
		return cb_plugin_fail(p, "smtp_tls must be off, try or on");
	if (strncmp(notify_cf.smtp_url, "smtp://", 7) != 0 &&
	    strncmp(notify_cf.smtp_url, "smtps://", 8) != 0)
		return cb_plugin_fail(p, "smtp_url must start with smtp:// or smtps://");
	if (!strchr(notify_cf.mail_from, '@') || strpbrk(notify_cf.mail_from, " <>\r\n"))
		return cb_plugin_fail(
		    p, "mail_from must be a bare address such as noreply@example.com");
	size_t n = strlen(notify_cf.public_url);
	if (n && notify_cf.public_url[n - 1] == '/')
		return cb_plugin_fail(p, "public_url must not end in '/'");
	return CB_OK;
}

struct route_def {
	const char *method, *pattern;
	int auth;
	cb_handler handler;
};

static int notify_init(cb_plugin *p)
{
	const struct route_def routes[] = {
	    {"GET", "/api/v1/notifications/settings", CB_AUTH_BEARER, h_settings_get},
	    {"PUT", "/api/v1/notifications/settings", CB_AUTH_BEARER, h_settings_put},
	    {"GET", "/api/v1/notifications/unsubscribe", CB_AUTH_PUBLIC, h_unsubscribe},
	    {"POST", "/api/v1/notifications/unsubscribe", CB_AUTH_PUBLIC, h_unsubscribe},
	    {"GET", "/api/v1/webhooks", CB_AUTH_BEARER, h_webhook_list},
	    {"POST", "/api/v1/webhooks", CB_AUTH_BEARER, h_webhook_create},
	    {"GET", "/api/v1/webhooks/{id}", CB_AUTH_BEARER, h_webhook_get},
	    {"PATCH", "/api/v1/webhooks/{id}", CB_AUTH_BEARER, h_webhook_patch},
	    {"DELETE", "/api/v1/webhooks/{id}", CB_AUTH_BEARER, h_webhook_delete},
	    {"POST", "/api/v1/webhooks/{id}/test", CB_AUTH_BEARER, h_webhook_test},
	    {"GET", "/api/v1/webhooks/{id}/deliveries", CB_AUTH_BEARER, h_webhook_deliveries},
	};
	int rc = read_settings(p);

	if (rc != CB_OK)
		return rc;
	/* refcounted: a no-op when the core has done it already */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return cb_plugin_fail(p, "curl_global_init failed");
	if (render_init(p) != CB_OK)
		return CB_ERR;
	if (cb_openapi(p, cb_openapi_json) != CB_OK) /* openapi.json: its routes described */
		return CB_ERR;
	for (size_t i = 0; i < cb_embedded_n; i++)
		if (cb_migration(p, cb_embedded[i].name, cb_embedded[i].text) != CB_OK)
			return cb_plugin_fail(p, "migration %s", cb_embedded[i].name);
	for (size_t i = 0; i < CB_COUNT(routes); i++)
		if (cb_route(p, routes[i].method, routes[i].pattern, routes[i].auth, NULL,
		             routes[i].handler) != CB_OK)
			return CB_ERR;
	if (cb_job_handler(p, "notify.send", (int)notify_cf.mail_max_attempts, job_send) != CB_OK ||
	    cb_job_handler(p, "notify.webhook", 3, job_webhook) != CB_OK)
		return CB_ERR;
	if (digest_init(p) != CB_OK || gdpr_register(p) != CB_OK)
		return CB_ERR;
	return events_init(p);
}

static void notify_fini(void)
{
	curl_global_cleanup();
}

CB_PLUGIN("notify", "1.0.0", CB_DEPS("auth", "templates"), notify_init, notify_fini)
