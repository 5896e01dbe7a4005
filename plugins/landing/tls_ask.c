/* tls_ask.c — the answers of GET /internal/tls/ask, kept in memory.
 *
 * Caddy's on-demand TLS asks before every handshake for a name it holds no
 * certificate for, so a client sending random SNI names makes one ask each.
 * An answer (yes or no) is kept tls_ask_cache_ms per name; every change to
 * a page in this process (cache_invalidate_page, cache_clear) forgets them
 * all at once, so this process answers a newly verified or unpublished
 * domain correctly at once and other processes within tls_ask_cache_ms.
 * Names not in memory are looked up in the database at most
 * tls_ask_per_second times a second per process; beyond that the answer is
 * 429, which Caddy takes as a no (it asks again at the next handshake). */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "landing.h"

#define ASK_SLOTS 1024

struct ask {
	char name[254];
	int allowed;
	long long gen;
	long long until_ms;
};

static struct ask slots[ASK_SLOTS];
static long long gen = 1; /* answers of older generations are forgotten */
static double tokens;     /* look-ups left this second (token bucket) */
static long long tokens_at;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct ask *slot_of(const char *name)
{
	unsigned h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return &slots[h % ASK_SLOTS];
}

int tls_ask_known(const char *name, int *allowed)
{
	int hit = 0;
	if (lp_cf.tls_ask_cache_ms <= 0 || strlen(name) >= sizeof slots[0].name)
		return 0;
	pthread_mutex_lock(&mu);
	struct ask *a = slot_of(name);
	if (a->gen == gen && a->until_ms > mono_ms() && strcmp(a->name, name) == 0) {
		*allowed = a->allowed;
		hit = 1;
	}
	pthread_mutex_unlock(&mu);
	return hit;
}

void tls_ask_remember(const char *name, int allowed)
{
	if (lp_cf.tls_ask_cache_ms <= 0 || strlen(name) >= sizeof slots[0].name)
		return;
	pthread_mutex_lock(&mu);
	struct ask *a = slot_of(name);
	strcpy(a->name, name);
	a->allowed = allowed;
	a->gen = gen;
	a->until_ms = mono_ms() + lp_cf.tls_ask_cache_ms;
	pthread_mutex_unlock(&mu);
}

int tls_ask_may_look_up(void)
{
	int ok = 0;
	pthread_mutex_lock(&mu);
	long long now = mono_ms();
	double rate = (double)lp_cf.tls_ask_per_second;
	tokens += (double)(now - tokens_at) * rate / 1000.0;
	if (tokens > rate || tokens_at == 0)
		tokens = rate;
	tokens_at = now;
	if (tokens >= 1.0) {
		tokens -= 1.0;
		ok = 1;
	}
	pthread_mutex_unlock(&mu);
	return ok;
}

void tls_ask_forget(void)
{
	pthread_mutex_lock(&mu);
	gen++;
	pthread_mutex_unlock(&mu);
}
