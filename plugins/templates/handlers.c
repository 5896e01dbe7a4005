/* handlers.c — the catalogue's HTTP endpoints (README.md, "Endpoints").
 * All public: templates are marketing material shown before sign-up. */
#include <stdio.h>
#include <string.h>

#include "templates.h"

#define PREVIEW_CSP                                                                                \
	"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "                    \
	"frame-ancestors 'self'"

static cb_json *parse_col(cb_req *req, const cb_res *r, int row, const char *col)
{
	const char *s = cb_res_val(r, row, col);
	return s ? cb_json_parse(req, s, strlen(s), NULL, 0) : NULL;
}

/* The list fields of row (the spec's ListTemplatesResponse item). */
static cb_json *summary(cb_req *req, const cb_res *r, int row)
{
	cb_json *o = cb_json_new_object(req);
	cb_json *features = parse_col(req, r, row, "features");
	cb_json_set_str(o, "id", cb_res_val(r, row, "id"));
	cb_json_set_str(o, "name", cb_res_val(r, row, "name"));
	cb_json_set_str(o, "description", cb_res_val(r, row, "description"));
	cb_json_set_str(o, "category", cb_res_val(r, row, "category"));
	cb_json_set_str(o, "preview_image_url", cb_res_val(r, row, "preview_image_url"));
	cb_json_set(o, "features",
	            cb_json_type(features) == CB_JSON_ARRAY ? features : cb_json_new_array(req));
	return o;
}

#define SUMMARY_COLS                                                                               \
	"id, name, COALESCE(description, '') AS description, COALESCE(category, '') AS category, " \
	"COALESCE(preview_image_url, '') AS preview_image_url, template_data->'features' AS "      \
	"features"

/* q as an ILIKE pattern matching it anywhere, % _ and \ taken literally. */
static char *like_pattern(cb_req *req, const char *q)
{
	char *p = cb_alloc(req, 2 * strlen(q) + 3);
	size_t o = 0;
	p[o++] = '%';
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			p[o++] = '\\';
		p[o++] = *q;
	}
	p[o++] = '%';
	return p;
}

int h_list(cb_req *req)
{
	cb_check *c = cb_check_new(req, NULL);
	const char *category = cb_query_str(c, "category", CB_OPTIONAL, 0, 100);
	const char *q = cb_query_str(c, "q", CB_OPTIONAL, 0, 200);
	cb_json *list, *out;
	cb_res *r;

	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (category && !*category)
		category = NULL;
	if (q && !*q)
		q = NULL;
	r = cb_db_q(req,
	            "SELECT " SUMMARY_COLS " FROM templates WHERE is_active "
	            "AND ($1::text IS NULL OR lower(category) = lower($1)) "
	            "AND ($2::text IS NULL OR name ILIKE $2 OR description ILIKE $2) "
	            "ORDER BY COALESCE((template_data->>'position')::int, 1000), id",
	            category, q ? like_pattern(req, q) : NULL);
	if (!r)
		return cb_reply_error(req, 503, "unavailable", "the catalogue cannot be read now");
	list = cb_json_new_array(req);
	for (int i = 0; i < cb_res_rows(r); i++)
		cb_json_push(list, summary(req, r, i));
	out = cb_json_new_object(req);
	cb_json_set(out, "templates", list);
	return cb_reply_json(req, 200, out);
}

int h_get(cb_req *req)
{
	const char *id = cb_req_param(req, "id");
	cb_res *r =
	    cb_db_q(req,
	            "SELECT " SUMMARY_COLS ", template_data->'theme' AS theme, "
	            "template_data->'sections' AS sections, "
	            "(SELECT COALESCE(json_agg(k ORDER BY k), '[]') FROM "
	            "jsonb_object_keys(template_data->'strings') AS k) AS locales, " CB_SQL_TS(
	                "updated_at") " "
	                              "AS updated_at FROM templates WHERE id = $1 AND is_active",
	            id);
	if (!r)
		return cb_reply_error(req, 503, "unavailable", "the catalogue cannot be read now");
	if (cb_res_rows(r) == 0)
		return cb_reply_error(req, 404, "not_found", "no template %s", id);
	cb_json *t = summary(req, r, 0);
	cb_json *theme = parse_col(req, r, 0, "theme");
	cb_json *sections = parse_col(req, r, 0, "sections");
	cb_json_set(t, "theme", theme ? theme : cb_json_new_object(req));
	cb_json_set(t, "sections", sections ? sections : cb_json_new_array(req));
	cb_json_set(t, "locales", parse_col(req, r, 0, "locales"));
	cb_json_set_str(t, "preview_url", cb_sprintf(req, "/api/v1/templates/%s/preview", id));
	cb_json_set_str(t, "updated_at", cb_res_val(r, 0, "updated_at"));
	cb_json *out = cb_json_new_object(req);
	cb_json_set(out, "template", t);
	return cb_reply_json(req, 200, out);
}

int h_preview(cb_req *req)
{
	const char *id = cb_req_param(req, "id");
	const char *locale = cb_req_query(req, "locale");
	const struct templates_api *api = &templates_service;
	const cb_json *sample = api->sample_context(req, id);
	char err[512];

	if (!sample)
		return cb_reply_error(req, 404, "not_found", "no template %s", id);
	/* the sample with page.preview set (and the locale asked for) */
	cb_json *ctx = cb_json_new_object(req);
	for (size_t i = 0; i < cb_json_len(sample); i++)
		cb_json_set(ctx, cb_json_key_at(sample, i), cb_json_at(sample, i));
	cb_json *page = cb_json_new_object(req);
	const cb_json *sp = cb_json_get(sample, "page");
	for (size_t i = 0; i < cb_json_len(sp); i++)
		cb_json_set(page, cb_json_key_at(sp, i), cb_json_at(sp, i));
	cb_json_set_bool(page, "preview", 1);
	cb_json_set(ctx, "page", page);
	if (locale && (strcmp(locale, "de") == 0 || strcmp(locale, "en") == 0))
		cb_json_set_str(ctx, "locale", locale);

	const char *html = api->render_page(req, id, ctx, err, sizeof err);
	if (!html) {
		cb_log(req, CB_LOG_ERROR, "preview of template %s: %s", id, err);
		return cb_reply_error(req, 500, "render_failed",
		                      "the template could not be rendered");
	}
	cb_set_header(req, "Content-Security-Policy", PREVIEW_CSP);
	cb_set_header(req, "X-Frame-Options", "SAMEORIGIN");
	cb_set_header(req, "Cache-Control", "public, max-age=60");
	return cb_reply(req, 200, "text/html; charset=utf-8", html, strlen(html));
}

int h_preview_svg(cb_req *req)
{
	const char *id = cb_req_param(req, "id");
	cb_res *r = cb_db_q(req,
	                    "SELECT name, template_data->'theme' AS theme, "
	                    "template_data->'thumbnail' AS thumb FROM templates "
	                    "WHERE id = $1 AND is_active",
	                    id);
	if (!r)
		return cb_reply_error(req, 503, "unavailable", "the catalogue cannot be read now");
	if (cb_res_rows(r) == 0)
		return cb_reply_error(req, 404, "not_found", "no template %s", id);
	char *svg = tpl_svg(req, cb_res_val(r, 0, "name"), parse_col(req, r, 0, "theme"),
	                    parse_col(req, r, 0, "thumb"));
	cb_set_header(req, "Cache-Control", "public, max-age=300");
	return cb_reply(req, 200, "image/svg+xml; charset=utf-8", svg, strlen(svg));
}
