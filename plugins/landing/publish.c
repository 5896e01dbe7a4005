/* publish.c — publishing, unpublishing and previewing a page. Publishing
 * renders the page first, so a page that cannot render is never put online. */
#include "landing.h"

static int set_published(cb_req *req, int on)
{
	cb_res *page = page_of_caller(req), *res;
	const char *warning = NULL;
	struct rendered r;
	cb_json *out;

	if (!page)
		return FAILED(req);
	if (on) {
		const char *missing = imprint_missing(req, json_col(req, page, 0, "configuration"));
		int rc;
		cb_json *ev =
		    cb_json_new_object(req); /* a veto, e.g. by auth: address unconfirmed */
		cb_json_set_str(ev, "user_id", cb_req_get(req, "user.id"));
		cb_json_set_str(ev, "page_id", cb_res_val(page, 0, "id"));
		if (cb_emit(req, CB_EV_PAGE_PUBLISH_BEFORE, ev) == CB_EVETO) {
			const char *msg = NULL, *code = cb_veto_reason(req, &msg);
			return cb_reply_error(req, 403, code, "%s", msg);
		}
		if (missing && lp_cf.require_imprint)
			return cb_reply_error(req, 422, "imprint_incomplete",
			                      "A page needs an Impressum before it is published: "
			                      "set configuration.imprint_url, or fill in %s",
			                      missing);
		if (missing)
			warning = missing;
		rc = page_render(req, page, 0, &r);
		if (rc == CB_EDB)
			return rc;
		if (rc != CB_OK)
			return cb_reply_error(req, 422, "render_failed",
			                      "The page cannot be rendered with template %s",
			                      cb_res_val(page, 0, "template_id"));
	}
	res = cb_db_q(req,
	              "UPDATE landing_pages AS lp SET is_published = $3::boolean, "
	              "published_at = CASE WHEN $3::boolean THEN now() ELSE lp.published_at END, "
	              "render_version = lp.render_version + 1, updated_at = now() "
	              "WHERE lp.id = $1 AND lp.user_id = $2 RETURNING " PAGE_COLS,
	              cb_res_val(page, 0, "id"), cb_req_get(req, "user.id"), on ? "true" : "false");
	if (!res)
		return cb_reply_db_error(req, "publish page");
	if (cb_res_rows(res) != 1)
		return cb_reply_error(req, 404, "not_found", "No such landing page");
	cache_invalidate_page(cb_res_val(res, 0, "id"));
	if (on) {
		cb_json *ev = cb_json_new_object(req);
		cb_json_set_str(ev, "page_id", cb_res_val(res, 0, "id"));
		cb_json_set_str(ev, "user_id", cb_res_val(res, 0, "user_id"));
		cb_json_set_str(ev, "subdomain", cb_res_val(res, 0, "subdomain"));
		cb_emit(req, CB_EV_PAGE_PUBLISHED, ev);
	}
	out = page_json(req, res, 0);
	if (warning) {
		/* published, but the owner is told what the Impressum lacks */
		cb_json *w = cb_json_new_array(req), *o = cb_json_new_object(req);
		cb_json_set_str(o, "code", "imprint_incomplete");
		cb_json_set_str(
		    o, "message",
		    cb_sprintf(req, "The page's Impressum is incomplete: fill in %s", warning));
		cb_json_push(w, o);
		cb_json_set(out, "warnings", w);
	}
	return cb_reply_json(req, 200, out);
}

int h_publish(cb_req *req)
{
	return set_published(req, 1);
}

int h_unpublish(cb_req *req)
{
	return set_published(req, 0);
}

int h_preview(cb_req *req)
{
	cb_res *page = page_of_caller(req);
	struct rendered r;
	int rc;

	if (!page)
		return FAILED(req);
	rc = page_render(req, page, 1, &r);
	if (rc == CB_EDB)
		return rc;
	if (rc != CB_OK)
		return cb_reply_error(req, 422, "render_failed",
		                      "The page cannot be rendered with template %s",
		                      cb_res_val(page, 0, "template_id"));
	return respond_html_nocache(req, 200, r.html, r.len);
}
