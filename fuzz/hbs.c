/* hbs.c — fuzzes the templates plugin's Handlebars lexer, parser and
 * renderer (plugins/templates/hbs_*.c) within their documented limits.
 * Input: "template\0JSON data" (no NUL: the whole input is the template,
 * rendered with a fixed context). Partials "p" and "q" resolve to small
 * templates, anything else to none. */
#include "fuzz.h"
#include "hbs.h"

static hbs_tpl *partials[2];

static const hbs_tpl *partial(void *ud, const char *name, char *err, size_t errlen)
{
	(void)ud;
	(void)err;
	(void)errlen;
	if (strcmp(name, "p") == 0)
		return partials[0];
	if (strcmp(name, "q") == 0)
		return partials[1];
	return NULL;
}

static const char ctx[] = "{\"name\":\"Werkstatt <Muster>\",\"n\":3,\"ok\":true,\"list\":[1,\"b\","
                          "{\"x\":null}],\"obj\":{\"a\":{\"b\":[\"c\"]}},\"empty\":[]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	if (!partials[0]) {
		const char *p = "<b>{{name}}</b>{{#each list}}{{this}}{{/each}}";
		const char *q = "{{> p}}{{#if ok}}{{n}}{{/if}}";
		partials[0] = hbs_compile(p, strlen(p), err, sizeof err);
		partials[1] = hbs_compile(q, strlen(q), err, sizeof err);
		FUZZ_ASSERT(partials[0] && partials[1]);
	}
	const char *tsrc = (const char *)data, *dsrc = ctx;
	size_t tlen = size, dlen = sizeof ctx - 1;
	const uint8_t *nul = memchr(data, 0, size);
	if (nul) {
		tlen = (size_t)(nul - data);
		dsrc = (const char *)nul + 1;
		dlen = size - tlen - 1;
	}
	cb_req *req = req_new();
	hbs_tpl *t = hbs_compile(tsrc, tlen, err, sizeof err);
	if (!t) {
		FUZZ_ASSERT(err[0] != '\0');
	} else {
		cb_json *d = cb_json_parse(req, dsrc, dlen, err, sizeof err);
		struct hbs_opts o = {partial, NULL, 1u << 16};
		size_t outlen = 0;
		err[0] = '\0';
		char *out = hbs_render(req, t, d, &o, &outlen, err, sizeof err);
		if (out)
			FUZZ_ASSERT(outlen <= (1u << 16) && strlen(out) <= outlen);
		else
			FUZZ_ASSERT(err[0] != '\0');
		hbs_free(t);
	}
	req_free(req);
	return 0;
}
