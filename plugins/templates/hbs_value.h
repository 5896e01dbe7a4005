/* hbs_value.h — values as handlebars.js sees them: the JSON data plus the
 * values a template makes (literals, @index, lengths), with JavaScript's
 * rules for truthiness, equality, property lookup and string conversion;
 * and the output buffer values are written to. */
#ifndef TEMPLATES_HBS_VALUE_H
#define TEMPLATES_HBS_VALUE_H

#include <stddef.h>

#include <carbot/sdk.h>

enum hv_type {
	HV_UNDEF,
	HV_NULL,
	HV_BOOL,
	HV_NUM,
	HV_STR,
	HV_ARR,
	HV_OBJ,
	HV_NULLCTX, /* handlebars' container.nullContext: `this` of a helper on a null context */
};

struct hval {
	unsigned char t;
	unsigned char b; /* HV_BOOL */
	double n;        /* HV_NUM */
	const char *s;   /* HV_STR: borrowed bytes */
	size_t len;
	const cb_json *j; /* HV_ARR, HV_OBJ */
};

struct hval hv_json(const cb_json *j);
struct hval hv_str(const char *s, size_t len);
struct hval hv_num(double n);
struct hval hv_bool(int b);

/* JavaScript's truthiness; handlebars' isEmpty (falsy but not 0, or []);
 * and == between a value and a context (as runtime.js compares depths). */
int hv_truthy(const struct hval *v);
int hv_empty(const struct hval *v);
int hv_loose_eq(const struct hval *a, const struct hval *b);

/* handlebars' lookupProperty(parent, name): own properties only — object
 * members (the last of duplicates, as JSON.parse keeps), array elements and
 * length, string characters and length. */
struct hval hv_get(const struct hval *parent, const char *name, size_t len);

/* A JSON node for v, made in req's arena when v is not one already
 * (undefined becomes null). */
cb_json *hv_to_json(cb_req *req, const struct hval *v);

/* Members of object obj in Object.keys order (integer-like keys ascending,
 * then the rest in order; a duplicated key once, at its first place, with its
 * last value): *idx receives member indices (in req's arena); returns the
 * count. */
size_t hv_keys(cb_req *req, const cb_json *obj, size_t **idx);

/* ---- output (hbs_out.c) ---- */

struct hbs_out {
	char *buf; /* malloc'ed */
	size_t len, cap, max;
};

/* Append n bytes (CB_OK, CB_ETOOBIG past max, CB_ENOMEM). */
int out_put(struct hbs_out *o, const char *s, size_t n);
/* Append n bytes HTML-escaped as handlebars' escapeExpression. */
int out_escaped(struct hbs_out *o, const char *s, size_t n);
/* Append String(v) (escaped when escape is set), as handlebars outputs a
 * mustache: undefined and null give nothing. */
int out_value(struct hbs_out *o, const struct hval *v, int escape);

#endif
