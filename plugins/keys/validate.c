/* validate.c — the keys.v1 service (keys_api.h): checking a presented key,
 * counting usage, and the error responses of both. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keys.h"

const char *svc_status_name(int status)
{
	static const char *const names[] = {
	    [KEYS_OK] = "ok",
	    [KEYS_UNKNOWN] = "unknown",
	    [KEYS_REVOKED] = "revoked",
	    [KEYS_EXPIRED] = "expired",
	    [KEYS_INACTIVE] = "inactive",
	    [KEYS_BAD_ORIGIN] = "origin_not_allowed",
	    [KEYS_UNVERIFIED] = "domain_not_verified",
	    [KEYS_OVER_LIMIT] = "usage_limit_exceeded",
	    [KEYS_UNAVAILABLE] = "unavailable",
	    [KEYS_LIMITED] = "rate_limited",
	};

	if (status < 0 || status >= (int)(sizeof(names) / sizeof(names[0])))
		return "invalid";
	return names[status];
}

/* Copies what fits of the caller's (possibly older, smaller) struct. */
static void give(void *out, const void *in, size_t have)
{
	size_t want;

	if (!out)
		return;
	want = *(const size_t *)out;
	if (want <= sizeof(size_t))
		return;
	memcpy((char *)out + sizeof(size_t), (const char *)in + sizeof(size_t),
	       (want < have ? want : have) - sizeof(size_t));
}

/* A key that exists but may not be used, whatever the origin. */
static int unusable(const struct keyrec *rec)
{
	if (rec->revoked)
		return KEYS_REVOKED;
	if (rec->expires_at && rec->expires_at <= (long long)time(NULL))
		return KEYS_EXPIRED;
	if (!rec->is_active)
		return KEYS_INACTIVE;
	return KEYS_OK;
}

static void fill_info(const struct keyrec *rec, struct keys_info *in)
{
	in->id = rec->id;
	in->user_id = rec->user_id;
	in->tier = rec->tier;
	in->environment = rec->environment;
	in->domain = rec->domain;
	in->domain_verified = rec->domain_verified;
	in->usage_limit = rec->usage_limit;
	in->conversations_used = rec->conversations;
	in->conversations_max = tier_conversations(rec->tier);
	in->messages_used = rec->messages;
	in->messages_max = messages_max(rec->tier, rec->usage_limit, &in->hit.name);
	in->period_start = rec->period_start;
	in->period_end = rec->period_end;
	in->expires_at = rec->expires_at;
}

static int check_rec(cb_req *req, const struct keyrec *rec, const char *origin, int bound,
                     struct keys_info *in, struct key_rate *kr);

static int check(cb_req *req, const char *key, const char *origin, struct keys_info *in,
                 struct key_rate *kr)
{
	struct keyrec rec;
	const char *hash;
	int rc;

	if (!key_well_formed(key))
		return KEYS_UNKNOWN;
	hash = key_hash_hex(req, key);
	if (!hash)
		return KEYS_UNAVAILABLE;
	rc = keyrec_load(req, hash, 0, &rec);
	if (rc == CB_ENOTFOUND)
		return KEYS_UNKNOWN;
	if (rc != CB_OK)
		return KEYS_UNAVAILABLE;
	if (!same_secret(rec.key_hash, hash))
		return KEYS_UNKNOWN;
	return check_rec(req, &rec, origin, 0, in, kr);
}

/* The checks of a found key before anything is counted. bound 1: the
 * origin was checked elsewhere (a hosted page's hosts), so the key's domain
 * binding and require_verified do not apply. */
static int precheck(const struct keyrec *rec, const char *origin, int bound, struct keys_info *in)
{
	int rc;

	fill_info(rec, in);
	rc = unusable(rec);
	if (rc != KEYS_OK)
		return rc;
	if (!bound && !origin_allowed(origin, rec->domain, rec->environment))
		return KEYS_BAD_ORIGIN;
	if (!bound && keys_cf.require_verified && !rec->domain_verified &&
	    strcmp(rec->environment, "prod") == 0)
		return KEYS_UNVERIFIED;
	return KEYS_OK;
}

/* After counting: the live usage counts (in in) against the tier's. */
static int postcheck(struct keys_info *in)
{
	if (in->messages_max >= 0 && in->messages_used >= in->messages_max) {
		in->hit.used = in->messages_used;
		in->hit.max = in->messages_max;
		in->hit.period_end = in->period_end;
		return KEYS_OVER_LIMIT;
	}
	return KEYS_OK;
}

static int check_rec(cb_req *req, const struct keyrec *rec, const char *origin, int bound,
                     struct keys_info *in, struct key_rate *kr)
{
	cb_redis_pipe *p;
	struct touch t;
	int rc, li = -1;

	rc = precheck(rec, origin, bound, in);
	if (rc != KEYS_OK)
		return rc;
	if (!bound) /* the next check of this key can take one round trip */
		hint_put(rec->key_hash, keyrec_memoised(req));
	/* the key's rate limit and its live counts: one round trip */
	p = cb_redis_pipe_new(req);
	if (kr)
		li = cb_redis_pipe_ratelimit(p, cb_sprintf(req, "keys:key:%s", rec->id), kr->limit,
		                             kr->window, kr->block, 1);
	usage_touch_queue(req, p, rec, &t);
	cb_redis_pipe_run(p);
	if (kr) {
		cb_redis_pipe_rate(p, li, &kr->rate);
		if (!kr->rate.allowed)
			return KEYS_RATE_LIMITED;
	}
	/* Redis down: the flushed counts decide; record_usage refuses anyway. */
	usage_touch_read(req, p, &t, rec, &in->conversations_used, &in->messages_used);
	return postcheck(in);
}

/* The one-trip check (hint.c's script): the IP limit, the cached record
 * held against the hint, then the key limit and the usage counts. */
#define HINT_SCRIPT_KEYS 10
static char hint_buf[4096];
static pthread_once_t hint_once = PTHREAD_ONCE_INIT;

static void build_hint(void)
{
	snprintf(hint_buf, sizeof(hint_buf),
	         "%s%s"
	         "local ip = cb_ratelimit(KEYS[1], KEYS[2], tonumber(ARGV[1]),"
	         " tonumber(ARGV[2]), tonumber(ARGV[3]), 1)\n"
	         "if ip[1] == 0 then return {ip} end\n"
	         "local rec = redis.call('GET', KEYS[3])\n"
	         "if rec ~= ARGV[4] then return {ip, rec} end\n"
	         "local kr = cb_ratelimit(KEYS[4], KEYS[5], tonumber(ARGV[5]),"
	         " tonumber(ARGV[6]), tonumber(ARGV[7]), 1)\n"
	         "return {ip, 1, kr, touch(KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10],"
	         " ARGV[8], ARGV[9], ARGV[10])}\n",
	         cb_ratelimit_lua(), usage_touch_lua());
}

static const char *hint_script(void)
{
	pthread_once(&hint_once, build_hint);
	return hint_buf;
}

int validate_hinted(cb_req *req, const char *hash, const char *hint, const char *origin,
                    const struct ip_rate *ip, struct keys_info *out, struct key_rate *kr)
{
	struct keys_info in;
	struct keyrec rec;
	const char *a[HINT_SCRIPT_KEYS + 10];
	cb_redis_reply *r;
	int st;

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	if (!keyrec_parse(req, hint, hash, &rec) || precheck(&rec, origin, 0, &in) != KEYS_OK)
		return HINT_NONE; /* the usual way decides, on Redis's copy */
	if (cb_ratelimit_keys(req, ip->key, &a[0], &a[1]) != CB_OK ||
	    cb_ratelimit_keys(req, cb_sprintf(req, "keys:key:%s", rec.id), &a[3], &a[4]) != CB_OK)
		return HINT_NONE;
	a[2] = keyrec_cache_key(req, hash);
	usage_touch_args(req, &rec, a + 5); /* 5 keys at 5..9; 3 arguments at 17..19 */
	memmove(a + 17, a + 10, 3 * sizeof(*a));
	a[10] = cb_sprintf(req, "%lld", ip->limit);
	a[11] = cb_sprintf(req, "%lld", ip->window * 1000);
	a[12] = cb_sprintf(req, "%lld", ip->block * 1000);
	a[13] = hint;
	a[14] = cb_sprintf(req, "%lld", kr->limit);
	a[15] = cb_sprintf(req, "%lld", kr->window * 1000);
	a[16] = cb_sprintf(req, "%lld", kr->block * 1000);
	r = lua_eval(req, hint_script(), HINT_SCRIPT_KEYS, HINT_SCRIPT_KEYS + 10, a);
	if (cb_redis_type(r) != CB_REDIS_ARRAY || cb_redis_len(r) < 1)
		return HINT_NONE; /* Redis down or the script failed: the usual way */
	cb_ratelimit_result(cb_redis_at(r, 0), ip->limit, ip->rate);
	if (!ip->rate->allowed)
		return HINT_IP_REFUSED;
	if (cb_redis_len(r) != 4) { /* Redis holds another record, or none */
		hint_drop(hash);
		keyrec_memo(req, cb_redis_at(r, 1));
		return HINT_IP_COUNTED;
	}
	keyrec_memo_text(req, hint); /* record_usage finds it here */
	cb_ratelimit_result(cb_redis_at(r, 2), kr->limit, &kr->rate);
	if (!kr->rate.allowed) {
		st = KEYS_RATE_LIMITED;
	} else {
		usage_touch_apply(req, cb_redis_at(r, 3), &rec, &in.conversations_used,
		                  &in.messages_used);
		st = postcheck(&in);
	}
	if (st != KEYS_OVER_LIMIT)
		in.hit.name = NULL;
	give(out, &in, sizeof(in));
	return st;
}

int validate_limited(cb_req *req, const char *key, const char *origin, struct keys_info *out,
                     struct key_rate *kr)
{
	struct keys_info in;
	int st;

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	st = check(req, key, origin, &in, kr);
	if (st != KEYS_OVER_LIMIT)
		in.hit.name = NULL;
	give(out, &in, sizeof(in));
	return st;
}

int svc_validate(cb_req *req, const char *key, const char *origin, struct keys_info *out)
{
	return validate_limited(req, key, origin, out, NULL);
}

int svc_validate_bound(cb_req *req, const char *key_id, struct keys_info *out)
{
	struct keys_info in;
	struct keyrec rec;
	int st;

	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	st = keyrec_load(req, key_id, 1, &rec);
	if (st == CB_ENOTFOUND)
		st = KEYS_UNKNOWN;
	else if (st != CB_OK)
		st = KEYS_UNAVAILABLE;
	else
		st = check_rec(req, &rec, NULL, 1, &in, NULL);
	if (st != KEYS_OVER_LIMIT)
		in.hit.name = NULL;
	give(out, &in, sizeof(in));
	return st;
}

/* The usable key key_id into *rec for counting kind, or a reason. */
static int countable(cb_req *req, const char *key_id, const char *kind, struct keyrec *rec)
{
	int rc;

	if (!kind || (strcmp(kind, "conversation") != 0 && strcmp(kind, "message") != 0)) {
		cb_log(req, CB_LOG_ERROR, "record_usage: unknown kind");
		return KEYS_UNKNOWN;
	}
	if (!cb_is_uuid(key_id))
		return KEYS_UNKNOWN;
	rc = keyrec_load(req, key_id, 1, rec);
	if (rc == CB_ENOTFOUND)
		return KEYS_UNKNOWN;
	if (rc != CB_OK)
		return KEYS_UNAVAILABLE;
	return unusable(rec);
}

static int record(cb_req *req, const char *key_id, const char *kind, struct keys_usage *u)
{
	struct keyrec rec;
	int rc = countable(req, key_id, kind, &rec);

	return rc == KEYS_OK ? usage_record(req, &rec, kind, u) : rc;
}

int svc_record_usage(cb_req *req, const char *key_id, const char *kind, struct keys_usage *out)
{
	struct keys_usage u;
	int st;

	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	st = record(req, key_id, kind, &u);
	give(out, &u, sizeof(u));
	return st;
}

int svc_usage_queue(cb_req *req, cb_redis_pipe *p, const char *key_id, const char *kind,
                    const char *limit_key, long long limit, long long window_s,
                    struct keys_pending **pending)
{
	struct keyrec rec;
	int st;

	if (!pending)
		return KEYS_UNKNOWN;
	*pending = NULL;
	if (!p || !limit_key || limit < 0 || window_s <= 0) {
		cb_log(req, CB_LOG_ERROR, "usage_queue: bad arguments");
		return KEYS_UNKNOWN;
	}
	st = countable(req, key_id, kind, &rec);
	if (st != KEYS_OK)
		return st;
	*pending = usage_queue(req, p, &rec, kind, limit_key, limit, window_s);
	return *pending ? KEYS_OK : KEYS_UNAVAILABLE;
}

int svc_usage_queued(cb_req *req, cb_redis_pipe *p, struct keys_pending *pending, cb_rate *rate,
                     struct keys_usage *out)
{
	struct keys_usage u;
	int st;

	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	if (!pending || !rate)
		return KEYS_UNKNOWN;
	st = usage_queued(req, p, pending, rate, &u);
	u.size = sizeof(u);
	give(out, &u, sizeof(u));
	return st;
}

static int over_limit(cb_req *req, const struct keys_limit *hit)
{
	long long left = hit ? hit->period_end - (long long)time(NULL) : 0;
	cb_json *details = cb_json_new_array(req), *d;
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", left > 0 ? left : 1);
	cb_set_header(req, "Retry-After", buf);
	if (hit && hit->name) {
		d = cb_json_new_object(req);
		cb_json_set_str(d, "limit", hit->name);
		cb_json_set_int(d, "used", hit->used);
		cb_json_set_int(d, "max", hit->max);
		cb_json_set_int(d, "retry_after", left > 0 ? left : 1);
		cb_json_push(details, d);
	}
	return cb_reply_error_details(req, 429, "usage_limit_exceeded",
	                              hit && hit->name && strcmp(hit->name, "conversations") == 0
	                                  ? "This key has used up its conversations for this period"
	                              : hit && hit->name && strcmp(hit->name, "usage_limit") == 0
	                                  ? "This key has reached its usage limit for this period"
	                                  : "This key has used up its messages for this period",
	                              details);
}

int svc_reply(cb_req *req, int status, const struct keys_limit *hit)
{
	switch (status) {
	case KEYS_UNKNOWN:
		return cb_reply_error(req, 401, "invalid_client_key",
		                      "The client key is not valid");
	case KEYS_REVOKED:
		return cb_reply_error(req, 401, "invalid_client_key",
		                      "The client key has been revoked");
	case KEYS_EXPIRED:
		return cb_reply_error(req, 401, "invalid_client_key", "The client key has expired");
	case KEYS_INACTIVE:
		return cb_reply_error(req, 401, "invalid_client_key",
		                      "The client key is switched off by its owner");
	case KEYS_BAD_ORIGIN:
		return cb_reply_error(req, 403, "origin_not_allowed",
		                      "This client key may not be used from this origin");
	case KEYS_UNVERIFIED:
		return cb_reply_error(req, 403, "domain_not_verified",
		                      "The domain of this client key is not verified yet");
	case KEYS_OVER_LIMIT:
		return over_limit(req, hit);
	case KEYS_LIMITED:
		return cb_reply_error(req, 429, "rate_limited",
		                      "Too many requests; try again later");
	default:
		cb_set_header(req, "Retry-After", "1");
		return cb_reply_error(req, 503, "unavailable",
		                      "A backing service is unavailable; try again shortly");
	}
}
