/* json_dump.c — compact JSON output, safe inside an HTML <script> element. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_node.h"

/* Dumping walks an explicit stack; containers below this depth (only
 * reachable through trees built by hand, or a container pushed into itself)
 * are written as null so the output stays finite. */
#define DUMP_MAX_DEPTH 256

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
