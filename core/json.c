/* json.c — JSON documents in a request's arena (carbot/json.h): nodes,
 * getters, constructors and setters. Parsing is json_parse.c, serialising
 * json_dump.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_node.h"

cb_json *node_new(cb_req *req, int type)
{
	if (!req)
		return NULL;
	cb_json *v = cb_alloc(req, sizeof *v);
	v->req = req;
	v->type = (unsigned char)type;
	return v;
}

int is_container(const cb_json *v)
{
	return v && (v->type == CB_JSON_ARRAY || v->type == CB_JSON_OBJECT);
}

/* key is ignored for arrays */
void append(cb_json *c, const char *key, size_t klen, cb_json *v)
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

struct member *obj_find(const cb_json *o, const char *key, size_t klen)
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
size_t utf8_len(const unsigned char *s, size_t n)
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
