/* cache.c — compiled catalogue templates, process-wide, keyed by (id,
 * updated_at): a template is compiled once and again only after its row
 * changes (a trigger bumps updated_at on every UPDATE). Handlers run on many
 * threads: the list is under a mutex and entries are reference counted, so
 * an entry replaced while another thread renders with it is freed by the
 * last holder. Compiling happens outside the lock. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "templates.h"

#define MAX_ENTRIES 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct tpl_entry *entries;
static size_t nentries;

static void entry_free(struct tpl_entry *e)
{
	if (!e)
		return;
	hbs_free(e->main);
	for (size_t i = 0; i < e->npartials; i++) {
		hbs_free(e->partials[i]);
		free(e->pnames[i]);
	}
	free(e->partials);
	free(e->pnames);
	free(e->strings);
	free(e->theme);
	free(e->id);
	free(e->updated_at);
	free(e);
}

/* Drops e from the list (lock held); frees it unless someone holds it. */
static void unlink_entry(struct tpl_entry **link)
{
	struct tpl_entry *e = *link;
	*link = e->next;
	nentries--;
	e->stale = 1;
	if (e->refs == 0)
		entry_free(e);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "{}");
}

static struct tpl_entry *compile_entry(cb_req *req, const char *id, const cb_res *r, char *err,
                                       size_t errlen)
{
	char why[256];
	const char *main = cb_res_val(r, 0, "main"), *ptext = cb_res_val(r, 0, "partials");
	struct tpl_entry *e = calloc(1, sizeof *e);
	cb_json *partials = NULL;

	if (!e)
		goto nomem;
	e->id = strdup(id);
	e->updated_at = strdup(cb_res_val(r, 0, "u"));
	e->strings = dup_or_empty(cb_res_val(r, 0, "strings"));
	e->theme = dup_or_empty(cb_res_val(r, 0, "theme"));
	if (!e->id || !e->updated_at || !e->strings || !e->theme)
		goto nomem;
	if (!main) {
		snprintf(err, errlen, "template %s has no main source", id);
		goto fail;
	}
	e->main = hbs_compile(main, strlen(main), why, sizeof why);
	if (!e->main) {
		snprintf(err, errlen, "template %s: %s", id, why);
		goto fail;
	}
	if (ptext)
		partials = cb_json_parse(req, ptext, strlen(ptext), NULL, 0);
	size_t n = cb_json_len(partials);
	e->partials = calloc(n ? n : 1, sizeof *e->partials);
	e->pnames = calloc(n ? n : 1, sizeof *e->pnames);
	if (!e->partials || !e->pnames)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		const cb_json *src = cb_json_at(partials, i);
		const char *name = cb_json_key_at(partials, i);
		if (!cb_json_str(src))
			continue;
		e->pnames[e->npartials] = strdup(name);
		if (!e->pnames[e->npartials])
			goto nomem;
		e->partials[e->npartials] =
		    hbs_compile(cb_json_str(src), cb_json_strlen(src), why, sizeof why);
		if (!e->partials[e->npartials++]) {
			snprintf(err, errlen, "template %s, partial %s: %s", id, name, why);
			goto fail;
		}
	}
	return e;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	entry_free(e);
	return NULL;
}

struct tpl_entry *tpl_get(cb_req *req, const char *id, int *missing, char *err, size_t errlen)
{
	struct tpl_entry *e, *mine;
	cb_res *r;

	*missing = 0;
	r = cb_db_q(req, "SELECT updated_at::text AS u FROM templates WHERE id = $1 AND is_active",
	            id);
	if (!r) {
		snprintf(err, errlen, "database: %s", cb_db_errmsg(req));
		return NULL;
	}
	if (cb_res_rows(r) == 0) {
		*missing = 1;
		snprintf(err, errlen, "unknown template %s", id);
		return NULL;
	}
	const char *u = cb_res_val(r, 0, "u");
	pthread_mutex_lock(&lock);
	for (e = entries; e; e = e->next)
		if (strcmp(e->id, id) == 0 && strcmp(e->updated_at, u) == 0) {
			e->refs++;
			break;
		}
	pthread_mutex_unlock(&lock);
	if (e)
		return e;

	r = cb_db_q(req,
	            "SELECT template_data->>'main' AS main, template_data->'partials' AS partials, "
	            "template_data->'strings' AS strings, template_data->'theme' AS theme, "
	            "updated_at::text AS u FROM templates WHERE id = $1 AND is_active",
	            id);
	if (!r || cb_res_rows(r) == 0) {
		*missing = r != NULL;
		snprintf(err, errlen, r ? "unknown template %s" : "database: %s",
		         r ? id : cb_db_errmsg(req));
		return NULL;
	}
	mine = compile_entry(req, id, r, err, errlen);
	if (!mine)
		return NULL;

	pthread_mutex_lock(&lock);
	for (struct tpl_entry **l = &entries; *l;) {
		if (strcmp((*l)->id, id) != 0) {
			l = &(*l)->next;
		} else if (strcmp((*l)->updated_at, mine->updated_at) == 0) {
			e = *l; /* another thread compiled it meanwhile */
			l = &(*l)->next;
		} else {
			unlink_entry(l); /* an older version */
		}
	}
	if (e) {
		e->refs++;
	} else {
		e = mine;
		mine = NULL;
		e->refs = 1;
		e->next = entries;
		entries = e;
		if (++nentries > MAX_ENTRIES) {
			struct tpl_entry **l = &entries;
			while ((*l)->next)
				l = &(*l)->next;
			unlink_entry(l);
		}
	}
	pthread_mutex_unlock(&lock);
	entry_free(mine);
	return e;
}

void tpl_put(struct tpl_entry *e)
{
	int gone;
	if (!e)
		return;
	pthread_mutex_lock(&lock);
	gone = --e->refs == 0 && e->stale;
	pthread_mutex_unlock(&lock);
	if (gone)
		entry_free(e);
}

void tpl_cache_free(void)
{
	pthread_mutex_lock(&lock);
	while (entries)
		unlink_entry(&entries);
	pthread_mutex_unlock(&lock);
}

const hbs_tpl *tpl_partial(void *entry, const char *name, char *err, size_t errlen)
{
	const struct tpl_entry *e = entry;
	(void)err;
	(void)errlen;
	for (size_t i = 0; i < e->npartials; i++)
		if (strcmp(e->pnames[i], name) == 0)
			return e->partials[i];
	return NULL;
}
