/* req.c — life of a cb_req, and small process-wide helpers. */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core.h"

cb_req *req_new(void)
{
	cb_arena *a = arena_new();
	cb_req *req = arena_alloc(a, sizeof *req);
	req->arena = a;
	req->t_start = now_ms();
	return req;
}

void req_free(cb_req *req)
{
	if (!req)
		return;
	db_release(req);
	arena_free(req->arena);
}

double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void random_hex(char *out, size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char buf[64];
	if (nbytes > sizeof buf)
		nbytes = sizeof buf;
	if (RAND_bytes(buf, (int)nbytes) != 1) {
		fputs("carbotd: no randomness available\n", stderr);
		abort();
	}
	for (size_t i = 0; i < nbytes; i++) {
		out[2 * i] = hex[buf[i] >> 4];
		out[2 * i + 1] = hex[buf[i] & 15];
	}
	out[2 * nbytes] = '\0';
	OPENSSL_cleanse(buf, sizeof buf); /* the bytes of a key must not linger on the stack */
}
