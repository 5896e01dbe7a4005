/* input.c — checks of request input shared by the handlers. */
#include <string.h>

#include "keys.h"

void reject_unknown(cb_check *c, const cb_json *body, const char *const *known, size_t n)
{
	int reported = 0;

	for (size_t i = 0; i < cb_json_len(body) && reported < 10; i++) {
		const char *key = cb_json_key_at(body, i);
		size_t j = 0;

		while (j < n && strcmp(key, known[j]) != 0)
			j++;
		if (j < n)
			continue;
		if (strcmp(key, "domain") == 0 || strcmp(key, "environment") == 0)
			cb_check_fail(c, key, "invalid",
			              "%s cannot be changed; create a new key instead", key);
		else
			cb_check_fail(c, strlen(key) > 64 ? "(unknown)" : key, "invalid",
			              "Unknown field");
		reported++;
	}
}

const char *read_description(cb_check *c, const cb_json *body, int *set)
{
	cb_json *v = cb_json_get(body, "description");
	const char *s;

	*set = v != NULL;
	if (!v || cb_json_type(v) == CB_JSON_NULL)
		return NULL;
	s = cb_check_str(c, "description", CB_OPTIONAL, 0, DESCRIPTION_MAX);
	if (!s)
		return NULL;
	for (const char *p = s; *p; p++)
		if (((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f) {
			cb_check_fail(c, "description", "invalid",
			              "description must not contain control characters");
			return NULL;
		}
	return *s ? s : NULL; /* "" clears it, like null */
}
