/* datasubject.c — the registry of the data-subject contract
 * (carbot/datasubject.h, since 1.6). Written only while inits run (in load
 * order, which is dependency order), read-only afterwards: no lock. */
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct ds_entry {
	cb_datasubject ds;
	const struct plugin *owner;
};
static struct ds_entry *entries;
static size_t n_entries;

static int section_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n >= 1 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

int cb_datasubject_register(cb_plugin *p, const cb_datasubject *ds)
{
	struct plugin *pl = (struct plugin *)p;
	if (!(core.registering && pl == core.current))
		return CB_ESTATE;
	if (!ds || ds->size < offsetof(cb_datasubject, erase_owner) + sizeof ds->erase_owner ||
	    !section_ok(ds->section) || !ds->export_owner || !ds->erase_owner) {
		cb_plugin_fail(p, "data subject: needs a section [a-z0-9_]{1,32}, an exporter "
		                  "and an eraser");
		return CB_EINVAL;
	}
	for (size_t i = 0; i < n_entries; i++) {
		if (entries[i].owner == pl || strcmp(entries[i].ds.section, ds->section) == 0) {
			cb_plugin_fail(
			    p, "data subject section '%s': plugin '%s' registered one already",
			    ds->section, entries[i].owner->name);
			return CB_EEXIST;
		}
	}
	struct ds_entry *n = realloc(entries, (n_entries + 1) * sizeof *entries);
	if (!n)
		return CB_ENOMEM;
	entries = n;
	struct ds_entry *e = &entries[n_entries];
	memset(e, 0, sizeof *e);
	size_t copy = ds->size < sizeof e->ds ? ds->size : sizeof e->ds;
	memcpy(&e->ds, ds, copy);
	e->ds.size = sizeof e->ds;
	e->ds.section = strdup(ds->section);
	e->owner = pl;
	n_entries++;
	return CB_OK;
}

const cb_datasubject *cb_datasubject_at(size_t i)
{
	return i < n_entries ? &entries[i].ds : NULL;
}
