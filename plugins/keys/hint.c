/* hint.c — the key check in one Redis round trip.
 *
 * The usual check of a cached key takes two round trips (authn.c): the IP
 * limit with the cached record, then, once the record has passed its checks
 * in C, the key limit with the usage counts. The second depends on the first
 * only through the record, and a process sees the same keys again and again.
 * So each process keeps the record it last saw pass for each key (a hint,
 * at most HINTS of them, by key hash), checks a presented key's hint in C
 * first, and sends one script (validate.c) that counts the IP limit,
 * compares Redis's cached record with the hint byte for byte and, only when
 * they are equal, counts the key limit and the usage: what the two round
 * trips would have done with that record. When Redis holds another record
 * (the key changed, was revoked, or left the cache) the script stops after
 * the IP limit and returns it; the usual path goes on with it, without
 * counting the IP again. A hint is never trusted alone: Redis's copy, which
 * every change drops at once (keyrec_forget), decides.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

#define HINTS      1024 /* a power of two */
#define HINT_MAX   4096 /* longest record text kept */
#define HASH_CHARS 64

struct hint {
	char hash[HASH_CHARS + 1];
	char *text;
};

static struct hint hints[HINTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The slot of a hash (hex of an HMAC: its first characters are uniform). */
static struct hint *slot(const char *hash)
{
	size_t i = 0;

	for (int c = 0; c < 4 && hash[c]; c++)
		i = i * 16 + (size_t)(hash[c] <= '9' ? hash[c] - '0' : (hash[c] | 0x20) - 'a' + 10);
	return &hints[i & (HINTS - 1)];
}

static int hash_ok(const char *hash)
{
	return hash && strlen(hash) == HASH_CHARS;
}

void hint_put(const char *hash, const char *text)
{
	char *copy;
	struct hint *h;

	if (!hash_ok(hash) || !text || !*text || strlen(text) > HINT_MAX)
		return;
	copy = strdup(text);
	if (!copy)
		return;
	pthread_mutex_lock(&lock);
	h = slot(hash);
	free(h->text);
	memcpy(h->hash, hash, HASH_CHARS + 1);
	h->text = copy;
	pthread_mutex_unlock(&lock);
}

const char *hint_get(cb_req *req, const char *hash)
{
	const char *text = NULL;
	struct hint *h;

	if (!hash_ok(hash))
		return NULL;
	pthread_mutex_lock(&lock);
	h = slot(hash);
	if (h->text && strcmp(h->hash, hash) == 0)
		text = cb_strdup(req, h->text);
	pthread_mutex_unlock(&lock);
	return text;
}

void hint_drop(const char *hash)
{
	struct hint *h;

	if (!hash_ok(hash))
		return;
	pthread_mutex_lock(&lock);
	h = slot(hash);
	if (h->text && strcmp(h->hash, hash) == 0) {
		free(h->text);
		h->text = NULL;
	}
	pthread_mutex_unlock(&lock);
}

void hints_free(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < HINTS; i++) {
		free(hints[i].text);
		hints[i].text = NULL;
	}
	pthread_mutex_unlock(&lock);
}
