/* usage.c — usage counting: hot counters in Redis, flushed to PostgreSQL.
 *
 * Every key has monthly periods (keys_period_index in the migration). Per
 * key and period Redis holds two counters, keys:use:ID:PERIOD:c
 * (conversations) and :m (messages), and per key the last use keys:last:ID
 * (unix seconds). A count is checked and incremented in one Lua script, so
 * concurrent requests of any number of carbotd processes never take a count
 * past its limit. A counter Redis does not have (new period, or Redis lost
 * its data) starts from the value flushed to PostgreSQL.
 *
 * Each change adds "ID:PERIOD" to the set keys:dirty. The durable job
 * keys.flush_usage (queued at most once per flush_interval, by whoever first
 * finds the flag keys:flush unset) writes those counters to
 * client_key_usage with GREATEST, so a flush never lowers a count and may
 * safely run twice; it removes a member only when none of its counters
 * changed since it read them (one more script), so a count made during a
 * flush is flushed by the next one. Reads (GET /client-keys) show the larger
 * of PostgreSQL and Redis, so they are exact between flushes.
 *
 * The job is queued on the using request's connection: inside a transaction
 * that then rolls back it is lost, and the next use after the flag expires
 * queues another.
 *
 * What can be lost: if Redis loses its data (no persistence), the counts since
 * the last flush (at most flush_interval seconds of them). Run Redis with
 * appendonly for stronger guarantees.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keys.h"

#define DIRTY_KEY   "keys:dirty"
#define FLAG_KEY    "keys:flush"
#define LAST_TTL    "5356800"   /* 62 days */
#define GRACE_S     (7 * 86400) /* counters outlive their period for late flushes */
#define FLUSH_BATCH 2000        /* members per job run */

/* keys: counters c and m, last use, dirty set, flush flag; now, member,
 * flush interval: USAGE_TOUCH_N strings as usage_touch_args gives them */
#define TOUCH_FUNCTION                                                                             \
	"local function touch(kc, km, klast, kdirty, kflag, now, member, interval)\n"              \
	"  redis.call('SET', klast, now, 'EX', " LAST_TTL ")\n"                                    \
	"  redis.call('SADD', kdirty, member)\n"                                                   \
	"  local f = redis.call('SET', kflag, '1', 'NX', 'EX', interval)\n"                        \
	"  return {redis.call('GET', kc) or '', redis.call('GET', km) or '', f and 1 or 0}\n"      \
	"end\n"

static const char touch_script[] =
    TOUCH_FUNCTION "return touch(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2],"
                   " ARGV[3])\n";

const char *usage_touch_lua(void)
{
	return TOUCH_FUNCTION;
}

/* keys: the counter, the dirty set, the flush flag; then the limit (-1:
 * none), the counter's TTL, the dirty member, the flush interval and the
 * value to start from when Redis has no counter ('' to ask the caller:
 * {-2, 0, 0}). {1, n, flag} counted, {-1, n, 0} at the limit. */
#define COUNT_FUNCTION                                                                             \
	"local function count(kc, kdirty, kflag, limit, ttl, member, interval, init)\n"            \
	"  local n = redis.call('GET', kc)\n"                                                      \
	"  if not n then\n"                                                                        \
	"    if init == '' then return {-2, 0, 0} end\n"                                           \
	"    redis.call('SET', kc, init, 'NX', 'EX', ttl)\n"                                       \
	"    n = redis.call('GET', kc)\n"                                                          \
	"  end\n"                                                                                  \
	"  n = tonumber(n)\n"                                                                      \
	"  limit = tonumber(limit)\n"                                                              \
	"  if limit >= 0 and n >= limit then return {-1, n, 0} end\n"                              \
	"  n = redis.call('INCR', kc)\n"                                                           \
	"  redis.call('SADD', kdirty, member)\n"                                                   \
	"  local f = redis.call('SET', kflag, '1', 'NX', 'EX', interval)\n"                        \
	"  return {1, n, f and 1 or 0}\n"                                                          \
	"end\n"
#define COUNT_N 8 /* 3 keys, 5 arguments */

static const char count_script[] =
    COUNT_FUNCTION "return count(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4],"
                   " ARGV[5])\n";

/* The count behind a caller's rate limit (keys 4 and 5, limit and window
 * in ms as arguments 6 and 7): counted only when the limit allows. */
#define GUARDED_N (COUNT_N + 4)
static char guarded_buf[4096];
static pthread_once_t guarded_once = PTHREAD_ONCE_INIT;

static void build_guarded(void)
{
	snprintf(guarded_buf, sizeof(guarded_buf),
	         "%s" COUNT_FUNCTION
	         "local g = cb_ratelimit(KEYS[4], KEYS[5], tonumber(ARGV[6]), tonumber(ARGV[7]),"
	         " 0, 1)\n"
	         "if g[1] == 0 then return {g} end\n"
	         "return {g, count(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3],"
	         " ARGV[4], ARGV[5])}\n",
	         cb_ratelimit_lua());
}

static const char *guarded_script(void)
{
	pthread_once(&guarded_once, build_guarded);
	return guarded_buf;
}

static const char settle_script[] = "if (redis.call('GET', KEYS[1]) or '') == ARGV[1] and"
                                    " (redis.call('GET', KEYS[2]) or '') == ARGV[2] and"
                                    " (redis.call('GET', KEYS[3]) or '') == ARGV[3] then\n"
                                    "  redis.call('SREM', KEYS[4], ARGV[4]) return 1\n"
                                    "end\n"
                                    "return 0\n";

static const char *counter_key(cb_req *req, const char *id, long long period, char kind)
{
	return cb_sprintf(req, "keys:use:%s:%lld:%c", id, period, kind);
}

static const char *last_key(cb_req *req, const char *id)
{
	return cb_sprintf(req, "keys:last:%s", id);
}

/* The flag was free: this request queues the next flush. */
static void schedule_flush(cb_req *req)
{
	if (cb_job_enqueue(req, FLUSH_JOB, NULL, keys_cf.flush_interval, NULL) != CB_OK)
		cb_log(req, CB_LOG_WARN, "usage flush not queued; the next use queues it");
}

void usage_touch_args(cb_req *req, const struct keyrec *rec, const char **args)
{
	const char *a[USAGE_TOUCH_N] = {counter_key(req, rec->id, rec->period, 'c'),
	                                counter_key(req, rec->id, rec->period, 'm'),
	                                last_key(req, rec->id),
	                                DIRTY_KEY,
	                                FLAG_KEY,
	                                cb_sprintf(req, "%lld", (long long)time(NULL)),
	                                cb_sprintf(req, "%s:%lld", rec->id, rec->period),
	                                cb_sprintf(req, "%lld", keys_cf.flush_interval)};

	memcpy(args, a, sizeof(a));
}

void usage_touch_queue(cb_req *req, cb_redis_pipe *p, const struct keyrec *rec, struct touch *t)
{
	usage_touch_args(req, rec, t->args);
	t->i = lua_queue(p, touch_script, 5, USAGE_TOUCH_N, t->args);
}

int usage_touch_read(cb_req *req, cb_redis_pipe *p, struct touch *t, const struct keyrec *rec,
                     long long *conv, long long *msg)
{
	return usage_touch_apply(
	    req, lua_queued(req, p, t->i, touch_script, 5, USAGE_TOUCH_N, t->args), rec, conv, msg);
}

int usage_touch_apply(cb_req *req, const cb_redis_reply *r, const struct keyrec *rec,
                      long long *conv, long long *msg)
{
	long long c, m;

	*conv = rec->conversations;
	*msg = rec->messages;
	if (cb_redis_type(r) != CB_REDIS_ARRAY || cb_redis_len(r) != 3)
		return CB_EREDIS;
	c = reply_num(cb_redis_at(r, 0), -1);
	m = reply_num(cb_redis_at(r, 1), -1);
	if (c > *conv)
		*conv = c;
	if (m > *msg)
		*msg = m;
	if (cb_redis_int(cb_redis_at(r, 2)) == 1)
		schedule_flush(req);
	return CB_OK;
}

int usage_touch(cb_req *req, const struct keyrec *rec, long long *conv, long long *msg)
{
	cb_redis_pipe *p = cb_redis_pipe_new(req);
	struct touch t;

	usage_touch_queue(req, p, rec, &t);
	cb_redis_pipe_run(p);
	return usage_touch_read(req, p, &t, rec, conv, msg);
}

/* The flushed count of kind for rec's period, read fresh; -1 on failure. */
static long long flushed(cb_req *req, const struct keyrec *rec, char kind)
{
	cb_res *res = cb_db_q(req,
	                      "SELECT conversations, messages FROM client_key_usage "
	                      "WHERE key_id = $1 AND period = $2::int",
	                      rec->id, cb_sprintf(req, "%lld", rec->period));

	if (!res)
		return -1;
	if (cb_res_rows(res) == 0)
		return 0;
	return cb_res_int(res, 0, kind == 'c' ? "conversations" : "messages");
}

/* The count's limit into out and its COUNT_N keys and arguments into a. */
static void count_prepare(cb_req *req, const struct keyrec *rec, char k, struct keys_usage *out,
                          const char **a)
{
	long long now = (long long)time(NULL), limit;

	out->hit.period_end = rec->period_end;
	if (k == 'c') {
		out->hit.name = "conversations";
		limit = tier_conversations(rec->tier);
	} else {
		limit = messages_max(rec->tier, rec->usage_limit, &out->hit.name);
	}
	out->hit.max = limit;
	a[0] = counter_key(req, rec->id, rec->period, k);
	a[1] = DIRTY_KEY;
	a[2] = FLAG_KEY;
	a[3] = cb_sprintf(req, "%lld", limit);
	a[4] = cb_sprintf(req, "%lld", rec->period_end - now + GRACE_S);
	a[5] = cb_sprintf(req, "%s:%lld", rec->id, rec->period);
	a[6] = cb_sprintf(req, "%lld", keys_cf.flush_interval);
	a[7] = "";
}

/* What the count's reply r says (a counter Redis does not have is started
 * from PostgreSQL's value and counted again). */
static int count_finish(cb_req *req, const struct keyrec *rec, char k, const char **a,
                        const cb_redis_reply *r, struct keys_usage *out)
{
	long long init;

	if (cb_redis_type(r) == CB_REDIS_ARRAY && cb_redis_int(cb_redis_at(r, 0)) == -2) {
		init = flushed(req, rec, k);
		if (init < 0)
			return KEYS_UNAVAILABLE;
		a[7] = cb_sprintf(req, "%lld", init);
		r = lua_eval(req, count_script, 3, COUNT_N, a);
	}
	if (cb_redis_type(r) != CB_REDIS_ARRAY || cb_redis_len(r) != 3)
		return KEYS_UNAVAILABLE;
	out->hit.used = cb_redis_int(cb_redis_at(r, 1));
	out->remaining = out->hit.max < 0 ? -1 : out->hit.max - out->hit.used;
	if (cb_redis_int(cb_redis_at(r, 2)) == 1)
		schedule_flush(req);
	return cb_redis_int(cb_redis_at(r, 0)) == 1 ? KEYS_OK : KEYS_OVER_LIMIT;
}

static char kind_char(const char *kind)
{
	return strcmp(kind, "conversation") == 0 ? 'c' : 'm';
}

int usage_record(cb_req *req, const struct keyrec *rec, const char *kind, struct keys_usage *out)
{
	const char *a[COUNT_N];
	char k = kind_char(kind);

	count_prepare(req, rec, k, out, a);
	return count_finish(req, rec, k, a, lua_eval(req, count_script, 3, COUNT_N, a), out);
}

struct keys_pending {
	struct keyrec rec;
	char k;
	long long limit;
	const char *a[COUNT_N], *g[GUARDED_N];
	struct keys_usage u;
	int i;
};

struct keys_pending *usage_queue(cb_req *req, cb_redis_pipe *p, const struct keyrec *rec,
                                 const char *kind, const char *limit_key, long long limit,
                                 long long window_s)
{
	struct keys_pending *q = cb_alloc(req, sizeof(*q));
	const char **g;

	if (!q)
		return NULL;
	memset(q, 0, sizeof(*q));
	q->rec = *rec;
	q->k = kind_char(kind);
	q->limit = limit;
	count_prepare(req, &q->rec, q->k, &q->u, q->a);
	g = q->g; /* keys: the count's 3 and the limit's 2; then the arguments */
	memcpy(g, q->a, 3 * sizeof(*g));
	if (cb_ratelimit_keys(req, limit_key, &g[3], &g[4]) != CB_OK)
		return NULL;
	memcpy(g + 5, q->a + 3, 5 * sizeof(*g));
	g[10] = cb_sprintf(req, "%lld", limit);
	g[11] = cb_sprintf(req, "%lld", window_s * 1000);
	q->i = lua_queue(p, guarded_script(), 5, GUARDED_N, g);
	return q->i < 0 ? NULL : q;
}

int usage_queued(cb_req *req, cb_redis_pipe *p, struct keys_pending *q, cb_rate *rate,
                 struct keys_usage *out)
{
	const cb_redis_reply *r = lua_queued(req, p, q->i, guarded_script(), 5, GUARDED_N, q->g);
	int st;

	cb_ratelimit_result(cb_redis_type(r) == CB_REDIS_ARRAY ? cb_redis_at(r, 0) : NULL, q->limit,
	                    rate);
	if (!rate->allowed)
		st = KEYS_LIMITED;
	else if (cb_redis_type(r) != CB_REDIS_ARRAY || cb_redis_len(r) != 2)
		st = KEYS_UNAVAILABLE;
	else
		st = count_finish(req, &q->rec, q->k, q->a, cb_redis_at(r, 1), &q->u);
	*out = q->u;
	return st;
}

void usage_live(cb_req *req, size_t n, const char *const *ids, const long long *periods,
                long long *conv, long long *msg, long long *last)
{
	const char **argv;
	cb_redis_reply *r;

	if (n == 0)
		return;
	argv = cb_alloc(req, (3 * n + 1) * sizeof(*argv));
	argv[0] = "MGET";
	for (size_t i = 0; i < n; i++) {
		argv[1 + 3 * i] = counter_key(req, ids[i], periods[i], 'c');
		argv[2 + 3 * i] = counter_key(req, ids[i], periods[i], 'm');
		argv[3 + 3 * i] = last_key(req, ids[i]);
	}
	r = cb_redis(req, (int)(3 * n + 1), argv, NULL);
	if (cb_redis_type(r) != CB_REDIS_ARRAY || cb_redis_len(r) != 3 * n)
		return;
	for (size_t i = 0; i < n; i++) {
		long long c = reply_num(cb_redis_at(r, 3 * i), -1);
		long long m = reply_num(cb_redis_at(r, 3 * i + 1), -1);
		long long t = reply_num(cb_redis_at(r, 3 * i + 2), -1);

		if (c > conv[i])
			conv[i] = c;
		if (m > msg[i])
			msg[i] = m;
		if (t > last[i])
			last[i] = t;
	}
}

/* A reply's string, "" for nil: what settle_script compares with. */
static const char *str_or_empty(cb_req *req, const cb_redis_reply *r)
{
	const char *s = cb_redis_type(r) == CB_REDIS_STRING ? cb_redis_str(r, NULL) : NULL;

	return cb_strdup(req, s ? s : "");
}

/* Writes member "ID:PERIOD" to PostgreSQL and takes it out of the dirty
 * set unless it changed meanwhile. CB_OK, CB_EREDIS or CB_EDB. */
static int flush_one(cb_req *req, const char *member)
{
	const char *colon = strrchr(member, ':'), *vals[3];
	char *id, *end;
	long long period;
	const char *args[8];
	cb_redis_reply *r;

	id = cb_strndup(req, member, colon ? (size_t)(colon - member) : 0);
	period = colon ? strtoll(colon + 1, &end, 10) : -1;
	args[0] = colon ? counter_key(req, id, period, 'c') : "-";
	args[1] = colon ? counter_key(req, id, period, 'm') : "-";
	args[2] = colon ? last_key(req, id) : "-";
	if (!colon || !cb_is_uuid(id) || *end || period < 0 || period > 100000) {
		cb_redis_c(req, "SREM", DIRTY_KEY, member);
		return CB_OK;
	}
	r = cb_redis_c(req, "MGET", args[0], args[1], args[2]);
	if (cb_redis_type(r) != CB_REDIS_ARRAY || cb_redis_len(r) != 3)
		return CB_EREDIS;
	for (int i = 0; i < 3; i++)
		vals[i] = str_or_empty(req, cb_redis_at(r, (size_t)i));
	if (!cb_db_q(req,
	             "WITH k AS (SELECT id, period_start FROM client_keys WHERE id = $1), "
	             "u AS (INSERT INTO client_key_usage (key_id, period, period_start, "
	             "  conversations, messages) "
	             "  SELECT k.id, $2::int, keys_period_bound(k.period_start, $2::int), "
	             "  COALESCE(NULLIF($3, '')::bigint, 0), COALESCE(NULLIF($4, '')::bigint, 0) "
	             "  FROM k WHERE $3 <> '' OR $4 <> '' "
	             "  ON CONFLICT (key_id, period) DO UPDATE SET "
	             "  conversations = GREATEST(client_key_usage.conversations, "
	             "    EXCLUDED.conversations), "
	             "  messages = GREATEST(client_key_usage.messages, EXCLUDED.messages), "
	             "  updated_at = now() RETURNING 1) "
	             "UPDATE client_keys SET last_used_at = GREATEST(last_used_at, "
	             "  to_timestamp(NULLIF($5, '')::bigint)) "
	             "WHERE id = $1 AND $5 <> ''",
	             id, cb_sprintf(req, "%lld", period), vals[0], vals[1], vals[2]))
		return CB_EDB;
	args[3] = DIRTY_KEY;
	args[4] = vals[0];
	args[5] = vals[1];
	args[6] = vals[2];
	args[7] = member;
	return lua_eval(req, settle_script, 4, 8, args) ? CB_OK : CB_EREDIS;
}

int usage_flush_job(cb_req *req, const cb_json *payload)
{
	long long done = 0;
	cb_redis_reply *r;

	(void)payload;
	while (done < FLUSH_BATCH) {
		size_t n;

		r = cb_redis_c(req, "SRANDMEMBER", DIRTY_KEY, "200");
		if (cb_redis_type(r) != CB_REDIS_ARRAY) {
			cb_job_error(req, "Redis unavailable");
			return CB_EREDIS;
		}
		n = cb_redis_len(r);
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++, done++) {
			int rc = flush_one(req, cb_redis_str(cb_redis_at(r, i), NULL));

			if (rc != CB_OK) {
				cb_job_error(req, "flush failed: %s", cb_strerror(rc));
				return rc;
			}
		}
	}
	/* Hot keys changed during this run: make sure a next run comes. */
	r = cb_redis_c(req, "SCARD", DIRTY_KEY);
	if (cb_redis_int(r) > 0) {
		cb_redis_c(req, "SET", FLAG_KEY, "1", "EX",
		           cb_sprintf(req, "%lld", keys_cf.flush_interval));
		schedule_flush(req);
	}
	cb_log(req, CB_LOG_DEBUG, "usage flush: %lld counters written", done);
	return CB_OK;
}
