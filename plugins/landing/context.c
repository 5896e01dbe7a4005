/* context.c — the page context handed to the templates: the names of
 * plugins/templates/page_context.md, built from the stored configuration.
 * Strings stay raw user text here; templates escape them. Only seo.json_ld
 * (cb_json_dump: < > & escaped) and the *_html members are markup, built and
 * escaped by this plugin. */
#include <string.h>

#include "landing.h"

static const char *str_or_empty(const cb_json *o, const char *key)
{
	const char *s = cb_json_get_str(o, key);
	return s ? s : "";
}

/* An image reference made absolute against the site (uploads are
 * "/assets/..."), or "". */
static const char *abs_url(cb_req *req, const char *site, const char *ref)
{
	if (!ref || !*ref)
		return "";
	if (ref[0] == '/')
		return cb_sprintf(req, "%s%s", site, ref);
	return ref;
}

/* At most max bytes of s, cut at a character boundary (with "…" when cut). */
static const char *clip(cb_req *req, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return s;
	while (n > 0 && (n > max || ((unsigned char)s[n] & 0xc0) == 0x80))
		n--;
	return cb_sprintf(req, "%.*s\xe2\x80\xa6", (int)n, s);
}

/* contact_info without the hours (they get a top-level member of their own). */
static cb_json *contact_ctx(cb_req *req, const cb_json *ci)
{
	cb_json *c = cb_json_new_object(req);

	for (size_t i = 0; i < cb_json_len(ci); i++)
		if (strcmp(cb_json_key_at(ci, i), "hours") != 0)
			cb_json_set(c, cb_json_key_at(ci, i), cb_json_at(ci, i));
	return c;
}

static cb_json *seo_ctx(cb_req *req, const cb_json *seo, const cb_json *conf, const char *url)
{
	cb_json *s = cb_json_new_object(req);
	const cb_json *kw = cb_json_get(seo, "keywords");
	const char *title = str_or_empty(seo, "meta_title");
	const char *desc = str_or_empty(seo, "meta_description");

	cb_json_set_str(s, "meta_title", *title ? title : str_or_empty(conf, "business_name"));
	cb_json_set_str(s, "meta_description",
	                *desc ? desc : clip(req, str_or_empty(conf, "business_description"), 160));
	cb_json_set(s, "keywords",
	            cb_json_type(kw) == CB_JSON_ARRAY ? (cb_json *)kw : cb_json_new_array(req));
	cb_json_set_str(s, "canonical_url", url);
	cb_json_set_str(s, "schema_type", str_or_empty(seo, "schema_type"));
	return s;
}

/* Local time of the opening hours: ISO weekday, minute and second of the
 * day, and the year, from the database's clock in lp_cf.timezone. */
static int local_now(cb_req *req, int *dow, int *minute, int *second, long long *year)
{
	cb_res *res =
	    cb_db_q(req,
	            "SELECT extract(isodow FROM t)::int AS dow, "
	            "(extract(hour FROM t) * 60 + extract(minute FROM t))::int AS minute, "
	            "floor(extract(second FROM t))::int AS second, "
	            "extract(year FROM t)::int AS year "
	            "FROM (SELECT now() AT TIME ZONE $1 AS t) s",
	            lp_cf.timezone);
	if (!res)
		return cb_reply_db_error(req, "local time");
	*dow = (int)cb_res_int(res, 0, "dow");
	*minute = (int)cb_res_int(res, 0, "minute");
	*second = (int)cb_res_int(res, 0, "second");
	*year = cb_res_int(res, 0, "year");
	return CB_OK;
}

/* The optional sections, passed through as stored (already checked). */
static void sections(cb_json *ctx, const cb_json *conf)
{
	static const char *const keys[] = {"tagline", "services",     "highlights",
	                                   "brands",  "vehicles",     "testimonials",
	                                   "tires",   "founded_year", NULL};
	for (const char *const *k = keys; *k; k++)
		if (cb_json_get(conf, *k))
			cb_json_set(ctx, *k, cb_json_get(conf, *k));
}

cb_json *page_context(cb_req *req, const cb_res *res, int preview, long long *valid_s)
{
	cb_json *conf = json_col(req, res, 0, "configuration");
	cb_json *seo = json_col(req, res, 0, "seo_settings");
	cb_json *ctx = cb_json_new_object(req), *page = cb_json_new_object(req);
	cb_json *legal = cb_json_new_object(req), *theme = cb_json_get(conf, "theme");
	const cb_json *ci = cb_json_get(conf, "contact_info");
	const char *site = page_site_url(req, res, 0), *url = cb_sprintf(req, "%s/", site);
	const char *locale = str_or_empty(conf, "locale");
	cb_json *seo_c, *jsonld, *chat;
	int dow = 1, minute = 0, second = 0;
	long long year = 1970;

	if (local_now(req, &dow, &minute, &second, &year) != CB_OK)
		return NULL;
	cb_json_set_str(ctx, "locale", *locale ? locale : "de");
	cb_json_set_str(ctx, "business_name", str_or_empty(conf, "business_name"));
	cb_json_set_str(ctx, "business_description", str_or_empty(conf, "business_description"));
	cb_json_set(ctx, "contact_info", contact_ctx(req, ci));
	cb_json_set(ctx, "hours",
	            hours_context(req, cb_json_get(ci, "hours"), locale,
	                          cb_json_get_str(conf, "hours_note"), dow, minute, second,
	                          valid_s));
	sections(ctx, conf);
	cb_json_set(ctx, "theme",
	            cb_json_type(theme) == CB_JSON_OBJECT ? theme : cb_json_new_object(req));
	/* ours on the page's canonical host unless the owner keeps their own:
	 * absolute, so that the page at /p/{subdomain} links the right host */
	cb_json_set_str(legal, "imprint_url",
	                *str_or_empty(conf, "imprint_url") ? str_or_empty(conf, "imprint_url")
	                                                   : cb_sprintf(req, "%s/impressum", site));
	cb_json_set_str(legal, "privacy_url",
	                *str_or_empty(conf, "privacy_url")
	                    ? str_or_empty(conf, "privacy_url")
	                    : cb_sprintf(req, "%s/datenschutz", site));
	cb_json_set(ctx, "legal", legal);

	cb_json_set_str(page, "id", cb_res_val(res, 0, "id"));
	cb_json_set_str(page, "subdomain", cb_res_val(res, 0, "subdomain"));
	cb_json_set_str(page, "url", url);
	cb_json_set_bool(page, "preview", preview);
	cb_json_set_int(page, "year", year);
	/* absolute image URLs for Open Graph and JSON-LD */
	cb_json_set_str(page, "logo_abs_url",
	                abs_url(req, site, cb_json_get_str(theme, "logo_url")));
	cb_json_set(ctx, "page", page);

	chat = widget_context(req, cb_res_val(res, 0, "id"), cb_res_val(res, 0, "user_id"), conf);
	cb_json_set(ctx, "chat", chat);

	seo_c = seo_ctx(req, seo, conf, url);
	cb_json_set(ctx, "seo", seo_c);
	jsonld = seo_jsonld(req, ctx, conf);
	cb_json_set_str(seo_c, "json_ld", cb_json_dump(req, jsonld, NULL));
	cb_json_set_str(seo_c, "head_html", seo_head_html(req, ctx, jsonld));
	return ctx;
}
