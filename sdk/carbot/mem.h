/* carbot/mem.h — per-request arena memory.
 *
 * Every request (and every job run) owns an arena. Memory from
 * it is released all at once when the request ends, after its response has been
 * sent. Never free() it. Cleanups registered here run at the same moment, in
 * reverse order of registration, for resources that are not memory.
 */
#ifndef CARBOT_MEM_H
#define CARBOT_MEM_H

#include <stddef.h>

typedef struct cb_req cb_req;

/* Returns n zeroed bytes aligned for any type, owned by req's arena.
 * Never returns NULL: running out of memory aborts the process, as nothing
 * sensible can continue. */
void *cb_alloc(cb_req *req, size_t n);

/* Copies the NUL-terminated string s into req's arena. s may be NULL, in which
 * case NULL is returned. */
char *cb_strdup(cb_req *req, const char *s);

/* Copies n bytes of s and appends a NUL; owned by req's arena. */
char *cb_strndup(cb_req *req, const char *s, size_t n);

/* printf into req's arena; the result is NUL-terminated. */
char *cb_sprintf(cb_req *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Registers fn(arg) to run when req ends (reverse order of registration).
 * Returns CB_OK. */
int cb_cleanup(cb_req *req, void (*fn)(void *arg), void *arg);

#endif
