/* arena.c — chunks of memory released together; cleanups for non-memory. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK 8192

struct chunk {
	struct chunk *next;
	size_t cap, used;
	_Alignas(16) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *arg;
};

struct cb_arena {
	struct chunk *head;
	struct cleanup *cleanups;
	size_t total;
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		fputs("carbotd: out of memory\n", stderr);
		abort();
	}
	return p;
}

cb_arena *arena_new(void)
{
	cb_arena *a = xmalloc(sizeof *a);
	a->head = NULL;
	a->cleanups = NULL;
	a->total = 0;
	return a;
}

void *arena_alloc(cb_arena *a, size_t n)
{
	size_t need = (n + 15) & ~(size_t)15;
	if (need < n) { /* overflow */
		fputs("carbotd: allocation too large\n", stderr);
		abort();
	}
	struct chunk *c = a->head;
	if (!c || c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK / 2 ? need : ARENA_CHUNK;
		c = xmalloc(sizeof *c + cap);
		c->cap = cap;
		c->used = 0;
		if (need > ARENA_CHUNK / 2 && a->head) {
			/* a big block gets its own chunk behind the current one, so
			 * the current one's free space is not wasted */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = c->data + c->used;
	c->used += need;
	a->total += need;
	memset(p, 0, n);
	return p;
}

void arena_on_free(cb_arena *a, void (*fn)(void *), void *arg)
{
	struct cleanup *cl = arena_alloc(a, sizeof *cl);
	cl->fn = fn;
	cl->arg = arg;
	cl->next = a->cleanups;
	a->cleanups = cl;
}

void arena_free(cb_arena *a)
{
	if (!a)
		return;
	/* cleanups live in the arena itself, so run them all before freeing */
	for (struct cleanup *cl = a->cleanups; cl; cl = cl->next)
		cl->fn(cl->arg);
	struct chunk *c = a->head;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}

size_t arena_used(const cb_arena *a)
{
	return a->total;
}
