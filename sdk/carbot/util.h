/* carbot/util.h — small helpers every plugin needed and wrote again: hashes
 * as hex, randomness, UUID syntax. Since SDK 1.3.
 *
 * Results live in the request's arena (never free them).
 */
#ifndef CARBOT_UTIL_H
#define CARBOT_UTIL_H

#include <stddef.h>

typedef struct cb_req cb_req;

/* SHA-256 of len bytes at data, as 64 lower-case hex characters. Never NULL
 * (a failing digest aborts: nothing sensible can go on without hashing). */
char *cb_sha256_hex(cb_req *req, const void *data, size_t len);

/* HMAC-SHA-256 of len bytes at data under key (keylen bytes), as 64
 * lower-case hex characters. Never NULL. */
char *cb_hmac_sha256_hex(cb_req *req, const void *key, size_t keylen, const void *data,
			 size_t len);

/* nbytes (1..64) from the system's CSPRNG (OpenSSL RAND_bytes), as 2*nbytes
 * lower-case hex characters: tokens, ids, nonces. Never NULL. */
char *cb_random_hex(cb_req *req, size_t nbytes);

/* 1 when s is a UUID in its text form (8-4-4-4-12 hex digits), else 0:
 * check ids from URLs before casting them in SQL, so a malformed id is a
 * 404 and not a database error. */
int cb_is_uuid(const char *s);

#endif
