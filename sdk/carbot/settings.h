/* carbot/settings.h — declaring a plugin's settings from a table.
 *
 * Header-only (static inline over cb_setting and cb_conf_*), so it adds
 * nothing to the function table and works with every 1.x core:
 *
 *   static long long ttl, limit;
 *   static const char *url;
 *   const cb_int_setting ints[] = {
 *           {"ttl", "900", 30, 86400, &ttl},
 *           {"limit", "100", 1, 1000000, &limit},
 *   };
 *   const cb_str_setting strs[] = {{"url", "https://example.org", &url}};
 *   if (cb_settings_int(p, ints, CB_COUNT(ints)) != CB_OK ||
 *       cb_settings_str(p, strs, CB_COUNT(strs)) != CB_OK)
 *           return CB_ERR; // cb_setting recorded why, naming file and line
 */
#ifndef CARBOT_SETTINGS_H
#define CARBOT_SETTINGS_H

#include <stddef.h>
#include <string.h>

/* An integer setting: name, default (text), range, where its value goes. */
typedef struct cb_int_setting {
	const char *name, *def;
	long long min, max;
	long long *out;
} cb_int_setting;

/* A string setting: name, default (NULL: required), where its value goes
 * (a string owned by carbotd for its whole life). */
typedef struct cb_str_setting {
	const char *name, *def;
	const char **out;
} cb_str_setting;

#define CB_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Declares each of the n settings of table and stores its value. Returns
 * CB_OK, or the first failure of cb_setting (which has recorded why). */
static inline int cb_settings_int(cb_plugin *p, const cb_int_setting *table, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = cb_setting(p, table[i].name, CB_SET_INT, table[i].def, table[i].min,
		                    table[i].max);
		if (rc != CB_OK)
			return rc;
		*table[i].out = cb_conf_int(p, table[i].name);
	}
	return CB_OK;
}

static inline int cb_settings_str(cb_plugin *p, const cb_str_setting *table, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = cb_setting(p, table[i].name, CB_SET_STR, table[i].def, 0, 0);
		if (rc != CB_OK)
			return rc;
		*table[i].out = cb_conf_str(p, table[i].name);
	}
	return CB_OK;
}

/* Reads the string setting name (declared before, e.g. required) as a
 * secret: at least 32 bytes, or the plugin fails with one line saying how
 * long it is. Stores it and its length. Returns CB_OK or CB_ERR. */
static inline int cb_settings_secret(cb_plugin *p, const char *name, const char **out, size_t *len)
{
	const char *v = cb_conf_str(p, name);
	size_t n = v ? strlen(v) : 0;

	if (n < 32)
		return cb_plugin_fail(p,
		                      "%s is %zu bytes long; it needs at least 32 random bytes "
		                      "(e.g. openssl rand -base64 48)",
		                      name, n);
	*out = v;
	*len = n;
	return CB_OK;
}

#endif
