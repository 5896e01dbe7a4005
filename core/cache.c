/* cache.c — the one in-process cache (cache.h, since 1.6): a hash table of
 * string keys with a doubly linked LRU list, a TTL per entry and a bound on
 * the number of entries. One mutex per cache, held only for memory work. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

struct entry {
	struct entry *hnext;       /* hash chain */
	struct entry *prev, *next; /* LRU list: head = most recently used */
	char *key;
	void *val;
	size_t len;
	double expires;
};

struct cb_cache {
	pthread_mutex_t mu;
	struct entry **buckets;
	size_t nbuckets, n, max;
	double ttl;
	struct entry *head, *tail;
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

cb_cache *cb_cache_new(size_t max_entries, int ttl_s)
{
	if (max_entries < 1 || max_entries > 1000000 || ttl_s < 1 || ttl_s > 604800)
		return NULL;
	cb_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->nbuckets = 16;
	while (c->nbuckets < max_entries)
		c->nbuckets <<= 1;
	c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
	if (!c->buckets) {
		free(c);
		return NULL;
	}
	c->max = max_entries;
	c->ttl = ttl_s;
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

static struct entry **slot(cb_cache *c, const char *key)
{
	struct entry **e = &c->buckets[hash(key) & (c->nbuckets - 1)];
	while (*e && strcmp((*e)->key, key) != 0)
		e = &(*e)->hnext;
	return e;
}

static void lru_unlink(cb_cache *c, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_front(cb_cache *c, struct entry *e)
{
	e->next = c->head;
	e->prev = NULL;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
}

/* Unlinks and frees the entry *at points to. */
static void drop(cb_cache *c, struct entry **at)
{
	struct entry *e = *at;
	*at = e->hnext;
	lru_unlink(c, e);
	free(e->key);
	free(e->val);
	free(e);
	c->n--;
}

int cb_cache_put(cb_cache *c, const char *key, const void *val, size_t len)
{
	if (!c || !key || !*key)
		return CB_EINVAL;
	if (strlen(key) > 1024)
		return CB_ETOOBIG;
	void *copy = malloc(len + 1);
	if (!copy)
		return CB_ENOMEM;
	if (len)
		memcpy(copy, val, len);
	((char *)copy)[len] = '\0';
	pthread_mutex_lock(&c->mu);
	struct entry **at = slot(c, key);
	if (*at)
		drop(c, at);
	while (c->n >= c->max && c->tail)
		drop(c, slot(c, c->tail->key));
	struct entry *e = calloc(1, sizeof *e);
	e->key = strdup(key);
	e->val = copy;
	e->len = len;
	e->expires = mono_s() + c->ttl;
	at = slot(c, key);
	*at = e;
	lru_front(c, e);
	c->n++;
	pthread_mutex_unlock(&c->mu);
	return CB_OK;
}

void *cb_cache_get(cb_cache *c, cb_req *req, const char *key, size_t *len)
{
	void *out = NULL;
	if (!c || !key)
		return NULL;
	pthread_mutex_lock(&c->mu);
	struct entry **at = slot(c, key);
	if (*at && (*at)->expires <= mono_s())
		drop(c, at);
	else if (*at) {
		struct entry *e = *at;
		lru_unlink(c, e);
		lru_front(c, e);
		out = cb_alloc(req, e->len + 1);
		memcpy(out, e->val, e->len + 1);
		if (len)
			*len = e->len;
	}
	pthread_mutex_unlock(&c->mu);
	return out;
}

int cb_cache_del(cb_cache *c, const char *key)
{
	int rc = CB_ENOTFOUND;
	if (!c || !key)
		return CB_EINVAL;
	pthread_mutex_lock(&c->mu);
	struct entry **at = slot(c, key);
	if (*at) {
		drop(c, at);
		rc = CB_OK;
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

void cb_cache_clear(cb_cache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	while (c->head)
		drop(c, slot(c, c->head->key));
	pthread_mutex_unlock(&c->mu);
}

void cb_cache_free(cb_cache *c)
{
	if (!c)
		return;
	cb_cache_clear(c);
	pthread_mutex_destroy(&c->mu);
	free(c->buckets);
	free(c);
}
