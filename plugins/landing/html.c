/* html.c — escaping user text for HTML. One escaper serves text and quoted
 * attribute values alike: it also escapes the quotes, the backtick (old IE
 * treated it as a quote) and "=" (unquoted attribute values), as OWASP's rule
 * for attribute contexts asks. */
#include <string.h>

#include "landing.h"

void html_escape(struct buf *b, const char *s)
{
	const char *run = s;

	if (!s)
		return;
	for (; *s; s++) {
		const char *rep;
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case '`':
			rep = "&#96;";
			break;
		case '=':
			rep = "&#61;";
			break;
		default:
			continue;
		}
		buf_add(b, run, (size_t)(s - run));
		buf_puts(b, rep);
		run = s + 1;
	}
	buf_add(b, run, (size_t)(s - run));
}

char *html_esc(cb_req *req, const char *s)
{
	struct buf b;

	buf_init(&b, req);
	html_escape(&b, s);
	return b.p;
}
