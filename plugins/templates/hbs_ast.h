/* hbs_ast.h — the compiled form shared by the engine's files: the tree the
 * parser builds (mirroring handlebars.js's AST), the pool it lives in, and
 * the tokens of the lexer. Nothing here leaves the plugin. */
#ifndef TEMPLATES_HBS_AST_H
#define TEMPLATES_HBS_AST_H

#include <stddef.h>

#include "hbs.h"

/* ---- hbs_mem.c: a malloc'ed bump allocator freed all at once ---- */

struct pool_chunk;
struct hbs_pool {
	struct pool_chunk *head;
};

/* n zeroed bytes aligned for any type; NULL when malloc fails. */
void *pool_alloc(struct hbs_pool *p, size_t n);
/* Copy of n bytes of s plus a NUL; NULL when malloc fails. */
char *pool_strndup(struct hbs_pool *p, const char *s, size_t n);
void pool_free(struct hbs_pool *p);

/* ---- the tree ---- */

struct hbs_strip {
	unsigned char open, close; /* a ~ on that side of the tag */
};

enum expr_kind { X_PATH, X_STRING, X_NUMBER, X_BOOL, X_NULL, X_UNDEF };

/* A path (foo.bar, ../x, @index, this) or a literal. */
struct hbs_expr {
	unsigned char kind;
	unsigned char data;   /* @name */
	unsigned char scoped; /* starts with "." or has "this" (handlebars' scopedId) */
	unsigned char bval;   /* X_BOOL */
	int depth;            /* number of ../ */
	int nparts;
	const char **parts; /* NUL-terminated */
	size_t *partlens;
	const char *original;   /* as handlebars' "original" (for messages, close tags) */
	int bp_depth, bp_index; /* a block parameter (as |x|): program levels up, slot; -1 none */
	const char *str;        /* X_STRING */
	size_t len;
	double num; /* X_NUMBER */
	int line, col;
};

struct hbs_pair {
	const char *key;
	struct hbs_expr *val;
};

enum node_kind { N_CONTENT, N_COMMENT, N_MUSTACHE, N_BLOCK, N_PARTIAL };

/* How a mustache or block is evaluated (handlebars' classifySexpr). */
enum call_kind { CALL_SIMPLE, CALL_AMBIGUOUS, CALL_HELPER };
enum helper_id { HELPER_NONE, HELPER_IF, HELPER_UNLESS, HELPER_EACH, HELPER_WITH, HELPER_LOOKUP };

struct hbs_node;

struct hbs_program {
	struct hbs_node **body;
	int n, cap;
	unsigned char chained; /* the inverse holding an {{else if}} block */
	const char **bparams;  /* as |a b| of the block owning this program */
	int nbparams;
};

struct hbs_node {
	unsigned char kind;
	int line, col;
	/* N_CONTENT: original text, and the part of it still output
	 * (text[vstart..vend)) after standalone and ~ stripping */
	const char *text;
	size_t len, vstart, vend;
	unsigned char lstripped, rstripped;
	/* N_MUSTACHE, N_BLOCK, N_PARTIAL (path is the partial's name) */
	struct hbs_expr *path;
	struct hbs_expr **params;
	int nparams;
	struct hbs_pair *hash;
	int nhash;
	unsigned char escaped;
	unsigned char call, helper;
	struct hbs_strip strip; /* N_MUSTACHE, N_COMMENT, N_PARTIAL */
	/* N_BLOCK */
	struct hbs_program *program, *inverse;
	struct hbs_strip open_strip, inverse_strip, close_strip;
	/* N_PARTIAL */
	const char *name;
	const char *indent; /* of a standalone partial (indent_len bytes), or NULL */
	size_t indent_len;
};

struct hbs_tpl {
	struct hbs_pool pool;
	struct hbs_program *root;
};

/* ---- hbs_lex.c ---- */

enum tok_type {
	T_EOF,
	T_CONTENT,
	T_COMMENT,
	T_OPEN,               /* {{  {{&  {{* */
	T_OPEN_UNESCAPED,     /* {{{ */
	T_OPEN_BLOCK,         /* {{#  {{#* */
	T_OPEN_ENDBLOCK,      /* {{/ */
	T_OPEN_INVERSE,       /* {{^ */
	T_OPEN_INVERSE_CHAIN, /* {{else */
	T_INVERSE,            /* {{^}}  {{else}} */
	T_OPEN_PARTIAL,       /* {{> */
	T_OPEN_PARTIAL_BLOCK, /* {{#> */
	T_OPEN_RAW_BLOCK,     /* {{{{ */
	T_CLOSE_RAW_BLOCK,
	T_OPEN_SEXPR,
	T_CLOSE_SEXPR,
	T_CLOSE,           /* }} */
	T_CLOSE_UNESCAPED, /* }}} */
	T_EQUALS,
	T_ID,
	T_SEP,
	T_STRING,
	T_NUMBER,
	T_BOOLEAN,
	T_UNDEFINED,
	T_NULL,
	T_DATA,
	T_OPEN_BLOCK_PARAMS,
	T_CLOSE_BLOCK_PARAMS,
	T_INVALID,
	T_LEXERROR,
};

struct token {
	int type;
	const char *raw; /* the matched text */
	size_t rawlen;
	const char *val; /* the token's value (content after escapes, unquoted string, id) */
	size_t vlen;
	int line, col;
};

enum lex_state { LS_INITIAL, LS_MU, LS_EMU };

struct lexer {
	struct hbs_pool *pool;
	const char *src;
	size_t len, pos;
	int line, col;
	int state;
};

void lex_init(struct lexer *lx, struct hbs_pool *pool, const char *src, size_t len);
/* The next token; T_LEXERROR (with its position) when no rule matches.
 * Returns CB_ENOMEM when the pool cannot grow, else CB_OK. */
int lex_next(struct lexer *lx, struct token *t);
/* Name of a token type for messages ("'}}'"). */
const char *tok_name(int type);

/* JS's \s: byte length of the whitespace character at s (n bytes left), or 0;
 * and of the one ending just before s (start bytes before it), or 0. */
size_t js_space(const char *s, size_t n);
size_t js_space_before(const char *s, size_t before);

/* ---- hbs_ws.c: handlebars' WhitespaceControl pass ---- */
void ws_control(struct hbs_program *root);

/* ---- hbs_value.c: JS number formatting ---- */
/* Number#toString of d into buf (at least 32 bytes); returns the length. */
size_t js_num_fmt(double d, char *buf);

#endif
