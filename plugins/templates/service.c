/* service.c — templates.v1, the renderer other plugins call (templates_api.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "templates.h"

static const char *render_page(cb_req *req, const char *template_id, const cb_json *ctx, char *err,
                               size_t errlen)
{
	int missing;
	struct tpl_entry *e;
	char *html;

	if (!template_id || !*template_id) {
		snprintf(err, errlen, "no template id");
		return NULL;
	}
	e = tpl_get(req, template_id, &missing, err, errlen);
	if (!e)
		return NULL;
	cb_json *page = page_context(req, ctx, e->strings, e->theme);
	struct hbs_opts o = {tpl_partial, e, 0};
	html = hbs_render(req, e->main, page, &o, NULL, err, errlen);
	tpl_put(e);
	return html;
}

/* Partials of one render_source call, compiled when first used. */
struct source_partials {
	const cb_json *sources;
	size_t n;
	const char *names[64];
	hbs_tpl *compiled[64];
};

static const hbs_tpl *source_partial(void *ud, const char *name, char *err, size_t errlen)
{
	struct source_partials *sp = ud;
	const cb_json *src = cb_json_get(sp->sources, name);
	for (size_t i = 0; i < sp->n; i++)
		if (strcmp(sp->names[i], name) == 0)
			return sp->compiled[i];
	if (!cb_json_str(src))
		return NULL;
	if (sp->n == sizeof sp->names / sizeof sp->names[0]) {
		snprintf(err, errlen, "more than 64 different partials");
		return NULL;
	}
	hbs_tpl *t = hbs_compile(cb_json_str(src), cb_json_strlen(src), err, errlen);
	if (t) {
		sp->names[sp->n] = name;
		sp->compiled[sp->n++] = t;
	}
	return t;
}

static const char *render_source(cb_req *req, const char *source, const cb_json *data,
                                 const cb_json *partials, char *err, size_t errlen)
{
	struct source_partials sp = {partials, 0, {0}, {0}};
	struct hbs_opts o = {source_partial, &sp, 0};
	hbs_tpl *t;
	char *html;

	if (!source) {
		snprintf(err, errlen, "no template source");
		return NULL;
	}
	t = hbs_compile(source, strlen(source), err, errlen);
	if (!t)
		return NULL;
	html = hbs_render(req, t, data, &o, NULL, err, errlen);
	hbs_free(t);
	for (size_t i = 0; i < sp.n; i++)
		hbs_free(sp.compiled[i]);
	return html;
}

static int exists(cb_req *req, const char *template_id)
{
	cb_res *r;
	if (!template_id)
		return 0;
	r = cb_db_q(req, "SELECT 1 FROM templates WHERE id = $1 AND is_active", template_id);
	return r && cb_res_rows(r) == 1;
}

static const cb_json *sample_context(cb_req *req, const char *template_id)
{
	cb_res *r;
	const char *s;
	if (!template_id)
		return NULL;
	r = cb_db_q(req,
	            "SELECT template_data->'sample_data' AS s FROM templates "
	            "WHERE id = $1 AND is_active",
	            template_id);
	s = r && cb_res_rows(r) == 1 ? cb_res_val(r, 0, "s") : NULL;
	return s ? cb_json_parse(req, s, strlen(s), NULL, 0) : NULL;
}

const struct templates_api templates_service = {
    sizeof(struct templates_api), render_page, render_source, exists, sample_context,
};
