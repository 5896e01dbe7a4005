/* json.c — JSON documents in a request's arena (carbot/json.h).
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

#include "req.h"

/* Dumping walks an explicit stack; containers below this depth (only
 * reachable through trees built by hand, or a container pushed into itself)
 * are written as null so the output stays finite. */
#define DUMP_MAX_DEPTH 256

struct member {
	const char *key;
	size_t klen;
	cb_json *val;
};

struct cb_json {
	cb_req *req; /* so setters can allocate without being handed the request */
	unsigned char type;
	unsigned char is_int; /* a number whose exact value is i */
	size_t len, cap;      /* bytes of a string; elements or members, and room */
	union {
		int b;
		double d;
		char *s;
		void *items;
		cb_json **elems;
		struct member *members;
	};
	long long i;
};

static cb_json *node_new(cb_req *req, int type)
{
	if (!req)
		return NULL;
	cb_json *v = cb_alloc(req, sizeof *v);
	v->req = req;
	v->type = (unsigned char)type;
	return v;
}

static int is_container(const cb_json *v)
{
	return v && (v->type == CB_JSON_ARRAY || v->type == CB_JSON_OBJECT);
}

/* key is ignored for arrays */
static void append(cb_json *c, const char *key, size_t klen, cb_json *v)
{
	int obj = c->type == CB_JSON_OBJECT;
	size_t size = obj ? sizeof(struct member) : sizeof(cb_json *);
	if (c->len == c->cap) {
		/* doubling keeps appends amortised O(1); the outgrown block stays
		 * in the arena, which at worst doubles the footprint */
		c->cap = c->cap ? c->cap * 2 : 4;
		void *p = cb_alloc(c->req, c->cap * size);
		if (c->len)
			memcpy(p, c->items, c->len * size);
		c->items = p;
	}
	if (obj)
		c->members[c->len++] = (struct member){key, klen, v};
	else
		c->elems[c->len++] = v;
}

static struct member *obj_find(const cb_json *o, const char *key, size_t klen)
{
	if (!o || o->type != CB_JSON_OBJECT || !key)
		return NULL;
	for (size_t i = 0; i < o->len; i++) {
		struct member *m = &o->members[i];
		if (m->klen == klen && memcmp(m->key, key, klen) == 0)
			return m;
	}
	return NULL;
}

/* Length of the well-formed UTF-8 sequence at s, or 0. Stricter than yajl's
 * own check, which lets through overlong forms (C0 80 is a disguised NUL),
 * encoded surrogates and code points above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		lo = c == 0xE0 ? 0xA0 : lo;
		hi = c == 0xED ? 0x9F : hi;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		lo = c == 0xF0 ? 0x90 : lo;
		hi = c == 0xF4 ? 0x8F : hi;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

/* ---- parsing ---- */

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

/* ---- getters ---- */

int cb_json_type(const cb_json *v)
{
	return v ? v->type : CB_JSON_NONE;
}

cb_json *cb_json_get(const cb_json *obj, const char *key)
{
	struct member *m = key ? obj_find(obj, key, strlen(key)) : NULL;
	return m ? m->val : NULL;
}

const char *cb_json_str(const cb_json *v)
{
	return v && v->type == CB_JSON_STRING ? v->s : NULL;
}

size_t cb_json_strlen(const cb_json *v)
{
	return v && v->type == CB_JSON_STRING ? v->len : 0;
}

int cb_json_num(const cb_json *v, double *out)
{
	if (!v || v->type != CB_JSON_NUMBER)
		return CB_EINVAL;
	if (out)
		*out = v->d;
	return CB_OK;
}

int cb_json_int(const cb_json *v, long long *out)
{
	if (!v || v->type != CB_JSON_NUMBER)
		return CB_EINVAL;
	long long i = v->i;
	if (!v->is_int) {
		/* both bounds are powers of two, so the comparisons are exact */
		if (!(v->d >= -9223372036854775808.0 && v->d < 9223372036854775808.0))
			return CB_EINVAL;
		i = (long long)v->d;
		if ((double)i != v->d)
			return CB_EINVAL;
	}
	if (out)
		*out = i;
	return CB_OK;
}

int cb_json_bool(const cb_json *v, int *out)
{
	if (!v || v->type != CB_JSON_BOOL)
		return CB_EINVAL;
	if (out)
		*out = v->b;
	return CB_OK;
}

size_t cb_json_len(const cb_json *v)
{
	return is_container(v) ? v->len : 0;
}

cb_json *cb_json_at(const cb_json *v, size_t i)
{
	if (!is_container(v) || i >= v->len)
		return NULL;
	return v->type == CB_JSON_ARRAY ? v->elems[i] : v->members[i].val;
}

const char *cb_json_key_at(const cb_json *v, size_t i)
{
	return v && v->type == CB_JSON_OBJECT && i < v->len ? v->members[i].key : NULL;
}

const char *cb_json_get_str(const cb_json *obj, const char *key)
{
	return cb_json_str(cb_json_get(obj, key));
}

/* ---- constructors and setters ---- */

cb_json *cb_json_new_object(cb_req *req)
{
	return node_new(req, CB_JSON_OBJECT);
}

cb_json *cb_json_new_array(cb_req *req)
{
	return node_new(req, CB_JSON_ARRAY);
}

cb_json *cb_json_new_str(cb_req *req, const char *s)
{
	return s ? cb_json_new_strn(req, s, strlen(s)) : cb_json_new_null(req);
}

cb_json *cb_json_new_strn(cb_req *req, const char *s, size_t n)
{
	cb_json *v = node_new(req, s ? CB_JSON_STRING : CB_JSON_NULL);
	if (v && s) {
		v->s = cb_strndup(req, s, n);
		v->len = n;
	}
	return v;
}

cb_json *cb_json_new_int(cb_req *req, long long n)
{
	cb_json *v = node_new(req, CB_JSON_NUMBER);
	if (v) {
		v->is_int = 1;
		v->i = n;
		v->d = (double)n;
	}
	return v;
}

cb_json *cb_json_new_num(cb_req *req, double n)
{
	cb_json *v = node_new(req, CB_JSON_NUMBER);
	if (v)
		v->d = n;
	return v;
}

cb_json *cb_json_new_bool(cb_req *req, int b)
{
	cb_json *v = node_new(req, CB_JSON_BOOL);
	if (v)
		v->b = !!b;
	return v;
}

cb_json *cb_json_new_null(cb_req *req)
{
	return node_new(req, CB_JSON_NULL);
}

int cb_json_set(cb_json *obj, const char *key, cb_json *val)
{
	if (!obj || obj->type != CB_JSON_OBJECT || !key || !val)
		return CB_EINVAL;
	size_t klen = strlen(key);
	struct member *m = obj_find(obj, key, klen);
	if (m)
		m->val = val;
	else
		append(obj, cb_strndup(obj->req, key, klen), klen, val);
	return CB_OK;
}

/* The request to build a member's value in; NULL (making cb_json_set refuse)
 * when obj is not an object. */
static cb_req *obj_req(const cb_json *obj)
{
	return obj && obj->type == CB_JSON_OBJECT ? obj->req : NULL;
}

int cb_json_set_str(cb_json *obj, const char *key, const char *s)
{
	return cb_json_set(obj, key, cb_json_new_str(obj_req(obj), s));
}

int cb_json_set_int(cb_json *obj, const char *key, long long n)
{
	return cb_json_set(obj, key, cb_json_new_int(obj_req(obj), n));
}

int cb_json_set_num(cb_json *obj, const char *key, double n)
{
	return cb_json_set(obj, key, cb_json_new_num(obj_req(obj), n));
}

int cb_json_set_bool(cb_json *obj, const char *key, int b)
{
	return cb_json_set(obj, key, cb_json_new_bool(obj_req(obj), b));
}

int cb_json_set_null(cb_json *obj, const char *key)
{
	return cb_json_set(obj, key, cb_json_new_null(obj_req(obj)));
}

int cb_json_del(cb_json *obj, const char *key)
{
	struct member *m = key ? obj_find(obj, key, strlen(key)) : NULL;
	if (!m)
		return CB_ENOTFOUND;
	memmove(m, m + 1, (size_t)(obj->members + obj->len - m - 1) * sizeof *m);
	obj->len--;
	return CB_OK;
}

int cb_json_push(cb_json *arr, cb_json *val)
{
	if (!arr || arr->type != CB_JSON_ARRAY || !val)
		return CB_EINVAL;
	append(arr, NULL, 0, val);
	return CB_OK;
}

/* ---- serialising ---- */

/* The dump runs twice over the tree: once with p NULL to measure, once to
 * write into an arena block of exactly the right size. */
struct out {
	char *p;
	size_t n;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->p)
		memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void put_str(struct out *o, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	static const char short_esc[0x20] = {
	    ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r'};
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0; /* bytes copied as they are, flushed in one go */
	put(o, "\"", 1);
	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		char esc[8];
		size_t elen = 0, n = 1;
		if (c >= 0x80) {
			n = utf8_len(s + i, len - i);
			if (n == 0) { /* only hand-built strings get here */
				memcpy(esc, "\\ufffd", 6);
				elen = 6;
				n = 1;
			} else if (n == 3 && c == 0xE2 && s[i + 1] == 0x80 &&
			           (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
				/* line separators end a JavaScript string literal */
				memcpy(esc, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
				elen = 6;
			}
		} else if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c, elen = 2;
		} else if (c < 0x20 && short_esc[c]) {
			esc[0] = '\\', esc[1] = short_esc[c], elen = 2;
		} else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
			/* < > & escaped so the output can sit inside <script> */
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		if (elen) {
			put(o, (const char *)s + i - run, run);
			put(o, esc, elen);
			run = 0;
		} else {
			run += n;
		}
		i += n;
	}
	put(o, (const char *)s + len - run, run);
	put(o, "\"", 1);
}

static void put_num(struct out *o, const cb_json *v)
{
	char buf[40];
	int n;
	if (v->is_int) {
		n = snprintf(buf, sizeof buf, "%lld", v->i);
	} else if (!isfinite(v->d)) {
		n = snprintf(buf, sizeof buf, "null");
	} else {
		/* shortest of 15..17 significant digits that reads back exactly */
		for (int prec = 15;; prec++) {
			n = snprintf(buf, sizeof buf, "%.*g", prec, v->d);
			if (prec == 17 || strtod(buf, NULL) == v->d)
				break;
		}
	}
	put(o, buf, (size_t)n);
}

static void put_tree(struct out *o, const cb_json *v)
{
	struct {
		const cb_json *v;
		size_t i;
	} st[DUMP_MAX_DEPTH];
	int top = -1;
	for (;;) {
		switch (cb_json_type(v)) {
		case CB_JSON_BOOL:
			put(o, v->b ? "true" : "false", v->b ? 4 : 5);
			break;
		case CB_JSON_NUMBER:
			put_num(o, v);
			break;
		case CB_JSON_STRING:
			put_str(o, v->s, v->len);
			break;
		case CB_JSON_ARRAY:
		case CB_JSON_OBJECT:
			if (top + 1 == DUMP_MAX_DEPTH) {
				put(o, "null", 4);
				break;
			}
			put(o, v->type == CB_JSON_ARRAY ? "[" : "{", 1);
			top++;
			st[top].v = v;
			st[top].i = 0;
			break;
		default:
			put(o, "null", 4);
		}
		/* climb to the next value still to be written */
		for (;;) {
			if (top < 0)
				return;
			const cb_json *c = st[top].v;
			size_t i = st[top].i;
			if (i < cb_json_len(c)) {
				if (i)
					put(o, ",", 1);
				if (c->type == CB_JSON_OBJECT) {
					put_str(o, c->members[i].key, c->members[i].klen);
					put(o, ":", 1);
				}
				v = cb_json_at(c, i);
				st[top].i++;
				break;
			}
			put(o, c->type == CB_JSON_ARRAY ? "]" : "}", 1);
			top--;
		}
	}
}

char *cb_json_dump(cb_req *req, const cb_json *v, size_t *len)
{
	if (len)
		*len = 0;
	if (!v)
		return NULL;
	if (!req)
		req = v->req;
	struct out o = {NULL, 0};
	put_tree(&o, v);
	o.p = cb_alloc(req, o.n + 1);
	o.n = 0;
	put_tree(&o, v);
	o.p[o.n] = '\0';
	if (len)
		*len = o.n;
	return o.p;
}
