/* plugin.c — the billing plugin: settings, migrations, routes, jobs and the
 * hook that starts every new account's trial. See README.md. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <carbot/embed.h>
#include "billing.h"

#include <carbot/settings.h>

struct billing_conf bl_cf;

static int read_settings(cb_plugin *p)
{
	cb_str_setting strs[] = {
	    {"stripe_api_base", "https://api.stripe.com", &bl_cf.api_base},
	    {"stripe_api_key", "", &bl_cf.api_key},
	    {"webhook_secret", "", &bl_cf.webhook_secret},
	    {"webhook_secret_previous", "", &bl_cf.webhook_secret_previous},
	    {"success_url", "http://127.0.0.1:8080/admin/billing?checkout=success",
	     &bl_cf.success_url},
	    {"cancel_url", "http://127.0.0.1:8080/admin/billing?checkout=canceled",
	     &bl_cf.cancel_url},
	    {"portal_return_url", "http://127.0.0.1:8080/admin/billing", &bl_cf.portal_return_url},
	    {"contact_url", "mailto:sales@carbot.example", &bl_cf.contact_url},
	};
	cb_int_setting ints[] = {
	    {"stripe_timeout_ms", "5000", 100, 120000, &bl_cf.timeout_ms},
	    {"stripe_connect_timeout_ms", "2000", 100, 60000, &bl_cf.connect_timeout_ms},
	    {"webhook_tolerance", "300", 1, 86400, &bl_cf.tolerance},
	    {"trial_days", "14", 0, 365, &bl_cf.trial_days},
	    {"grace_days", "7", 0, 90, &bl_cf.grace_days},
	    {"reconcile_interval", "86400", 60, 7 * 86400, &bl_cf.reconcile_interval},
	};

	if (cb_settings_str(p, strs, CB_COUNT(strs)) != CB_OK ||
	    cb_settings_int(p, ints, CB_COUNT(ints)) != CB_OK ||
	    cb_setting(p, "test_mode", CB_SET_BOOL, "off", 0, 0) != CB_OK)
		return CB_ERR;
	/* A Stripe test key is test mode too: no real money moves. */
	bl_cf.test_mode = cb_conf_bool(p, "test_mode") ||
	                  strncmp(bl_cf.api_key, "sk_test_", 8) == 0 ||
	                  strncmp(bl_cf.api_key, "rk_test_", 8) == 0;
	if (strncmp(bl_cf.api_base, "http://", 7) != 0 &&
	    strncmp(bl_cf.api_base, "https://", 8) != 0)
		return cb_plugin_fail(p, "stripe_api_base must be an http(s) URL");
	return plans_settings(p);
}

static const struct {
	const char *method, *pattern;
	int auth;
	cb_handler handler;
} routes[] = {
    {"GET", "/api/v1/billing/plans", CB_AUTH_PUBLIC, h_plans},
    {"GET", "/api/v1/billing/subscription", CB_AUTH_BEARER, h_subscription},
    {"POST", "/api/v1/billing/checkout", CB_AUTH_BEARER, h_checkout},
    {"POST", "/api/v1/billing/portal", CB_AUTH_BEARER, h_portal},
    {"GET", "/api/v1/billing/invoices", CB_AUTH_BEARER, h_invoices},
    {"GET", "/api/v1/billing/metrics", CB_AUTH_INTERNAL, h_metrics},
};

static const struct {
	const char *name;
	int attempts;
	cb_job_fn fn;
} jobs[] = {
    /* 2^attempt s, capped at 1 h: an unknown customer or a Stripe outage is
     * retried for about a day before the job is kept as failed */
    {JOB_EVENT, 30, job_event},
    {JOB_TRIAL, 20, job_trial},
    {JOB_GRACE, 30, job_grace},
    {JOB_RECONCILE, 5, job_reconcile},
    {JOB_TRIAL_ENDING, 20, job_trial_ending},
};

static int billing_init(cb_plugin *p)
{
	int rc;

	if (read_settings(p) != CB_OK || gdpr_register(p) != CB_OK)
		return CB_ERR;
	if (!users_ready())
		return cb_plugin_fail(p, "needs the users.v1 service (auth) with trials_over");
	if (cb_openapi(p, cb_openapi_json) != CB_OK) /* openapi.json: its routes described */
		return CB_ERR;
	for (size_t i = 0; i < cb_embedded_n; i++)
		if ((rc = cb_migration(p, cb_embedded[i].name, cb_embedded[i].text)) != CB_OK)
			return cb_plugin_fail(p, "migration %s: %s", cb_embedded[i].name,
			                      cb_strerror(rc));
	for (size_t i = 0; i < CB_COUNT(routes); i++)
		if (cb_route(p, routes[i].method, routes[i].pattern, routes[i].auth, NULL,
		             routes[i].handler) != CB_OK)
			return CB_ERR;
	if (cb_route_body(p, "POST", "/api/v1/billing/webhook", CB_AUTH_PUBLIC, NULL, h_webhook,
	                  512 * 1024) != CB_OK)
		return CB_ERR;
	for (size_t i = 0; i < CB_COUNT(jobs); i++)
		if (cb_job_handler(p, jobs[i].name, jobs[i].attempts, jobs[i].fn) != CB_OK)
			return CB_ERR;
	if (metrics_register(p) != CB_OK)
		return CB_ERR;
	if ((rc = cb_hook(p, "user.registered", CB_HOOK_LAST, on_registered, NULL)) != CB_OK)
		return cb_plugin_fail(p, "hook user.registered: %s", cb_strerror(rc));
	return CB_OK;
}

const char *iso_time(cb_req *req, long long unix_s)
{
	struct tm tm;
	time_t t = (time_t)unix_s;
	char buf[32];

	if (unix_s <= 0 || !gmtime_r(&t, &tm))
		return NULL;
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return cb_strdup(req, buf);
}

long long json_ll(const cb_json *o, const char *key)
{
	long long v = 0;
	cb_json_int(cb_json_get(o, key), &v);
	return v;
}

CB_PLUGIN("billing", "1.0.0", CB_DEPS("auth"), billing_init, NULL)
