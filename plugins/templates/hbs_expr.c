/* hbs_expr.c — the inside of a tag: paths (foo.bar, ../x, @index, [a b]),
 * literals, arguments, hash arguments and block parameters, as handlebars.js
 * 4.7's grammar and preparePath build them; then how the tag is called
 * (classifySexpr): a helper, a value, or either. Helpers other than the
 * built-in ones are refused here, with their position. */
#include <stdlib.h>
#include <string.h>

#include "hbs_parser.h"

/* handlebars' yy.id: [name] without its brackets (unless it spans lines,
 * where JS's /^\[.*\]$/ does not match). */
static void id_part(const char *s, size_t n, const char **part, size_t *plen)
{
	*part = s;
	*plen = n;
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		for (size_t i = 1; i + 1 < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '\n' || c == '\r')
				return;
			if (c == 0xE2 && i + 3 < n && (unsigned char)s[i + 1] == 0x80 &&
			    ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9))
				return;
		}
		*part = s + 1;
		*plen = n - 2;
	}
}

static void resolve_block_param(struct parser *p, struct hbs_expr *e)
{
	e->bp_depth = e->bp_index = -1;
	if (e->kind != X_PATH || e->depth || e->scoped || e->nparts == 0)
		return;
	int d = 0;
	for (const struct scope *s = p->scope; s; s = s->up, d++)
		for (int i = 0; i < s->n; i++)
			if (strcmp(s->names[i], e->parts[0]) == 0) {
				e->bp_depth = d;
				e->bp_index = i;
				return;
			}
}

/* handlebars' scopedId: /^\.|this\b/ on the original. */
static int scoped_id(const char *s)
{
	if (s[0] == '.')
		return 1;
	for (const char *q = strstr(s, "this"); q; q = strstr(q + 1, "this")) {
		unsigned char c = (unsigned char)q[4];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return 1;
	}
	return 0;
}

#define MAX_PARTS 64

/* pathSegments after an optional '@' (preparePath). */
static struct hbs_expr *parse_path(struct parser *p, int data, const struct token *start)
{
	const char *parts[MAX_PARTS];
	size_t lens[MAX_PARTS];
	int nparts = 0, depth = 0;
	char orig[1024];
	size_t olen = 0;
	int seen_real = 0;
	if (data)
		orig[olen++] = '@';

	for (int first = 1;; first = 0) {
		char sep = 0;
		if (!first) {
			if (parser_peek(p, 0)->type != T_SEP)
				break;
			sep = parser_next(p).raw[0];
		}
		const struct token *pt = parser_peek(p, 0);
		if (pt->type != T_ID)
			return parser_unexpected(p, pt, "a name");
		struct token t = parser_next(p);
		const char *part;
		size_t plen;
		id_part(t.val, t.vlen, &part, &plen);
		int literal = plen != t.vlen;
		if (olen + plen + 2 >= sizeof orig)
			return parser_fail(p, t.line, t.col, "path too long");
		if (sep)
			orig[olen++] = sep;
		memcpy(orig + olen, part, plen);
		olen += plen;
		if (!literal &&
		    ((plen == 2 && memcmp(part, "..", 2) == 0) || (plen == 1 && part[0] == '.') ||
		     (plen == 4 && memcmp(part, "this", 4) == 0))) {
			if (seen_real) {
				orig[olen] = 0;
				return parser_fail(p, start->line, start->col, "Invalid path: %s",
				                   orig);
			}
			if (plen == 2)
				depth++;
			continue;
		}
		if (nparts == MAX_PARTS)
			return parser_fail(p, t.line, t.col, "path has too many parts");
		seen_real = 1;
		parts[nparts] = part;
		lens[nparts++] = plen;
	}

	struct hbs_expr *e = pool_alloc(p->pool, sizeof *e);
	if (!e)
		return parser_nomem(p);
	e->kind = X_PATH;
	e->data = (unsigned char)data;
	e->depth = depth;
	e->nparts = nparts;
	e->line = start->line;
	e->col = start->col;
	e->parts = pool_alloc(p->pool, (size_t)(nparts ? nparts : 1) * sizeof *e->parts);
	e->partlens = pool_alloc(p->pool, (size_t)(nparts ? nparts : 1) * sizeof *e->partlens);
	e->original = pool_strndup(p->pool, orig, olen);
	if (!e->parts || !e->partlens || !e->original)
		return parser_nomem(p);
	for (int i = 0; i < nparts; i++) {
		e->parts[i] = pool_strndup(p->pool, parts[i], lens[i]);
		e->partlens[i] = lens[i];
		if (!e->parts[i])
			return parser_nomem(p);
	}
	e->scoped = (unsigned char)scoped_id(e->original);
	resolve_block_param(p, e);
	return e;
}

static const char *literal_original(struct parser *p, const struct hbs_expr *e)
{
	char buf[32];
	switch (e->kind) {
	case X_STRING:
		return e->str;
	case X_NUMBER:
		return pool_strndup(p->pool, buf, js_num_fmt(e->num, buf));
	case X_BOOL:
		return e->bval ? "true" : "false";
	case X_NULL:
		return "null";
	default:
		return "undefined";
	}
}

/* helperName / param: a path, a data path or a literal. */
static struct hbs_expr *parse_expr(struct parser *p)
{
	const struct token *pt = parser_peek(p, 0);
	struct token t;
	struct hbs_expr *e;

	switch (pt->type) {
	case T_ID:
		t = *pt;
		return parse_path(p, 0, &t);
	case T_DATA:
		t = parser_next(p);
		return parse_path(p, 1, &t);
	case T_STRING:
	case T_NUMBER:
	case T_BOOLEAN:
	case T_UNDEFINED:
	case T_NULL:
		break;
	case T_OPEN_SEXPR:
		return parser_fail(p, pt->line, pt->col,
		                   "sub-expressions ( ... ) are not supported");
	default:
		return parser_unexpected(p, pt, "a name");
	}
	t = parser_next(p);
	e = pool_alloc(p->pool, sizeof *e);
	if (!e)
		return parser_nomem(p);
	e->line = t.line;
	e->col = t.col;
	e->bp_depth = e->bp_index = -1;
	if (t.type == T_STRING) {
		e->kind = X_STRING;
		e->str = pool_strndup(p->pool, t.val, t.vlen);
		e->len = t.vlen;
		if (!e->str)
			return parser_nomem(p);
	} else if (t.type == T_NUMBER) {
		char buf[64];
		size_t n = t.vlen < sizeof buf - 1 ? t.vlen : sizeof buf - 1;
		memcpy(buf, t.val, n);
		buf[n] = 0;
		e->kind = X_NUMBER;
		e->num = strtod(buf, NULL);
	} else if (t.type == T_BOOLEAN) {
		e->kind = X_BOOL;
		e->bval = t.val[0] == 't';
	} else {
		e->kind = t.type == T_NULL ? X_NULL : X_UNDEF;
	}
	e->original = literal_original(p, e);
	return e->original ? e : parser_nomem(p);
}

/* handlebars' transformLiteralToPath: {{"foo"}} and {{1}} look the literal's
 * text up as a name. */
struct hbs_expr *literal_to_path(struct parser *p, struct hbs_expr *e)
{
	if (e->kind == X_PATH)
		return e;
	struct hbs_expr *x = pool_alloc(p->pool, sizeof *x);
	if (!x || !(x->parts = pool_alloc(p->pool, sizeof *x->parts)) ||
	    !(x->partlens = pool_alloc(p->pool, sizeof *x->partlens)))
		return parser_nomem(p);
	x->kind = X_PATH;
	x->nparts = 1;
	x->parts[0] = e->original;
	x->partlens[0] = strlen(e->original);
	x->original = e->original;
	x->line = e->line;
	x->col = e->col;
	x->scoped = (unsigned char)scoped_id(e->original);
	resolve_block_param(p, x);
	return x;
}

/* helperName param* hash? (blockParams?) — the inside of a mustache. */
int parse_call(struct parser *p, struct hbs_node *n, const char ***bparams, int *nbparams)
{
	struct hbs_expr *params[64];
	struct hbs_pair hash[64];
	int np = 0, nh = 0;

	n->path = parse_expr(p);
	if (!n->path)
		return CB_ERR;
	for (;;) {
		const struct token *t = parser_peek(p, 0);
		if (t->type == T_ID && parser_peek(p, 1)->type == T_EQUALS)
			break;
		if (t->type != T_ID && t->type != T_DATA && t->type != T_STRING &&
		    t->type != T_NUMBER && t->type != T_BOOLEAN && t->type != T_UNDEFINED &&
		    t->type != T_NULL && t->type != T_OPEN_SEXPR)
			break;
		if (np == 64)
			return parser_fail(p, t->line, t->col, "too many arguments"), CB_ERR;
		if (!(params[np++] = parse_expr(p)))
			return CB_ERR;
	}
	while (parser_peek(p, 0)->type == T_ID && parser_peek(p, 1)->type == T_EQUALS) {
		struct token k = parser_next(p);
		const char *key;
		size_t klen;
		parser_next(p);
		if (nh == 64)
			return parser_fail(p, k.line, k.col, "too many hash arguments"), CB_ERR;
		id_part(k.val, k.vlen, &key, &klen);
		hash[nh].key = pool_strndup(p->pool, key, klen);
		if (!hash[nh].key)
			return parser_nomem(p), CB_ERR;
		if (!(hash[nh++].val = parse_expr(p)))
			return CB_ERR;
	}
	if (bparams && parser_peek(p, 0)->type == T_OPEN_BLOCK_PARAMS) {
		const char *names[16];
		int nn = 0;
		struct token o = parser_next(p);
		while (parser_peek(p, 0)->type == T_ID) {
			struct token t = parser_next(p);
			if (nn == 16)
				return parser_fail(p, t.line, t.col, "too many block parameters"),
				       CB_ERR;
			if (!(names[nn++] = pool_strndup(p->pool, t.val, t.vlen)))
				return parser_nomem(p), CB_ERR;
		}
		if (nn == 0)
			return parser_unexpected(p, parser_peek(p, 0), "a name"), CB_ERR;
		if (parser_peek(p, 0)->type != T_CLOSE_BLOCK_PARAMS)
			return parser_unexpected(p, parser_peek(p, 0), "'|'"), CB_ERR;
		parser_next(p);
		*bparams = pool_alloc(p->pool, (size_t)nn * sizeof **bparams);
		if (!*bparams)
			return parser_nomem(p), CB_ERR;
		memcpy(*bparams, names, (size_t)nn * sizeof *names);
		*nbparams = nn;
		(void)o;
	}
	if (np) {
		n->params = pool_alloc(p->pool, (size_t)np * sizeof *n->params);
		if (!n->params)
			return parser_nomem(p), CB_ERR;
		memcpy(n->params, params, (size_t)np * sizeof *params);
		n->nparams = np;
	}
	if (nh) {
		n->hash = pool_alloc(p->pool, (size_t)nh * sizeof *n->hash);
		if (!n->hash)
			return parser_nomem(p), CB_ERR;
		memcpy(n->hash, hash, (size_t)nh * sizeof *hash);
		n->nhash = nh;
	}
	return CB_OK;
}

static int known_helper(const char *name)
{
	static const char *const names[] = {"if", "unless", "each", "with", "lookup"};
	static const int ids[] = {HELPER_IF, HELPER_UNLESS, HELPER_EACH, HELPER_WITH,
	                          HELPER_LOOKUP};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0)
			return ids[i];
	if (strcmp(name, "log") == 0 || strcmp(name, "helperMissing") == 0 ||
	    strcmp(name, "blockHelperMissing") == 0)
		return -1;
	return HELPER_NONE;
}

/* handlebars' classifySexpr, then the checks the built-in helpers would make
 * at run time (made here, once). */
int classify(struct parser *p, struct hbs_node *n, int block)
{
	struct hbs_expr *e = n->path;
	int simple = e->nparts == 1 && !e->scoped && !e->depth;
	int bparam = simple && e->bp_depth >= 0;
	int helper = !bparam && (n->nparams > 0 || n->nhash > 0);
	int eligible = !bparam && (helper || simple);
	int id = e->nparts ? known_helper(e->parts[0]) : HELPER_NONE;

	if (eligible && !helper && id != HELPER_NONE)
		helper = 1;
	n->call = helper ? CALL_HELPER : eligible ? CALL_AMBIGUOUS : CALL_SIMPLE;
	if (!helper)
		return CB_OK;
	if (id == -1)
		return parser_fail(p, e->line, e->col, "the %s helper is not supported",
		                   e->parts[0]),
		       CB_ERR;
	if (id == HELPER_NONE)
		return parser_fail(p, e->line, e->col, "Missing helper: \"%s\"", e->original),
		       CB_ERR;
	n->helper = (unsigned char)id;
	if (id == HELPER_LOOKUP) {
		if (block)
			return parser_fail(p, e->line, e->col, "lookup cannot be a block"), CB_ERR;
		if (n->nparams != 2)
			return parser_fail(p, e->line, e->col, "lookup takes two arguments"),
			       CB_ERR;
		return CB_OK;
	}
	if (!block)
		return parser_fail(p, e->line, e->col, "%s must be a block: {{#%s ...}}",
		                   e->parts[0], e->parts[0]),
		       CB_ERR;
	if (id == HELPER_EACH && n->nparams == 0)
		return parser_fail(p, e->line, e->col, "Must pass iterator to #each"), CB_ERR;
	if (n->nparams != 1)
		return parser_fail(p, e->line, e->col, "#%s requires exactly one argument",
		                   e->parts[0]),
		       CB_ERR;
	return CB_OK;
}
