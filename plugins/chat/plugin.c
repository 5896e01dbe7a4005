/* plugin.c — the chat plugin: settings, migrations, routes, widget.js. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <carbot/sdk.h>
#include <carbot/embed.h>

#include "chat.h"

struct chat_conf chat_cf;
const struct keys_api *chat_keys;

static int read_settings(cb_plugin *p)
{
	const cb_int_setting ints[] = {
	    {"llm_timeout_ms", "4000", 100, 60000, &chat_cf.llm_timeout_ms},
	    {"llm_history", "10", 0, 50, &chat_cf.llm_history},
	    {"idle_minutes", "30", 1, 1440, &chat_cf.idle_minutes},
	    {"session_limit", "30", 1, 100000, &chat_cf.session_limit},
	    {"session_window", "60", 1, 86400, &chat_cf.session_window},
	    {"cache_ms", "10000", 0, 600000, &chat_cf.cache_ms},
	};
	static const char *const strs[][2] = {
	    {"llm_url", ""},     {"llm_model", "gpt-4o-mini"},
	    {"llm_api_key", ""}, {"timezone", "Europe/Berlin"},
	    {"widget_js", ""},
	};

	if (cb_setting(p, "visitor_salt", CB_SET_STR, NULL, 0, 0) != CB_OK)
		return CB_ERR;
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (cb_setting(p, strs[i][0], CB_SET_STR, strs[i][1], 0, 0) != CB_OK)
			return CB_ERR;
	if (cb_settings_int(p, ints, CB_COUNT(ints)) != CB_OK)
		return CB_ERR;
	if (cb_settings_secret(p, "visitor_salt", &chat_cf.visitor_salt,
	                       &chat_cf.visitor_salt_len) != CB_OK)
		return CB_ERR;
	chat_cf.llm_url = cb_conf_str(p, "llm_url");
	chat_cf.llm_model = cb_conf_str(p, "llm_model");
	chat_cf.llm_api_key = cb_conf_str(p, "llm_api_key");
	chat_cf.timezone = cb_conf_str(p, "timezone");
	if (*chat_cf.llm_url && strncmp(chat_cf.llm_url, "http://", 7) != 0 &&
	    strncmp(chat_cf.llm_url, "https://", 8) != 0)
		return cb_plugin_fail(p, "llm_url must be an http:// or https:// URL (or empty)");
	if (!*chat_cf.timezone || strlen(chat_cf.timezone) > 64 ||
	    strspn(chat_cf.timezone,
	           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-") !=
	        strlen(chat_cf.timezone))
		return cb_plugin_fail(p, "timezone must be an IANA name such as Europe/Berlin");
	return CB_OK;
}

/* widget_js, or (empty) the widget next to the plugins: plugin_dir/../widget/
 * widget.js, where `make widget` puts it. Relative paths are taken from the
 * current directory (cb_core_setting gives the config's raw value). */
static void load_widget(cb_plugin *p)
{
	const char *path = cb_conf_str(p, "widget_js");
	const char *pd = cb_core_setting("plugin_dir");
	char buf[PATH_MAX];

	if (!path || !*path) {
		snprintf(buf, sizeof(buf), "%s/../widget/widget.js",
		         pd && *pd ? pd : "build/plugins");
		path = buf;
	}
	if (widgetjs_load(path) != CB_OK)
		cb_log(NULL, CB_LOG_WARN,
		       "chat: widget script %s cannot be read (run make widget); /widget.js "
		       "answers 404",
		       path);
}

struct route_def {
	const char *method, *pattern;
	int auth;
	const char *permission;
	cb_handler handler;
	size_t max_body;
};

static int chat_init(cb_plugin *p)
{
	const struct route_def routes[] = {
	    {"POST", "/api/v1/widget/init", CB_AUTH_CLIENT_KEY, NULL, h_widget_init, 16384},
	    {"POST", "/api/v1/widget/chat", CB_AUTH_CLIENT_KEY, NULL, h_widget_chat, 32768},
	    {"POST", "/api/v1/widget/events", CB_AUTH_CLIENT_KEY, NULL, h_widget_events, 131072},
	    {"OPTIONS", "/api/v1/widget/init", CB_AUTH_PUBLIC, NULL, h_preflight, 0},
	    {"OPTIONS", "/api/v1/widget/chat", CB_AUTH_PUBLIC, NULL, h_preflight, 0},
	    {"OPTIONS", "/api/v1/widget/events", CB_AUTH_PUBLIC, NULL, h_preflight, 0},
	    {"GET", "/widget.js", CB_AUTH_PUBLIC, NULL, h_widget_js, 0},
	    {"GET", "/api/v1/client-keys/{id}/analytics", CB_AUTH_BEARER, "read:own_keys",
	     h_analytics, 0},
	    {"GET", "/api/v1/client-keys/{id}/knowledge", CB_AUTH_BEARER, "read:own_keys",
	     h_knowledge_get, 0},
	    {"PUT", "/api/v1/client-keys/{id}/knowledge", CB_AUTH_BEARER, NULL, h_knowledge_put,
	     262144},
	    {"GET", "/api/v1/conversations", CB_AUTH_BEARER, "read:own_keys", h_conversations, 0},
	    {"GET", "/api/v1/conversations/{id}", CB_AUTH_BEARER, "read:own_keys", h_conversation,
	     0},
	    {"GET", "/api/v1/conversations/search", CB_AUTH_BEARER, "read:own_keys",
	     h_conversation_search, 0},
	    {"GET", "/api/v1/leads", CB_AUTH_BEARER, "read:own_keys", h_leads, 0},
	    {"PATCH", "/api/v1/leads/{id}", CB_AUTH_BEARER, NULL, h_lead_patch, 0},
	    {"GET", "/api/v1/knowledge", CB_AUTH_BEARER, "read:own_keys", h_kb_get, 0},
	    {"PUT", "/api/v1/knowledge", CB_AUTH_BEARER, NULL, h_kb_put, 262144},
	    {"GET", "/api/v1/knowledge/fallbacks", CB_AUTH_BEARER, "read:own_keys", h_kb_fallbacks,
	     0},
	    {"POST", "/api/v1/knowledge/faq/{faq_id}/phrasings", CB_AUTH_BEARER, NULL,
	     h_kb_phrasing_add, 16384},
	    {"DELETE", "/api/v1/knowledge/faq/{faq_id}/phrasings/{index}", CB_AUTH_BEARER, NULL,
	     h_kb_phrasing_del, 0},
	};
	int rc = read_settings(p);

	if (rc != CB_OK)
		return rc;
	chat_keys = cb_service(KEYS_SERVICE);
	if (!chat_keys || chat_keys->size < KEYS_API_V2_SIZE)
		return cb_plugin_fail(p, "the keys plugin's service " KEYS_SERVICE " is missing");
	if (cb_openapi(p, cb_openapi_json) != CB_OK) /* openapi.json: its routes described */
		return CB_ERR;
	for (size_t i = 0; i < cb_embedded_n; i++) {
		rc = cb_migration(p, cb_embedded[i].name, cb_embedded[i].text);
		if (rc != CB_OK)
			return cb_plugin_fail(p, "migration %s: %s", cb_embedded[i].name,
			                      cb_strerror(rc));
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		rc = cb_route_body(p, routes[i].method, routes[i].pattern, routes[i].auth,
		                   routes[i].permission, routes[i].handler, routes[i].max_body);
		if (rc != CB_OK)
			return cb_plugin_fail(p, "route %s %s: %s", routes[i].method,
			                      routes[i].pattern, cb_strerror(rc));
	}
	load_widget(p);
	rc = ended_register(p);
	if (rc != CB_OK)
		return cb_plugin_fail(p, "job chat.end_idle: %s", cb_strerror(rc));
	return gdpr_register(p);
}

static void chat_fini(void)
{
	widgetjs_free();
	business_cache_free();
	textmatch_free();
}

CB_PLUGIN("chat", "1.0.0", CB_DEPS("auth", "keys"), chat_init, chat_fini)
