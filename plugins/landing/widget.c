/* widget.c — the chat widget on a published page (the context's "chat").
 *
 * Client keys are stored hashed by the keys plugin, so a page cannot carry
 * its owner's key and no key is ever recovered: client_key stays "". The
 * page is named instead (data-carbot-page="{page id}", a public identifier);
 * the widget's API resolves it to the owner and the owner's active key
 * server-side, and may hold the request's Origin against the page's hosts.
 *
 * The widget is left out when the keys plugin is installed (its client_keys
 * table exists) and the owner has no active key. Without the keys plugin it
 * is present: harmless until the widget exists. */
#include "landing.h"

/* 1 when the owner has an active client key or keys are not installed; 0
 * when keys are installed and the owner has none. */
static int owner_has_key(cb_req *req, const char *user_id)
{
	cb_res *res = cb_db_q0(req, "SELECT to_regclass('client_keys') IS NOT NULL AS present");

	if (!res || !cb_res_bool(res, 0, "present"))
		return 1;
	res =
	    cb_db_q(req,
	            "SELECT EXISTS (SELECT 1 FROM client_keys WHERE user_id = $1 AND is_active "
	            "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())) AS has",
	            user_id);
	if (!res) {
		/* a client_keys table of another shape: keep the widget, say why */
		cb_log(req, CB_LOG_WARN, "landing: cannot read client_keys (%s): widget kept",
		       cb_db_sqlstate(req));
		return 1;
	}
	return cb_res_bool(res, 0, "has");
}

/* The page's look for the widget from its first paint: the launcher in the
 * brand colour before any request, light like every template (not the
 * visitor's dark mode on a light page), and the number to call when the
 * chat cannot be reached. Values were checked when stored; escaped anyway. */
static const char *look_attrs(cb_req *req, const cb_json *conf)
{
	const char *color = cb_json_get_str(cb_json_get(conf, "theme"), "primary_color");
	const char *phone = cb_json_get_str(cb_json_get(conf, "contact_info"), "phone");
	struct buf b;

	buf_init(&b, req);
	buf_puts(&b, " data-theme=\"light\"");
	if (color && is_color(color))
		buf_printf(&b, " data-primary-color=\"%s\"", html_esc(req, color));
	if (phone && *phone)
		buf_printf(&b, " data-phone=\"%s\"", html_esc(req, phone));
	return b.p;
}

cb_json *widget_context(cb_req *req, const char *page_id, const char *user_id, const cb_json *conf)
{
	cb_json *w = cb_json_new_object(req);
	int on = owner_has_key(req, user_id);

	cb_json_set_bool(w, "enabled", on);
	cb_json_set_bool(w, "disabled", !on); /* what the appointment button asks */
	/* the tag is ours (tag_html, or inserted before </body>): a template's
	 * own <script src=script_url> could only carry the key, which no one has */
	cb_json_set_str(w, "script_url", "");
	cb_json_set_str(w, "client_key", "");
	cb_json_set_str(w, "page_id", page_id);
	cb_json_set_str(
	    w, "tag_html",
	    on ? cb_sprintf(req, "<script src=\"%s\" data-carbot-page=\"%s\"%s async></script>",
	                    html_esc(req, lp_cf.widget_url), html_esc(req, page_id),
	                    look_attrs(req, conf))
	       : "");
	return w;
}
