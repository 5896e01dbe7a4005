/* carbot/cache.h — one in-process cache: a bounded map from string keys to
 * byte strings with a time to live. Since SDK 1.6.
 *
 * Per process: several carbotd processes each have their own, so cache only
 * what may be a little stale (TTL) or what every process can revalidate, and
 * invalidate by key where this process changes the truth. Thread-safe (one
 * short lock per call, no I/O under it), so cb_cache_get may run in a
 * cb_route_fast handler on the I/O thread.
 */
#ifndef CARBOT_CACHE_H
#define CARBOT_CACHE_H

#include <stddef.h>

typedef struct cb_req cb_req;
typedef struct cb_cache cb_cache;

/* A cache of at most max_entries (1..1000000) entries, each living ttl_s
 * seconds (1..604800) after its put. When full, a put evicts the entry used
 * least recently. NULL on bad arguments. Create it in init, free it in fini. */
cb_cache *cb_cache_new(size_t max_entries, int ttl_s);

/* Frees c and every entry (NULL is ignored). */
void cb_cache_free(cb_cache *c);

/* Stores a copy of len bytes at val under key (copied), replacing an older
 * value and restarting its TTL. CB_OK, CB_EINVAL (no key), CB_ETOOBIG (key
 * over 1024 bytes). */
int cb_cache_put(cb_cache *c, const char *key, const void *val, size_t len);

/* A copy, in req's arena (NUL-terminated after len bytes), of the live value
 * under key, its length in *len (may be NULL); NULL when absent or expired. */
void *cb_cache_get(cb_cache *c, cb_req *req, const char *key, size_t *len);

/* Drops key. CB_OK, or CB_ENOTFOUND when it was not cached. */
int cb_cache_del(cb_cache *c, const char *key);

/* Drops every entry. */
void cb_cache_clear(cb_cache *c);

#endif
