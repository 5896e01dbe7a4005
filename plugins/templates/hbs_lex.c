/* hbs_lex.c — the tokenizer: handlebars.js 4.7's lexer (handlebars.l) rule by
 * rule, in its order, so that the same text splits into the same tokens:
 * content up to "{{" (with \{{ escapes), then the tokens inside a mustache,
 * comments, and the {{else}} / {{^}} inverses. */
#include <string.h>

#include "hbs_ast.h"

size_t js_space(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n == 0)
		return 0;
	if (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r'))
		return 1;
	if (n >= 2 && u[0] == 0xC2 && u[1] == 0xA0) /* U+00A0 */
		return 2;
	if (n < 3)
		return 0;
	unsigned cp = 0;
	if ((u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80)
		cp = ((unsigned)(u[0] & 0x0F) << 12) | ((unsigned)(u[1] & 0x3F) << 6) |
		     (u[2] & 0x3Fu);
	if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF)
		return 3;
	return 0;
}

size_t js_space_before(const char *s, size_t before)
{
	for (size_t k = 1; k <= 3 && k <= before; k++)
		if (js_space(s - k, k) == k)
			return k;
	return 0;
}

void lex_init(struct lexer *lx, struct hbs_pool *pool, const char *src, size_t len)
{
	memset(lx, 0, sizeof *lx);
	lx->pool = pool;
	lx->src = src;
	lx->len = len;
	lx->line = 1;
	lx->col = 1;
	lx->state = LS_INITIAL;
}

static void advance(struct lexer *lx, size_t n)
{
	for (size_t i = 0; i < n && lx->pos < lx->len; i++, lx->pos++) {
		unsigned char c = (unsigned char)lx->src[lx->pos];
		if (c == '\n') {
			lx->line++;
			lx->col = 1;
		} else if ((c & 0xC0) != 0x80) {
			lx->col++;
		}
	}
}

static int starts(const struct lexer *lx, size_t off, const char *s)
{
	size_t n = strlen(s);
	return lx->pos + off + n <= lx->len && memcmp(lx->src + lx->pos + off, s, n) == 0;
}

static int ch(const struct lexer *lx, size_t off)
{
	return lx->pos + off < lx->len ? (unsigned char)lx->src[lx->pos + off] : -1;
}

static size_t space_at(const struct lexer *lx, size_t off)
{
	return lx->pos + off < lx->len ? js_space(lx->src + lx->pos + off, lx->len - lx->pos - off)
	                               : 0;
}

static size_t skip_spaces(const struct lexer *lx, size_t off)
{
	size_t k;
	while ((k = space_at(lx, off)) != 0)
		off += k;
	return off;
}

/* LOOKAHEAD of handlebars.l: [=~}\s\/.)|] */
static int lookahead(const struct lexer *lx, size_t off)
{
	int c = ch(lx, off);
	return c >= 0 && (strchr("=~}/.)|", c) || space_at(lx, off));
}

/* LITERAL_LOOKAHEAD: [~}\s)] */
static int literal_lookahead(const struct lexer *lx, size_t off)
{
	int c = ch(lx, off);
	return c >= 0 && (strchr("~})", c) || space_at(lx, off));
}

static int is_id_char(const struct lexer *lx, size_t off)
{
	int c = ch(lx, off);
	if (c < 0 || space_at(lx, off))
		return 0;
	/* ID = [^\s!"#%-,\.\/;->@\[-\^`\{-~]+ (control characters are allowed) */
	return c == 0 || !strchr("!\"#%&'()*+,./;<=>@[\\]^`{|}~", c);
}

static int is_word(int c)
{
	return c >= 0 && c < 0x80 &&
	       ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	        c == '_');
}

/* A quoted run: q, then (\q | not q)*, then q, with the regex's backtracking:
 * when no closing q follows, the match ends at the last \q taken. Returns the
 * length of the match, or 0. */
static size_t quoted(const struct lexer *lx, char open, char close)
{
	size_t i = 1, last_escaped = 0;
	if (ch(lx, 0) != open)
		return 0;
	for (;;) {
		int c = ch(lx, i);
		if (c < 0)
			return last_escaped ? last_escaped + 1 : 0;
		if (c == '\\' && ch(lx, i + 1) == close) {
			last_escaped = i + 1;
			i += 2;
		} else if (c != close) {
			i++;
		} else {
			return i + 1;
		}
	}
}

static void set(struct lexer *lx, struct token *t, int type, size_t n)
{
	t->type = type;
	t->raw = lx->src + lx->pos;
	t->rawlen = n;
	t->val = t->raw;
	t->vlen = n;
	advance(lx, n);
}

/* Copies the run without the backslash of each \x where x is in set. */
static int unescape(struct lexer *lx, struct token *t, const char *s, size_t n, const char *set)
{
	char *out = pool_alloc(lx->pool, n + 1);
	size_t o = 0;
	if (!out)
		return CB_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && strchr(set, s[i + 1]))
			i++;
		out[o++] = s[i];
	}
	t->val = out;
	t->vlen = o;
	return CB_OK;
}

/* Rules of the "{{"-started tokens (11-23); 0 when none applies. */
static int lex_open(struct lexer *lx, struct token *t)
{
	size_t o = ch(lx, 2) == '~' ? 3 : 2, k;
	int c = ch(lx, o);

	if (c == '>')
		return set(lx, t, T_OPEN_PARTIAL, o + 1), 1;
	if (c == '#' && ch(lx, o + 1) == '>')
		return set(lx, t, T_OPEN_PARTIAL_BLOCK, o + 2), 1;
	if (c == '#')
		return set(lx, t, T_OPEN_BLOCK, o + 1 + (ch(lx, o + 1) == '*')), 1;
	if (c == '/')
		return set(lx, t, T_OPEN_ENDBLOCK, o + 1), 1;
	if (c == '^') {
		k = skip_spaces(lx, o + 1);
		k += ch(lx, k) == '~';
		if (starts(lx, k, "}}")) {
			set(lx, t, T_INVERSE, k + 2);
			lx->state = LS_INITIAL;
			return 1;
		}
	}
	k = skip_spaces(lx, o);
	if (starts(lx, k, "else")) {
		size_t e = skip_spaces(lx, k + 4);
		e += ch(lx, e) == '~';
		if (starts(lx, e, "}}")) {
			set(lx, t, T_INVERSE, e + 2);
			lx->state = LS_INITIAL;
			return 1;
		}
	}
	if (c == '^')
		return set(lx, t, T_OPEN_INVERSE, o + 1), 1;
	if (starts(lx, k, "else") && !is_word(ch(lx, k + 4)))
		return set(lx, t, T_OPEN_INVERSE_CHAIN, k + 4), 1;
	if (c == '{')
		return set(lx, t, T_OPEN_UNESCAPED, o + 1), 1;
	if (c == '&')
		return set(lx, t, T_OPEN, o + 1), 1;
	if (starts(lx, o, "!--")) {
		/* [\s\S]*?--(~)?\}\} from the "{{" */
		for (size_t j = lx->pos; j + 4 <= lx->len; j++) {
			if (memcmp(lx->src + j, "--", 2) != 0)
				continue;
			size_t e = j + 2 + (lx->src[j + 2] == '~');
			if (e + 2 <= lx->len && memcmp(lx->src + e, "}}", 2) == 0) {
				set(lx, t, T_COMMENT, e + 2 - lx->pos);
				lx->state = LS_INITIAL;
				return 1;
			}
		}
		t->type = T_LEXERROR;
		return 1;
	}
	if (c == '!') {
		const char *end =
		    memmem(lx->src + lx->pos + o + 1, lx->len - lx->pos - o - 1, "}}", 2);
		if (end) {
			set(lx, t, T_COMMENT, (size_t)(end + 2 - (lx->src + lx->pos)));
			lx->state = LS_INITIAL;
			return 1;
		}
	}
	return set(lx, t, T_OPEN, o + (c == '*')), 1;
}

static int lex_keyword(struct lexer *lx, struct token *t)
{
	static const struct {
		const char *word;
		int type;
	} words[] = {{"true", T_BOOLEAN},
	             {"false", T_BOOLEAN},
	             {"undefined", T_UNDEFINED},
	             {"null", T_NULL}};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t n = strlen(words[i].word);
		if (starts(lx, 0, words[i].word) && literal_lookahead(lx, n)) {
			set(lx, t, words[i].type, n);
			return 1;
		}
	}
	size_t i = ch(lx, 0) == '-';
	size_t d = i;
	while (ch(lx, d) >= '0' && ch(lx, d) <= '9')
		d++;
	if (d > i) {
		if (ch(lx, d) == '.' && ch(lx, d + 1) >= '0' && ch(lx, d + 1) <= '9') {
			d++;
			while (ch(lx, d) >= '0' && ch(lx, d) <= '9')
				d++;
		}
		if (literal_lookahead(lx, d)) {
			set(lx, t, T_NUMBER, d);
			return 1;
		}
	}
	return 0;
}

/* Rules 7-44: inside a mustache. */
static int lex_mu(struct lexer *lx, struct token *t)
{
	size_t n;
	int c;
	for (;;) {
		t->line = lx->line;
		t->col = lx->col;
		c = ch(lx, 0);
		if (c < 0)
			return set(lx, t, T_EOF, 0), CB_OK;
		if (c == '(')
			return set(lx, t, T_OPEN_SEXPR, 1), CB_OK;
		if (c == ')')
			return set(lx, t, T_CLOSE_SEXPR, 1), CB_OK;
		if (starts(lx, 0, "{{{{"))
			return set(lx, t, T_OPEN_RAW_BLOCK, 4), CB_OK;
		if (starts(lx, 0, "}}}}"))
			return set(lx, t, T_CLOSE_RAW_BLOCK, 4), CB_OK;
		if (starts(lx, 0, "{{")) {
			lex_open(lx, t);
			return CB_OK;
		}
		if (c == '=')
			return set(lx, t, T_EQUALS, 1), CB_OK;
		if (starts(lx, 0, ".."))
			return set(lx, t, T_ID, 2), CB_OK;
		if (c == '.' && lookahead(lx, 1))
			return set(lx, t, T_ID, 1), CB_OK;
		if (c == '.' || c == '/')
			return set(lx, t, T_SEP, 1), CB_OK;
		if ((n = skip_spaces(lx, 0)) != 0) {
			advance(lx, n);
			continue;
		}
		n = c == '}' ? 1 : 0;
		n += ch(lx, n) == '~';
		if (c == '}' && starts(lx, n, "}}")) {
			set(lx, t, T_CLOSE_UNESCAPED, n + 2);
			lx->state = LS_INITIAL;
			return CB_OK;
		}
		n = ch(lx, 0) == '~';
		if (starts(lx, n, "}}")) {
			set(lx, t, T_CLOSE, n + 2);
			lx->state = LS_INITIAL;
			return CB_OK;
		}
		if (c == '"' || c == '\'') {
			n = quoted(lx, (char)c, (char)c);
			if (n) {
				const char *s = lx->src + lx->pos + 1;
				char set_[2] = {(char)c, 0};
				set(lx, t, T_STRING, n);
				return unescape(lx, t, s, n - 2, set_);
			}
		}
		if (c == '@')
			return set(lx, t, T_DATA, 1), CB_OK;
		if (lex_keyword(lx, t))
			return CB_OK;
		if (starts(lx, 0, "as")) {
			size_t k = skip_spaces(lx, 2);
			if (k > 2 && ch(lx, k) == '|')
				return set(lx, t, T_OPEN_BLOCK_PARAMS, k + 1), CB_OK;
		}
		if (c == '|')
			return set(lx, t, T_CLOSE_BLOCK_PARAMS, 1), CB_OK;
		for (n = 0; is_id_char(lx, n);)
			n++;
		if (n && lookahead(lx, n))
			return set(lx, t, T_ID, n), CB_OK;
		if (c == '[' && (n = quoted(lx, '[', ']')) != 0) {
			const char *s = lx->src + lx->pos;
			set(lx, t, T_ID, n);
			return unescape(lx, t, s, n, "\\]");
		}
		/* one character */
		n = 1;
		while (n < 4 && (ch(lx, n) & 0xC0) == 0x80)
			n++;
		return set(lx, t, T_INVALID, n), CB_OK;
	}
}

int lex_next(struct lexer *lx, struct token *t)
{
	memset(t, 0, sizeof *t);
	for (;;) {
		t->line = lx->line;
		t->col = lx->col;
		if (lx->state == LS_MU)
			return lex_mu(lx, t);
		const char *p = lx->src + lx->pos;
		size_t rem = lx->len - lx->pos;
		if (rem == 0) {
			t->type = T_EOF;
			return CB_OK;
		}
		if (lx->state == LS_EMU) {
			/* [^\x00]{2,}?(?=(\{\{|\\\{\{|\\\\\{\{|$)) */
			size_t q = 2;
			while (q < rem && !(rem - q >= 2 && memcmp(p + q, "{{", 2) == 0) &&
			       !(rem - q >= 3 && memcmp(p + q, "\\{{", 3) == 0) &&
			       !(rem - q >= 4 && memcmp(p + q, "\\\\{{", 4) == 0))
				q++;
			lx->state = LS_INITIAL;
			set(lx, t, T_CONTENT, q < rem ? q : rem);
			return CB_OK;
		}
		const char *open = memmem(p, rem, "{{", 2);
		if (!open) {
			set(lx, t, T_CONTENT, rem);
			return CB_OK;
		}
		size_t n = (size_t)(open - p), keep = n;
		if (n >= 2 && p[n - 1] == '\\' && p[n - 2] == '\\') {
			keep = n - 1;
			lx->state = LS_MU;
		} else if (n >= 1 && p[n - 1] == '\\') {
			keep = n - 1;
			lx->state = LS_EMU;
		} else {
			lx->state = LS_MU;
		}
		set(lx, t, T_CONTENT, n);
		t->vlen = keep;
		if (keep)
			return CB_OK;
	}
}

const char *tok_name(int type)
{
	static const char *const names[] = {
	    [T_EOF] = "end of template",
	    [T_CONTENT] = "text",
	    [T_COMMENT] = "comment",
	    [T_OPEN] = "'{{'",
	    [T_OPEN_UNESCAPED] = "'{{{'",
	    [T_OPEN_BLOCK] = "'{{#'",
	    [T_OPEN_ENDBLOCK] = "'{{/'",
	    [T_OPEN_INVERSE] = "'{{^'",
	    [T_OPEN_INVERSE_CHAIN] = "'{{else'",
	    [T_INVERSE] = "'{{else}}'",
	    [T_OPEN_PARTIAL] = "'{{>'",
	    [T_OPEN_PARTIAL_BLOCK] = "'{{#>'",
	    [T_OPEN_RAW_BLOCK] = "'{{{{'",
	    [T_CLOSE_RAW_BLOCK] = "'}}}}'",
	    [T_OPEN_SEXPR] = "'('",
	    [T_CLOSE_SEXPR] = "')'",
	    [T_CLOSE] = "'}}'",
	    [T_CLOSE_UNESCAPED] = "'}}}'",
	    [T_EQUALS] = "'='",
	    [T_ID] = "a name",
	    [T_SEP] = "a separator",
	    [T_STRING] = "a string",
	    [T_NUMBER] = "a number",
	    [T_BOOLEAN] = "a boolean",
	    [T_UNDEFINED] = "undefined",
	    [T_NULL] = "null",
	    [T_DATA] = "'@'",
	    [T_OPEN_BLOCK_PARAMS] = "'as |'",
	    [T_CLOSE_BLOCK_PARAMS] = "'|'",
	    [T_INVALID] = "an invalid character",
	    [T_LEXERROR] = "unreadable text",
	};
	return type >= 0 && type <= T_LEXERROR ? names[type] : "?";
}
