/* registry.c — what plugins register during init besides routes and
 * settings: hooks, job handlers, migrations, authenticators, services. All of
 * it is written only while inits run (single-threaded) and read-only after. */
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct core core;
struct hook_sub *hooks_all;
struct job_handler *job_handlers;
struct migration *migrations_all;
cb_authenticator_fn authenticators[4];
const struct plugin *authenticator_owner[4];

struct service {
	struct service *next;
	char *name;
	const void *ptr;
	const struct plugin *owner;
};
static struct service *services;
static unsigned hook_seq;

/* Registration is legal only from the init of the plugin that owns p. */
static int registering(cb_plugin *p)
{
	return core.registering && (struct plugin *)p == core.current;
}

int cb_hook(cb_plugin *p, const char *event, int priority, cb_hook_fn fn, void *udata)
{
	if (!registering(p))
		return CB_ESTATE;
	if (!event || !*event || !fn) {
		cb_plugin_fail(p, "cb_hook: an event name and a function are needed");
		return CB_EINVAL;
	}
	struct hook_sub *h = calloc(1, sizeof *h);
	h->event = strdup(event);
	h->priority = priority;
	h->seq = hook_seq++;
	h->owner = (struct plugin *)p;
	h->fn = fn;
	h->udata = udata;
	/* keep the list sorted: priority, then registration (= load) order */
	struct hook_sub **at = &hooks_all;
	while (*at && (*at)->priority <= priority)
		at = &(*at)->next;
	h->next = *at;
	*at = h;
	return CB_OK;
}

int cb_job_handler(cb_plugin *p, const char *name, int max_attempts, cb_job_fn fn)
{
	if (!registering(p))
		return CB_ESTATE;
	if (!name || !*name || !fn || max_attempts < 1) {
		cb_plugin_fail(p, "cb_job_handler: a name, a function and max_attempts >= 1 are needed");
		return CB_EINVAL;
	}
	for (struct job_handler *j = job_handlers; j; j = j->next)
		if (strcmp(j->name, name) == 0)
		{
			cb_plugin_fail(p, "job handler '%s' is already registered by plugin '%s'",
				       name, j->owner->name);
			return CB_EEXIST;
		}
	struct job_handler *j = calloc(1, sizeof *j);
	j->name = strdup(name);
	j->max_attempts = max_attempts;
	j->fn = fn;
	j->owner = (struct plugin *)p;
	j->next = job_handlers;
	job_handlers = j;
	return CB_OK;
}

int cb_migration(cb_plugin *p, const char *version, const char *sql)
{
	if (!registering(p) && !((struct plugin *)p == &core_plugin))
		return CB_ESTATE;
	if (!version || !*version || !sql) {
		cb_plugin_fail(p, "cb_migration: a version and SQL are needed");
		return CB_EINVAL;
	}
	struct migration **at = &migrations_all;
	for (; *at; at = &(*at)->next)
		if ((*at)->owner == (struct plugin *)p && strcmp((*at)->version, version) == 0) {
			cb_plugin_fail(p, "migration %s is registered twice", version);
			return CB_EEXIST;
		}
	struct migration *m = calloc(1, sizeof *m);
	m->owner = (struct plugin *)p;
	m->version = strdup(version);
	m->sql = strdup(sql);
	*at = m; /* appended: registration order is load order */
	return CB_OK;
}

int cb_authenticator(cb_plugin *p, int kind, cb_authenticator_fn fn)
{
	if (!registering(p))
		return CB_ESTATE;
	if (kind <= CB_AUTH_PUBLIC || kind > CB_AUTH_CLIENT_KEY || !fn) {
		cb_plugin_fail(p, "cb_authenticator: policy %d takes no authenticator, or no function",
			       kind);
		return CB_EINVAL;
	}
	if (authenticators[kind]) {
		cb_plugin_fail(p, "the authenticator for this policy is already provided by plugin '%s'",
			       authenticator_owner[kind]->name);
		return CB_EEXIST;
	}
	authenticators[kind] = fn;
	authenticator_owner[kind] = (struct plugin *)p;
	return CB_OK;
}

int cb_service_provide(cb_plugin *p, const char *name, const void *service)
{
	if (!registering(p))
		return CB_ESTATE;
	if (!name || !service) {
		cb_plugin_fail(p, "cb_service_provide: a name and a service are needed");
		return CB_EINVAL;
	}
	for (struct service *s = services; s; s = s->next)
		if (strcmp(s->name, name) == 0) {
			cb_plugin_fail(p, "service '%s' is already provided by plugin '%s'", name,
				       s->owner->name);
			return CB_EEXIST;
		}
	struct service *s = calloc(1, sizeof *s);
	s->name = strdup(name);
	s->ptr = service;
	s->owner = (struct plugin *)p;
	s->next = services;
	services = s;
	return CB_OK;
}

const void *cb_service(const char *name)
{
	for (struct service *s = services; s && name; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s->ptr;
	return NULL;
}

void registry_free(void)
{
	while (hooks_all) {
		struct hook_sub *h = hooks_all;
		hooks_all = h->next;
		free(h->event);
		free(h);
	}
	while (job_handlers) {
		struct job_handler *j = job_handlers;
		job_handlers = j->next;
		free(j->name);
		free(j);
	}
	while (migrations_all) {
		struct migration *m = migrations_all;
		migrations_all = m->next;
		free(m->version);
		free(m->sql);
		free(m);
	}
	while (services) {
		struct service *s = services;
		services = s->next;
		free(s->name);
		free(s);
	}
}
