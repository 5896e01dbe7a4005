/* hbs_mem.c — the pool a compiled template lives in: chunks from malloc,
 * released together by hbs_free. Templates outlive requests (the cache keeps
 * them), so they cannot live in a request's arena. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hbs_ast.h"

struct pool_chunk {
	struct pool_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define CHUNK_MIN 8192

void *pool_alloc(struct hbs_pool *p, size_t n)
{
	const size_t align = sizeof(max_align_t);
	n = (n + align - 1) / align * align;
	struct pool_chunk *c = p->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;
		c = malloc(sizeof *c + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = p->head;
		p->head = c;
	}
	void *r = (char *)c->data + c->used;
	c->used += n;
	memset(r, 0, n);
	return r;
}

char *pool_strndup(struct hbs_pool *p, const char *s, size_t n)
{
	char *r = pool_alloc(p, n + 1);
	if (r && n)
		memcpy(r, s, n);
	return r;
}

void pool_free(struct hbs_pool *p)
{
	while (p->head) {
		struct pool_chunk *next = p->head->next;
		free(p->head);
		p->head = next;
	}
}
