/* buf.c — a growable string in a request's arena, for building HTML, XML
 * and text answers piece by piece. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "landing.h"

void buf_init(struct buf *b, cb_req *req)
{
	b->req = req;
	b->cap = 1024;
	b->len = 0;
	b->p = cb_alloc(req, b->cap);
}

static void reserve(struct buf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap * 2;
	while (cap < b->len + more + 1)
		cap *= 2;
	/* the old block stays in the arena: at worst twice the final size */
	char *p = cb_alloc(b->req, cap);
	memcpy(p, b->p, b->len);
	b->p = p;
	b->cap = cap;
}

void buf_add(struct buf *b, const char *s, size_t n)
{
	reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	if (s)
		buf_add(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
