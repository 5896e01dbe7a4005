/* perm.c — permissions declared by the plugins that check them, with the
 * tiers that grant them (plugin.h, since 1.6). Written only while inits run,
 * read-only afterwards: no lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct perm {
	struct perm *next;
	char *name;
	char *tiers; /* " basic premium " with a space on both ends, or "" */
	const struct plugin *owner;
};
static struct perm *perms, **perms_tail = &perms;

/* "action:resource", each [a-z_]+ (1..64 bytes). */
static int name_ok(const char *s)
{
	const char *colon = s ? strchr(s, ':') : NULL;
	size_t a, b;
	if (!colon || strlen(s) > 129)
		return 0;
	a = (size_t)(colon - s);
	b = strlen(colon + 1);
	return a >= 1 && a <= 64 && b >= 1 && b <= 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz_") == a &&
	       strspn(colon + 1, "abcdefghijklmnopqrstuvwxyz_") == b;
}

static const struct perm *find(const char *name)
{
	for (const struct perm *p = perms; p; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

int cb_permission(cb_plugin *p, const char *name, const char *tiers)
{
	struct plugin *pl = (struct plugin *)p;
	if (!(core.registering && pl == core.current))
		return CB_ESTATE;
	if (!name_ok(name)) {
		cb_plugin_fail(p, "permission '%s': not action:resource in [a-z_]",
		               name ? name : "(null)");
		return CB_EINVAL;
	}
	if (strncmp(name, "admin:", 6) == 0 && tiers && tiers[strspn(tiers, " ")]) {
		cb_plugin_fail(p,
		               "permission '%s': admin permissions come from the operator "
		               "role only, no tier may grant them",
		               name);
		return CB_EINVAL;
	}
	const struct perm *old = find(name);
	if (old) {
		cb_plugin_fail(p, "permission '%s' is declared by plugin '%s' already", name,
		               old->owner->name);
		return CB_EEXIST;
	}
	struct perm *n = calloc(1, sizeof *n);
	n->name = strdup(name);
	n->owner = pl;
	size_t len = tiers ? strlen(tiers) : 0;
	n->tiers = malloc(len + 3);
	snprintf(n->tiers, len + 3, " %s ", tiers ? tiers : "");
	for (char *c = n->tiers; *c; c++)
		if (*c == ',' || *c == '\t')
			*c = ' ';
	*perms_tail = n;
	perms_tail = &n->next;
	return CB_OK;
}

static int grants(const struct perm *p, const char *tier)
{
	char word[72];
	if (!tier || !*tier || strlen(tier) > 64 || strchr(tier, ' '))
		return 0;
	snprintf(word, sizeof word, " %s ", tier);
	return strstr(p->tiers, word) != NULL;
}

int cb_permission_granted(const char *name, const char *tier)
{
	const struct perm *p = name ? find(name) : NULL;
	if (!p)
		return CB_ENOTFOUND;
	return grants(p, tier);
}

cb_json *cb_permission_list(cb_req *req, const char *tier)
{
	cb_json *arr = cb_json_new_array(req);
	for (const struct perm *p = perms; p; p = p->next)
		if (grants(p, tier))
			cb_json_push(arr, cb_json_new_str(req, p->name));
	return arr;
}

int perm_check_routes(char *err, size_t n)
{
	for (const struct route *r = router_first(); r; r = r->next)
		if (r->auth == CB_AUTH_BEARER && r->permission && !find(r->permission)) {
			snprintf(err, n,
			         "%s: route %s of plugin '%s' needs permission '%s', which no "
			         "enabled plugin declares (cb_permission)",
			         r->owner->file ? r->owner->file : "carbotd", r->label,
			         r->owner->name, r->permission);
			return CB_EINVAL;
		}
	return CB_OK;
}

void perm_free(void)
{
	while (perms) {
		struct perm *p = perms;
		perms = p->next;
		free(p->name);
		free(p->tiers);
		free(p);
	}
	perms_tail = &perms;
}
