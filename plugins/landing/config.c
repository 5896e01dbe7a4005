/* config.c — the page's configuration (the spec's CreateLandingPageRequest
 * .configuration, without seo, plus the optional sections the templates
 * show): checked field by field and rebuilt from the checked values only, so
 * nothing unchecked is ever stored or rendered. */
#include <string.h>
#include <strings.h>

#include "landing.h"

#define DEFAULT_PRIMARY   "#1f4e79"
#define DEFAULT_SECONDARY "#f5a623"
#define DEFAULT_FONT      "system"

/* 1 when s is an upload's path, /assets/{page}/{sha256}.{png,jpg,webp};
 * the page's id is copied to id. */
static int is_asset_path(const char *s, char id[37])
{
	const char *f, *dot;

	if (strncmp(s, "/assets/", 8) != 0 || strlen(s) < 8 + 36 + 1 + 64 + 4)
		return 0;
	memcpy(id, s + 8, 36);
	id[36] = '\0';
	if (!cb_is_uuid(id))
		return 0;
	f = s + 8 + 36;
	if (*f != '/')
		return 0;
	f++;
	dot = strchr(f, '.');
	if (!dot || dot - f != 64 ||
	    (strcmp(dot, ".png") && strcmp(dot, ".jpg") && strcmp(dot, ".webp")))
		return 0;
	for (const char *p = f; p < dot; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

/* The page id an http(s) URL's path names when it points into /assets/ of
 * some page (on any host: every page's domain serves every upload path),
 * after percent-decoding and lower-casing; NULL when it does not. */
static const char *url_asset_page(cb_req *req, const char *url)
{
	const char *p = strstr(url, "://");
	size_t n;
	char *path, *o;

	p = p ? strchr(p + 3, '/') : NULL;
	if (!p)
		return NULL;
	n = strcspn(p, "?#");
	o = path = cb_alloc(req, n + 1);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
			*o++ = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
			i += 2;
		} else {
			*o++ = p[i];
		}
	}
	*o = '\0';
	for (o = path; *o; o++)
		if (*o >= 'A' && *o <= 'Z')
			*o = (char)(*o + 32);
	while (path[0] == '/' && path[1] == '/')
		path++;
	if (strncmp(path, "/assets/", 8) != 0 || strlen(path) < 8 + 36)
		return NULL;
	path[8 + 36] = '\0';
	return path + 8;
}

/* A logo, favicon or vehicle photo: an http(s) URL, or one of this page's
 * uploads. Another page's upload is refused in either form: a page must not
 * show (or count on) another tenant's files. */
static int image_ref_ok(struct vctx *v, const char *s)
{
	char id[37];
	const char *owner;

	if (is_http_url(s)) {
		owner = url_asset_page(v->req, s);
		return !owner || (v->page_id && strcasecmp(owner, v->page_id) == 0);
	}
	if (!is_asset_path(s, id))
		return 0;
	return v->page_id && strcasecmp(id, v->page_id) == 0;
}

/* An image member checked with image_ref_ok (absent or "" is fine). */
static void copy_image(struct vctx *v, const cb_json *in, const char *path, cb_json *out,
                       const char *key)
{
	const char *s = NULL;

	if (v_text(v, in, path, key, 0, 0, 2000, 0, &s) != 1 || !*s)
		return;
	if (!image_ref_ok(v, s)) {
		const char *f = vpath(v, path, key);
		cb_check_fail(v->c, f, "invalid",
		              "%s must be an http:// or https:// URL or one of this page's uploads",
		              f);
		return;
	}
	cb_json_set_str(out, key, s);
}

/* Sets key of out to the text member key of in when present and valid. */
static void copy_text(struct vctx *v, const cb_json *in, const char *path, cb_json *out,
                      const char *key, int required, size_t max, int multiline)
{
	const char *s = NULL;

	if (v_text(v, in, path, key, required, required ? 1 : 0, max, multiline, &s) == 1)
		cb_json_set_str(out, key, s);
}

/* A URL member checked with is_url (absent or "" is fine). */
static void copy_url(struct vctx *v, const cb_json *in, const char *path, cb_json *out,
                     const char *key, int (*is_url)(const char *))
{
	const char *s = NULL;

	if (v_text(v, in, path, key, 0, 0, 2000, 0, &s) != 1 || !*s)
		return;
	if (!is_url(s)) {
		const char *f = vpath(v, path, key);
		cb_check_fail(v->c, f, "invalid", "%s must be an http:// or https:// URL", f);
		return;
	}
	cb_json_set_str(out, key, s);
}

static cb_json *contact_check(struct vctx *v, const cb_json *in, const char *path)
{
	cb_json *out = cb_json_new_object(v->req);
	const cb_json *loc, *hours;
	const char *s = NULL;
	double lat = 0, lng = 0;

	copy_text(v, in, path, out, "address", 0, 300, 1);
	if (v_text(v, in, path, "phone", 0, 0, 40, 0, &s) == 1 && *s) {
		if (is_phone(s))
			cb_json_set_str(out, "phone", s);
		else
			cb_check_fail(v->c, vpath(v, path, "phone"), "invalid",
			              "%s must be a phone number (digits, spaces, + ( ) / . -)",
			              vpath(v, path, "phone"));
	}
	if (v_text(v, in, path, "email", 0, 0, 254, 0, &s) == 1 && *s) {
		if (is_email(s))
			cb_json_set_str(out, "email", s);
		else
			cb_check_fail(v->c, vpath(v, path, "email"), "invalid",
			              "%s must be an e-mail address", vpath(v, path, "email"));
	}
	if (v_text(v, in, path, "country", 0, 0, 2, 0, &s) == 1 && *s) {
		if (strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z')
			cb_json_set_str(out, "country", s);
		else
			cb_check_fail(v->c, vpath(v, path, "country"), "invalid",
			              "%s must be a country code such as DE, AT or CH",
			              vpath(v, path, "country"));
	}
	copy_url(v, in, path, out, "map_url", is_http_url);
	loc = v_object(v, in, path, "location", 0);
	if (loc) {
		const char *lp = vpath(v, path, "location");
		int a = v_num(v, loc, lp, "lat", -90, 90, &lat);
		int b = v_num(v, loc, lp, "lng", -180, 180, &lng);
		if (a == 1 && b == 1) {
			cb_json *o = cb_json_new_object(v->req);
			cb_json_set_num(o, "lat", lat);
			cb_json_set_num(o, "lng", lng);
			cb_json_set(out, "location", o);
		} else if (a != -1 && b != -1) {
			cb_check_fail(v->c, lp, "invalid", "%s needs both lat and lng", lp);
		}
	}
	hours = v_object(v, in, path, "hours", 0);
	if (hours)
		cb_json_set(out, "hours", hours_check(v, hours, vpath(v, path, "hours")));
	return out;
}

static int is_font_keyword(const char *s)
{
	/* what the templates offer (plugins/templates/page_context.md) */
	return strcmp(s, "system") == 0 || strcmp(s, "serif") == 0 || strcmp(s, "rounded") == 0 ||
	       strcmp(s, "mono") == 0;
}

static cb_json *theme_check(struct vctx *v, const cb_json *in, const char *path)
{
	cb_json *out = cb_json_new_object(v->req);
	const char *keys[] = {"primary_color", "secondary_color"};
	const char *defs[] = {DEFAULT_PRIMARY, DEFAULT_SECONDARY};
	const char *s = NULL;

	for (int i = 0; i < 2; i++) {
		int r = v_text(v, in, path, keys[i], 0, 0, 7, 0, &s);
		if (r == 1 && !is_color(s)) {
			const char *f = vpath(v, path, keys[i]);
			cb_check_fail(v->c, f, "invalid", "%s must be a colour #rrggbb", f);
		}
		cb_json_set_str(out, keys[i], r == 1 ? lower_dup(v->req, s) : defs[i]);
	}
	if (v_text(v, in, path, "font_family", 0, 1, 20, 0, &s) == 1) {
		if (!is_font_keyword(s))
			cb_check_fail(v->c, vpath(v, path, "font_family"), "invalid",
			              "%s must be system, serif, rounded or mono",
			              vpath(v, path, "font_family"));
		cb_json_set_str(out, "font_family", s);
	} else {
		cb_json_set_str(out, "font_family", DEFAULT_FONT);
	}
	if (v_text(v, in, path, "logo_backing", 0, 1, 5, 0, &s) == 1) {
		if (strcmp(s, "light") && strcmp(s, "dark") && strcmp(s, "none"))
			cb_check_fail(v->c, vpath(v, path, "logo_backing"), "invalid",
			              "%s must be light, dark or none",
			              vpath(v, path, "logo_backing"));
		else
			cb_json_set_str(out, "logo_backing", s);
	}
	copy_image(v, in, path, out, "logo_url");
	copy_image(v, in, path, out, "favicon_url");
	return out;
}

/* A text member of a list entry: name, bytes (max), required, multiline. */
struct field {
	const char *name;
	size_t max;
	int required, multiline;
};

/* An array member key of at most max objects, each with fields (and
 * image_url when images is set). */
static void list_check(struct vctx *v, const cb_json *conf, const char *path, cb_json *out,
                       const char *key, size_t max, const struct field *fields, int images)
{
	const cb_json *arr = v_array(v, conf, path, key, max);
	const char *lp = vpath(v, path, key);
	cb_json *list = cb_json_new_array(v->req);

	if (!arr)
		return;
	for (size_t i = 0; i < cb_json_len(arr); i++) {
		const cb_json *in = cb_json_at(arr, i);
		const char *p = cb_sprintf(v->req, "%s[%zu]", lp, i);
		cb_json *o = cb_json_new_object(v->req);
		if (cb_json_type(in) != CB_JSON_OBJECT) {
			cb_check_fail(v->c, p, "type", "%s must be an object", p);
			continue;
		}
		for (const struct field *f = fields; f->name; f++)
			copy_text(v, in, p, o, f->name, f->required, f->max, f->multiline);
		if (images)
			copy_image(v, in, p, o, "image_url");
		cb_json_push(list, o);
	}
	cb_json_set(out, key, list);
}

/* An array of short texts (brands). */
static void words_check(struct vctx *v, const cb_json *conf, const char *path, cb_json *out,
                        const char *key, size_t max, size_t maxlen)
{
	const cb_json *arr = v_array(v, conf, path, key, max);
	cb_json *list = cb_json_new_array(v->req);
	const char *lp = vpath(v, path, key);

	if (!arr)
		return;
	for (size_t i = 0; i < cb_json_len(arr); i++) {
		const cb_json *w = cb_json_at(arr, i);
		const char *f = cb_sprintf(v->req, "%s[%zu]", lp, i);
		if (cb_json_type(w) != CB_JSON_STRING)
			cb_check_fail(v->c, f, "type", "%s must be a string", f);
		else if (cb_json_strlen(w) < 1 || cb_json_strlen(w) > maxlen)
			cb_check_fail(v->c, f, cb_json_strlen(w) ? "too_long" : "too_short",
			              "%s must be 1 to %zu bytes", f, maxlen);
		else if (strpbrk(cb_json_str(w), "\r\n\t"))
			cb_check_fail(v->c, f, "invalid", "%s must be one line", f);
		else
			cb_json_push(list, cb_json_new_str(v->req, cb_json_str(w)));
	}
	cb_json_set(out, key, list);
}

static void sections_check(struct vctx *v, const cb_json *conf, const char *path, cb_json *out)
{
	static const struct field services[] = {{"name", 100, 1, 0},
	                                        {"description", 500, 0, 1},
	                                        {"price", 40, 0, 0},
	                                        {"duration", 40, 0, 0},
	                                        {NULL, 0, 0, 0}};
	static const struct field highlights[] = {
	    {"title", 80, 1, 0}, {"text", 300, 0, 1}, {NULL, 0, 0, 0}};
	static const struct field vehicles[] = {{"title", 120, 1, 0},
	                                        {"price", 40, 0, 0},
	                                        {"details", 200, 0, 0},
	                                        {"image_alt", 200, 0, 0},
	                                        {NULL, 0, 0, 0}};
	static const struct field testimonials[] = {
	    {"quote", 500, 1, 1}, {"author", 80, 0, 0}, {NULL, 0, 0, 0}};
	const cb_json *tires;

	list_check(v, conf, path, out, "services", 50, services, 0);
	list_check(v, conf, path, out, "highlights", 12, highlights, 0);
	list_check(v, conf, path, out, "vehicles", 50, vehicles, 1);
	list_check(v, conf, path, out, "testimonials", 20, testimonials, 0);
	words_check(v, conf, path, out, "brands", 30, 40);
	tires = v_object(v, conf, path, "tires", 0);
	if (tires) {
		cb_json *t = cb_json_new_object(v->req);
		const char *tp = vpath(v, path, "tires");
		copy_text(v, tires, tp, t, "season_note", 0, 200, 0);
		copy_text(v, tires, tp, t, "storage_price", 0, 40, 0);
		cb_json_set(out, "tires", t);
	}
}

cb_json *config_check(struct vctx *v, const cb_json *conf, const char *path)
{
	cb_json *out = cb_json_new_object(v->req);
	const cb_json *o;
	const char *s = NULL;

	copy_text(v, conf, path, out, "business_name", 1, 120, 0);
	copy_text(v, conf, path, out, "business_description", 0, 2000, 1);
	copy_text(v, conf, path, out, "tagline", 0, 160, 0);
	{
		double y = 0;
		if (v_num(v, conf, path, "founded_year", 1800, 2100, &y) == 1) {
			if (y != (double)(long long)y)
				cb_check_fail(v->c, vpath(v, path, "founded_year"), "type",
				              "%s must be a whole year",
				              vpath(v, path, "founded_year"));
			else
				cb_json_set_int(out, "founded_year", (long long)y);
		}
	}
	if (v_text(v, conf, path, "locale", 0, 2, 2, 0, &s) == 1 && strcmp(s, "de") &&
	    strcmp(s, "en"))
		cb_check_fail(v->c, vpath(v, path, "locale"), "invalid", "%s must be de or en",
		              vpath(v, path, "locale"));
	cb_json_set_str(out, "locale", s && strcmp(s, "en") == 0 ? "en" : "de");

	o = v_object(v, conf, path, "contact_info", 0);
	cb_json_set(out, "contact_info",
	            o ? contact_check(v, o, vpath(v, path, "contact_info"))
	              : cb_json_new_object(v->req));
	copy_text(v, conf, path, out, "hours_note", 0, 200, 0);
	o = v_object(v, conf, path, "theme", 0);
	cb_json_set(out, "theme", theme_check(v, o, vpath(v, path, "theme")));
	sections_check(v, conf, path, out);
	copy_text(v, conf, path, out, "price_range", 0, 20, 0);
	copy_url(v, conf, path, out, "imprint_url", is_http_url);
	copy_url(v, conf, path, out, "privacy_url", is_http_url);
	legal_check(v, conf, path, out);
	return out;
}
