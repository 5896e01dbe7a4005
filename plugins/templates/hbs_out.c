/* hbs_out.c — the output buffer and what handlebars writes for a value:
 * escapeExpression (& < > " ' ` = as entities) and String(value). */
#include <stdlib.h>
#include <string.h>

#include "hbs_ast.h"
#include "hbs_value.h"

int out_put(struct hbs_out *o, const char *s, size_t n)
{
	if (n == 0)
		return CB_OK;
	if (n > o->max - o->len)
		return CB_ETOOBIG;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap < o->len + n + 1)
			cap *= 2;
		char *b = realloc(o->buf, cap);
		if (!b)
			return CB_ENOMEM;
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = 0;
	return CB_OK;
}

static const char *entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#x27;";
	case '`':
		return "&#x60;";
	case '=':
		return "&#x3D;";
	default:
		return NULL;
	}
}

int out_escaped(struct hbs_out *o, const char *s, size_t n)
{
	size_t from = 0;
	int rc;
	for (size_t i = 0; i < n; i++) {
		const char *e = entity(s[i]);
		if (!e)
			continue;
		if ((rc = out_put(o, s + from, i - from)) != CB_OK ||
		    (rc = out_put(o, e, strlen(e))) != CB_OK)
			return rc;
		from = i + 1;
	}
	return out_put(o, s + from, n - from);
}

static int put(struct hbs_out *o, const char *s, size_t n, int escape)
{
	return escape ? out_escaped(o, s, n) : out_put(o, s, n);
}

/* String(v); an array joins its elements with "," (null and undefined as ""),
 * as Array#toString does. depth bounds nested arrays. */
static int value_string(struct hbs_out *o, const struct hval *v, int escape, int depth)
{
	char num[32];
	switch (v->t) {
	case HV_UNDEF:
	case HV_NULL:
		return CB_OK;
	case HV_BOOL:
		return v->b ? put(o, "true", 4, 0) : put(o, "false", 5, 0);
	case HV_NUM:
		return put(o, num, js_num_fmt(v->n, num), 0);
	case HV_STR:
		return put(o, v->s, v->len, escape);
	case HV_ARR: {
		size_t n = cb_json_len(v->j);
		if (depth > 64)
			return CB_OK; /* as JS prints a cycle: nothing */
		for (size_t i = 0; i < n; i++) {
			struct hval e = hv_json(cb_json_at(v->j, i));
			int rc = (i ? put(o, ",", 1, 0) : CB_OK);
			if (rc == CB_OK)
				rc = value_string(o, &e, escape, depth + 1);
			if (rc != CB_OK)
				return rc;
		}
		return CB_OK;
	}
	default:
		return put(o, "[object Object]", 15, 0);
	}
}

int out_value(struct hbs_out *o, const struct hval *v, int escape)
{
	return value_string(o, v, escape, 0);
}

char *hbs_escape(cb_req *req, const char *s, size_t n)
{
	struct hbs_out o = {NULL, 0, 0, (size_t)-1};
	char *r;
	if (out_escaped(&o, s, n) != CB_OK) {
		free(o.buf);
		return NULL;
	}
	r = cb_strndup(req, o.buf ? o.buf : "", o.len);
	free(o.buf);
	return r;
}
