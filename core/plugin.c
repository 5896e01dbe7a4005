/* plugin.c — loading plugins: dlopen, the descriptor check, dependency order,
 * init, and the registration calls for routes and settings. Every refusal is
 * one line naming the plugin file and the reason. */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"

struct plugin core_plugin = {.name = "core", .file = "carbotd", .version = CB_VERSION};
extern const struct cb_api cb_api_table;

static void fail_line(char *err, size_t n, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail_line(char *err, size_t n, const char *file, const char *fmt, ...)
{
	int k = snprintf(err, n, "%s: ", file);
	va_list ap;
	va_start(ap, fmt);
	if (k >= 0 && (size_t)k < n)
		vsnprintf(err + k, n - (size_t)k, fmt, ap);
	va_end(ap);
}

int cb_plugin_fail(cb_plugin *p, const char *fmt, ...)
{
	struct plugin *pl = (struct plugin *)p;
	if (pl->fail) /* the first reason is the one worth reading */
		return CB_ERR;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	pl->fail = strdup(buf);
	return CB_ERR;
}

/* ---- routes ---- */

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", NULL};

int cb_route_body(cb_plugin *p, const char *method, const char *pattern, int auth,
		  const char *permission, cb_handler handler, size_t max_body)
{
	struct plugin *pl = (struct plugin *)p;
	if (!(core.registering && pl == core.current) && pl != &core_plugin)
		return CB_ESTATE;
	int known = 0;
	for (int i = 0; method && methods[i]; i++)
		known |= strcmp(method, methods[i]) == 0;
	if (!known || !handler || auth < CB_AUTH_PUBLIC || auth > CB_AUTH_INTERNAL) {
		cb_plugin_fail(p, "route %s %s: bad method, policy or handler",
			       method ? method : "(null)", pattern ? pattern : "(null)");
		return CB_EINVAL;
	}
	struct route *r = calloc(1, sizeof *r);
	if (router_compile(r, pattern) != CB_OK) {
		route_free(r);
		cb_plugin_fail(p, "route %s %s: malformed pattern", method, pattern);
		return CB_EINVAL;
	}
	r->owner = pl;
	r->method = strdup(method);
	r->pattern = strdup(pattern);
	size_t n = strlen(method) + strlen(pattern) + 2;
	r->label = malloc(n);
	snprintf(r->label, n, "%s %s", method, pattern);
	r->auth = auth;
	r->permission = permission ? strdup(permission) : NULL;
	r->handler = handler;
	r->max_body = max_body ? max_body : (core.conf ? core.conf->core.max_body : 1 << 20);
	const struct route *clash = NULL;
	if (router_add(r, &clash) != CB_OK) {
		cb_plugin_fail(p, "route %s is already registered by plugin '%s' (%s)", r->label,
			       clash->owner->name, clash->owner->file);
		route_free(r);
		return CB_EEXIST;
	}
	return CB_OK;
}

int cb_route(cb_plugin *p, const char *method, const char *pattern, int auth,
	     const char *permission, cb_handler handler)
{
	return cb_route_body(p, method, pattern, auth, permission, handler, 0);
}

int cb_route_fast(cb_plugin *p, const char *method, const char *pattern, cb_handler fast,
		  cb_handler handler)
{
	if (!fast) {
		cb_plugin_fail(p, "route %s %s: cb_route_fast needs a fast handler",
			       method ? method : "(null)", pattern ? pattern : "(null)");
		return CB_EINVAL;
	}
	int rc = cb_route_body(p, method, pattern, CB_AUTH_PUBLIC, NULL, handler, 0);
	if (rc != CB_OK)
		return rc;
	for (struct route *r = router_first(); r; r = r->next)
		if (r->handler == handler && strcmp(r->pattern, pattern) == 0 &&
		    strcmp(r->method, method) == 0)
			r->fast = fast;
	return CB_OK;
}

/* ---- settings ---- */

static struct setting *find_setting(struct plugin *pl, const char *name)
{
	for (struct setting *s = pl->settings; s; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

int cb_setting(cb_plugin *p, const char *name, int type, const char *def, long long min,
	       long long max)
{
	struct plugin *pl = (struct plugin *)p;
	if (!(core.registering && pl == core.current))
		return CB_ESTATE;
	if (!name || find_setting(pl, name)) {
		if (name)
			cb_plugin_fail(p, "cb_setting: '%s' is declared twice", name);
		else
			cb_plugin_fail(p, "cb_setting: a name is needed");
		return CB_EINVAL;
	}
	struct conf_entry *e = pl->section ? conf_find(pl->section->entries, name) : NULL;
	const char *where = core.conf ? core.conf->path : "carbot.conf";
	int line = e ? e->line : (pl->section ? pl->section->line : 0);
	const char *v = e ? e->value : def;
	if (e)
		e->used = 1;
	if (!v) {
		cb_plugin_fail(p, "%s:%d: [plugin %s] needs setting '%s'", where, line, pl->name,
			       name);
		return CB_EINVAL;
	}
	struct setting *s = calloc(1, sizeof *s);
	s->name = strdup(name);
	s->type = type;
	s->value = strdup(v);
	s->next = pl->settings;
	pl->settings = s;
	if (type == CB_SET_INT) {
		char *end;
		errno = 0;
		long long x = strtoll(v, &end, 10);
		if (errno || end == v || *end || x < min || x > max) {
			cb_plugin_fail(p, "%s:%d: %s.%s must be an integer from %lld to %lld, got '%s'",
				       where, line, pl->name, name, min, max, v);
			return CB_EINVAL;
		}
		s->ival = x;
	} else if (type == CB_SET_BOOL) {
		if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
			s->ival = 1;
		else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no") ||
			 !strcmp(v, "0"))
			s->ival = 0;
		else {
			cb_plugin_fail(p, "%s:%d: %s.%s must be on or off, got '%s'", where, line,
				       pl->name, name, v);
			return CB_EINVAL;
		}
	}
	return CB_OK;
}

const char *cb_conf_str(cb_plugin *p, const char *name)
{
	struct setting *s = find_setting((struct plugin *)p, name);
	return s ? s->value : NULL;
}

long long cb_conf_int(cb_plugin *p, const char *name)
{
	struct setting *s = find_setting((struct plugin *)p, name);
	return s ? s->ival : 0;
}

int cb_conf_bool(cb_plugin *p, const char *name)
{
	return (int)cb_conf_int(p, name);
}

const char *cb_core_setting(const char *name)
{
	if (!core.conf || !name)
		return NULL;
	if (strcmp(name, "plugin_dir") == 0) /* resolved against the config's directory */
		return core.conf->core.plugin_dir;
	const char *v = conf_global(core.conf, name);
	return v ? v : conf_default(name);
}

/* ---- loading ---- */

/* every plugin record made, whatever became of it, so all can be freed */
static struct plugin *opened[64];
static int nopened;

void plugins_free(void)
{
	for (int i = 0; i < nopened; i++) {
		struct plugin *p = opened[i];
		while (p->settings) {
			struct setting *s = p->settings;
			p->settings = s->next;
			free(s->name);
			free(s->value);
			free(s);
		}
		free(p->name);
		free(p->file);
		free(p->version);
		free(p->fail);
		free(p);
	}
	nopened = 0;
	core.plugins = NULL;
}

static int open_one(struct conf_section *sec, const char *dir, struct plugin **out, char *err,
		    size_t n)
{
	char path[4096];
	if (sec->file)
		snprintf(path, sizeof path, "%s", sec->file);
	else
		snprintf(path, sizeof path, "%s/%s.so", dir, sec->plugin);
	struct stat st;
	if (stat(path, &st) != 0) {
		fail_line(err, n, path, "cannot load plugin '%s': %s", sec->plugin, strerror(errno));
		return -1;
	}
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		fail_line(err, n, path, "cannot load: %s", dlerror());
		return -1;
	}
	const cb_plugin_desc *(*entry)(const struct cb_api *);
	*(void **)&entry = dlsym(dl, "carbot_plugin");
	if (!entry) {
		fail_line(err, n, path, "not a carbotd plugin (it exports no carbot_plugin function)");
		return -1;
	}
	const cb_plugin_desc *d = entry(&cb_api_table);
	if (!d || d->size < offsetof(cb_plugin_desc, fini) + sizeof d->fini) {
		fail_line(err, n, path, "not a carbotd plugin (bad descriptor)");
		return -1;
	}
	if (d->sdk_major != CB_SDK_MAJOR || d->sdk_minor > CB_SDK_MINOR) {
		fail_line(err, n, path, "built for SDK %u.%u, core has SDK %d.%d (%s)", d->sdk_major,
			  d->sdk_minor, CB_SDK_MAJOR, CB_SDK_MINOR,
			  d->sdk_major != CB_SDK_MAJOR ? "major versions differ"
						       : "plugin needs a newer core");
		return -1;
	}
	if (d->ptr_size != sizeof(void *)) {
		fail_line(err, n, path, "built for %u-bit pointers, core has %zu-bit", d->ptr_size * 8,
			  sizeof(void *) * 8);
		return -1;
	}
	if (!d->name || strcmp(d->name, sec->plugin) != 0) {
		fail_line(err, n, path, "plugin calls itself '%s' but is configured as [plugin %s]",
			  d->name ? d->name : "(null)", sec->plugin);
		return -1;
	}
	if (!d->init) {
		fail_line(err, n, path, "plugin '%s' has no init function", d->name);
		return -1;
	}
	struct plugin *p = calloc(1, sizeof *p);
	p->name = strdup(sec->plugin);
	p->file = strdup(path);
	p->version = strdup(d->version ? d->version : "?");
	p->desc = d;
	p->dl = dl;
	p->section = sec;
	opened[nopened++] = p;
	*out = p;
	return 0;
}

/* Depth-first topological order; stack holds the path for cycle messages. */
static int visit(struct plugin *p, struct plugin **all, int nall, int *state,
		 struct plugin ***tail, const char **stack, int depth, char *err, size_t n)
{
	int idx = 0;
	while (all[idx] != p)
		idx++;
	if (state[idx] == 2)
		return 0;
	stack[depth] = p->name;
	if (state[idx] == 1) {
		char chain[1024] = "";
		int from = 0;
		while (strcmp(stack[from], p->name) != 0)
			from++;
		for (int i = from; i <= depth; i++) {
			strncat(chain, stack[i], sizeof chain - strlen(chain) - 1);
			if (i < depth)
				strncat(chain, " -> ", sizeof chain - strlen(chain) - 1);
		}
		fail_line(err, n, p->file, "dependency cycle: %s", chain);
		return -1;
	}
	state[idx] = 1;
	for (const char *const *d = p->desc->deps; d && *d; d++) {
		struct plugin *dep = NULL;
		for (int i = 0; i < nall; i++)
			if (strcmp(all[i]->name, *d) == 0)
				dep = all[i];
		if (!dep) {
			fail_line(err, n, p->file,
				  "plugin '%s' needs plugin '%s', which is not enabled in %s", p->name,
				  *d, core.conf->path);
			return -1;
		}
		if (depth + 1 >= 63) {
			fail_line(err, n, p->file, "dependency chain too deep");
			return -1;
		}
		if (visit(dep, all, nall, state, tail, stack, depth + 1, err, n) != 0)
			return -1;
	}
	state[idx] = 2;
	**tail = p;
	*tail = &p->next;
	p->next = NULL;
	return 0;
}

static const char *policy_name(int auth)
{
	return auth == CB_AUTH_BEARER ? "bearer-token" : "client-key";
}

int plugins_load(char *err, size_t n)
{
	struct plugin *all[64];
	int nall = 0;
	for (struct conf_section *s = core.conf->sections; s; s = s->next) {
		if (nall == 64) {
			fail_line(err, n, core.conf->path, "more than 64 plugins");
			return -1;
		}
		if (open_one(s, core.conf->core.plugin_dir, &all[nall], err, n) != 0)
			return -1;
		nall++;
	}
	int state[64] = {0};
	const char *stack[64];
	struct plugin **tail = &core.plugins;
	for (int i = 0; i < nall; i++)
		if (visit(all[i], all, nall, state, &tail, stack, 0, err, n) != 0)
			return -1;

	core.registering = 1;
	for (struct plugin *p = core.plugins; p; p = p->next) {
		core.current = p;
		int rc = p->desc->init((cb_plugin *)p);
		if (rc != CB_OK || p->fail) {
			fail_line(err, n, p->file, "plugin '%s' failed to start: %s", p->name,
				  p->fail ? p->fail : cb_strerror(rc));
			core.registering = 0;
			return -1;
		}
		p->initialised = 1;
		for (struct conf_entry *e = p->section->entries; e; e = e->next)
			if (!e->used) {
				snprintf(err, n, "%s:%d: plugin '%s' has no setting '%s'",
					 core.conf->path, e->line, p->name, e->key);
				core.registering = 0;
				return -1;
			}
	}
	core.registering = 0;
	core.current = NULL;
	for (const struct route *r = router_first(); r; r = r->next)
		if ((r->auth == CB_AUTH_BEARER || r->auth == CB_AUTH_CLIENT_KEY) &&
		    !authenticators[r->auth]) {
			fail_line(err, n, r->owner->file,
				  "route %s needs %s authentication, but no enabled plugin provides "
				  "it",
				  r->label, policy_name(r->auth));
			return -1;
		}
	if (perm_check_routes(err, n) != CB_OK)
		return -1;
	router_warn_shadows();
	return 0;
}

void plugins_fini(void)
{
	/* reverse load order; shared objects stay mapped so late frees and
	 * sanitizer reports can still resolve their code */
	struct plugin *rev[64];
	int k = 0;
	for (struct plugin *p = core.plugins; p && k < 64; p = p->next)
		rev[k++] = p;
	while (k-- > 0)
		if (rev[k]->initialised && rev[k]->desc->fini)
			rev[k]->desc->fini();
}
