/* query.c — query-string checks, pagination and limits in characters
 * (http.h, since 1.6). Problems go into the same cb_check as the JSON
 * checks, so a 400 has one shape whatever the client got wrong. */
#include <ctype.h>
#include <string.h>

#include "core.h"

size_t cb_utf8_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	if (!s)
		return 0;
	while (*p) {
		unsigned c = *p, need, cp;
		if (c < 0x80) {
			p++;
			n++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return (size_t)-1;
		}
		for (unsigned i = 1; i <= need; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return (size_t)-1;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return (size_t)-1; /* overlong, out of range or a surrogate */
		p += need + 1;
		n++;
	}
	return n;
}

/* Length rules shared by body and query strings; 1 when s passes. */
static int text_ok(cb_check *c, const char *field, const char *s, size_t min, size_t max,
                   size_t max_bytes)
{
	size_t chars = cb_utf8_len(s);
	if (chars == (size_t)-1) {
		cb_check_fail(c, field, "invalid", "%s must be valid UTF-8 text", field);
		return 0;
	}
	if (chars < min) {
		cb_check_fail(c, field, "too_short", "%s must be at least %zu characters", field,
		              min);
		return 0;
	}
	if (chars > max || strlen(s) > (max_bytes ? max_bytes : 4 * max)) {
		cb_check_fail(c, field, "too_long", "%s must be at most %zu characters", field,
		              max);
		return 0;
	}
	return 1;
}

const char *cb_check_text(cb_check *c, const char *field, int required, size_t min, size_t max,
                          size_t max_bytes)
{
	const cb_json *v = cb_json_get(c->obj, field);
	int t = cb_json_type(v);
	if (t == CB_JSON_NONE || t == CB_JSON_NULL) {
		if (required)
			cb_check_fail(c, field, "missing", "%s is required", field);
		return NULL;
	}
	if (t != CB_JSON_STRING) {
		cb_check_fail(c, field, "type", "%s must be a string", field);
		return NULL;
	}
	const char *s = cb_json_str(v);
	if (strlen(s) != cb_json_strlen(v)) {
		cb_check_fail(c, field, "invalid", "%s must not contain NUL characters", field);
		return NULL;
	}
	return text_ok(c, field, s, min, max, max_bytes) ? s : NULL;
}

/* The parameter's value, or NULL when absent (recorded when required). */
static const char *param(cb_check *c, const char *name, int required)
{
	const char *s = cb_req_query(c->req, name);
	if (!s && required)
		cb_check_fail(c, name, "missing", "%s is required", name);
	return s;
}

int cb_query_int(cb_check *c, const char *name, int required, long long min, long long max,
                 long long *out)
{
	const char *s = param(c, name, required);
	if (!s)
		return 0;
	const char *d = s + (*s == '-');
	size_t n = strlen(d);
	if (n == 0 || n > 18 || strspn(d, "0123456789") != n) {
		cb_check_fail(c, name, "type", "%s must be a whole number", name);
		return -1;
	}
	long long v = 0;
	for (; *d; d++)
		v = v * 10 + (*d - '0');
	if (*s == '-')
		v = -v;
	if (v < min || v > max) {
		cb_check_fail(c, name, "range", "%s must be between %lld and %lld", name, min, max);
		return -1;
	}
	*out = v;
	return 1;
}

const char *cb_query_str(cb_check *c, const char *name, int required, size_t min, size_t max)
{
	const char *s = param(c, name, required);
	return s && text_ok(c, name, s, min, max, 0) ? s : NULL;
}

int cb_query_bool(cb_check *c, const char *name, int required, int *out)
{
	const char *s = param(c, name, required);
	if (!s)
		return 0;
	if (strcmp(s, "true") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0)
		*out = 0;
	else {
		cb_check_fail(c, name, "type", "%s must be true or false", name);
		return -1;
	}
	return 1;
}

int cb_query_enum(cb_check *c, const char *name, int required, const char *const *allowed, int *out)
{
	const char *s = param(c, name, required);
	char list[512] = "";
	if (!s)
		return 0;
	for (int i = 0; allowed && allowed[i]; i++) {
		if (strcmp(s, allowed[i]) == 0) {
			*out = i;
			return 1;
		}
		if (i)
			strncat(list, ", ", sizeof list - strlen(list) - 1);
		strncat(list, allowed[i], sizeof list - strlen(list) - 1);
	}
	cb_check_fail(c, name, "invalid", "%s must be one of: %s", name, list);
	return -1;
}

const char *cb_query_uuid(cb_check *c, const char *name, int required)
{
	const char *s = param(c, name, required);
	if (!s)
		return NULL;
	if (!cb_is_uuid(s)) {
		cb_check_fail(c, name, "invalid", "%s must be a UUID", name);
		return NULL;
	}
	char *low = cb_strdup(c->req, s);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return low;
}

int cb_page_read(cb_check *c, long long def_limit, long long max_limit, cb_page *out)
{
	if (!out || out->size < sizeof(size_t) + 3 * sizeof(long long) || def_limit < 1 ||
	    max_limit < 1)
		return CB_EINVAL;
	long long page = 1, limit = def_limit < max_limit ? def_limit : max_limit;
	int a = cb_query_int(c, "page", CB_OPTIONAL, 1, 1000000, &page);
	int b = cb_query_int(c, "limit", CB_OPTIONAL, 1, max_limit, &limit);
	if (a < 0 || b < 0)
		return CB_EINVAL;
	out->page = page;
	out->limit = limit;
	out->offset = (page - 1) * limit;
	return CB_OK;
}

cb_json *cb_page_json(cb_req *req, const cb_page *pg, long long total, long long rows)
{
	cb_json *o = cb_json_new_object(req);
	cb_json_set_int(o, "page", pg ? pg->page : 1);
	cb_json_set_int(o, "limit", pg ? pg->limit : rows);
	cb_json_set_int(o, "total", total);
	cb_json_set_bool(o, "has_more", (pg ? pg->offset : 0) + rows < total);
	return o;
}
