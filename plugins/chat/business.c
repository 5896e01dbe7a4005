/* business.c — what the bot knows about a business: the owner's landing page
 * configuration (when the landing plugin's table exists), the owner's
 * knowledge base (chat_kb) and the key's own FAQ and price list
 * (chat_knowledge), merged by kb_view.c. Read on the hottest path, so kept in
 * process memory for cache_ms (default 10 s): an edit through this process
 * is seen at once (business_forget), other processes see it within cache_ms.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chat.h"

#define SLOTS 1024

struct entry {
	char key_id[40], user_id[40];
	char *landing, *kb, *faq, *prices; /* JSON text or NULL */
	long long tz_offset;               /* seconds east of UTC */
	long long expires_ms;
};

static struct entry cache[SLOTS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
/* 1: landing_pages exists (it does not go away while we run); else the
 * monotonic ms after which to look again. */
static int landing_exists;
static long long landing_recheck_ms;

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned slot_of(const char *id)
{
	unsigned h = 2166136261u;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h % SLOTS;
}

static void entry_clear(struct entry *e)
{
	free(e->landing);
	free(e->kb);
	free(e->faq);
	free(e->prices);
	memset(e, 0, sizeof(*e));
}

void business_forget(const char *key_id)
{
	pthread_mutex_lock(&mu);
	struct entry *e = &cache[slot_of(key_id)];
	if (strcmp(e->key_id, key_id) == 0)
		entry_clear(e);
	pthread_mutex_unlock(&mu);
}

void business_forget_user(const char *user_id)
{
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < SLOTS; i++)
		if (strcmp(cache[i].user_id, user_id) == 0)
			entry_clear(&cache[i]);
	pthread_mutex_unlock(&mu);
}

void business_cache_free(void)
{
	for (size_t i = 0; i < SLOTS; i++)
		entry_clear(&cache[i]);
}

static int has_landing(cb_req *req)
{
	int known;
	long long now = mono_ms();

	pthread_mutex_lock(&mu);
	known = landing_exists || now < landing_recheck_ms;
	int exists = landing_exists;
	pthread_mutex_unlock(&mu);
	if (known)
		return exists;
	cb_res *r = cb_db_q0(req, "SELECT to_regclass('landing_pages') IS NOT NULL AS e");
	exists = r && cb_res_bool(r, 0, "e");
	pthread_mutex_lock(&mu);
	landing_exists = exists;
	landing_recheck_ms = now + 5000;
	pthread_mutex_unlock(&mu);
	return exists;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Fills e from the database. CB_OK or CB_EDB. */
static int fetch(cb_req *req, const char *key_id, const char *user_id, struct entry *e)
{
	static const char *const knowledge =
	    "(SELECT faq::text FROM chat_knowledge WHERE client_key_id = $2) AS faq, "
	    "(SELECT prices::text FROM chat_knowledge WHERE client_key_id = $2) AS prices, "
	    "(SELECT doc::text FROM chat_kb WHERE user_id = $1) AS kb, "
	    "extract(epoch FROM (now() AT TIME ZONE $3) - (now() AT TIME ZONE 'UTC'))::bigint "
	    "AS tz";
	const char *sql;
	cb_res *r;

	if (has_landing(req))
		sql = cb_sprintf(req,
		                 "SELECT (SELECT configuration::text FROM landing_pages "
		                 "WHERE user_id = $1 ORDER BY is_published DESC, updated_at DESC "
		                 "LIMIT 1) AS landing, %s",
		                 knowledge);
	else
		sql = cb_sprintf(req, "SELECT NULL::text AS landing, %s WHERE $1::uuid IS NOT NULL",
		                 knowledge);
	r = cb_db_q(req, sql, user_id, key_id, chat_cf.timezone);
	if (!r)
		return CB_EDB;
	snprintf(e->key_id, sizeof(e->key_id), "%s", key_id);
	snprintf(e->user_id, sizeof(e->user_id), "%s", user_id);
	e->kb = dup_or_null(cb_res_val(r, 0, "kb"));
	e->landing = dup_or_null(cb_res_val(r, 0, "landing"));
	e->faq = dup_or_null(cb_res_val(r, 0, "faq"));
	e->prices = dup_or_null(cb_res_val(r, 0, "prices"));
	e->tz_offset = cb_res_int(r, 0, "tz");
	e->expires_ms = mono_ms() + chat_cf.cache_ms;
	return CB_OK;
}

static const char *first_str(const cb_json *o, const char *a, const char *b)
{
	const char *s = cb_json_get_str(o, a);

	return s && *s ? s : b ? cb_json_get_str(o, b) : NULL;
}

static void parse_landing(cb_req *req, const char *text, struct business *b)
{
	cb_json *c = text ? cb_json_parse(req, text, strlen(text), NULL, 0) : NULL;
	const cb_json *ci = cb_json_get(c, "contact_info");

	if (!ci)
		ci = cb_json_get(c, "contact");
	b->name = first_str(c, "business_name", "name");
	b->description = first_str(c, "business_description", "description");
	b->phone = first_str(ci, "phone", NULL);
	b->email = first_str(ci, "email", NULL);
	b->address = first_str(ci, "address", NULL);
	b->locale = first_str(c, "locale", NULL);
	b->primary_color = first_str(cb_json_get(c, "theme"), "primary_color", NULL);
}

int business_load(cb_req *req, const char *key_id, const char *user_id, struct business *out)
{
	struct entry e;
	unsigned s = slot_of(key_id);
	int hit;

	memset(out, 0, sizeof(*out));
	memset(&e, 0, sizeof(e));
	pthread_mutex_lock(&mu);
	hit = strcmp(cache[s].key_id, key_id) == 0 && cache[s].expires_ms > mono_ms();
	if (hit) {
		e.landing = cb_strdup(req, cache[s].landing);
		e.kb = cb_strdup(req, cache[s].kb);
		e.faq = cb_strdup(req, cache[s].faq);
		e.prices = cb_strdup(req, cache[s].prices);
		e.tz_offset = cache[s].tz_offset;
	}
	pthread_mutex_unlock(&mu);
	if (!hit) {
		struct entry fresh;
		memset(&fresh, 0, sizeof(fresh));
		if (fetch(req, key_id, user_id, &fresh) != CB_OK)
			return CB_EDB;
		e.landing = cb_strdup(req, fresh.landing);
		e.kb = cb_strdup(req, fresh.kb);
		e.faq = cb_strdup(req, fresh.faq);
		e.prices = cb_strdup(req, fresh.prices);
		e.tz_offset = fresh.tz_offset;
		pthread_mutex_lock(&mu);
		entry_clear(&cache[s]);
		cache[s] = fresh; /* the cache takes the malloc'd strings */
		pthread_mutex_unlock(&mu);
	}
	parse_landing(req, e.landing, out);
	kb_apply(req, out, e.landing, e.kb, e.faq, e.prices);

	long long t = (long long)time(NULL) + e.tz_offset;
	long long days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	out->now.dow = (int)((days + 3) % 7); /* 1970-01-01 was a Thursday */
	if (out->now.dow < 0)
		out->now.dow += 7;
	out->now.minute = (int)((t - days * 86400) / 60);
	out->now.day = (long)days;
	return CB_OK;
}
