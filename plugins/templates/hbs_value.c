/* hbs_value.c — JavaScript semantics for template values: Number#toString,
 * truthiness, ==, own-property lookup and Object.keys order, so the renderer
 * decides and prints exactly as handlebars.js does on the same JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hbs_ast.h"
#include "hbs_value.h"

/* ---- Number#toString (ECMA-262 Number::toString, radix 10) ---- */

size_t js_num_fmt(double d, char *buf)
{
	char digits[32], tmp[40];
	int k = 0, n = 0, neg = 0;
	size_t o = 0;

	if (isnan(d))
		return (size_t)sprintf(buf, "NaN");
	if (isinf(d))
		return (size_t)sprintf(buf, d < 0 ? "-Infinity" : "Infinity");
	if (d == 0)
		return (size_t)sprintf(buf, "0");
	if (d < 0) {
		neg = 1;
		d = -d;
	}
	/* the shortest digits that read back as d */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d || prec == 17)
			break;
	}
	/* tmp is d.ddddde[+-]xx */
	char *e = strchr(tmp, 'e');
	for (char *c = tmp; c < e; c++)
		if (*c >= '0' && *c <= '9')
			digits[k++] = *c;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	n = atoi(e + 1) + 1; /* d = 0.digits x 10^n */

	if (neg)
		buf[o++] = '-';
	if (k <= n && n <= 21) {
		memcpy(buf + o, digits, (size_t)k);
		o += (size_t)k;
		for (int i = 0; i < n - k; i++)
			buf[o++] = '0';
	} else if (0 < n && n <= 21) {
		memcpy(buf + o, digits, (size_t)n);
		o += (size_t)n;
		buf[o++] = '.';
		memcpy(buf + o, digits + n, (size_t)(k - n));
		o += (size_t)(k - n);
	} else if (-6 < n && n <= 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (int i = 0; i < -n; i++)
			buf[o++] = '0';
		memcpy(buf + o, digits, (size_t)k);
		o += (size_t)k;
	} else {
		buf[o++] = digits[0];
		if (k > 1) {
			buf[o++] = '.';
			memcpy(buf + o, digits + 1, (size_t)(k - 1));
			o += (size_t)(k - 1);
		}
		o += (size_t)sprintf(buf + o, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	buf[o] = 0;
	return o;
}

/* ---- constructors ---- */

struct hval hv_str(const char *s, size_t len)
{
	struct hval v = {.t = HV_STR, .s = s, .len = len};
	return v;
}

struct hval hv_num(double n)
{
	struct hval v = {.t = HV_NUM, .n = n};
	return v;
}

struct hval hv_bool(int b)
{
	struct hval v = {.t = HV_BOOL, .b = (unsigned char)!!b};
	return v;
}

struct hval hv_json(const cb_json *j)
{
	struct hval v = {.t = HV_UNDEF};
	int b;
	switch (cb_json_type(j)) {
	case CB_JSON_NULL:
		v.t = HV_NULL;
		break;
	case CB_JSON_BOOL:
		cb_json_bool(j, &b);
		v = hv_bool(b);
		break;
	case CB_JSON_NUMBER:
		v.t = HV_NUM;
		cb_json_num(j, &v.n);
		break;
	case CB_JSON_STRING:
		v = hv_str(cb_json_str(j), cb_json_strlen(j));
		break;
	case CB_JSON_ARRAY:
		v.t = HV_ARR;
		v.j = j;
		break;
	case CB_JSON_OBJECT:
		v.t = HV_OBJ;
		v.j = j;
		break;
	default:
		break;
	}
	return v;
}

/* ---- truthiness and equality ---- */

int hv_truthy(const struct hval *v)
{
	switch (v->t) {
	case HV_UNDEF:
	case HV_NULL:
		return 0;
	case HV_BOOL:
		return v->b;
	case HV_NUM:
		return v->n != 0 && !isnan(v->n);
	case HV_STR:
		return v->len > 0;
	default:
		return 1;
	}
}

int hv_empty(const struct hval *v)
{
	if (v->t == HV_ARR)
		return cb_json_len(v->j) == 0;
	if (v->t == HV_NUM)
		return isnan(v->n);
	return !hv_truthy(v);
}

/* ToNumber of a string (StringToNumber): trimmed decimal literal, 0x/0o/0b
 * integers, Infinity; "" is 0; anything else NaN. */
static double js_to_number(const char *s, size_t n)
{
	size_t b = 0, e = n, k;
	char buf[128], *end;
	while (b < e && (k = js_space(s + b, e - b)) != 0)
		b += k;
	while (e > b && (k = js_space_before(s + e, e - b)) != 0)
		e -= k;
	if (b == e)
		return 0;
	if (e - b >= sizeof buf)
		return NAN;
	memcpy(buf, s + b, e - b);
	buf[e - b] = 0;
	if (buf[0] == '0' && buf[1] && strchr("xXoObB", buf[1])) {
		int base = (buf[1] | 0x20) == 'x' ? 16 : (buf[1] | 0x20) == 'o' ? 8 : 2;
		if (!buf[2])
			return NAN;
		double r = 0;
		for (const char *c = buf + 2; *c; c++) {
			int dv = *c >= '0' && *c <= '9'                     ? *c - '0'
			         : (*c | 0x20) >= 'a' && (*c | 0x20) <= 'f' ? (*c | 0x20) - 'a' + 10
			                                                    : 99;
			if (dv >= base)
				return NAN;
			r = r * base + dv;
		}
		return r;
	}
	const char *d = buf + (buf[0] == '+' || buf[0] == '-');
	if (strcmp(d, "Infinity") == 0)
		return buf[0] == '-' ? -INFINITY : INFINITY;
	/* strtod also reads "inf", "nan" and hex floats, which JS does not */
	for (const char *c = d; *c; c++)
		if (!strchr("0123456789.eE+-", *c))
			return NAN;
	double r = strtod(buf, &end);
	return *end || end == buf ? NAN : r;
}

static int is_container(const struct hval *v)
{
	return v->t == HV_ARR || v->t == HV_OBJ || v->t == HV_NULLCTX;
}

int hv_loose_eq(const struct hval *a, const struct hval *b)
{
	int an = a->t == HV_UNDEF || a->t == HV_NULL, bn = b->t == HV_UNDEF || b->t == HV_NULL;
	if (an || bn)
		return an && bn;
	if (is_container(a) || is_container(b))
		return a->t == b->t && a->j == b->j;
	if (a->t == HV_BOOL) {
		struct hval x = hv_num(a->b);
		return hv_loose_eq(&x, b);
	}
	if (b->t == HV_BOOL) {
		struct hval x = hv_num(b->b);
		return hv_loose_eq(a, &x);
	}
	if (a->t == HV_STR && b->t == HV_STR)
		return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	double x = a->t == HV_NUM ? a->n : js_to_number(a->s, a->len);
	double y = b->t == HV_NUM ? b->n : js_to_number(b->s, b->len);
	return x == y;
}

/* ---- property lookup ---- */

/* A canonical array index ("0", "17"; not "01", "-1", "1.0"), or -1. */
static long long array_index(const char *name, size_t len)
{
	long long v = 0;
	if (len == 0 || len > 10 || (len > 1 && name[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v <= 4294967294LL ? v : -1;
}

static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

struct hval hv_get(const struct hval *parent, const char *name, size_t len)
{
	struct hval none = {.t = HV_UNDEF};
	int is_length = len == 6 && memcmp(name, "length", 6) == 0;

	if (parent->t == HV_OBJ) {
		for (size_t i = cb_json_len(parent->j); i-- > 0;) {
			const char *k = cb_json_key_at(parent->j, i);
			if (strlen(k) == len && memcmp(k, name, len) == 0)
				return hv_json(cb_json_at(parent->j, i));
		}
		return none;
	}
	if (parent->t == HV_ARR) {
		long long i = array_index(name, len);
		if (is_length)
			return hv_num((double)cb_json_len(parent->j));
		if (i >= 0 && (size_t)i < cb_json_len(parent->j))
			return hv_json(cb_json_at(parent->j, (size_t)i));
		return none;
	}
	if (parent->t == HV_STR) {
		/* JS strings count UTF-16 units; a unit that is half of a
		 * surrogate pair prints as U+FFFD */
		long long want = array_index(name, len), unit = 0;
		for (size_t b = 0; b < parent->len;) {
			size_t cl = utf8_len((unsigned char)parent->s[b]);
			int units = cl == 4 ? 2 : 1;
			if (want >= unit && want < unit + units)
				return units == 2 ? hv_str("\xEF\xBF\xBD", 3)
				                  : hv_str(parent->s + b, cl);
			unit += units;
			b += cl;
		}
		return is_length ? hv_num((double)unit) : none;
	}
	return none;
}

cb_json *hv_to_json(cb_req *req, const struct hval *v)
{
	switch (v->t) {
	case HV_BOOL:
		return cb_json_new_bool(req, v->b);
	case HV_NUM:
		return cb_json_new_num(req, v->n);
	case HV_STR:
		return cb_json_new_strn(req, v->s, v->len);
	case HV_ARR:
	case HV_OBJ:
		return (cb_json *)v->j;
	case HV_NULLCTX:
		return cb_json_new_object(req);
	default:
		return cb_json_new_null(req);
	}
}

/* ---- Object.keys order ---- */

struct key_ent {
	const char *k;
	size_t klen, pos, val;
	long long idx; /* array index value, or -1 */
};

static int by_key_then_pos(const void *a, const void *b)
{
	const struct key_ent *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->k, y->k, n);
	if (c)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int by_js_order(const void *a, const void *b)
{
	const struct key_ent *x = a, *y = b;
	if ((x->idx >= 0) != (y->idx >= 0))
		return x->idx >= 0 ? -1 : 1;
	if (x->idx >= 0)
		return x->idx < y->idx ? -1 : x->idx > y->idx;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

size_t hv_keys(cb_req *req, const cb_json *obj, size_t **idx)
{
	size_t n = cb_json_len(obj), m = 0;
	struct key_ent *e = cb_alloc(req, (n ? n : 1) * sizeof *e);
	*idx = cb_alloc(req, (n ? n : 1) * sizeof **idx);
	for (size_t i = 0; i < n; i++) {
		e[i].k = cb_json_key_at(obj, i);
		e[i].klen = strlen(e[i].k);
		e[i].pos = e[i].val = i;
		e[i].idx = array_index(e[i].k, e[i].klen);
	}
	qsort(e, n, sizeof *e, by_key_then_pos);
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && e[m - 1].klen == e[i].klen &&
		    memcmp(e[m - 1].k, e[i].k, e[i].klen) == 0) {
			e[m - 1].val = e[i].pos; /* the last value, at the first place */
			continue;
		}
		e[m++] = e[i];
	}
	qsort(e, m, sizeof *e, by_js_order);
	for (size_t i = 0; i < m; i++)
		(*idx)[i] = e[i].val;
	return m;
}
