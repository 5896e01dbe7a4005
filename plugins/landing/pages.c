/* pages.c — loading a caller's page and its API view. */
#include <string.h>

#include "landing.h"

cb_res *page_of_caller(cb_req *req)
{
	const char *id = cb_req_param(req, "id");
	const char *user = cb_req_get(req, "user.id");
	cb_res *res;

	/* someone else's page answers exactly like one that does not exist */
	if (!cb_is_uuid(id) || !user) {
		cb_reply_error(req, 404, "not_found", "No such landing page");
		return NULL;
	}
	res = cb_db_q(
	    req, "SELECT " PAGE_COLS " FROM landing_pages lp WHERE lp.id = $1 AND lp.user_id = $2",
	    id, user);
	if (!res) {
		cb_reply_db_error(req, "load page");
		return NULL; /* the handler returns CB_EDB: the core answers 500/503 */
	}
	if (cb_res_rows(res) != 1) {
		cb_reply_error(req, 404, "not_found", "No such landing page");
		return NULL;
	}
	return res;
}

cb_json *json_col(cb_req *req, const cb_res *res, int row, const char *col)
{
	const char *text = cb_res_val(res, row, col);
	cb_json *j = text ? cb_json_parse(req, text, strlen(text), NULL, 0) : NULL;

	return cb_json_type(j) == CB_JSON_OBJECT ? j : cb_json_new_object(req);
}

char *page_site_url(cb_req *req, const cb_res *res, int row)
{
	const char *custom = cb_res_val(res, row, "custom_domain");

	if (custom && *custom)
		return site_url_for(req, custom);
	return site_url_for(
	    req, cb_sprintf(req, "%s.%s", cb_res_val(res, row, "subdomain"), lp_cf.base_domain));
}

cb_json *page_json(cb_req *req, const cb_res *res, int row)
{
	cb_json *o = cb_json_new_object(req), *conf = json_col(req, res, row, "configuration");
	cb_json *urls = cb_json_new_object(req);
	const char *custom = cb_res_val(res, row, "custom_domain");
	const char *sub = cb_res_val(res, row, "subdomain");

	cb_json_set_str(o, "id", cb_res_val(res, row, "id"));
	cb_json_set_str(o, "template_id", cb_res_val(res, row, "template_id"));
	cb_json_set_str(o, "subdomain", sub);
	cb_json_set_str(o, "custom_domain", custom);
	cb_json_set_bool(o, "ssl_enabled", cb_res_bool(res, row, "ssl_enabled"));
	/* the request's shape: seo sits inside configuration */
	cb_json_set(conf, "seo", json_col(req, res, row, "seo_settings"));
	cb_json_set(o, "configuration", conf);
	cb_json_set_bool(o, "is_published", cb_res_bool(res, row, "is_published"));
	cb_json_set_str(o, "published_at", cb_res_val(res, row, "published_at"));
	cb_json_set_int(o, "render_version", cb_res_int(res, row, "render_version"));
	cb_json_set_str(o, "created_at", cb_res_val(res, row, "created_at"));
	cb_json_set_str(o, "updated_at", cb_res_val(res, row, "updated_at"));
	cb_json_set_str(urls, "canonical", cb_sprintf(req, "%s/", page_site_url(req, res, row)));
	cb_json_set_str(
	    urls, "subdomain",
	    cb_sprintf(req, "%s/",
	               site_url_for(req, cb_sprintf(req, "%s.%s", sub, lp_cf.base_domain))));
	cb_json_set_str(urls, "local", cb_sprintf(req, "/p/%s", sub));
	cb_json_set_str(
	    urls, "preview",
	    cb_sprintf(req, "/api/v1/landing-pages/%s/preview", cb_res_val(res, row, "id")));
	cb_json_set(o, "urls", urls);
	return o;
}
