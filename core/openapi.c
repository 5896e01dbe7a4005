/* openapi.c — the API described once: each plugin registers the OpenAPI 3.1
 * fragment of its own routes (cb_openapi), the core merges the fragments of
 * the enabled plugins into one document and serves it at
 * GET /api/v1/openapi.json. The merged text is built on first use and kept:
 * the fragments cannot change after startup. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"
#include "req.h"

struct fragment {
	struct fragment *next;
	const struct plugin *owner;
	char *text;
};

static struct fragment *fragments, **fragments_tail = &fragments;
static pthread_mutex_t doc_lock = PTHREAD_MUTEX_INITIALIZER;
static char *doc_text;
static size_t doc_len;

static const char *const methods[] = {"get",   "put",     "post", "delete",
                                      "patch", "options", "head", NULL};

static cb_json *parse_fragment(cb_req *scratch, const char *text, char *err, size_t n)
{
	cb_json *f = cb_json_parse(scratch, text, strlen(text), err, n);
	if (!f)
		return NULL;
	if (cb_json_type(f) != CB_JSON_OBJECT ||
	    cb_json_type(cb_json_get(f, "paths")) != CB_JSON_OBJECT) {
		snprintf(err, n, "not an object with \"paths\"");
		return NULL;
	}
	cb_json *comp = cb_json_get(f, "components");
	if (comp && cb_json_type(comp) != CB_JSON_OBJECT) {
		snprintf(err, n, "\"components\" is not an object");
		return NULL;
	}
	for (size_t i = 0; comp && i < cb_json_len(comp); i++)
		if (cb_json_type(cb_json_at(comp, i)) != CB_JSON_OBJECT) {
			snprintf(err, n, "components.%s is not an object", cb_json_key_at(comp, i));
			return NULL;
		}
	return f;
}

/* The first name both objects have, or NULL. */
static const char *common_key(const cb_json *a, const cb_json *b)
{
	for (size_t i = 0; a && b && i < cb_json_len(a); i++)
		if (cb_json_get(b, cb_json_key_at(a, i)))
			return cb_json_key_at(a, i);
	return NULL;
}

/* What fragment f describes that the earlier fragment g does too. */
static const char *clash(const cb_json *f, const cb_json *g, char *what, size_t n)
{
	cb_json *fp = cb_json_get(f, "paths"), *gp = cb_json_get(g, "paths");
	for (size_t i = 0; i < cb_json_len(fp); i++) {
		const char *path = cb_json_key_at(fp, i);
		const char *m = common_key(cb_json_at(fp, i), cb_json_get(gp, path));
		for (int k = 0; m && methods[k]; k++)
			if (strcmp(m, methods[k]) == 0) {
				snprintf(what, n, "%s %s", m, path);
				return what;
			}
	}
	cb_json *fc = cb_json_get(f, "components"), *gc = cb_json_get(g, "components");
	for (size_t i = 0; fc && gc && i < cb_json_len(fc); i++) {
		const char *kind = cb_json_key_at(fc, i);
		const char *name = common_key(cb_json_at(fc, i), cb_json_get(gc, kind));
		if (name) {
			snprintf(what, n, "components.%s.%s", kind, name);
			return what;
		}
	}
	return NULL;
}

int cb_openapi(cb_plugin *p, const char *json)
{
	struct plugin *pl = (struct plugin *)p;
	if (!(core.registering && pl == core.current) && pl != &core_plugin)
		return CB_ESTATE;
	if (!json) {
		cb_plugin_fail(p, "openapi: no description");
		return CB_EINVAL;
	}
	char err[256], what[600];
	int rc = CB_OK;
	cb_req *scratch = req_new();
	cb_json *f = parse_fragment(scratch, json, err, sizeof err);
	if (!f) {
		cb_plugin_fail(p, "openapi: %s", err);
		rc = CB_EINVAL;
	}
	for (struct fragment *g = fragments; rc == CB_OK && g; g = g->next) {
		cb_json *gj = cb_json_parse(scratch, g->text, strlen(g->text), NULL, 0);
		if (clash(f, gj, what, sizeof what)) {
			cb_plugin_fail(p, "openapi: %s is already described by plugin '%s'", what,
			               g->owner->name);
			rc = CB_EEXIST;
		}
	}
	req_free(scratch);
	if (rc != CB_OK)
		return rc;
	struct fragment *fr = calloc(1, sizeof *fr);
	fr->owner = pl;
	fr->text = strdup(json);
	*fragments_tail = fr;
	fragments_tail = &fr->next;
	return CB_OK;
}

/* Copies every member of src into dst (dst's arena). */
static void merge_members(cb_req *req, cb_json *dst, const cb_json *src)
{
	for (size_t i = 0; i < cb_json_len(src); i++) {
		const char *k = cb_json_key_at(src, i);
		cb_json *have = cb_json_get(dst, k);
		if (!have) {
			have = cb_json_new_object(req);
			cb_json_set(dst, k, have);
		}
		cb_json *v = cb_json_at(src, i);
		for (size_t j = 0; j < cb_json_len(v); j++)
			cb_json_set(have, cb_json_key_at(v, j), cb_json_at(v, j));
	}
}

static void merge(cb_req *req, cb_json *doc, cb_json *f)
{
	merge_members(req, cb_json_get(doc, "paths"), cb_json_get(f, "paths"));
	cb_json *comp = cb_json_get(f, "components");
	if (comp)
		merge_members(req, cb_json_get(doc, "components"), comp);
	cb_json *tags = cb_json_get(f, "tags");
	for (size_t i = 0; cb_json_type(tags) == CB_JSON_ARRAY && i < cb_json_len(tags); i++)
		cb_json_push(cb_json_get(doc, "tags"), cb_json_at(tags, i));
}

static cb_json *build(cb_req *req)
{
	cb_json *doc = cb_json_new_object(req);
	cb_json_set_str(doc, "openapi", "3.1.0");
	cb_json *info = cb_json_new_object(req);
	cb_json_set_str(info, "title", "CarBot API");
	cb_json_set_str(info, "version", CB_VERSION);
	cb_json_set_str(info, "description",
	                "The routes of this carbotd's enabled plugins. Errors share one "
	                "shape: {\"error\": {\"code\", \"message\", \"details\"?}}.");
	cb_json *license = cb_json_new_object(req);
	cb_json_set_str(license, "name", "Proprietary");
	cb_json_set(info, "license", license);
	cb_json_set(doc, "info", info);
	/* relative: the document describes the carbotd that serves it */
	cb_json *servers = cb_json_new_array(req), *server = cb_json_new_object(req);
	cb_json_set_str(server, "url", "/");
	cb_json_push(servers, server);
	cb_json_set(doc, "servers", servers);
	cb_json_set(doc, "tags", cb_json_new_array(req));
	cb_json_set(doc, "paths", cb_json_new_object(req));
	cb_json_set(doc, "components", cb_json_new_object(req));
	for (struct fragment *f = fragments; f; f = f->next)
		merge(req, doc, cb_json_parse(req, f->text, strlen(f->text), NULL, 0));
	return doc;
}

static int has_route(const char *method, const char *pattern)
{
	for (const struct route *r = router_first(); r; r = r->next)
		if (strcasecmp(r->method, method) == 0 && strcmp(r->pattern, pattern) == 0)
			return 1;
	return 0;
}

/* The x-carbot-auth name of a route's policy (sdk/carbot/plugin.h). */
static const char *auth_name(int auth)
{
	switch (auth) {
	case CB_AUTH_PUBLIC:
		return "public";
	case CB_AUTH_BEARER:
		return "bearer";
	case CB_AUTH_CLIENT_KEY:
		return "client_key";
	default:
		return "internal";
	}
}

/* Startup: names each /api/ or /internal/ route without an operation in the
 * document (OPTIONS preflights excepted), each whose operation names
 * another auth policy, and each described operation no route has;
 * t/openapi.t makes any of them an error for this repository. */
void openapi_check_routes(void)
{
	cb_req *scratch = req_new();
	cb_json *paths = cb_json_get(build(scratch), "paths");
	for (const struct route *r = router_first(); r; r = r->next) {
		if (strcmp(r->method, "OPTIONS") == 0 ||
		    (strncmp(r->pattern, "/api/", 5) != 0 &&
		     strncmp(r->pattern, "/internal/", 10) != 0))
			continue;
		char m[16];
		size_t i = 0;
		for (; r->method[i] && i < sizeof m - 1; i++)
			m[i] = (char)(r->method[i] | 0x20);
		m[i] = '\0';
		cb_json *op = cb_json_get(cb_json_get(paths, r->pattern), m);
		if (!op) {
			log_core(CB_LOG_WARN, "route %s (plugin '%s') has no OpenAPI description",
			         r->label, r->owner->name);
			continue;
		}
		/* a consumer reads the policy off the document: it must be the route's */
		const char *said = cb_json_get_str(op, "x-carbot-auth");
		const char *is = auth_name(r->auth);
		if (said && strcmp(said, is) != 0)
			log_core(CB_LOG_WARN,
			         "route %s (plugin '%s') is %s, but its OpenAPI operation says "
			         "x-carbot-auth %s",
			         r->label, r->owner->name, is, said);
	}
	for (size_t i = 0; i < cb_json_len(paths); i++)
		for (int k = 0; methods[k]; k++)
			if (cb_json_get(cb_json_at(paths, i), methods[k]) &&
			    !has_route(methods[k], cb_json_key_at(paths, i)))
				log_core(CB_LOG_WARN,
				         "OpenAPI describes %s %s, but no route has it", methods[k],
				         cb_json_key_at(paths, i));
	req_free(scratch);
}

static int serve(cb_req *req)
{
	pthread_mutex_lock(&doc_lock);
	if (!doc_text) {
		cb_req *scratch = req_new();
		size_t n;
		char *t = cb_json_dump(scratch, build(scratch), &n);
		doc_text = malloc(n + 1);
		memcpy(doc_text, t, n);
		doc_text[n] = '\0';
		doc_len = n;
		req_free(scratch);
	}
	pthread_mutex_unlock(&doc_lock);
	cb_set_header(req, "Cache-Control", "public, max-age=60");
	cb_set_header(req, "Access-Control-Allow-Origin", "*");
	return cb_reply(req, 200, "application/json", doc_text, doc_len);
}

/* The rendered reference (make openapi: @redocly/cli build-docs), next to
 * the plugins: <plugin_dir>/../openapi/docs/index.html, i.e.
 * build/openapi/docs/ in the tree and lib/carbot/openapi/docs/ installed.
 * Read on first use; missing, /api/docs/ answers 404. */
static char *docs_html;
static size_t docs_len;

static void docs_load(void)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/../openapi/docs/index.html",
	         core.conf && core.conf->core.plugin_dir ? core.conf->core.plugin_dir : ".");
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	if (n > 0 && fseek(f, 0, SEEK_SET) == 0) {
		docs_html = malloc((size_t)n);
		if (docs_html && fread(docs_html, 1, (size_t)n, f) == (size_t)n) {
			docs_len = (size_t)n;
		} else {
			free(docs_html);
			docs_html = NULL;
		}
	}
	fclose(f);
}

static int docs(cb_req *req)
{
	pthread_mutex_lock(&doc_lock);
	if (!docs_html)
		docs_load();
	pthread_mutex_unlock(&doc_lock);
	if (!docs_html)
		return cb_reply_error(req, 404, "not_found",
		                      "The API reference is not built (make openapi)");
	/* Redoc's page: inline script and styles, a search worker from a blob */
	cb_set_header(req, "Content-Security-Policy",
	              "default-src 'none'; script-src 'unsafe-inline' blob:; style-src "
	              "'unsafe-inline'; img-src 'self' data:; font-src data:; connect-src 'self'; "
	              "worker-src blob:; frame-ancestors 'none'");
	cb_set_header(req, "Cache-Control", "public, max-age=300");
	return cb_reply(req, 200, "text/html; charset=utf-8", docs_html, docs_len);
}

int openapi_register(void)
{
	cb_plugin *core_p = (cb_plugin *)&core_plugin;
	int rc = cb_route(core_p, "GET", "/api/v1/openapi.json", CB_AUTH_PUBLIC, NULL, serve);
	if (rc == CB_OK)
		rc = cb_route(core_p, "GET", "/api/docs/", CB_AUTH_PUBLIC, NULL, docs);
	return rc;
}

void openapi_free(void)
{
	while (fragments) {
		struct fragment *f = fragments;
		fragments = f->next;
		free(f->text);
		free(f);
	}
	fragments_tail = &fragments;
	free(doc_text);
	doc_text = NULL;
	free(docs_html);
	docs_html = NULL;
}
