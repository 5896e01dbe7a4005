/* router.c — fuzzes the router: route patterns (router_compile) and the
 * match of a method and raw path against a fixed table with literal and
 * {param} and {rest*} segments (router_match); a match's parameters are set
 * and lie within the path's length; a GET always matches (the catch-all). Input: "METHOD PATH" or,
 * starting with '~', a pattern to compile. */
#include "core.h"
#include "fuzz.h"

static int dummy(cb_req *req)
{
	(void)req;
	return 0;
}

static const char *const table[][2] = {
    {"GET", "/healthz"},
    {"GET", "/api/v1/client-keys"},
    {"POST", "/api/v1/client-keys"},
    {"GET", "/api/v1/client-keys/{id}"},
    {"PATCH", "/api/v1/client-keys/{id}"},
    {"GET", "/api/v1/client-keys/{id}/analytics"},
    {"GET", "/api/v1/landing-pages/{id}/preview"},
    {"POST", "/api/v1/landing-pages/{id}/publish"},
    {"GET", "/assets/{page}/{file}"},
    {"GET", "/p/{subdomain}"},
    {"GET", "/p/{subdomain}/robots.txt"},
    {"GET", "/t/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}"},
    {"GET", "/{path*}"},
    {"GET", "/docs/{file*}"},
};

static void setup(void)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		struct route *r = calloc(1, sizeof *r);
		const struct route *clash = NULL;
		FUZZ_ASSERT(r);
		r->method = strdup(table[i][0]);
		r->handler = dummy;
		FUZZ_ASSERT(router_compile(r, table[i][1]) == 0);
		FUZZ_ASSERT(router_add(r, &clash) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready) {
		setup();
		ready = 1;
	}
	cb_req *req = req_new();
	char *s = fuzz_str(req, data, size);
	if (size && s[0] == '~') {
		struct route *r = calloc(1, sizeof *r);
		FUZZ_ASSERT(r);
		r->method = strdup("GET");
		if (router_compile(r, s + 1) == 0)
			FUZZ_ASSERT(r->nsegs >= 0 && r->nsegs <= ROUTE_MAX_SEGS);
		route_free(r);
	} else {
		size_t pn = 0;
		char *path = fuzz_split(s, size, ' ', &pn);
		char allow[128];
		if (path) {
			const struct route *r = router_match(req, s, path, allow, sizeof allow);
			/* (a percent escape may be refused: only paths without one) */
			if (strcmp(s, "GET") == 0 && path[0] == '/' && !strstr(path, "//") &&
			    path[1] && path[1] != '/' && !strchr(path, '%'))
				FUZZ_ASSERT(r != NULL);
			if (r) {
				FUZZ_ASSERT(req->nparams <= ROUTE_MAX_SEGS);
				for (int i = 0; i < req->nparams; i++)
					FUZZ_ASSERT(req->param_names[i] && req->param_values[i] &&
					            strlen(req->param_values[i]) <= pn);
			} else {
				FUZZ_ASSERT(strlen(allow) < sizeof allow);
			}
		}
	}
	req_free(req);
	return 0;
}
