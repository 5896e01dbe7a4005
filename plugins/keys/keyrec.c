/* keyrec.c — a key as validation sees it, and its cache in Redis.
 *
 * A validated key is cached as JSON for at most cache_ttl seconds (the spec's
 * five minutes) under its hash (validate) and its id (record_usage). Only
 * found keys are cached; an unknown key costs one indexed lookup, behind the
 * per-IP rate limit.
 *
 * Changes must take effect at once, so every change drops both entries
 * (keyrec_forget), before and after its commit. A validation running
 * concurrently with a change could still read the old row and cache it after
 * the change dropped the entries; a generation counter prevents that: a
 * loader reads keys:gen before its query and stores its result only if
 * keys:gen is unchanged, and every forget increments it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keys.h"

#define GEN_KEY  "keys:gen"
#define MEMO_KEY "keys.rec" /* request attribute: the last record loaded, JSON */

static const char store_script[] =
    "if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end\n"
    "redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])\n"
    "redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])\n"
    "return 1\n";

static const char forget_script[] = "redis.call('INCR', KEYS[1])\n"
                                    "redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])\n"
                                    "return 1\n";

#define REC_SQL                                                                                    \
	"SELECT k.id, k.user_id, u.subscription_tier AS tier, k.environment, k.domain, "           \
	"encode(k.key_hash, 'hex') AS key_hash, k.domain_verified, k.is_active, "                  \
	"k.revoked_at IS NOT NULL AS revoked, "                                                    \
	"COALESCE(floor(extract(epoch FROM k.expires_at))::bigint, 0) AS expires_at, "             \
	"k.usage_limit, p.idx AS period, "                                                         \
	"floor(extract(epoch FROM keys_period_bound(k.period_start, p.idx)))::bigint "             \
	"AS period_start, "                                                                        \
	"floor(extract(epoch FROM keys_period_bound(k.period_start, p.idx + 1)))::bigint "         \
	"AS period_end, "                                                                          \
	"COALESCE(s.conversations, 0) AS conversations, COALESCE(s.messages, 0) AS messages "      \
	"FROM " KEY_FROM("client_keys") " WHERE u.deleted_at IS NULL AND "

static const char *const str_fields[] = {"id",          "user_id", "tier",
                                         "environment", "domain",  "key_hash"};
static const char *const bool_fields[] = {"domain_verified", "is_active", "revoked"};
static const char *const int_fields[] = {"expires_at", "usage_limit",   "period",  "period_start",
                                         "period_end", "conversations", "messages"};

static const char **str_slot(struct keyrec *r, size_t i)
{
	const char **slots[] = {&r->id,          &r->user_id, &r->tier,
	                        &r->environment, &r->domain,  &r->key_hash};
	return slots[i];
}

static int *bool_slot(struct keyrec *r, size_t i)
{
	int *slots[] = {&r->domain_verified, &r->is_active, &r->revoked};
	return slots[i];
}

static long long *int_slot(struct keyrec *r, size_t i)
{
	long long *slots[] = {&r->expires_at, &r->usage_limit,   &r->period,  &r->period_start,
	                      &r->period_end, &r->conversations, &r->messages};
	return slots[i];
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void from_row(cb_req *req, const cb_res *res, struct keyrec *r)
{
	for (size_t i = 0; i < N(str_fields); i++)
		*str_slot(r, i) = cb_strdup(req, cb_res_val(res, 0, str_fields[i]));
	for (size_t i = 0; i < N(bool_fields); i++)
		*bool_slot(r, i) = cb_res_bool(res, 0, bool_fields[i]);
	for (size_t i = 0; i < N(int_fields); i++)
		*int_slot(r, i) = cb_res_int(res, 0, int_fields[i]);
}

static char *to_json(cb_req *req, struct keyrec *r)
{
	cb_json *o = cb_json_new_object(req);

	for (size_t i = 0; i < N(str_fields); i++)
		cb_json_set_str(o, str_fields[i], *str_slot(r, i));
	for (size_t i = 0; i < N(bool_fields); i++)
		cb_json_set_bool(o, bool_fields[i], *bool_slot(r, i));
	for (size_t i = 0; i < N(int_fields); i++)
		cb_json_set_int(o, int_fields[i], *int_slot(r, i));
	return cb_json_dump(req, o, NULL);
}

/* 1 when text is a complete cached record. */
static int from_json(cb_req *req, const char *text, size_t len, struct keyrec *r)
{
	cb_json *o = cb_json_parse(req, text, len, NULL, 0);

	for (size_t i = 0; i < N(str_fields); i++)
		if (!(*str_slot(r, i) = cb_json_get_str(o, str_fields[i])))
			return 0;
	for (size_t i = 0; i < N(bool_fields); i++)
		if (cb_json_bool(cb_json_get(o, bool_fields[i]), bool_slot(r, i)) != CB_OK)
			return 0;
	for (size_t i = 0; i < N(int_fields); i++)
		if (cb_json_int(cb_json_get(o, int_fields[i]), int_slot(r, i)) != CB_OK)
			return 0;
	return 1;
}

static const char *cache_key(cb_req *req, int by_id, const char *v)
{
	return cb_sprintf(req, "keys:rec:%s:%s", by_id ? "i" : "h", v);
}

const char *keyrec_cache_key(cb_req *req, const char *hash_hex)
{
	return cache_key(req, 0, hash_hex);
}

void keyrec_memo(cb_req *req, const cb_redis_reply *cached)
{
	if (cb_redis_type(cached) == CB_REDIS_STRING)
		cb_req_set(req, MEMO_KEY, cb_redis_str(cached, NULL));
}

void keyrec_memo_text(cb_req *req, const char *text)
{
	cb_req_set(req, MEMO_KEY, text);
}

const char *keyrec_memoised(cb_req *req)
{
	const char *text = cb_req_get(req, MEMO_KEY);

	return text && *text ? text : NULL;
}

/* 1 when text is a complete record of v whose period has not ended (a
 * record of an ended period holds the wrong counts). */
static int usable(cb_req *req, const char *text, size_t len, const char *v, int by_id,
                  struct keyrec *out)
{
	if (!text || !from_json(req, text, len, out) ||
	    strcmp(by_id ? out->id : out->key_hash, v) != 0)
		return 0;
	return out->period_end > (long long)time(NULL);
}

int keyrec_parse(cb_req *req, const char *text, const char *hash_hex, struct keyrec *out)
{
	if (text && usable(req, text, strlen(text), hash_hex, 0, out))
		return 1;
	memset(out, 0, sizeof(*out));
	return 0;
}

static int from_memo(cb_req *req, const char *v, int by_id, struct keyrec *out)
{
	const char *text = cb_req_get(req, MEMO_KEY);

	if (text && usable(req, text, strlen(text), v, by_id, out))
		return 1;
	memset(out, 0, sizeof(*out));
	return 0;
}

static int from_cache(cb_req *req, const char *v, int by_id, struct keyrec *out)
{
	cb_redis_reply *r = cb_redis_c(req, "GET", cache_key(req, by_id, v));
	size_t len = 0;
	const char *text = cb_redis_str(r, &len);

	if (cb_redis_type(r) != CB_REDIS_STRING || !usable(req, text, len, v, by_id, out))
		return 0;
	cb_req_set(req, MEMO_KEY, text);
	return 1;
}

static void to_cache(cb_req *req, const char *gen, struct keyrec *rec)
{
	long long ttl = keys_cf.cache_ttl, left = rec->period_end - (long long)time(NULL);
	const char *args[6];

	if (left < ttl)
		ttl = left;
	if (ttl < 1)
		return;
	args[0] = GEN_KEY;
	args[1] = cache_key(req, 0, rec->key_hash);
	args[2] = cache_key(req, 1, rec->id);
	args[3] = gen;
	args[4] = to_json(req, rec);
	args[5] = cb_sprintf(req, "%lld", ttl);
	lua_eval(req, store_script, 3, 6, args);
}

int keyrec_load(cb_req *req, const char *v, int by_id, struct keyrec *out)
{
	const char *gen = NULL;
	cb_redis_reply *g;
	cb_res *res;

	memset(out, 0, sizeof(*out));
	if (from_memo(req, v, by_id, out))
		return CB_OK;
	if (keys_cf.cache_ttl > 0) {
		if (from_cache(req, v, by_id, out))
			return CB_OK;
		g = cb_redis_c(req, "GET", GEN_KEY);
		if (cb_redis_type(g) == CB_REDIS_STRING)
			gen = cb_strdup(req, cb_redis_str(g, NULL));
		else if (cb_redis_type(g) == CB_REDIS_NIL && g)
			gen = "0";
	}
	if (by_id)
		res = cb_db_q(req, REC_SQL "k.id = $1", v);
	else
		res = cb_db_q(req, REC_SQL "k.key_hash = decode($1, 'hex')", v);
	if (!res) {
		cb_log(req, CB_LOG_ERROR, "key lookup: database error %s: %s", cb_db_sqlstate(req),
		       cb_db_errmsg(req));
		return CB_EDB;
	}
	if (cb_res_rows(res) != 1)
		return CB_ENOTFOUND;
	from_row(req, res, out);
	if (gen)
		to_cache(req, gen, out);
	cb_req_set(req, MEMO_KEY, to_json(req, out));
	return CB_OK;
}

int keyrec_forget(cb_req *req, const char *id, const char *hash_hex, const char *old_hash_hex)
{
	const char *args[4] = {GEN_KEY, cache_key(req, 1, id), cache_key(req, 0, hash_hex),
	                       cache_key(req, 0, old_hash_hex ? old_hash_hex : hash_hex)};

	cb_req_set(req, MEMO_KEY, ""); /* this request's copy is stale too */
	hint_drop(hash_hex);           /* and this process's; others learn from Redis */
	if (old_hash_hex)
		hint_drop(old_hash_hex);

	return lua_eval(req, forget_script, 4, 4, args) ? CB_OK : CB_EREDIS;
}
