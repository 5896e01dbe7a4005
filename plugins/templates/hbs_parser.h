/* hbs_parser.h — the parser's state and the functions its two files share:
 * hbs_parse.c (statements, blocks, the tree) and hbs_expr.c (paths, literals,
 * arguments and how a mustache is called). */
#ifndef TEMPLATES_HBS_PARSER_H
#define TEMPLATES_HBS_PARSER_H

#include "hbs_ast.h"

/* Block parameters visible at a point: one level per program, innermost
 * first, as handlebars' compiler stacks them. */
struct scope {
	const struct scope *up;
	const char **names;
	int n;
};

struct parser {
	struct lexer lx;
	struct hbs_pool *pool;
	struct token la[2];
	int nla;
	char *err;
	size_t errlen;
	int failed;
	int nesting;
	const struct scope *scope;
};

/* Records "line L, column C: reason" (the first failure only); returns NULL. */
void *parser_fail(struct parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void *parser_nomem(struct parser *p);
/* Token k ahead (0 or 1), and the next token, consumed. */
const struct token *parser_peek(struct parser *p, int k);
struct token parser_next(struct parser *p);
/* Fails with "expected wanted, got X" (or "unexpected X"). */
void *parser_unexpected(struct parser *p, const struct token *t, const char *wanted);

/* ---- hbs_expr.c ---- */

/* helperName param* hash? (as |names| when bparams is not NULL) into n's
 * path, params and hash. CB_OK or CB_ERR (failure recorded). */
int parse_call(struct parser *p, struct hbs_node *n, const char ***bparams, int *nbparams);
/* handlebars' transformLiteralToPath; NULL when out of memory. */
struct hbs_expr *literal_to_path(struct parser *p, struct hbs_expr *e);
/* handlebars' classifySexpr plus the built-in helpers' argument checks. */
int classify(struct parser *p, struct hbs_node *n, int block);

#endif
