/* cache.c — rendered pages in process memory.
 *
 * Keyed by what a request names ("s:shop" for a subdomain, "d:example.de"
 * for a custom domain); bounded by cache_max_bytes with least-recently-used
 * eviction; one mutex, held only for table operations. Entries are reference
 * counted so a handler can copy a body out after the lock is gone, even if
 * the entry is evicted meanwhile.
 *
 * Each entry holds the page's render_version. Within this process a change
 * drops the page's entries at once (cache_invalidate_page). Other carbotd
 * processes learn of it when they revalidate: an entry is trusted for
 * cache_revalidate_ms after its last confirmation, then one cheap query
 * compares the version (serve.c). An entry also expires when the page's
 * opening state ("open now") changes. The gzip form is made once, here. */
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "landing.h"

#define BUCKETS 4096
/* remembered misses, at most: names are the client's choice, so a flood of
 * made-up hosts must not push real pages out */
#define MAX_NEGATIVE 4096

struct cache_entry {
	struct cache_entry *hnext;       /* hash chain */
	struct cache_entry *prev, *next; /* LRU list, most recent first */
	atomic_int refs;                 /* the table's (while linked) + users' */
	int linked;
	char *key, *page_id; /* page_id NULL: a remembered "no page" */
	long long version;
	char *html;
	size_t len;
	unsigned char *gz; /* NULL when gzip would not make it smaller */
	size_t gzlen;
	char etag[32], etag_gz[36];
	long long expires_ms;    /* monotonic; the opening state changes */
	atomic_llong checked_ms; /* monotonic; last confirmed current */
	size_t bytes;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct cache_entry *table[BUCKETS];
static struct cache_entry *lru_head, *lru_tail;
static size_t total_bytes, negatives;

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h % BUCKETS;
}

static void entry_free(struct cache_entry *e)
{
	free(e->key);
	free(e->page_id);
	free(e->html);
	free(e->gz);
	free(e);
}

void cache_release(struct cache_entry *e)
{
	if (e && atomic_fetch_sub(&e->refs, 1) == 1)
		entry_free(e);
}

/* Under mu: takes e out of the table and the list, dropping the table's
 * reference (freed now unless a user still holds it). */
static void unlink_entry(struct cache_entry *e)
{
	struct cache_entry **pp = &table[hash(e->key)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	if (e->prev)
		e->prev->next = e->next;
	else
		lru_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		lru_tail = e->prev;
	e->linked = 0;
	total_bytes -= e->bytes;
	negatives -= !e->page_id;
	cache_release(e);
}

static void lru_front(struct cache_entry *e)
{
	if (lru_head == e)
		return;
	if (e->prev)
		e->prev->next = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		lru_tail = e->prev;
	e->prev = NULL;
	e->next = lru_head;
	if (lru_head)
		lru_head->prev = e;
	lru_head = e;
	if (!lru_tail)
		lru_tail = e;
}

struct cache_entry *cache_get(const char *key, int *state)
{
	struct cache_entry *e;
	long long now = mono_ms();

	pthread_mutex_lock(&mu);
	for (e = table[hash(key)]; e; e = e->hnext)
		if (strcmp(e->key, key) == 0)
			break;
	if (e) {
		lru_front(e);
		atomic_fetch_add(&e->refs, 1);
	}
	pthread_mutex_unlock(&mu);
	if (e)
		*state = now >= e->expires_ms ? CACHE_EXPIRED
		         : now - atomic_load(&e->checked_ms) < lp_cf.cache_revalidate_ms
		             ? CACHE_FRESH
		             : CACHE_STALE;
	return e;
}

void cache_touch(struct cache_entry *e)
{
	atomic_store(&e->checked_ms, mono_ms());
}

/* gzip of e->html, kept only when it saves something. */
static void gzip_entry(struct cache_entry *e)
{
	z_stream z;
	uLong cap;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return;
	cap = deflateBound(&z, (uLong)e->len);
	e->gz = malloc(cap);
	if (e->gz) {
		z.next_in = (Bytef *)e->html;
		z.avail_in = (uInt)e->len;
		z.next_out = e->gz;
		z.avail_out = (uInt)cap;
		if (deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < e->len) {
			e->gzlen = z.total_out;
		} else {
			free(e->gz);
			e->gz = NULL;
		}
	}
	deflateEnd(&z);
}

static void make_etags(struct cache_entry *e)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	char h[21];

	SHA256((const unsigned char *)e->html, e->len, md);
	for (int i = 0; i < 10; i++) {
		h[2 * i] = hex[md[i] >> 4];
		h[2 * i + 1] = hex[md[i] & 15];
	}
	h[20] = '\0';
	snprintf(e->etag, sizeof e->etag, "\"%s\"", h);
	snprintf(e->etag_gz, sizeof e->etag_gz, "\"%s-gz\"", h);
}

struct cache_entry *cache_put(const char *key, const char *page_id, long long version,
                              const char *html, size_t len, long long valid_s)
{
	struct cache_entry *e = calloc(1, sizeof *e), *old;
	long long now = mono_ms();

	if (!e)
		return NULL;
	e->key = strdup(key);
	e->page_id = page_id ? strdup(page_id) : NULL;
	e->version = version;
	if (html) {
		e->html = malloc(len + 1);
		if (e->html) {
			memcpy(e->html, html, len);
			e->html[len] = '\0';
			e->len = len;
			gzip_entry(e);
			make_etags(e);
		}
	}
	if (!e->key || (page_id && !e->page_id) || (html && !e->html)) {
		entry_free(e);
		return NULL;
	}
	e->expires_ms = now + (valid_s > 0 ? valid_s : 1) * 1000;
	atomic_init(&e->checked_ms, now);
	e->bytes = sizeof *e + strlen(key) + e->len + e->gzlen + 64;
	atomic_init(&e->refs, 1); /* the caller's */
	if (e->bytes > (size_t)lp_cf.cache_max_bytes)
		return e; /* too big to keep: served once, then freed */

	pthread_mutex_lock(&mu);
	if (!page_id && negatives >= MAX_NEGATIVE) {
		pthread_mutex_unlock(&mu);
		return e; /* not remembered: the next request asks the database */
	}
	for (old = table[hash(key)]; old; old = old->hnext)
		if (strcmp(old->key, key) == 0)
			break;
	if (old)
		unlink_entry(old);
	atomic_fetch_add(&e->refs, 1); /* the table's */
	e->linked = 1;
	e->hnext = table[hash(key)];
	table[hash(key)] = e;
	e->next = lru_head;
	if (lru_head)
		lru_head->prev = e;
	lru_head = e;
	if (!lru_tail)
		lru_tail = e;
	total_bytes += e->bytes;
	negatives += !page_id;
	while (total_bytes > (size_t)lp_cf.cache_max_bytes && lru_tail && lru_tail != e)
		unlink_entry(lru_tail);
	pthread_mutex_unlock(&mu);
	return e;
}

void cache_invalidate_page(const char *page_id)
{
	tls_ask_forget(); /* a page changed: so may the TLS ask's answers */
	pthread_mutex_lock(&mu);
	for (struct cache_entry *e = lru_head, *next; e; e = next) {
		next = e->next;
		/* remembered misses go too: the change may be what makes them a page */
		if (!e->page_id || strcmp(e->page_id, page_id) == 0)
			unlink_entry(e);
	}
	pthread_mutex_unlock(&mu);
}

void cache_clear(void)
{
	tls_ask_forget();
	pthread_mutex_lock(&mu);
	while (lru_head)
		unlink_entry(lru_head);
	pthread_mutex_unlock(&mu);
}

const char *cache_page_id(const struct cache_entry *e)
{
	return e->page_id;
}

long long cache_version(const struct cache_entry *e)
{
	return e->version;
}

const char *cache_etag(const struct cache_entry *e, int gz)
{
	return gz && e->gz ? e->etag_gz : e->etag;
}

const char *cache_body(const struct cache_entry *e, int gz, size_t *len)
{
	if (gz && e->gz) {
		*len = e->gzlen;
		return (const char *)e->gz;
	}
	*len = e->len;
	return e->html;
}

int cache_has_gzip(const struct cache_entry *e)
{
	return e->gz != NULL;
}
