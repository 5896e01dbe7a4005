/* arena.h — bump allocator with cleanups, the memory of one request. */
#ifndef CB_CORE_ARENA_H
#define CB_CORE_ARENA_H

#include <stddef.h>

typedef struct cb_arena cb_arena;

/* A new empty arena; aborts on out of memory. */
cb_arena *arena_new(void);

/* n zeroed bytes aligned to 16, valid until arena_free. Aborts on OOM. */
void *arena_alloc(cb_arena *a, size_t n);

/* Registers fn(arg) to run at arena_free, newest first. */
void arena_on_free(cb_arena *a, void (*fn)(void *), void *arg);

/* Runs the cleanups, then releases all memory. a may be NULL. */
void arena_free(cb_arena *a);

/* Bytes handed out so far (for tests and metrics). */
size_t arena_used(const cb_arena *a);

#endif
