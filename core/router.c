/* router.c — method + path pattern with {param} segments. Literal segments
 * beat parameters, so /keys/new wins over /keys/{id}. A last segment
 * {name*} takes the rest of the path (one or more segments, slashes
 * included) and loses to every route that matches the path exactly. The
 * route table is
 * built during plugin init and read-only afterwards, so matching needs no
 * lock. */
#include <stdlib.h>
#include <string.h>

#include "core.h"

static struct route *routes;

struct route *router_first(void)
{
	return routes;
}

void route_free(struct route *r)
{
	for (int i = 0; i < ROUTE_MAX_SEGS; i++) {
		free(r->segs[i]);
		free(r->params[i]);
	}
	free(r->method);
	free(r->pattern);
	free(r->label);
	free(r->permission);
	free(r);
}

void router_free_all(void)
{
	while (routes) {
		struct route *next = routes->next;
		route_free(routes);
		routes = next;
	}
}

int router_compile(struct route *r, const char *pattern)
{
	if (!pattern || pattern[0] != '/' || strlen(pattern) > 512)
		return CB_EINVAL;
	r->nsegs = 0;
	const char *p = pattern + 1;
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0)
			return end ? CB_EINVAL
			           : CB_OK; /* "//" is malformed; a trailing "/" is not */
		if (r->nsegs == ROUTE_MAX_SEGS)
			return CB_EINVAL;
		if (r->rest)
			return CB_EINVAL; /* {name*} only as the last segment */
		if (p[0] == '{') {
			if (n < 3 || p[n - 1] != '}')
				return CB_EINVAL;
			size_t pn = n - 2;
			if (p[n - 2] == '*') {
				if (n < 4)
					return CB_EINVAL;
				r->rest = 1;
				pn--;
			}
			if (memchr(p + 1, '*', pn) || memchr(p + 1, '{', pn))
				return CB_EINVAL;
			r->params[r->nsegs] = strndup(p + 1, pn);
			r->segs[r->nsegs] = NULL;
		} else {
			if (memchr(p, '{', n) || memchr(p, '}', n))
				return CB_EINVAL;
			r->segs[r->nsegs] = strndup(p, n);
			r->params[r->nsegs] = NULL;
		}
		r->nsegs++;
		p += n;
		if (*p == '/')
			p++;
	}
	return CB_OK;
}

static int same_shape(const struct route *a, const struct route *b)
{
	if (a->nsegs != b->nsegs || a->rest != b->rest || strcmp(a->method, b->method) != 0)
		return 0;
	for (int i = 0; i < a->nsegs; i++) {
		if (!a->segs[i] != !b->segs[i])
			return 0;
		if (a->segs[i] && strcmp(a->segs[i], b->segs[i]) != 0)
			return 0;
	}
	return 1;
}

int router_add(struct route *r, const struct route **clash)
{
	struct route **tail = &routes;
	for (struct route *o = routes; o; o = o->next) {
		if (same_shape(o, r)) {
			*clash = o;
			return CB_EEXIST;
		}
		tail = &o->next;
	}
	r->next = NULL;
	*tail = r;
	return CB_OK;
}

size_t router_largest_body(void)
{
	size_t m = 0;
	for (struct route *r = routes; r; r = r->next)
		if (r->max_body > m)
			m = r->max_body;
	return m;
}

const struct route *router_match(cb_req *req, const char *method, const char *path, char *allow,
                                 size_t n)
{
	const char *segs[ROUTE_MAX_SEGS + 1];
	size_t lens[ROUTE_MAX_SEGS + 1];
	int nsegs = 0, more = 0; /* more: segments past ROUTE_MAX_SEGS + 1 */
	allow[0] = '\0';
	if (path[0] != '/')
		return NULL;
	for (const char *p = path + 1; *p;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0) {
			if (end)
				return NULL; /* "//" */
			break;
		}
		if (nsegs == ROUTE_MAX_SEGS + 1) {
			more = 1; /* only a {name*} route can match */
			break;
		}
		segs[nsegs] = p;
		lens[nsegs++] = len;
		p += len;
		if (*p == '/')
			p++;
	}
	const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
	const struct route *best = NULL;
	int best_score = -ROUTE_MAX_SEGS - 2;
	int seen_get = 0, seen_post = 0, seen_put = 0, seen_patch = 0, seen_delete = 0,
	    seen_options = 0;
	for (const struct route *r = routes; r; r = r->next) {
		if (r->rest ? nsegs < r->nsegs : (more || r->nsegs != nsegs))
			continue;
		int score = 0, i;
		for (i = 0; i < r->nsegs; i++) {
			if (r->segs[i]) {
				if (strlen(r->segs[i]) != lens[i] ||
				    memcmp(r->segs[i], segs[i], lens[i]) != 0)
					break;
				score++;
			}
		}
		if (i < r->nsegs)
			continue;
		if (r->rest) { /* below every exact match, more literals first */
			score -= ROUTE_MAX_SEGS + 1;
		} else { /* (a catch-all makes no 405 of an unknown path) */
			seen_get |= strcmp(r->method, "GET") == 0;
			seen_post |= strcmp(r->method, "POST") == 0;
			seen_put |= strcmp(r->method, "PUT") == 0;
			seen_patch |= strcmp(r->method, "PATCH") == 0;
			seen_delete |= strcmp(r->method, "DELETE") == 0;
			seen_options |= strcmp(r->method, "OPTIONS") == 0;
		}
		if (strcmp(r->method, want) == 0 && score > best_score) {
			best = r;
			best_score = score;
		}
	}
	if (!best) {
		size_t used = 0;
		const char *names[] = {"GET, HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
		int seen[] = {seen_get, seen_post, seen_put, seen_patch, seen_delete, seen_options};
		for (int k = 0; k < 6; k++) {
			if (!seen[k])
				continue;
			size_t need = strlen(names[k]) + (used ? 2 : 0);
			if (used + need + 1 > n)
				break;
			if (used) {
				memcpy(allow + used, ", ", 2);
				used += 2;
			}
			memcpy(allow + used, names[k], strlen(names[k]));
			used += strlen(names[k]);
			allow[used] = '\0';
		}
		return NULL;
	}
	req->nparams = 0;
	for (int i = 0; i < best->nsegs; i++) {
		if (best->segs[i])
			continue;
		size_t len = lens[i];
		if (best->rest && i == best->nsegs - 1) /* the rest, without a trailing "/" */
			for (len = strlen(segs[i]); len > 0 && segs[i][len - 1] == '/'; len--)
				;
		char *v = pct_decode(req, segs[i], len, 0);
		if (!v)
			return NULL;
		req->param_names[req->nparams] = best->params[i];
		req->param_values[req->nparams++] = v;
	}
	return best;
}

/* 1 when every path of a also matches b, and a wins on one literal segment
 * where b has a parameter. */
static int shadows(const struct route *a, const struct route *b)
{
	int wins = 0;
	/* a {name*} route is there to be shadowed: no warning */
	if (a->rest || b->rest || a->nsegs != b->nsegs || strcmp(a->method, b->method) != 0)
		return 0;
	for (int i = 0; i < a->nsegs; i++) {
		if (!b->segs[i]) {
			wins |= a->segs[i] != NULL;
			continue;
		}
		if (!a->segs[i] || strcmp(a->segs[i], b->segs[i]) != 0)
			return 0;
	}
	return wins;
}

void router_warn_shadows(void)
{
	for (const struct route *a = routes; a; a = a->next)
		for (const struct route *b = routes; b; b = b->next)
			if (a->owner != b->owner && shadows(a, b))
				log_core(CB_LOG_WARN,
				         "route %s of plugin '%s' shadows route %s of plugin '%s' "
				         "for that path",
				         a->label, a->owner->name, b->label, b->owner->name);
}
