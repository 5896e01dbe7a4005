/* handlers_crud.c — creating, listing, reading, changing and deleting a
 * user's landing pages (routes under /api/v1/landing-pages). Every query
 * names the caller's user id: another user's page is a 404, never a 403. */
#include <string.h>

#include "landing.h"

/* Checks template_id (when given) against the templates plugin. */
static const char *template_check(struct vctx *v, const cb_json *body, int required)
{
	const char *tid = NULL;

	if (v_text(v, body, "", "template_id", required, 1, 50, 0, &tid) != 1)
		return NULL;
	if (!lp_tpl->exists(v->req, tid)) {
		cb_check_fail(v->c, "template_id", "invalid",
		              "template_id: there is no template %s", tid);
		return NULL;
	}
	return tid;
}

static const char *subdomain_check(struct vctx *v, const cb_json *body)
{
	const char *s = NULL;

	if (v_text(v, body, "", "subdomain", 1, 3, 63, 0, &s) != 1)
		return NULL;
	s = lower_dup(v->req, s);
	if (!is_dns_label(s, 3, 63)) {
		cb_check_fail(v->c, "subdomain", "invalid",
		              "subdomain may hold a-z, 0-9 and hyphens (not first or last)");
		return NULL;
	}
	if (subdomain_reserved(s)) {
		cb_check_fail(v->c, "subdomain", "invalid", "subdomain %s is reserved", s);
		return NULL;
	}
	return s;
}

/* The SEO settings of a request: top-level "seo", or configuration.seo as
 * the spec nests them. */
static const cb_json *seo_of(const cb_json *body, const char **path)
{
	const cb_json *s = cb_json_get(body, "seo");

	*path = "seo";
	if (cb_json_type(s) == CB_JSON_NONE) {
		s = cb_json_get(cb_json_get(body, "configuration"), "seo");
		*path = "configuration.seo";
	}
	return s;
}

static const cb_json *seo_object(struct vctx *v, const cb_json *s, const char *path)
{
	if (cb_json_type(s) == CB_JSON_NONE || cb_json_type(s) == CB_JSON_NULL)
		return NULL;
	if (cb_json_type(s) != CB_JSON_OBJECT) {
		cb_check_fail(v->c, path, "type", "%s must be an object", path);
		return NULL;
	}
	return s;
}

static int subdomain_taken(cb_req *req, const char *sub)
{
	return cb_reply_error(req, 409, "subdomain_taken", "The subdomain %s is already taken",
	                      sub);
}

int h_create(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	struct vctx v = {req, NULL, NULL};
	const char *tid, *sub, *seo_path = "seo";
	const cb_json *conf, *seo_in;
	cb_json *cfg = NULL, *seo;
	cb_res *res;

	if (!body)
		return CB_OK;
	v.c = cb_check_new(req, body);
	tid = template_check(&v, body, 1);
	sub = subdomain_check(&v, body);
	conf = v_object(&v, body, "", "configuration", 1);
	if (conf)
		cfg = config_check(&v, conf, "configuration");
	seo_in = seo_of(body, &seo_path);
	seo = seo_check(&v, seo_object(&v, seo_in, seo_path), seo_path);
	if (!cb_check_ok(v.c))
		return cb_check_reply(v.c);

	res = cb_db_q(req, "SELECT count(*) AS n FROM landing_pages WHERE user_id = $1",
	              cb_req_get(req, "user.id"));
	if (!res)
		return cb_reply_db_error(req, "count pages");
	if (cb_res_int(res, 0, "n") >= lp_cf.max_pages)
		return cb_reply_error(req, 409, "page_limit_reached",
		                      "You have %lld landing pages, the most allowed",
		                      lp_cf.max_pages);
	res = cb_db_q(req,
	              "INSERT INTO landing_pages AS lp (user_id, template_id, subdomain, "
	              "configuration, seo_settings) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb) "
	              "RETURNING " PAGE_COLS,
	              cb_req_get(req, "user.id"), tid, sub, cb_json_dump(req, cfg, NULL),
	              cb_json_dump(req, seo, NULL));
	if (!res && strcmp(cb_db_sqlstate(req), "23505") == 0)
		return subdomain_taken(req, sub);
	if (!res)
		return cb_reply_db_error(req, "insert page");
	cb_set_header(req, "Location",
	              cb_sprintf(req, "/api/v1/landing-pages/%s", cb_res_val(res, 0, "id")));
	return cb_reply_json(req, 201, page_json(req, res, 0));
}

int h_list(cb_req *req)
{
	cb_res *res = cb_db_q(req,
	                      "SELECT " PAGE_COLS " FROM landing_pages lp WHERE lp.user_id = $1 "
	                      "ORDER BY lp.created_at, lp.id",
	                      cb_req_get(req, "user.id"));
	cb_json *arr = cb_json_new_array(req), *o = cb_json_new_object(req);

	if (!res)
		return cb_reply_db_error(req, "list pages");
	for (int i = 0; i < cb_res_rows(res); i++)
		cb_json_push(arr, page_json(req, res, i));
	cb_json_set(o, "landing_pages", arr);
	return cb_reply_json(req, 200, o);
}

int h_get(cb_req *req)
{
	cb_res *res = page_of_caller(req);

	if (!res)
		return FAILED(req);
	return cb_reply_json(req, 200, page_json(req, res, 0));
}

/* stored with patch laid over it: members of patch replace stored ones, and
 * objects one level down (contact_info, theme) are merged member by member. */
static cb_json *merge(cb_req *req, cb_json *stored, const cb_json *patch)
{
	for (size_t i = 0; i < cb_json_len(patch); i++) {
		const char *k = cb_json_key_at(patch, i);
		cb_json *pv = cb_json_at(patch, i), *sv = cb_json_get(stored, k);
		if (strcmp(k, "seo") == 0)
			continue;
		if (cb_json_type(pv) == CB_JSON_OBJECT && cb_json_type(sv) == CB_JSON_OBJECT) {
			cb_json *m = cb_json_new_object(req);
			for (size_t j = 0; j < cb_json_len(sv); j++)
				cb_json_set(m, cb_json_key_at(sv, j), cb_json_at(sv, j));
			for (size_t j = 0; j < cb_json_len(pv); j++)
				cb_json_set(m, cb_json_key_at(pv, j), cb_json_at(pv, j));
			pv = m;
		}
		cb_json_set(stored, k, pv);
	}
	return stored;
}

int h_patch(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	struct vctx v = {req, NULL, NULL};
	const cb_json *conf, *seo_in;
	const char *tid, *seo_path = "seo";
	cb_json *cfg, *seo;
	cb_res *page, *res;

	if (!body)
		return CB_OK;
	page = page_of_caller(req);
	if (!page)
		return FAILED(req);
	v.page_id = cb_res_val(page, 0, "id");
	v.c = cb_check_new(req, body);
	if (cb_json_get(body, "subdomain"))
		cb_check_fail(v.c, "subdomain", "invalid",
		              "subdomain cannot be changed; create a new page instead");
	tid = template_check(&v, body, 0);
	conf = v_object(&v, body, "", "configuration", 0);
	cfg = config_check(&v, merge(req, json_col(req, page, 0, "configuration"), conf),
	                   "configuration");
	seo_in = seo_of(body, &seo_path);
	seo_in = seo_object(&v, seo_in, seo_path);
	seo = seo_check(&v, merge(req, json_col(req, page, 0, "seo_settings"), seo_in), seo_path);
	if (!cb_check_ok(v.c))
		return cb_check_reply(v.c);

	res = cb_db_q(req,
	              "UPDATE landing_pages AS lp SET template_id = COALESCE($3, lp.template_id), "
	              "configuration = $4::jsonb, seo_settings = $5::jsonb, "
	              "render_version = lp.render_version + 1, updated_at = now() "
	              "WHERE lp.id = $1 AND lp.user_id = $2 RETURNING " PAGE_COLS,
	              cb_res_val(page, 0, "id"), cb_req_get(req, "user.id"), tid,
	              cb_json_dump(req, cfg, NULL), cb_json_dump(req, seo, NULL));
	if (!res)
		return cb_reply_db_error(req, "update page");
	if (cb_res_rows(res) != 1)
		return cb_reply_error(req, 404, "not_found", "No such landing page");
	cache_invalidate_page(cb_res_val(res, 0, "id"));
	return cb_reply_json(req, 200, page_json(req, res, 0));
}

int h_delete(cb_req *req)
{
	const char *id = cb_req_param(req, "id");
	cb_res *res;

	if (!cb_is_uuid(id))
		return cb_reply_error(req, 404, "not_found", "No such landing page");
	res = cb_db_q(req, "DELETE FROM landing_pages WHERE id = $1 AND user_id = $2", id,
	              cb_req_get(req, "user.id"));
	if (!res)
		return cb_reply_db_error(req, "delete page");
	if (cb_res_affected(res) != 1)
		return cb_reply_error(req, 404, "not_found", "No such landing page");
	cache_invalidate_page(id);
	assets_remove_page(id);
	return cb_reply(req, 204, NULL, NULL, 0);
}
