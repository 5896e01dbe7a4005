/* templates.h — what the templates plugin's files share (beyond the engine,
 * hbs.h). Built with -fvisibility=hidden: nothing here leaves the .so. */
#ifndef TEMPLATES_TEMPLATES_H
#define TEMPLATES_TEMPLATES_H

#include <stddef.h>

#include <carbot/sdk.h>

#include "hbs.h"
#include <carbot/services/templates_api.h>

/* ---- cache.c: compiled templates by (id, updated_at) ---- */

/* A catalogue template compiled: its main source, its partials, and what
 * render_page needs from template_data. Shared between threads; hold it
 * with tpl_get and give it back with tpl_put. */
struct tpl_entry {
	char *id, *updated_at;
	hbs_tpl *main;
	size_t npartials;
	char **pnames;
	hbs_tpl **partials;
	char *strings; /* template_data.strings as JSON text ("{}" when none) */
	char *theme;   /* template_data.theme as JSON text ("{}" when none) */
	int refs;      /* holders, under the cache lock */
	int stale;     /* out of the map; freed when refs drops to 0 */
	struct tpl_entry *next;
};

/* The active template id, compiled (from the cache when its updated_at is
 * unchanged). NULL with a reason in err: "unknown template" (then *missing is
 * set), a database failure or a syntax error in its sources. */
struct tpl_entry *tpl_get(cb_req *req, const char *id, int *missing, char *err, size_t errlen);
void tpl_put(struct tpl_entry *e);
/* Frees every entry (plugin fini). */
void tpl_cache_free(void);
/* The compiled partial name of e, or NULL (an hbs_partial_fn). */
const hbs_tpl *tpl_partial(void *entry, const char *name, char *err, size_t errlen);

/* ---- context.c ---- */

/* The page context actually rendered: a copy of ctx with t, lang, theme,
 * contact links and page.year filled in and unsafe URLs removed (see
 * page_context.md). strings and theme are the template's (JSON text). */
cb_json *page_context(cb_req *req, const cb_json *ctx, const char *strings, const char *theme);

/* ---- service.c: templates.v1 ---- */

extern const struct templates_api templates_service;

/* ---- svg.c ---- */

/* An SVG thumbnail of a template from its name, theme and thumbnail layout
 * (template_data members, may be NULL), NUL-terminated in req's arena. */
char *tpl_svg(cb_req *req, const char *name, const cb_json *theme, const cb_json *thumb);

/* ---- handlers.c ---- */

int h_list(cb_req *req);
int h_get(cb_req *req);
int h_preview(cb_req *req);
int h_preview_svg(cb_req *req);

#endif
