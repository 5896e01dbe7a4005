/* hbsprobe — test-only routes in front of the templates plugin's
 * templates.v1 service, so Perl tests can drive the renderer through the
 * same interface the landing plugin uses. Never loaded in production. */
#include <string.h>

#include <carbot/sdk.h>

#include <carbot/services/templates_api.h>

static const struct templates_api *api(void)
{
	const struct templates_api *t = cb_service("templates.v1");
	return t && t->size >= sizeof *t ? t : NULL;
}

/* {template, data, partials} -> {output} or {error} */
static cb_json *render_one(cb_req *req, const cb_json *c)
{
	char err[512] = "";
	cb_json *o = cb_json_new_object(req);
	const char *src = cb_json_get_str(c, "template");
	const char *out = api()->render_source(req, src, cb_json_get(c, "data"),
	                                       cb_json_get(c, "partials"), err, sizeof err);
	if (out)
		cb_json_set_str(o, "output", out);
	else
		cb_json_set_str(o, "error", err);
	return o;
}

static int render(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	return cb_reply_json(req, 200, render_one(req, body));
}

static int batch(cb_req *req)
{
	cb_json *body = cb_req_json(req), *results, *out;
	const cb_json *cases;
	if (!body)
		return CB_OK;
	cases = cb_json_get(body, "cases");
	results = cb_json_new_array(req);
	for (size_t i = 0; i < cb_json_len(cases); i++)
		cb_json_push(results, render_one(req, cb_json_at(cases, i)));
	out = cb_json_new_object(req);
	cb_json_set(out, "results", results);
	return cb_reply_json(req, 200, out);
}

static int page(cb_req *req)
{
	char err[512] = "";
	cb_json *body = cb_req_json(req);
	const char *html;
	if (!body)
		return CB_OK;
	html = api()->render_page(req, cb_json_get_str(body, "id"), cb_json_get(body, "context"),
	                          err, sizeof err);
	if (!html)
		return cb_reply_error(req, 422, "render_failed", "%s", err);
	return cb_reply(req, 200, "text/html; charset=utf-8", html, strlen(html));
}

static int info(cb_req *req)
{
	const char *id = cb_req_param(req, "id");
	const cb_json *sample = api()->sample_context(req, id);
	cb_json *o = cb_json_new_object(req);
	cb_json_set_bool(o, "exists", api()->exists(req, id));
	cb_json_set(o, "sample", sample ? (cb_json *)sample : cb_json_new_null(req));
	return cb_reply_json(req, 200, o);
}

static int probe_init(cb_plugin *p)
{
	if (!api())
		return cb_plugin_fail(p, "templates.v1 is not provided");
	if (cb_route_body(p, "POST", "/test/hbs/render", CB_AUTH_PUBLIC, NULL, render, 16u << 20) !=
	        CB_OK ||
	    cb_route_body(p, "POST", "/test/hbs/batch", CB_AUTH_PUBLIC, NULL, batch, 16u << 20) !=
	        CB_OK ||
	    cb_route_body(p, "POST", "/test/hbs/page", CB_AUTH_PUBLIC, NULL, page, 16u << 20) !=
	        CB_OK ||
	    cb_route(p, "GET", "/test/hbs/info/{id}", CB_AUTH_PUBLIC, NULL, info) != CB_OK)
		return cb_plugin_fail(p, "routes");
	return CB_OK;
}

CB_PLUGIN("hbsprobe", "1.0.0", CB_DEPS("templates"), probe_init, NULL)
