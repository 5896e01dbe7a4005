/* hbs_parse.c — the parser: tokens to the tree of hbs_ast.h, as handlebars.js
 * 4.7's grammar (handlebars.yy) and its helpers (prepareBlock, preparePath,
 * prepareMustache) build it, then the whitespace pass. Constructs the engine
 * does not run (sub-expressions, partial blocks, decorators, raw blocks,
 * helpers other than the built-in ones) are refused here, with their line
 * and column, rather than failing at render time. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hbs_parser.h"

/* What follows a block's program: {{else}} program, or an {{else if}} chain. */
struct inverse_part {
	struct hbs_strip strip;
	struct hbs_program *program;
	int chain;
};

void *parser_fail(struct parser *p, int line, int col, const char *fmt, ...)
{
	if (p->failed)
		return NULL;
	p->failed = 1;
	int n = snprintf(p->err, p->errlen, "line %d, column %d: ", line, col);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return NULL;
}

void *parser_nomem(struct parser *p)
{
	return parser_fail(p, p->lx.line, p->lx.col, "out of memory");
}

const struct token *parser_peek(struct parser *p, int k)
{
	while (p->nla <= k) {
		if (lex_next(&p->lx, &p->la[p->nla]) != CB_OK) {
			parser_nomem(p);
			p->la[p->nla].type = T_EOF;
		}
		p->nla++;
	}
	return &p->la[k];
}

struct token parser_next(struct parser *p)
{
	struct token t = *parser_peek(p, 0);
	p->la[0] = p->la[1];
	p->nla--;
	return t;
}

void *parser_unexpected(struct parser *p, const struct token *t, const char *wanted)
{
	if (t->type == T_LEXERROR)
		return parser_fail(p, t->line, t->col, "comment not closed with '--}}'");
	if (wanted)
		return parser_fail(p, t->line, t->col, "expected %s, got %s", wanted,
		                   tok_name(t->type));
	return parser_fail(p, t->line, t->col, "unexpected %s", tok_name(t->type));
}

/* handlebars' stripFlags(open, close): a ~ right after "{{" of open, and
 * right before "}}" of close. */
static struct hbs_strip strip_flags(const struct token *open, const struct token *close)
{
	struct hbs_strip s;
	s.open = open->rawlen > 2 && open->raw[2] == '~';
	s.close = close->rawlen >= 3 && close->raw[close->rawlen - 3] == '~';
	return s;
}

static int push_node(struct parser *p, struct hbs_program *prog, struct hbs_node *n)
{
	if (prog->n == prog->cap) {
		int cap = prog->cap ? prog->cap * 2 : 8;
		struct hbs_node **b = pool_alloc(p->pool, (size_t)cap * sizeof *b);
		if (!b)
			return parser_nomem(p), CB_ENOMEM;
		if (prog->n)
			memcpy(b, prog->body, (size_t)prog->n * sizeof *b);
		prog->body = b;
		prog->cap = cap;
	}
	prog->body[prog->n++] = n;
	return CB_OK;
}

static struct hbs_node *new_node(struct parser *p, int kind, const struct token *t)
{
	struct hbs_node *n = pool_alloc(p->pool, sizeof *n);
	if (!n)
		return parser_nomem(p);
	n->kind = (unsigned char)kind;
	n->line = t->line;
	n->col = t->col;
	return n;
}

/* ---- statements ---- */

static struct hbs_program *parse_program(struct parser *p);

static struct hbs_node *parse_mustache(struct parser *p)
{
	struct token open = parser_next(p);
	struct hbs_node *n = new_node(p, N_MUSTACHE, &open);
	if (!n)
		return NULL;
	if (memchr(open.raw, '*', open.rawlen))
		return parser_fail(p, open.line, open.col, "decorators are not supported");
	if (parse_call(p, n, NULL, NULL) != CB_OK)
		return NULL;
	int want = open.type == T_OPEN_UNESCAPED ? T_CLOSE_UNESCAPED : T_CLOSE;
	const struct token *c = parser_peek(p, 0);
	if (c->type != want)
		return parser_unexpected(p, c, want == T_CLOSE ? "'}}'" : "'}}}'");
	struct token close = parser_next(p);
	/* prepareMustache: open.charAt(3) || open.charAt(2) */
	char flag = open.rawlen > 3 ? open.raw[3] : open.rawlen > 2 ? open.raw[2] : 0;
	n->escaped = flag != '{' && flag != '&';
	n->strip = strip_flags(&open, &close);
	if (!(n->path = literal_to_path(p, n->path)) || classify(p, n, 0) != CB_OK)
		return NULL;
	return n;
}

static struct hbs_node *parse_partial(struct parser *p)
{
	struct token open = parser_next(p);
	struct hbs_node *n = new_node(p, N_PARTIAL, &open);
	if (!n || parse_call(p, n, NULL, NULL) != CB_OK)
		return NULL;
	const struct token *c = parser_peek(p, 0);
	if (c->type != T_CLOSE)
		return parser_unexpected(p, c, "'}}'");
	struct token close = parser_next(p);
	if (n->nparams > 1)
		return parser_fail(p, open.line, open.col,
		                   "Unsupported number of partial arguments: %d", n->nparams);
	n->name = n->path->original;
	n->strip = strip_flags(&open, &close);
	return n;
}

/* INVERSE program: {{else}} (or {{^}}) and what follows it. */
static int parse_inverse_and_program(struct parser *p, struct inverse_part *out)
{
	struct token t = parser_next(p);
	struct scope s = {p->scope, NULL, 0};
	out->strip = strip_flags(&t, &t);
	out->chain = 0;
	p->scope = &s;
	out->program = parse_program(p);
	p->scope = s.up;
	return out->program ? CB_OK : CB_ERR;
}

struct open_tag {
	struct token tok;
	struct hbs_node *n; /* path, params, hash */
	const char **bparams;
	int nbparams;
	struct hbs_strip strip;
};

static int parse_open(struct parser *p, struct open_tag *o)
{
	o->tok = parser_next(p);
	o->bparams = NULL;
	o->nbparams = 0;
	if (!(o->n = new_node(p, N_BLOCK, &o->tok)))
		return CB_ERR;
	if (memchr(o->tok.raw, '*', o->tok.rawlen))
		return parser_fail(p, o->tok.line, o->tok.col, "decorators are not supported"),
		       CB_ERR;
	if (++p->nesting > HBS_MAX_NESTING)
		return parser_fail(p, o->tok.line, o->tok.col, "blocks nested deeper than %d",
		                   HBS_MAX_NESTING),
		       CB_ERR;
	if (parse_call(p, o->n, &o->bparams, &o->nbparams) != CB_OK)
		return CB_ERR;
	const struct token *c = parser_peek(p, 0);
	if (c->type != T_CLOSE)
		return parser_unexpected(p, c, "'}}'"), CB_ERR;
	struct token close = parser_next(p);
	o->strip = strip_flags(&o->tok, &close);
	return CB_OK;
}

/* The program of a block opened by o, with o's block parameters in scope. */
static struct hbs_program *parse_block_program(struct parser *p, const struct open_tag *o)
{
	struct scope s = {p->scope, o->bparams, o->nbparams};
	p->scope = &s;
	struct hbs_program *prog = parse_program(p);
	p->scope = s.up;
	if (prog) {
		prog->bparams = o->bparams;
		prog->nbparams = o->nbparams;
	}
	return prog;
}

/* prepareBlock: close is the {{/name}} strip (or, in a chain, the strip of
 * what follows); inv may be NULL. */
static struct hbs_node *prepare_block(struct parser *p, struct open_tag *o,
                                      struct hbs_program *program, struct inverse_part *inv,
                                      const struct hbs_strip *close, int inverted)
{
	struct hbs_node *n = o->n;
	struct hbs_program *inverse = NULL;
	if (inv) {
		if (inv->chain)
			inv->program->body[0]->close_strip = *close;
		n->inverse_strip = inv->strip;
		inverse = inv->program;
	}
	if (inverted) {
		struct hbs_program *t = inverse;
		inverse = program;
		program = t;
	}
	n->program = program;
	n->inverse = inverse;
	n->open_strip = o->strip;
	if (close)
		n->close_strip = *close;
	p->nesting--;
	if (!(n->path = literal_to_path(p, n->path)) || classify(p, n, 1) != CB_OK)
		return NULL;
	return n;
}

/* openInverseChain program inverseChain?, wrapped in a chained program. */
static int parse_chain(struct parser *p, struct inverse_part *out)
{
	struct scope chained = {p->scope, NULL, 0};
	struct open_tag o;
	struct inverse_part nested, *np = NULL;
	struct hbs_program *prog, *wrap;
	struct hbs_node *block;
	int rc = CB_ERR;

	p->scope = &chained;
	if (parse_open(p, &o) != CB_OK || !(prog = parse_block_program(p, &o)))
		goto out;
	if (parser_peek(p, 0)->type == T_OPEN_INVERSE_CHAIN) {
		if (parse_chain(p, &nested) != CB_OK)
			goto out;
		np = &nested;
	} else if (parser_peek(p, 0)->type == T_INVERSE) {
		if (parse_inverse_and_program(p, &nested) != CB_OK)
			goto out;
		np = &nested;
	}
	block = prepare_block(p, &o, prog, np, np ? &np->strip : NULL, 0);
	if (!block || !(wrap = pool_alloc(p->pool, sizeof *wrap)) ||
	    push_node(p, wrap, block) != CB_OK)
		goto out;
	wrap->chained = 1;
	out->strip = o.strip;
	out->program = wrap;
	out->chain = 1;
	rc = CB_OK;
out:
	p->scope = chained.up;
	if (rc != CB_OK && !p->failed)
		parser_nomem(p);
	return rc;
}

static struct hbs_node *parse_block(struct parser *p)
{
	struct open_tag o;
	struct inverse_part inv, *ip = NULL;
	int inverted = parser_peek(p, 0)->type == T_OPEN_INVERSE;

	if (parse_open(p, &o) != CB_OK)
		return NULL;
	struct hbs_program *program = parse_block_program(p, &o);
	if (!program)
		return NULL;
	const struct token *t = parser_peek(p, 0);
	if (t->type == T_OPEN_INVERSE_CHAIN && !inverted) {
		if (parse_chain(p, &inv) != CB_OK)
			return NULL;
		ip = &inv;
	} else if (t->type == T_INVERSE) {
		if (parse_inverse_and_program(p, &inv) != CB_OK)
			return NULL;
		ip = &inv;
	}
	t = parser_peek(p, 0);
	if (t->type == T_EOF)
		return parser_fail(p, o.tok.line, o.tok.col, "{{%s%s}} is not closed",
		                   inverted ? "^" : "#", o.n->path->original);
	if (t->type != T_OPEN_ENDBLOCK)
		return parser_unexpected(p, t, NULL);
	struct token end = parser_next(p);
	struct hbs_node closer = {0};
	if (parse_call(p, &closer, NULL, NULL) != CB_OK)
		return NULL;
	if (closer.nparams || closer.nhash)
		return parser_fail(p, end.line, end.col, "a closing tag takes no arguments");
	t = parser_peek(p, 0);
	if (t->type != T_CLOSE)
		return parser_unexpected(p, t, "'}}'");
	struct token close = parser_next(p);
	if (strcmp(o.n->path->original, closer.path->original) != 0)
		return parser_fail(p, o.n->path->line, o.n->path->col, "%s doesn't match %s",
		                   o.n->path->original, closer.path->original);
	struct hbs_strip cs = strip_flags(&end, &close);
	return prepare_block(p, &o, program, ip, &cs, inverted);
}

/* statement*, up to what ends a program ({{else}}, {{/x}}, the end). */
static struct hbs_program *parse_program(struct parser *p)
{
	struct hbs_program *prog = pool_alloc(p->pool, sizeof *prog);
	if (!prog)
		return parser_nomem(p);
	for (;;) {
		const struct token *t = parser_peek(p, 0);
		struct hbs_node *n = NULL;
		if (p->failed)
			return NULL;
		switch (t->type) {
		case T_EOF:
		case T_INVERSE:
		case T_OPEN_INVERSE_CHAIN:
		case T_OPEN_ENDBLOCK:
			return prog;
		case T_CONTENT:
		case T_COMMENT: {
			struct token c = parser_next(p);
			n = new_node(p, c.type == T_CONTENT ? N_CONTENT : N_COMMENT, &c);
			if (!n)
				return NULL;
			n->text = c.val;
			n->len = c.vlen;
			n->vend = c.vlen;
			n->strip = strip_flags(&c, &c);
			break;
		}
		case T_OPEN:
		case T_OPEN_UNESCAPED:
			n = parse_mustache(p);
			break;
		case T_OPEN_BLOCK:
		case T_OPEN_INVERSE:
			n = parse_block(p);
			break;
		case T_OPEN_PARTIAL:
			n = parse_partial(p);
			break;
		case T_OPEN_PARTIAL_BLOCK:
			return parser_fail(p, t->line, t->col,
			                   "partial blocks {{#> ...}} are not supported");
		case T_OPEN_RAW_BLOCK:
			return parser_fail(p, t->line, t->col,
			                   "raw blocks {{{{ ... }}}} are not supported");
		default:
			return parser_unexpected(p, t, NULL);
		}
		if (!n || push_node(p, prog, n) != CB_OK)
			return NULL;
	}
}

hbs_tpl *hbs_compile(const char *src, size_t len, char *err, size_t errlen)
{
	struct parser p;
	hbs_tpl *t;
	const char *nul;

	if (errlen)
		err[0] = 0;
	if (len > HBS_MAX_SOURCE) {
		snprintf(err, errlen, "line 1, column 1: template larger than %u bytes",
		         HBS_MAX_SOURCE);
		return NULL;
	}
	t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errlen, "line 1, column 1: out of memory");
		return NULL;
	}
	memset(&p, 0, sizeof p);
	p.pool = &t->pool;
	p.err = err;
	p.errlen = errlen;
	char *copy = pool_strndup(&t->pool, src, len);
	if (!copy) {
		hbs_free(t);
		snprintf(err, errlen, "line 1, column 1: out of memory");
		return NULL;
	}
	lex_init(&p.lx, &t->pool, copy, len);
	if ((nul = memchr(copy, 0, len)) != NULL) {
		/* handlebars' lexer cannot read past a NUL either */
		int line = 1, col = 1;
		for (const char *c = copy; c < nul; c++) {
			if (*c == '\n')
				line++, col = 1;
			else if ((*c & 0xC0) != 0x80)
				col++;
		}
		parser_fail(&p, line, col, "NUL byte in template");
		hbs_free(t);
		return NULL;
	}
	struct scope root = {NULL, NULL, 0};
	p.scope = &root;
	t->root = parse_program(&p);
	if (t->root && !p.failed) {
		const struct token *e = parser_peek(&p, 0);
		if (e->type == T_INVERSE || e->type == T_OPEN_INVERSE_CHAIN)
			parser_fail(&p, e->line, e->col, "{{else}} outside a block");
		else if (e->type == T_OPEN_ENDBLOCK)
			parser_fail(&p, e->line, e->col, "closing tag without a matching {{#...}}");
	}
	if (p.failed || !t->root) {
		if (!p.failed)
			parser_nomem(&p);
		hbs_free(t);
		return NULL;
	}
	ws_control(t->root);
	return t;
}

void hbs_free(hbs_tpl *t)
{
	if (!t)
		return;
	pool_free(&t->pool);
	free(t);
}
