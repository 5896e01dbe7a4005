/* templates_api.h — the "templates.v1" service of the templates plugin.
 *
 * Another plugin (landing) gets it with
 *
 *   #include <carbot/services/templates_api.h>
 *   const struct templates_api *t = cb_service("templates.v1");
 *   if (t && t->size >= sizeof(*t)) ...
 *
 * and lists "templates" in its CB_DEPS so the service is published first.
 * The page context (what render_page expects in ctx) is described in
 * plugins/templates/README.md ("Page context").
 */
#ifndef CARBOT_TEMPLATES_API_H
#define CARBOT_TEMPLATES_API_H

#include <stddef.h>

#include <carbot/sdk.h>

struct templates_api {
	size_t size; /* sizeof(struct templates_api) */
	/* Renders template id (its main source, with its partials) against ctx (the page context,
	 * cb_json object). Returns NUL-terminated HTML in req's arena, or NULL with a reason in err
	 * (unknown template, render error). */
	const char *(*render_page)(cb_req *req, const char *template_id, const cb_json *ctx,
	                           char *err, size_t errlen);
	/* Renders an arbitrary template source with data and partials (object name->source) — for
	 * tests and previews. Syntax errors give "line L, column C: reason". */
	const char *(*render_source)(cb_req *req, const char *source, const cb_json *data,
	                             const cb_json *partials, char *err, size_t errlen);
	/* 1 when template id exists and is active. */
	int (*exists)(cb_req *req, const char *template_id);
	/* The template's sample page context (borrowed, in req's arena) or NULL. */
	const cb_json *(*sample_context)(cb_req *req, const char *template_id);
};

#endif
