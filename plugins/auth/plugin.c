/* plugin.c — the auth plugin: settings, migrations, routes, the bearer
 * authenticator and the http.response hook. */
#include <stdio.h>
#include <string.h>

#include <carbot/sdk.h>
#include <carbot/embed.h>

#include "auth.h"
#include "recovery.h"

struct auth_conf auth_cf;

static int declare_settings(cb_plugin *p)
{
	/* HS256 wants a key at least as long as its output (RFC 7518 3.2); a
	 * shorter one is refused below rather than here so the message says why. */
	if (cb_setting(p, "jwt_secret", CB_SET_STR, NULL, 0, 0) != CB_OK ||
	    cb_setting(p, "issuer", CB_SET_STR, "carbot", 0, 0) != CB_OK ||
	    cb_setting(p, "bcrypt_cost", CB_SET_INT, "12", 4, 31) != CB_OK)
		return CB_ERR;
	return CB_OK;
}

static int read_settings(cb_plugin *p)
{
	const cb_int_setting ints[] = {
	    {"access_ttl", "900", 30, 86400, &auth_cf.access_ttl},
	    {"refresh_ttl", "86400", 60, 31536000, &auth_cf.refresh_ttl},
	    {"remember_ttl", "2592000", 60, 31536000, &auth_cf.remember_ttl},
	    {"refresh_reuse_grace", "10", 0, 60, &auth_cf.refresh_reuse_grace},
	    {"login_max_failures", "5", 1, 1000, &auth_cf.login_max_failures},
	    {"login_window", "900", 1, 86400, &auth_cf.login_window},
	    {"login_block", "3600", 1, 604800, &auth_cf.login_block},
	    {"register_per_ip", "10", 1, 1000000, &auth_cf.register_per_ip},
	    {"register_window", "3600", 1, 604800, &auth_cf.register_window},
	    {"rate_basic", "100", 1, 100000000, &auth_cf.rate_basic},
	    {"rate_premium", "500", 1, 100000000, &auth_cf.rate_premium},
	    {"rate_enterprise", "2000", 1, 100000000, &auth_cf.rate_enterprise},
	    {"rate_window", "900", 1, 86400, &auth_cf.rate_window},
	};

	/* A failing cb_setting has recorded why, naming file and line. */
	if (declare_settings(p) != CB_OK || cb_settings_int(p, ints, CB_COUNT(ints)) != CB_OK)
		return CB_ERR;

	/* HS256 needs at least 32 random bytes */
	if (cb_settings_secret(p, "jwt_secret", &auth_cf.jwt_secret, &auth_cf.jwt_secret_len) !=
	    CB_OK)
		return CB_ERR;
	auth_cf.issuer = cb_conf_str(p, "issuer");
	if (!auth_cf.issuer || !*auth_cf.issuer)
		return cb_plugin_fail(p, "issuer must not be empty");
	auth_cf.bcrypt_cost = (int)cb_conf_int(p, "bcrypt_cost");
	return CB_OK;
}

struct route_def {
	const char *method, *pattern;
	int auth;
	cb_handler handler;
};

static int auth_init(cb_plugin *p)
{
	const struct route_def routes[] = {
	    {"POST", "/api/v1/auth/register", CB_AUTH_PUBLIC, h_register},
	    {"POST", "/api/v1/auth/login", CB_AUTH_PUBLIC, h_login},
	    {"POST", "/api/v1/auth/refresh", CB_AUTH_PUBLIC, h_refresh_cookie},
	    {"POST", "/api/v1/auth/logout", CB_AUTH_BEARER, h_logout_cookie},
	    {"GET", "/api/v1/auth/me", CB_AUTH_BEARER, h_me_get},
	    {"PATCH", "/api/v1/auth/me", CB_AUTH_BEARER, h_me_patch},
	    {"POST", "/api/v1/auth/password", CB_AUTH_BEARER, h_password},
	    {"POST", "/api/v1/auth/verify-email", CB_AUTH_PUBLIC, h_verify_email},
	    {"GET", "/api/v1/auth/verify-email", CB_AUTH_BEARER, h_verify_status},
	    {"POST", "/api/v1/auth/verify-email/resend", CB_AUTH_BEARER, h_verify_resend},
	    {"POST", "/api/v1/auth/forgot-password", CB_AUTH_PUBLIC, h_forgot_password},
	    {"POST", "/api/v1/auth/reset-password", CB_AUTH_PUBLIC, h_reset_password},
	};
	int rc;

	rc = read_settings(p);
	if (rc != CB_OK)
		return rc;
	if (recovery_init(p) != CB_OK) /* account e-mails: handlers_recovery.c */
		return CB_ERR;
	if (passwords_init() != CB_OK)
		return cb_plugin_fail(p, "libcrypt cannot make bcrypt hashes at cost %d",
		                      auth_cf.bcrypt_cost);

	if (cb_openapi(p, cb_openapi_json) != CB_OK) /* openapi.json: its routes described */
		return CB_ERR;
	for (size_t i = 0; i < cb_embedded_n; i++) {
		rc = cb_migration(p, cb_embedded[i].name, cb_embedded[i].text);
		if (rc != CB_OK)
			return cb_plugin_fail(p, "migration %s: %s", cb_embedded[i].name,
			                      cb_strerror(rc));
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		/* Bearer routes of this plugin need only a signed-in user. */
		rc = cb_route(p, routes[i].method, routes[i].pattern, routes[i].auth, NULL,
		              routes[i].handler);
		if (rc != CB_OK)
			return cb_plugin_fail(p, "route %s %s: %s", routes[i].method,
			                      routes[i].pattern, cb_strerror(rc));
	}
	rc = cb_authenticator(p, CB_AUTH_BEARER, auth_bearer);
	if (rc != CB_OK)
		return cb_plugin_fail(p, "bearer authenticator: %s", cb_strerror(rc));
	rc = cb_hook(p, "http.response", CB_HOOK_MIDDLE, tier_rate_on_response, NULL);
	if (rc != CB_OK)
		return cb_plugin_fail(p, "hook http.response: %s", cb_strerror(rc));
	if (rbac_declare(p) != CB_OK)
		return CB_ERR; /* the core recorded why */
	if (gdpr_register(p) != CB_OK)
		return CB_ERR;
	return users_service_provide(p);
}

CB_PLUGIN("auth", "1.0.0", NULL, auth_init, NULL)
