/* hbs_ws.c — handlebars.js 4.7's WhitespaceControl pass, line for line:
 * "standalone" tags (blocks, {{else}}, comments, partials alone on their
 * line) take their line's indentation and newline with them, and ~ strips
 * all whitespace on its side. It edits the kept part of content nodes
 * (vstart..vend) once, at compile time. The original text (text, len) is
 * what the standalone tests look at, as handlebars looks at "original". */
#include <string.h>

#include "hbs_ast.h"

struct ws_strip {
	unsigned char open, close;
	unsigned char open_standalone, close_standalone, inline_standalone;
};

#define NONE (-1)

static int is_content(const struct hbs_node *n)
{
	return n && n->kind == N_CONTENT;
}

/* Leading whitespace run of s contains a newline (/^\s*?\r?\n/); all of s is
 * whitespace is reported in *all. */
static int leading_newline(const char *s, size_t n, int *all)
{
	size_t i = 0, k;
	while (i < n && (k = js_space(s + i, n - i)) != 0) {
		if (s[i] == '\n')
			return *all = 0, 1;
		i += k;
	}
	*all = i == n;
	return 0;
}

/* Trailing whitespace run of s contains a newline (/\r?\n\s*?$/). */
static int trailing_newline(const char *s, size_t n, int *all)
{
	size_t i = n, k;
	while (i > 0 && (k = js_space_before(s + i, i)) != 0) {
		if (s[i - 1] == '\n')
			return *all = 0, 1;
		i -= k;
	}
	*all = i == 0;
	return 0;
}

static int is_prev_whitespace(const struct hbs_program *p, int i, int is_root)
{
	if (i == NONE)
		i = p->n;
	const struct hbs_node *prev = i >= 1 ? p->body[i - 1] : NULL;
	const struct hbs_node *sibling = i >= 2 ? p->body[i - 2] : NULL;
	int all;
	if (!prev)
		return is_root;
	if (!is_content(prev))
		return 0;
	if (trailing_newline(prev->text, prev->len, &all))
		return 1;
	return !(sibling || !is_root) && all;
}

static int is_next_whitespace(const struct hbs_program *p, int i, int is_root)
{
	if (i == NONE)
		i = -1;
	const struct hbs_node *next = i + 1 < p->n ? p->body[i + 1] : NULL;
	const struct hbs_node *sibling = i + 2 < p->n ? p->body[i + 2] : NULL;
	int all;
	if (!next)
		return is_root;
	if (!is_content(next))
		return 0;
	if (leading_newline(next->text, next->len, &all))
		return 1;
	return !(sibling || !is_root) && all;
}

/* Strips the start of the content after position i (the first node when i
 * is NONE): all whitespace when multiple, else /^[ \t]*\r?\n?/. */
static void omit_right(struct hbs_program *p, int i, int multiple)
{
	int at = i == NONE ? 0 : i + 1;
	struct hbs_node *c = at < p->n ? p->body[at] : NULL;
	if (!is_content(c) || (!multiple && c->rstripped))
		return;
	size_t v = c->vstart, k;
	if (multiple) {
		while (v < c->vend && (k = js_space(c->text + v, c->vend - v)) != 0)
			v += k;
	} else {
		while (v < c->vend && (c->text[v] == ' ' || c->text[v] == '\t'))
			v++;
		if (v < c->vend && c->text[v] == '\r')
			v++;
		if (v < c->vend && c->text[v] == '\n')
			v++;
	}
	c->rstripped = v != c->vstart;
	c->vstart = v;
}

/* Strips the end of the content before position i (the last node when i is
 * NONE): all whitespace when multiple, else /[ \t]+$/. Returns whether
 * something was stripped (undefined, i.e. 0, when nothing was tried). */
static int omit_left(struct hbs_program *p, int i, int multiple)
{
	int at = i == NONE ? p->n - 1 : i - 1;
	struct hbs_node *c = at >= 0 && at < p->n ? p->body[at] : NULL;
	if (!is_content(c) || (!multiple && c->lstripped))
		return 0;
	size_t v = c->vend, k;
	if (multiple) {
		while (v > c->vstart && (k = js_space_before(c->text + v, v - c->vstart)) != 0)
			v -= k;
	} else {
		while (v > c->vstart && (c->text[v - 1] == ' ' || c->text[v - 1] == '\t'))
			v--;
	}
	c->lstripped = v != c->vend;
	c->vend = v;
	return c->lstripped;
}

static void visit_program(struct hbs_program *p, int is_root);

static struct ws_strip visit_block(struct hbs_node *b)
{
	struct ws_strip s = {0};
	if (b->program)
		visit_program(b->program, 0);
	if (b->inverse)
		visit_program(b->inverse, 0);

	struct hbs_program *program = b->program ? b->program : b->inverse;
	struct hbs_program *inverse = b->program ? b->inverse : NULL;
	struct hbs_program *first_inverse = inverse, *last_inverse = inverse;
	if (inverse && inverse->chained) {
		first_inverse = inverse->body[0]->program;
		while (last_inverse->chained)
			last_inverse = last_inverse->body[last_inverse->n - 1]->program;
	}
	s.open = b->open_strip.open;
	s.close = b->close_strip.close;
	s.open_standalone = (unsigned char)is_next_whitespace(program, NONE, 0);
	s.close_standalone =
	    (unsigned char)is_prev_whitespace(first_inverse ? first_inverse : program, NONE, 0);

	if (b->open_strip.close)
		omit_right(program, NONE, 1);
	if (inverse) {
		if (b->inverse_strip.open)
			omit_left(program, NONE, 1);
		if (b->inverse_strip.close)
			omit_right(first_inverse, NONE, 1);
		if (b->close_strip.open)
			omit_left(last_inverse, NONE, 1);
		if (is_prev_whitespace(program, NONE, 0) &&
		    is_next_whitespace(first_inverse, NONE, 0)) {
			omit_left(program, NONE, 0);
			omit_right(first_inverse, NONE, 0);
		}
	} else if (b->close_strip.open) {
		omit_left(program, NONE, 1);
	}
	return s;
}

/* Trailing [ \t]+ of c's original text: the indentation of a standalone
 * partial (runtime.js indents every line of the partial's output by it). */
static void set_indent(struct hbs_node *partial, const struct hbs_node *c)
{
	size_t b = c->len;
	while (b > 0 && (c->text[b - 1] == ' ' || c->text[b - 1] == '\t'))
		b--;
	if (b < c->len) {
		partial->indent = c->text + b;
		partial->indent_len = c->len - b;
	}
}

static void visit_program(struct hbs_program *p, int is_root)
{
	for (int i = 0; i < p->n; i++) {
		struct hbs_node *cur = p->body[i];
		struct ws_strip s = {0};
		switch (cur->kind) {
		case N_CONTENT:
			continue;
		case N_BLOCK:
			s = visit_block(cur);
			break;
		case N_MUSTACHE:
			s.open = cur->strip.open;
			s.close = cur->strip.close;
			break;
		default: /* comments and partials */
			s.inline_standalone = 1;
			s.open = cur->strip.open;
			s.close = cur->strip.close;
			break;
		}
		int prev_ws = is_prev_whitespace(p, i, is_root);
		int next_ws = is_next_whitespace(p, i, is_root);
		int open_sa = s.open_standalone && prev_ws;
		int close_sa = s.close_standalone && next_ws;
		int inline_sa = s.inline_standalone && prev_ws && next_ws;

		if (s.close)
			omit_right(p, i, 1);
		if (s.open)
			omit_left(p, i, 1);
		if (inline_sa) {
			omit_right(p, i, 0);
			if (omit_left(p, i, 0) && cur->kind == N_PARTIAL)
				set_indent(cur, p->body[i - 1]);
		}
		if (open_sa) {
			omit_right(cur->program ? cur->program : cur->inverse, NONE, 0);
			omit_left(p, i, 0);
		}
		if (close_sa) {
			omit_right(p, i, 0);
			omit_left(cur->inverse ? cur->inverse : cur->program, NONE, 0);
		}
	}
}

void ws_control(struct hbs_program *root)
{
	visit_program(root, 1);
}
