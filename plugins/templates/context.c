/* context.c — the page context a catalogue template is rendered with: a copy
 * of the caller's, completed and made safe (page_context.md, "What
 * render_page adds or fixes"). Templates have no helpers of their own, so
 * what they cannot compute (the locale's strings, a tel: number, a map link)
 * is computed here once for all of them. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "templates.h"

#define MAX_COPY_DEPTH 32

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int prefix_ci(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

/* Links a template may put into href/src: http(s), a path on this host,
 * a fragment, mailto:, tel:, data:image/. No whitespace or control bytes
 * (browsers drop them, turning "java\tscript:" into a scheme) and no
 * backslash (browsers read "/\host" as "//host"). */
static int safe_url(const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c <= 0x20 || *c == 0x7F || *c == '\\')
			return 0;
	if (s[0] == '/')
		return s[1] != '/';
	return s[0] == '#' || prefix_ci(s, "https://") || prefix_ci(s, "http://") ||
	       prefix_ci(s, "mailto:") || prefix_ci(s, "tel:") || prefix_ci(s, "data:image/");
}

/* Deep copy of containers (primitives are shared), without unsafe *_url
 * strings; too deep subtrees are left out. */
static cb_json *copy(cb_req *req, const cb_json *v, int depth)
{
	cb_json *c;
	int type = cb_json_type(v);
	if (type != CB_JSON_OBJECT && type != CB_JSON_ARRAY)
		return (cb_json *)v;
	if (depth > MAX_COPY_DEPTH)
		return NULL;
	c = type == CB_JSON_OBJECT ? cb_json_new_object(req) : cb_json_new_array(req);
	for (size_t i = 0; i < cb_json_len(v); i++) {
		const cb_json *m = cb_json_at(v, i);
		cb_json *mc;
		if (type == CB_JSON_OBJECT) {
			const char *k = cb_json_key_at(v, i);
			if (has_suffix(k, "_url") && cb_json_str(m) && !safe_url(cb_json_str(m)))
				continue;
			if ((mc = copy(req, m, depth + 1)) != NULL)
				cb_json_set(c, k, mc);
		} else if ((mc = copy(req, m, depth + 1)) != NULL) {
			cb_json_push(c, mc);
		}
	}
	return c;
}

/* The member key of obj, made an (empty) object when it is not one. */
static cb_json *object_member(cb_req *req, cb_json *obj, const char *key)
{
	cb_json *m = cb_json_get(obj, key);
	if (cb_json_type(m) != CB_JSON_OBJECT) {
		m = cb_json_new_object(req);
		cb_json_set(obj, key, m);
	}
	return m;
}

static int hex_color(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n != 4 && n != 7)
		return 0;
	if (s[0] != '#')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* WCAG relative luminance of #rgb / #rrggbb. */
static double luminance(const char *c)
{
	unsigned v[3];
	double l[3];
	if (strlen(c) == 4) {
		for (int i = 0; i < 3; i++) {
			char h[2] = {c[1 + i], 0};
			v[i] = (unsigned)strtoul(h, NULL, 16) * 17;
		}
	} else {
		for (int i = 0; i < 3; i++) {
			char h[3] = {c[1 + 2 * i], c[2 + 2 * i], 0};
			v[i] = (unsigned)strtoul(h, NULL, 16);
		}
	}
	for (int i = 0; i < 3; i++) {
		double s = v[i] / 255.0;
		l[i] = s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4);
	}
	return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}

/* The text colour (white or near-black) with more contrast on colour c. */
static const char *on_color(const char *c)
{
	double l = luminance(c), dark = luminance("#111827");
	return (1.05) / (l + 0.05) >= (l + 0.05) / (dark + 0.05) ? "#ffffff" : "#111827";
}

static const char *const fonts[][2] = {
    {"system", "system-ui, -apple-system, \"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, "
               "\"Noto Sans\", \"Liberation Sans\", sans-serif"},
    {"serif", "Georgia, Cambria, \"Times New Roman\", Times, \"Liberation Serif\", serif"},
    {"rounded", "ui-rounded, \"SF Pro Rounded\", \"Arial Rounded MT Bold\", \"Nunito\", "
                "system-ui, sans-serif"},
    {"mono", "ui-monospace, \"Cascadia Code\", \"Source Code Pro\", Menlo, Consolas, "
             "\"DejaVu Sans Mono\", monospace"},
};

/* Colours must be #rgb/#rrggbb (they go into CSS); missing ones and the
 * rest of the template's defaults are filled in. font_stack is always ours:
 * templates print it raw inside <style>. */
static void fix_theme(cb_req *req, cb_json *page, const cb_json *defaults)
{
	cb_json *th = object_member(req, page, "theme");
	for (size_t i = 0; i < cb_json_len(th); i++) {
		const char *k = cb_json_key_at(th, i);
		if (has_suffix(k, "_color") && !hex_color(cb_json_str(cb_json_at(th, i)))) {
			cb_json_del(th, k);
			i--;
		}
	}
	for (size_t i = 0; i < cb_json_len(defaults); i++) {
		const char *k = cb_json_key_at(defaults, i);
		if (!cb_json_get(th, k))
			cb_json_set(th, k, cb_json_at(defaults, i));
	}
	/* logo_backing goes into a class name: only the known values */
	const char *lb = cb_json_get_str(th, "logo_backing");
	if (!lb || (strcmp(lb, "light") && strcmp(lb, "dark") && strcmp(lb, "none"))) {
		lb = cb_json_get_str(defaults, "logo_backing");
		cb_json_set_str(th, "logo_backing", lb && !strcmp(lb, "light") ? "light" : "none");
	}
	static const char *const bases[] = {"primary", "secondary"};
	for (size_t i = 0; i < 2; i++) {
		const char *c = cb_json_get_str(th, cb_sprintf(req, "%s_color", bases[i]));
		if (c)
			cb_json_set_str(th, cb_sprintf(req, "on_%s_color", bases[i]), on_color(c));
	}
	/* links in the primary colour only where it reads on the background
	 * (WCAG AA 4.5:1), else in the text colour */
	const char *pc = cb_json_get_str(th, "primary_color"),
	           *bg = cb_json_get_str(th, "background_color");
	const char *tc = cb_json_get_str(th, "text_color");
	if (pc && bg && tc) {
		double a = luminance(pc), b = luminance(bg);
		double ratio = a > b ? (a + 0.05) / (b + 0.05) : (b + 0.05) / (a + 0.05);
		cb_json_set_str(th, "link_color", ratio >= 4.5 ? pc : tc);
	} else {
		cb_json_set_str(th, "link_color", pc ? pc : "#1f4e79");
	}
	const char *family = cb_json_get_str(th, "font_family");
	size_t f = 0;
	for (size_t i = 0; family && i < sizeof fonts / sizeof fonts[0]; i++)
		if (strcmp(family, fonts[i][0]) == 0)
			f = i;
	cb_json_set_str(th, "font_family", fonts[f][0]);
	cb_json_set_str(th, "font_stack", fonts[f][1]);
}

static char *url_encode(cb_req *req, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s), o = 0;
	char *r = cb_alloc(req, 3 * n + 1);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (isalnum(*c) || strchr("-_.~", *c)) {
			r[o++] = (char)*c;
		} else {
			r[o++] = '%';
			r[o++] = hex[*c >> 4];
			r[o++] = hex[*c & 15];
		}
	}
	return r;
}

static void fix_contact(cb_req *req, cb_json *page)
{
	cb_json *ci = cb_json_get(page, "contact_info");
	const char *phone = cb_json_get_str(ci, "phone");
	const char *address = cb_json_get_str(ci, "address");
	const cb_json *loc = cb_json_get(ci, "location");
	double lat, lng;

	if (cb_json_type(ci) != CB_JSON_OBJECT)
		return;
	if (phone && !cb_json_get(ci, "phone_href")) {
		char *href = cb_alloc(req, strlen(phone) + 1);
		size_t o = 0;
		for (const char *c = phone; *c; c++)
			if ((*c >= '0' && *c <= '9') || (*c == '+' && o == 0))
				href[o++] = *c;
		if (o)
			cb_json_set_str(ci, "phone_href", href);
	}
	if (cb_json_get(ci, "map_url"))
		return;
	if (cb_json_num(cb_json_get(loc, "lat"), &lat) == CB_OK &&
	    cb_json_num(cb_json_get(loc, "lng"), &lng) == CB_OK && lat >= -90 && lat <= 90 &&
	    lng >= -180 && lng <= 180)
		cb_json_set_str(ci, "map_url",
		                cb_sprintf(req,
		                           "https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f"
		                           "#map=17/%.6f/%.6f",
		                           lat, lng, lat, lng));
	else if (address && *address)
		cb_json_set_str(ci, "map_url",
		                cb_sprintf(req, "https://www.openstreetmap.org/search?query=%s",
		                           url_encode(req, address)));
}

cb_json *page_context(cb_req *req, const cb_json *ctx, const char *strings, const char *theme)
{
	cb_json *page =
	    cb_json_type(ctx) == CB_JSON_OBJECT ? copy(req, ctx, 0) : cb_json_new_object(req);
	const cb_json *all = cb_json_parse(req, strings, strlen(strings), NULL, 0);
	const cb_json *defaults = cb_json_parse(req, theme, strlen(theme), NULL, 0);
	const char *locale = cb_json_get_str(page, "locale");
	const char *lang = locale && strncmp(locale, "en", 2) == 0 ? "en" : "de";

	cb_json_set_str(page, "lang", lang);
	if (!cb_json_get(page, "t")) {
		const cb_json *t = cb_json_get(all, lang);
		cb_json_set(page, "t", t ? (cb_json *)t : cb_json_new_object(req));
	}
	fix_theme(req, page, defaults);
	fix_contact(req, page);
	cb_json *p = object_member(req, page, "page");
	if (!cb_json_get(p, "year")) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		cb_json_set_int(p, "year", tm.tm_year + 1900);
	}
	return page;
}
