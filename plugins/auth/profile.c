/* profile.c — the profile fields a user sets at registration and with
 * PATCH /me. The spec's RegisterRequest spells them in camelCase
 * (firstName); the snake_case of the database (first_name) is accepted too.
 * The user object in responses uses snake_case.
 */
#include <string.h>

#include "auth.h"

static const struct {
	const char *camel, *snake;
	size_t max;
} fields[PF_N] = {
    [PF_FIRST_NAME] = {"firstName", "first_name", 100},
    [PF_LAST_NAME] = {"lastName", "last_name", 100},
    [PF_COMPANY_NAME] = {"companyName", "company_name", 255},
    [PF_PHONE] = {"phone", "phone", 20},
};

static int phone_ok(const char *s)
{
	int digits = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (!strchr(" +-()/.", *s))
			return 0;
	}
	return digits >= 3;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

void profile_read(cb_check *c, const cb_json *body, struct profile *pf)
{
	memset(pf, 0, sizeof(*pf));
	for (int i = 0; i < PF_N; i++) {
		const char *key = fields[i].camel;
		cb_json *v = cb_json_get(body, key);
		const char *s;

		if (!v) {
			key = fields[i].snake;
			v = cb_json_get(body, key);
		}
		if (!v)
			continue;
		pf->set[i] = 1;
		if (cb_json_type(v) == CB_JSON_NULL)
			continue;
		s = cb_check_str(c, key, CB_OPTIONAL, 0, fields[i].max);
		if (!s)
			continue;
		while (*s == ' ')
			s++;
		if (!*s)
			continue; /* "" clears the field, like null */
		if (has_control(s))
			cb_check_fail(c, key, "invalid", "Must not contain control characters");
		else if (i == PF_PHONE && !phone_ok(s))
			cb_check_fail(c, key, "invalid",
			              "A phone number has digits and only + - ( ) / . or spaces");
		else
			pf->val[i] = s;
	}
}
