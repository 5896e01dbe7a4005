/* fuzz.h — shared by the libFuzzer harnesses: each input runs in a fresh
 * request (its arena freed afterwards), and the plugin code a harness links
 * reaches the core through the same function table a loaded plugin gets. */
#ifndef CB_FUZZ_H
#define CB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"

extern const struct cb_api cb_api_table;
/* Plugin files compiled into a harness read the table through cb__api. */
const struct cb_api *cb__api = &cb_api_table;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a NUL-terminated string in req's arena (NULs inside stay). */
static char *fuzz_str(cb_req *req, const uint8_t *data, size_t size)
{
	char *s = cb_alloc(req, size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Splits s at the first separator sep: returns the rest (or NULL). */
static char *fuzz_split(char *s, size_t n, char sep, size_t *restn)
{
	char *p = memchr(s, sep, n);
	if (!p)
		return NULL;
	*p = '\0';
	*restn = n - (size_t)(p + 1 - s);
	return p + 1;
}

/* Crashes (so libFuzzer reports the input) when cond is false. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#endif
