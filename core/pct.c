/* pct.c — percent-decoding of paths and query strings. */
#include "core.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *pct_decode(cb_req *req, const char *s, size_t n, int plus_is_space)
{
	char *out = cb_alloc(req, n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+' && plus_is_space) {
			*o++ = ' ';
		} else if (s[i] != '%') {
			*o++ = s[i];
		} else {
			if (i + 2 >= n)
				return NULL; /* "%" or "%a" at the end */
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return NULL;
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		}
	}
	*o = '\0';
	return out;
}
