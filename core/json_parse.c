/* json_parse.c — strict JSON parsing into a request's arena.
 *
 * Parsing drives yajl's event parser and builds nodes straight into the arena,
 * so a document costs no frees and no recursion: nesting is tracked on a fixed
 * stack of CB_JSON_MAX_DEPTH containers and anything deeper is refused as soon
 * as yajl reports the opening bracket.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "json_node.h"

struct pctx {
	cb_req *req;
	cb_json *root;
	cb_json *stack[CB_JSON_MAX_DEPTH];
	int depth;
	const char *key; /* member name awaiting its value */
	size_t klen;
	const char *err; /* set by a callback that stops the parse */
};

static int add_value(struct pctx *c, cb_json *v)
{
	if (c->depth == 0) {
		c->root = v;
		return 1;
	}
	append(c->stack[c->depth - 1], c->key, c->klen, v);
	return 1;
}

static int check_text(struct pctx *c, const unsigned char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n) {
		if (s[i] == '\0') {
			c->err = "string contains a NUL character";
			return 0;
		}
		if (!(n = utf8_len(s + i, len - i))) {
			c->err = "string is not valid UTF-8";
			return 0;
		}
	}
	return 1;
}

static int on_null(void *ctx)
{
	struct pctx *c = ctx;
	return add_value(c, node_new(c->req, CB_JSON_NULL));
}

static int on_bool(void *ctx, int b)
{
	struct pctx *c = ctx;
	cb_json *v = node_new(c->req, CB_JSON_BOOL);
	v->b = !!b;
	return add_value(c, v);
}

/* yajl's integer callback fails outright on overflow, so take the raw number
 * and let a too-big integer fall back to a double. */
static int on_number(void *ctx, const char *s, size_t len)
{
	struct pctx *c = ctx;
	char small[64], *buf = small, *end;
	if (len < sizeof small)
		memcpy(small, s, len), small[len] = '\0';
	else
		buf = cb_strndup(c->req, s, len);
	cb_json *v = node_new(c->req, CB_JSON_NUMBER);
	if (!strpbrk(buf, ".eE")) {
		errno = 0;
		long long i = strtoll(buf, &end, 10);
		if (errno == 0) {
			v->is_int = 1;
			v->i = i;
			v->d = (double)i;
			return add_value(c, v);
		}
	}
	v->d = strtod(buf, &end);
	if (!isfinite(v->d)) {
		c->err = "number out of range";
		return 0;
	}
	return add_value(c, v);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct pctx *c = ctx;
	if (!check_text(c, s, len))
		return 0;
	cb_json *v = node_new(c->req, CB_JSON_STRING);
	v->s = cb_strndup(c->req, (const char *)s, len);
	v->len = len;
	return add_value(c, v);
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
	struct pctx *c = ctx;
	if (!check_text(c, s, len))
		return 0;
	c->key = cb_strndup(c->req, (const char *)s, len);
	c->klen = len;
	return 1;
}

static int open_container(struct pctx *c, int type)
{
	if (c->depth == CB_JSON_MAX_DEPTH) {
		c->err = "nested deeper than 64 levels";
		return 0;
	}
	cb_json *v = node_new(c->req, type);
	add_value(c, v);
	c->stack[c->depth++] = v;
	return 1;
}

static int on_start_map(void *ctx)
{
	return open_container(ctx, CB_JSON_OBJECT);
}

static int on_start_array(void *ctx)
{
	return open_container(ctx, CB_JSON_ARRAY);
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct member *a = *(struct member *const *)pa, *b = *(struct member *const *)pb;
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int r = memcmp(a->key, b->key, n);
	if (r == 0 && a->klen != b->klen)
		r = a->klen < b->klen ? -1 : 1;
	if (r == 0) /* keep equal keys in document order */
		r = a < b ? -1 : a > b;
	return r;
}

/* Duplicate keys: the last value wins, in the position of the first, exactly
 * as if each member had been added with cb_json_set. Sorting keeps this
 * O(n log n) for objects with many members, which a client controls. */
static void obj_dedupe(cb_json *o)
{
	size_t n = o->len, out = 0;
	struct member *m = o->members;
	if (n < 2)
		return;
	struct member **ix = cb_alloc(o->req, n * sizeof *ix);
	for (size_t i = 0; i < n; i++)
		ix[i] = &m[i];
	qsort(ix, n, sizeof *ix, key_cmp);
	for (size_t i = 1, first = 0; i < n; i++) {
		struct member *a = ix[first], *b = ix[i];
		if (a->klen == b->klen && memcmp(a->key, b->key, a->klen) == 0) {
			a->val = b->val;
			b->val = NULL;
		} else {
			first = i;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (m[i].val)
			m[out++] = m[i];
	o->len = out;
}

static int on_end_map(void *ctx)
{
	struct pctx *c = ctx;
	obj_dedupe(c->stack[--c->depth]);
	return 1;
}

static int on_end_array(void *ctx)
{
	struct pctx *c = ctx;
	c->depth--;
	return 1;
}

static const yajl_callbacks parse_callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_bool,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_end_map,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end_array,
};

static unsigned hex4(const char *p)
{
	unsigned u = 0;
	for (int i = 0; i < 4; i++) {
		char ch = p[i];
		u = u * 16 + (unsigned)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
	}
	return u;
}

/* yajl decodes a lone high surrogate escape as '?' and glues a high surrogate
 * to whatever \u escape follows it, so pairing is checked on the raw text.
 * Only called on text yajl accepted, where every backslash sits inside a
 * string and starts a well-formed escape. */
static int surrogates_paired(const char *t, size_t len)
{
	const char *p = t, *end = t + len;
	while ((p = memchr(p, '\\', (size_t)(end - p)))) {
		if (p[1] != 'u') {
			p += 2;
			continue;
		}
		unsigned u = hex4(p + 2);
		p += 6;
		if (u >= 0xDC00 && u <= 0xDFFF)
			return 0;
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
				return 0;
			u = hex4(p + 2);
			if (u < 0xDC00 || u > 0xDFFF)
				return 0;
			p += 6;
		}
	}
	return 1;
}

static cb_json *parse_fail(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return NULL;
}

cb_json *cb_json_parse(cb_req *req, const char *text, size_t len, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!req)
		return parse_fail(err, errlen, "no request to parse into");
	if (!text || len == 0)
		return parse_fail(err, errlen, "empty JSON text");

	struct pctx c = {.req = req};
	yajl_handle h = yajl_alloc(&parse_callbacks, NULL, &c);
	if (!h)
		return parse_fail(err, errlen, "out of memory");
	yajl_config(h, yajl_allow_comments, 0);
	yajl_config(h, yajl_dont_validate_strings, 0);
	yajl_config(h, yajl_allow_trailing_garbage, 0);
	yajl_config(h, yajl_allow_multiple_values, 0);
	yajl_config(h, yajl_allow_partial_values, 0);

	yajl_status st = yajl_parse(h, (const unsigned char *)text, len);
	size_t at = yajl_get_bytes_consumed(h);
	int finishing = st == yajl_status_ok;
	if (finishing)
		st = yajl_complete_parse(h);
	yajl_free(h);

	if (c.err)
		return parse_fail(err, errlen, c.err);
	if (st != yajl_status_ok) {
		if (finishing) /* yajl only learns of "[1," or "1." at the end */
			return parse_fail(err, errlen, "invalid JSON at end of text");
		if (err && errlen)
			snprintf(err, errlen, "invalid JSON at byte %zu", at);
		return NULL;
	}
	if (!surrogates_paired(text, len))
		return parse_fail(err, errlen, "unpaired UTF-16 surrogate escape");
	return c.root;
}
