/* normalise.c — visitor text made comparable: lower case, umlauts in two
 * spellings, tokens, and a bounded Damerau-Levenshtein distance so that
 * "öfnungszeiten", "offnungszeiten" and "Öffnungszeiten" all meet the keyword
 * "oeffnungszeiten". */
#include <string.h>

#include "chat.h"

size_t utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

/* Latin-1 supplement letters (U+00C0..U+00FF) as ASCII: spelled form first,
 * base form second. NULL when the code point is not a letter we know. */
static void latin1(unsigned cp, const char **spelled, const char **base)
{
	static const char *const low[] = {
	    /* à..ÿ, U+00E0.. */
	    "a", "a", "a", "a", "ae", "a", "ae", "c",  "e", "e", "e", "e", "i",  "i", "i",  "i",
	    "d", "n", "o", "o", "o",  "o", "oe", NULL, "o", "u", "u", "u", "ue", "y", "th", "y"};

	*spelled = *base = NULL;
	if (cp == 0xDF) { /* ß */
		*spelled = *base = "ss";
		return;
	}
	if (cp >= 0xC0 && cp <= 0xDE)
		cp += 0x20; /* upper to lower case */
	if (cp < 0xE0 || cp > 0xFF)
		return;
	*spelled = low[cp - 0xE0];
	if (!*spelled)
		return;
	*base = *spelled;
	if (cp == 0xE4 || cp == 0xF6 || cp == 0xFC)
		*base = cp == 0xE4 ? "a" : cp == 0xF6 ? "o" : "u";
}

static void put(char **o, const char *s)
{
	while (*s)
		*(*o)++ = *s++;
}

void norm_into(const char *text, char *a, char *b)
{
	char *oa = a, *ob = b;
	const unsigned char *p = (const unsigned char *)text;

	while (*p) {
		unsigned c = *p;
		if (c < 0x80) {
			char ch = (char)c;
			if (ch >= 'A' && ch <= 'Z')
				ch = (char)(ch + 32);
			if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
				ch = ' ';
			*oa++ = ch;
			*ob++ = ch;
			p++;
			continue;
		}
		unsigned cp = 0;
		size_t len = 1;
		if ((c & 0xE0) == 0xC0 && p[1]) {
			cp = ((c & 0x1F) << 6) | (p[1] & 0x3F);
			len = 2;
		} else if ((c & 0xF0) == 0xE0) {
			len = 3;
		} else if ((c & 0xF8) == 0xF0) {
			len = 4;
		}
		const char *sp, *bs;
		latin1(cp, &sp, &bs);
		if (sp) {
			put(&oa, sp);
			put(&ob, bs);
		} else {
			*oa++ = ' ';
			*ob++ = ' ';
		}
		for (size_t i = 0; i < len && *p; i++)
			p++;
	}
	*oa = *ob = '\0';
}

void norm_forms(cb_req *req, const char *text, char **spelled, char **base)
{
	size_t n = strlen(text);

	/* one input byte gives at most two output bytes */
	*spelled = cb_alloc(req, 2 * n + 2);
	*base = cb_alloc(req, 2 * n + 2);
	norm_into(text, *spelled, *base);
}

size_t tokenise(char *s, char **tok, size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		tok[n++] = s;
		while (*s && *s != ' ')
			s++;
		if (*s)
			*s++ = '\0';
	}
	return n;
}

int edit_budget(size_t n)
{
	return n >= 9 ? 2 : n >= 5 ? 1 : 0;
}

#define DL_MAX 48

int dl_distance(const char *a, size_t na, const char *b, size_t nb, int limit)
{
	/* three rows of the optimal-string-alignment matrix */
	int r0[DL_MAX + 1], r1[DL_MAX + 1], r2[DL_MAX + 1];
	int *pp = r0, *prev = r1, *cur = r2;

	if (na > DL_MAX || nb > DL_MAX)
		return limit + 1;
	if ((na > nb ? na - nb : nb - na) > (size_t)limit)
		return limit + 1;
	for (size_t j = 0; j <= nb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= na; i++) {
		int best = (int)i;
		cur[0] = (int)i;
		for (size_t j = 1; j <= nb; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = prev[j - 1] + cost;
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
		int *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[nb];
}
