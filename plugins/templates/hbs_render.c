/* hbs_render.c — runs a compiled template against JSON data, as
 * handlebars.js 4.7's runtime does: the context stack for ../ (pushed only
 * when a block changes the context), @data frames created by #each, block
 * parameters, the built-in helpers if / unless / each / with / lookup,
 * mustache sections through blockHelperMissing, and partials whose output is
 * indented when they stand alone on their line.
 *
 * Every recursion is bounded (HBS_MAX_DEPTH, HBS_MAX_PARTIAL_DEPTH), as are
 * the output (max_output) and the work done (HBS_MAX_STEPS). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hbs_ast.h"
#include "hbs_value.h"

/* ../ contexts: depths[0] is the head */
struct depth_node {
	struct hval v;
	const struct depth_node *next;
};

/* block parameters of one program invocation */
struct bp_node {
	const struct bp_node *next;
	int n;
	struct hval v[2];
};

/* an @data frame */
struct data_frame {
	const struct data_frame *parent;
	struct hval root;
	int iter; /* key, index, first, last are set (by #each) */
	struct hval key;
	double index;
	int first, last;
};

struct frame {
	struct hval ctx;
	const struct depth_node *depths;
	const struct data_frame *data;
	const struct bp_node *bp;
};

struct rs {
	cb_req *req;
	const struct hbs_opts *o;
	struct hbs_out out;
	unsigned long steps;
	int depth, pdepth;
	char *err;
	size_t errlen;
	int failed;
};

__attribute__((format(printf, 3, 4))) static int fail(struct rs *rs, const struct hbs_node *n,
                                                      const char *fmt, ...)
{
	if (rs->failed)
		return CB_ERR;
	rs->failed = 1;
	int k = n ? snprintf(rs->err, rs->errlen, "line %d, column %d: ", n->line, n->col) : 0;
	if (k >= 0 && (size_t)k < rs->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(rs->err + k, rs->errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return CB_ERR;
}

static int out_fail(struct rs *rs, const struct hbs_node *n, int rc)
{
	if (rc == CB_ETOOBIG)
		return fail(rs, n, "output larger than %zu bytes", rs->out.max);
	return fail(rs, n, "out of memory");
}

static const struct hval undef = {.t = HV_UNDEF};

/* ---- paths ---- */

static struct hval data_prop(const struct data_frame *df, const char *name)
{
	if (strcmp(name, "root") == 0)
		return df->root;
	int which = strcmp(name, "key") == 0     ? 1
	            : strcmp(name, "index") == 0 ? 2
	            : strcmp(name, "first") == 0 ? 3
	            : strcmp(name, "last") == 0  ? 4
	                                         : 0;
	if (!which)
		return undef;
	for (; df; df = df->parent) {
		if (!df->iter)
			continue;
		switch (which) {
		case 1:
			return df->key;
		case 2:
			return hv_num(df->index);
		case 3:
			return hv_bool(df->first);
		default:
			return hv_bool(df->last);
		}
	}
	return undef;
}

/* parts[from..] of e looked up from v: "current != null ? lookup : current",
 * or "current && lookup" for @data paths. */
static struct hval resolve(struct hval v, const struct hbs_expr *e, int from, int falsy)
{
	for (int i = from; i < e->nparts; i++) {
		if (falsy ? !hv_truthy(&v) : (v.t == HV_UNDEF || v.t == HV_NULL))
			return v;
		v = hv_get(&v, e->parts[i], e->partlens[i]);
	}
	return v;
}

static struct hval eval_path(const struct frame *f, const struct hbs_expr *e)
{
	if (e->bp_depth >= 0) {
		const struct bp_node *b = f->bp;
		for (int d = 0; b && d < e->bp_depth; d++)
			b = b->next;
		if (!b || e->bp_index >= b->n)
			return resolve(undef, e, 1, 0);
		return resolve(b->v[e->bp_index], e, 1, 0);
	}
	if (e->data) {
		const struct data_frame *df = f->data;
		for (int d = 0; df && d < e->depth; d++)
			df = df->parent;
		if (!df)
			return undef;
		if (e->nparts == 0) {
			struct hval obj = {.t = HV_NULLCTX}; /* the frame itself */
			return obj;
		}
		return resolve(data_prop(df, e->parts[0]), e, 1, 1);
	}
	struct hval base = f->ctx;
	if (e->depth) {
		const struct depth_node *d = f->depths;
		for (int i = 0; d && i < e->depth; i++)
			d = d->next;
		if (!d)
			return undef;
		base = d->v;
	}
	return resolve(base, e, 0, 0);
}

static struct hval eval(const struct frame *f, const struct hbs_expr *e)
{
	switch (e->kind) {
	case X_PATH:
		return eval_path(f, e);
	case X_STRING:
		return hv_str(e->str, e->len);
	case X_NUMBER:
		return hv_num(e->num);
	case X_BOOL:
		return hv_bool(e->bval);
	case X_NULL: {
		struct hval v = {.t = HV_NULL};
		return v;
	}
	default:
		return undef;
	}
}

/* ---- programs ---- */

static int run_body(struct rs *rs, const struct hbs_program *p, const struct frame *f);

/* Invokes program p (NULL: handlebars' noop) with context ctx from the
 * frame it was created in, as runtime.js's wrapProgram does. */
static int run(struct rs *rs, const struct hbs_program *p, const struct hbs_node *at,
               struct hval ctx, const struct frame *outer, const struct data_frame *data,
               const struct hval *bpv, int nbp)
{
	struct depth_node d;
	struct bp_node b;
	struct frame f = {ctx, outer->depths, data, NULL};
	int rc;

	if (!p)
		return CB_OK;
	if (rs->depth >= HBS_MAX_DEPTH)
		return fail(rs, at, "blocks and partials nested deeper than %d", HBS_MAX_DEPTH);
	if (!outer->depths || (!hv_loose_eq(&ctx, &outer->depths->v) &&
	                       !(ctx.t == HV_NULLCTX && outer->depths->v.t == HV_NULL))) {
		d.v = ctx;
		d.next = outer->depths;
		f.depths = &d;
	}
	b.next = outer->bp;
	b.n = nbp;
	for (int i = 0; i < nbp; i++)
		b.v[i] = bpv[i];
	f.bp = &b;
	rs->depth++;
	rc = run_body(rs, p, &f);
	rs->depth--;
	return rc;
}

static int step(struct rs *rs, const struct hbs_node *n)
{
	if (++rs->steps > HBS_MAX_STEPS)
		return fail(rs, n, "template needs more than %u steps", HBS_MAX_STEPS);
	return CB_OK;
}

/* #each over v (also blockHelperMissing's arrays); self is the helper's this. */
static int each(struct rs *rs, const struct hbs_node *n, const struct frame *f, struct hval v,
                struct hval self)
{
	struct data_frame df = {f->data, f->data->root, 1, undef, 0, 0, 0};
	struct hval bpv[2];
	size_t count = 0;

	if (v.t == HV_ARR) {
		count = cb_json_len(v.j);
		for (size_t i = 0; i < count; i++) {
			if (step(rs, n) != CB_OK)
				return CB_ERR;
			df.key = hv_num((double)i);
			df.index = (double)i;
			df.first = i == 0;
			df.last = i == count - 1;
			bpv[0] = hv_json(cb_json_at(v.j, i));
			bpv[1] = df.key;
			if (run(rs, n->program, n, bpv[0], f, &df, bpv, 2) != CB_OK)
				return CB_ERR;
		}
	} else if (v.t == HV_OBJ) {
		size_t *idx;
		count = hv_keys(rs->req, v.j, &idx);
		for (size_t i = 0; i < count; i++) {
			if (step(rs, n) != CB_OK)
				return CB_ERR;
			const char *k = cb_json_key_at(v.j, idx[i]);
			df.key = hv_str(k, strlen(k));
			df.index = (double)i;
			df.first = i == 0;
			df.last = i == count - 1;
			bpv[0] = hv_json(cb_json_at(v.j, idx[i]));
			bpv[1] = df.key;
			if (run(rs, n->program, n, bpv[0], f, &df, bpv, 2) != CB_OK)
				return CB_ERR;
		}
	}
	if (count == 0)
		return run(rs, n->inverse, n, self, f, f->data, NULL, 0);
	return CB_OK;
}

static struct hval hash_get(const struct frame *f, const struct hbs_node *n, const char *key)
{
	for (int i = n->nhash; i-- > 0;)
		if (strcmp(n->hash[i].key, key) == 0)
			return eval(f, n->hash[i].val);
	return undef;
}

static int run_block(struct rs *rs, const struct hbs_node *n, const struct frame *f)
{
	int null_ctx = f->ctx.t == HV_UNDEF || f->ctx.t == HV_NULL;
	struct hval self = null_ctx ? (struct hval){.t = HV_NULLCTX} : f->ctx;
	struct hval v;

	if (n->call != CALL_HELPER) {
		/* blockHelperMissing, called with this = the raw context */
		v = eval_path(f, n->path);
		if (v.t == HV_BOOL && v.b)
			return run(rs, n->program, n, f->ctx, f, f->data, NULL, 0);
		if (v.t == HV_BOOL || v.t == HV_NULL || v.t == HV_UNDEF)
			return run(rs, n->inverse, n, f->ctx, f, f->data, NULL, 0);
		if (v.t == HV_ARR) {
			if (cb_json_len(v.j) > 0)
				return each(rs, n, f, v, undef);
			return run(rs, n->inverse, n, f->ctx, f, f->data, NULL, 0);
		}
		return run(rs, n->program, n, v, f, f->data, NULL, 0);
	}
	v = eval(f, n->params[0]);
	switch (n->helper) {
	case HELPER_IF:
	case HELPER_UNLESS: {
		struct hval zero = hash_get(f, n, "includeZero");
		int falsy = (!hv_truthy(&zero) && !hv_truthy(&v)) || hv_empty(&v);
		const struct hbs_program *yes = n->program, *no = n->inverse;
		if (n->helper == HELPER_UNLESS)
			yes = n->inverse, no = n->program;
		return run(rs, falsy ? no : yes, n, self, f, f->data, NULL, 0);
	}
	case HELPER_WITH:
		if (hv_empty(&v))
			return run(rs, n->inverse, n, self, f, f->data, NULL, 0);
		return run(rs, n->program, n, v, f, f->data, &v, 1);
	default:
		return each(rs, n, f, v, self);
	}
}

/* String(v) as a property key, for lookup. */
static struct hval key_string(struct rs *rs, const struct hval *v)
{
	struct hbs_out o = {NULL, 0, 0, 4096};
	struct hval k;
	if (v->t == HV_STR)
		return *v;
	if (v->t == HV_UNDEF || v->t == HV_NULL)
		return v->t == HV_NULL ? hv_str("null", 4) : hv_str("undefined", 9);
	if (out_value(&o, v, 0) != CB_OK || !o.buf) {
		free(o.buf);
		return hv_str("", 0);
	}
	char *s = cb_strndup(rs->req, o.buf, o.len);
	k = hv_str(s, o.len);
	free(o.buf);
	return k;
}

static int run_mustache(struct rs *rs, const struct hbs_node *n, const struct frame *f)
{
	struct hval v;
	int rc;
	if (n->call == CALL_HELPER) { /* lookup obj field */
		v = eval(f, n->params[0]);
		if (hv_truthy(&v)) {
			struct hval field = eval(f, n->params[1]);
			struct hval k = key_string(rs, &field);
			v = hv_get(&v, k.s, k.len);
		}
	} else {
		v = eval_path(f, n->path);
	}
	rc = out_value(&rs->out, &v, n->escaped);
	return rc == CB_OK ? CB_OK : out_fail(rs, n, rc);
}

/* extend({}, context, hash): a partial's context with hash arguments. */
static struct hval partial_context(struct rs *rs, const struct hbs_node *n, const struct frame *f,
                                   struct hval ctx)
{
	cb_json *obj = cb_json_new_object(rs->req);
	char num[32];
	if (ctx.t == HV_OBJ) {
		for (size_t i = 0; i < cb_json_len(ctx.j); i++)
			cb_json_set(obj, cb_json_key_at(ctx.j, i), cb_json_at(ctx.j, i));
	} else if (ctx.t == HV_ARR || ctx.t == HV_STR) {
		struct hval len = hv_get(&ctx, "length", 6);
		for (size_t i = 0; i < (size_t)len.n; i++) {
			size_t kl = js_num_fmt((double)i, num);
			struct hval e = hv_get(&ctx, num, kl);
			cb_json_set(obj, num, hv_to_json(rs->req, &e));
		}
	}
	for (int i = 0; i < n->nhash; i++) {
		struct hval v = eval(f, n->hash[i].val);
		cb_json_set(obj, n->hash[i].key, hv_to_json(rs->req, &v));
	}
	return hv_json(obj);
}

/* Prefixes every line of out[from..] with indent, but not the empty piece
 * after a final newline (runtime.js invokePartialWrapper). */
static int indent_lines(struct rs *rs, const struct hbs_node *n, size_t from)
{
	const char *indent = n->indent;
	size_t seglen = rs->out.len - from, ilen = n->indent_len;
	char *seg;
	int rc = CB_OK;
	if (seglen == 0)
		return CB_OK;
	seg = malloc(seglen);
	if (!seg)
		return out_fail(rs, n, CB_ENOMEM);
	memcpy(seg, rs->out.buf + from, seglen);
	rs->out.len = from;
	size_t start = 0;
	rc = out_put(&rs->out, indent, ilen);
	for (size_t i = 0; i < seglen && rc == CB_OK; i++) {
		if (seg[i] != '\n')
			continue;
		rc = out_put(&rs->out, seg + start, i + 1 - start);
		start = i + 1;
		if (rc == CB_OK && start < seglen)
			rc = out_put(&rs->out, indent, ilen);
	}
	if (rc == CB_OK)
		rc = out_put(&rs->out, seg + start, seglen - start);
	free(seg);
	return rc == CB_OK ? CB_OK : out_fail(rs, n, rc);
}

static int run_partial(struct rs *rs, const struct hbs_node *n, const struct frame *f)
{
	struct hval ctx = n->nparams ? eval(f, n->params[0]) : f->ctx;
	const hbs_tpl *t = NULL;
	char why[256] = "";
	struct frame top = {undef, NULL, NULL, NULL};
	size_t from = rs->out.len;
	int rc;

	if (n->nhash)
		ctx = partial_context(rs, n, f, ctx);
	if (rs->o->partial)
		t = rs->o->partial(rs->o->partial_ud, n->name, why, sizeof why);
	if (!t)
		return why[0] ? fail(rs, n, "partial %s: %s", n->name, why)
		              : fail(rs, n, "The partial %s could not be found", n->name);
	if (rs->pdepth >= HBS_MAX_PARTIAL_DEPTH)
		return fail(rs, n, "partials nested deeper than %d", HBS_MAX_PARTIAL_DEPTH);
	rs->pdepth++;
	rc = run(rs, t->root, n, ctx, &top, f->data, NULL, 0);
	rs->pdepth--;
	if (rc == CB_OK && n->indent)
		rc = indent_lines(rs, n, from);
	return rc;
}

static int run_body(struct rs *rs, const struct hbs_program *p, const struct frame *f)
{
	for (int i = 0; i < p->n; i++) {
		const struct hbs_node *n = p->body[i];
		int rc = step(rs, n);
		if (rc != CB_OK)
			return rc;
		switch (n->kind) {
		case N_CONTENT:
			rc = out_put(&rs->out, n->text + n->vstart, n->vend - n->vstart);
			if (rc != CB_OK)
				return out_fail(rs, n, rc);
			break;
		case N_MUSTACHE:
			rc = run_mustache(rs, n, f);
			break;
		case N_BLOCK:
			rc = run_block(rs, n, f);
			break;
		case N_PARTIAL:
			rc = run_partial(rs, n, f);
			break;
		default:
			break;
		}
		if (rc != CB_OK)
			return rc;
	}
	return CB_OK;
}

char *hbs_render(cb_req *req, const hbs_tpl *t, const cb_json *data, const struct hbs_opts *o,
                 size_t *outlen, char *err, size_t errlen)
{
	static const struct hbs_opts none = {NULL, NULL, 0};
	struct rs rs;
	struct data_frame df = {NULL, hv_json(data), 0, {.t = HV_UNDEF}, 0, 0, 0};
	struct frame top = {undef, NULL, NULL, NULL};
	char *r = NULL;

	memset(&rs, 0, sizeof rs);
	rs.req = req;
	rs.o = o ? o : &none;
	rs.out.max = rs.o->max_output ? rs.o->max_output : HBS_MAX_OUTPUT;
	rs.err = err;
	rs.errlen = errlen;
	if (errlen)
		err[0] = 0;
	if (run(&rs, t->root, NULL, df.root, &top, &df, NULL, 0) == CB_OK) {
		r = cb_strndup(req, rs.out.buf ? rs.out.buf : "", rs.out.len);
		if (outlen)
			*outlen = rs.out.len;
	}
	free(rs.out.buf);
	return r;
}
