/* ratelimit.c — fixed-window counting with an optional block, in one Lua
 * script so concurrent carbotd processes share counts atomically.
 *
 * Counting (cost > 0): the window starts with the first request. The request
 * that uses up the limit is still allowed; with a block duration it also
 * starts the block, so the next one is refused for block_s (e.g. the 5th
 * failed login starts a one-hour lock). Looking (cost 0) answers whether one
 * more request would still be allowed. */
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

/* The limiter as a Lua function (cb_ratelimit_lua), so plugins can count a
 * limit inside their own scripts with the same meaning. */
#define RL_FUNCTION                                                                                \
	"local function cb_ratelimit(k1, k2, limit, window, block, cost)\n"                        \
	"  local b = redis.call('PTTL', k2)\n"                                                     \
	"  if b > 0 then return {0, 0, b} end\n"                                                   \
	"  local n\n"                                                                              \
	"  if cost > 0 then\n"                                                                     \
	"    n = redis.call('INCRBY', k1, cost)\n"                                                 \
	"    if n == cost then redis.call('PEXPIRE', k1, window) end\n"                            \
	"  else\n"                                                                                 \
	"    n = tonumber(redis.call('GET', k1) or '0')\n"                                         \
	"  end\n"                                                                                  \
	"  local ttl = redis.call('PTTL', k1)\n"                                                   \
	"  if ttl < 0 then\n"                                                                      \
	"    if n > 0 then redis.call('PEXPIRE', k1, window) end\n"                                \
	"    ttl = window\n"                                                                       \
	"  end\n"                                                                                  \
	"  if cost == 0 then\n"                                                                    \
	"    if n >= limit then return {0, 0, ttl} end\n"                                          \
	"    return {1, limit - n, ttl}\n"                                                         \
	"  end\n"                                                                                  \
	"  if n > limit then\n"                                                                    \
	"    if block > 0 then redis.call('SET', k2, '1', 'PX', block); return {0, 0, block} "     \
	"end\n"                                                                                    \
	"    return {0, 0, ttl}\n"                                                                 \
	"  end\n"                                                                                  \
	"  if n == limit and block > 0 then\n"                                                     \
	"    redis.call('SET', k2, '1', 'PX', block); return {1, 0, block}\n"                      \
	"  end\n"                                                                                  \
	"  return {1, limit - n, ttl}\n"                                                           \
	"end\n"

static const char script[] =
    RL_FUNCTION "return cb_ratelimit(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]),"
                " tonumber(ARGV[3]), tonumber(ARGV[4]))\n";

const char *cb_ratelimit_lua(void)
{
	return RL_FUNCTION;
}

static char script_sha[41];

static void ensure_sha(void)
{
	if (script_sha[0])
		return;
	unsigned char md[20];
	SHA1((const unsigned char *)script, strlen(script), md);
	char tmp[41];
	for (int i = 0; i < 20; i++)
		snprintf(tmp + 2 * i, 3, "%02x", md[i]);
	memcpy(script_sha, tmp, sizeof tmp); /* same bytes from every thread */
}

static void fail_mode(cb_rate *out, long long limit)
{
	int closed = core.conf && core.conf->core.ratelimit_fail_closed;
	out->allowed = !closed;
	out->limit = limit;
	out->remaining = closed ? 0 : limit;
	out->reset_ms = 1000;
	out->unavailable = 1;
}

/* The limiter's two Redis keys for key: the count and the block. */
static void rl_keys(const char *key, char *k1, size_t n1, char *k2, size_t n2)
{
	snprintf(k1, n1, "rl:%.500s", key);
	snprintf(k2, n2, "rlb:%.500s", key);
}

int cb_ratelimit_keys(cb_req *req, const char *key, const char **count_key, const char **block_key)
{
	char k1[sizeof(((struct rl_cmd *)0)->k1)], k2[sizeof(((struct rl_cmd *)0)->k2)];

	if (!key || !count_key || !block_key)
		return CB_EINVAL;
	rl_keys(key, k1, sizeof k1, k2, sizeof k2);
	*count_key = cb_strdup(req, k1);
	*block_key = cb_strdup(req, k2);
	return *count_key && *block_key ? CB_OK : CB_ENOMEM;
}

int ratelimit_cmd(struct rl_cmd *c, const char *key, long long limit, long long window_s,
                  long long block_s, long long cost)
{
	if (!key || limit < 0 || window_s <= 0 || block_s < 0 || cost < 0)
		return CB_EINVAL;
	ensure_sha();
	rl_keys(key, c->k1, sizeof c->k1, c->k2, sizeof c->k2);
	snprintf(c->a1, sizeof c->a1, "%lld", limit);
	snprintf(c->a2, sizeof c->a2, "%lld", window_s * 1000);
	snprintf(c->a3, sizeof c->a3, "%lld", block_s * 1000);
	snprintf(c->a4, sizeof c->a4, "%lld", cost);
	const char *argv[RL_ARGC] = {"EVALSHA", script_sha, "2",   c->k1, c->k2,
	                             c->a1,     c->a2,      c->a3, c->a4};
	memcpy(c->argv, argv, sizeof argv);
	c->limit = limit;
	return CB_OK;
}

int ratelimit_noscript(const cb_redis_reply *r)
{
	return cb_redis_type(r) == CB_REDIS_ERROR &&
	       strncmp(cb_redis_str(r, NULL), "NOSCRIPT", 8) == 0;
}

cb_redis_reply *ratelimit_eval(cb_req *req, struct rl_cmd *c)
{
	const char *argv[RL_ARGC];

	memcpy(argv, c->argv, sizeof argv);
	argv[0] = "EVAL";
	argv[1] = script;
	return cb_redis(req, RL_ARGC, argv, NULL);
}

int cb_ratelimit_result(const cb_redis_reply *r, long long limit, cb_rate *out)
{
	if (!out)
		return CB_EINVAL;
	return ratelimit_outcome(r, limit, out);
}

int ratelimit_outcome(const cb_redis_reply *r, long long limit, cb_rate *out)
{
	if (cb_redis_type(r) != CB_REDIS_ARRAY || cb_redis_len(r) != 3) {
		fail_mode(out, limit);
		return CB_EREDIS;
	}
	out->allowed = cb_redis_int(cb_redis_at(r, 0)) == 1;
	out->limit = limit;
	out->remaining = cb_redis_int(cb_redis_at(r, 1));
	out->reset_ms = cb_redis_int(cb_redis_at(r, 2));
	out->unavailable = 0;
	return CB_OK;
}

int cb_ratelimit(cb_req *req, const char *key, long long limit, long long window_s,
                 long long block_s, long long cost, cb_rate *out)
{
	struct rl_cmd c;

	if (!out || ratelimit_cmd(&c, key, limit, window_s, block_s, cost) != CB_OK)
		return CB_EINVAL;
	cb_redis_reply *r = cb_redis(req, RL_ARGC, c.argv, NULL);
	if (ratelimit_noscript(r))
		r = ratelimit_eval(req, &c);
	return ratelimit_outcome(r, limit, out);
}

int cb_ratelimit_refund(cb_req *req, const char *key, long long cost)
{
	char k1[600], c[24];
	snprintf(k1, sizeof k1, "rl:%.500s", key ? key : "");
	snprintf(c, sizeof c, "%lld", cost);
	/* never below zero, so a refund cannot grant extra requests */
	const char *argv[] = {"EVAL",
	                      "local n = redis.call('DECRBY', KEYS[1], ARGV[1]) "
	                      "if n < 0 then redis.call('SET', KEYS[1], 0, 'KEEPTTL') end return n",
	                      "1", k1, c};
	cb_redis_reply *r = cb_redis(req, 5, argv, NULL);
	return cb_redis_type(r) == CB_REDIS_INTEGER ? CB_OK : CB_EREDIS;
}

void cb_ratelimit_headers(cb_req *req, const cb_rate *rate)
{
	char v[32];
	long long secs = (rate->reset_ms + 999) / 1000;
	snprintf(v, sizeof v, "%lld", rate->limit);
	cb_set_header(req, "RateLimit-Limit", v);
	snprintf(v, sizeof v, "%lld", rate->remaining < 0 ? 0 : rate->remaining);
	cb_set_header(req, "RateLimit-Remaining", v);
	snprintf(v, sizeof v, "%lld", secs);
	cb_set_header(req, "RateLimit-Reset", v);
	if (!rate->allowed)
		cb_set_header(req, "Retry-After", v);
}

int cb_ratelimit_reply(cb_req *req, const cb_rate *rate)
{
	cb_ratelimit_headers(req, rate);
	if (rate->unavailable)
		return cb_reply_error(req, 503, "unavailable",
		                      "Rate limiting is unavailable; try again shortly");
	return cb_reply_error(req, 429, "rate_limited", "Too many requests; retry in %lld s",
	                      (rate->reset_ms + 999) / 1000);
}
