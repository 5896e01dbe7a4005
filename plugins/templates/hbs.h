/* hbs.h — a Handlebars 4.7 compatible template engine (the subset listed in
 * plugins/templates/README.md) over cb_json data.
 *
 * A template is compiled once (hbs_compile) into an immutable tree that any
 * number of threads may render at the same time (hbs_render). Compiled
 * templates are malloc'ed and owned by whoever compiled them (hbs_free).
 *
 * Rendering is bounded: nesting of blocks and partials, partial recursion,
 * output size and the number of evaluation steps all have limits, so no
 * template or data can make it loop forever, exhaust the stack or memory.
 */
#ifndef TEMPLATES_HBS_H
#define TEMPLATES_HBS_H

#include <stddef.h>

#include <carbot/sdk.h>

#define HBS_MAX_SOURCE        (1u << 20) /* bytes of one template source */
#define HBS_MAX_NESTING       64         /* blocks inside blocks in one source */
#define HBS_MAX_DEPTH         160        /* blocks + partials active while rendering */
#define HBS_MAX_PARTIAL_DEPTH 32         /* partials inside partials */
#define HBS_MAX_OUTPUT        (4u << 20) /* bytes of output */
#define HBS_MAX_STEPS         4000000u   /* statements and iterations evaluated */

typedef struct hbs_tpl hbs_tpl;

/* Compiles len bytes of src. Returns the template, or NULL with
 * "line L, column C: reason" (1-based) in err. */
hbs_tpl *hbs_compile(const char *src, size_t len, char *err, size_t errlen);

/* Frees a compiled template; NULL is fine. */
void hbs_free(hbs_tpl *t);

/* Finds partial name for a render: the compiled partial, or NULL with a
 * reason in err (then rendering fails with it), or NULL with err left empty
 * when there is no such partial. */
typedef const hbs_tpl *(*hbs_partial_fn)(void *ud, const char *name, char *err, size_t errlen);

struct hbs_opts {
	hbs_partial_fn partial; /* may be NULL: no partials */
	void *partial_ud;
	size_t max_output; /* 0: HBS_MAX_OUTPUT */
};

/* Renders t against data (the root context; NULL is an empty context).
 * Values made while rendering (a partial's hash context) live in req's
 * arena. Returns the output NUL-terminated in req's arena (length in *outlen
 * when not NULL), or NULL with a reason in err ("line L, column C: ..."
 * where a statement is to blame). */
char *hbs_render(cb_req *req, const hbs_tpl *t, const cb_json *data, const struct hbs_opts *o,
                 size_t *outlen, char *err, size_t errlen);

/* s (n bytes) HTML-escaped as Handlebars 4.7 escapes (& < > " ' ` =),
 * NUL-terminated in req's arena. */
char *hbs_escape(cb_req *req, const char *s, size_t n);

#endif
