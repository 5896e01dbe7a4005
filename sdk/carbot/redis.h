/* carbot/redis.h — Redis commands and the rate-limit primitive.
 *
 * Each handler thread keeps its own connection to the configured Redis and
 * reconnects after a failure (at most once per second per thread, so an
 * unreachable Redis costs a request nothing more than one fast failure).
 *
 * When Redis is unreachable: cb_redis returns NULL with CB_EREDIS;
 * cb_ratelimit returns CB_EREDIS and decides according to the core setting
 * ratelimit_on_redis_down: "open" (the default: the request is allowed, a
 * warning is logged at most once per second) or "closed" (refused: the caller
 * answers 503). GET /readyz answers 503 while Redis is unreachable.
 */
#ifndef CARBOT_REDIS_H
#define CARBOT_REDIS_H

#include <stddef.h>

typedef struct cb_req cb_req;
typedef struct cb_redis_reply cb_redis_reply;

enum cb_redis_type {
	CB_REDIS_NIL = 0,
	CB_REDIS_STRING, /* bulk string or status */
	CB_REDIS_INTEGER,
	CB_REDIS_ARRAY,
	CB_REDIS_ERROR, /* the server's error reply; text via cb_redis_str */
};

/* Runs one command given as argc arguments (binary safe: lens[i] bytes of
 * argv[i]; lens may be NULL for NUL-terminated strings). Returns the reply,
 * owned by req, or NULL when Redis is unreachable (CB_EREDIS). */
cb_redis_reply *cb_redis(cb_req *req, int argc, const char *const *argv, const size_t *lens);

/* Convenience: cb_redis_c(req, "SET", key, value) with 1..16 string args. */
#define cb_redis_c(req, ...)                                                                       \
	cb_redis((req), CB__RNARG(__VA_ARGS__), CB__STRV(__VA_ARGS__), NULL)
#define CB__RNARG(...)                                                                             \
	CB__RNARG_(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define CB__RNARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, N, ...) N

/* Sends one command (arguments as for cb_redis) without waiting for its
 * reply (SDK 1.5): for writes whose outcome the request does not depend on,
 * such as filling a cache or saving a conversation's context. It saves the
 * handler the wait for Redis's answer. The reply is read, and dropped, before
 * this thread's next Redis command (at the latest after 64 such sends); an
 * error reply is logged then, with the server's text only. Later commands of
 * the same thread see the write (one connection, in order); other threads
 * and processes see it once Redis has run it, which is at once for any
 * practical purpose but not guaranteed before the response is sent. Like
 * cb_redis, a command on a broken connection is sent again on a new one, so
 * send only commands that may safely run twice (SET, EXPIRE, DEL).
 * Returns CB_OK when the command was written to the connection (not that
 * Redis ran it: a write on a connection Redis has just closed can still be
 * accepted by the kernel and lost; the thread's next command notices and
 * logs it), CB_EREDIS when Redis is unreachable, CB_EINVAL for a bad
 * argument list. So send only what may be lost without harm. */
int cb_redis_send(cb_req *req, int argc, const char *const *argv, const size_t *lens);
#define cb_redis_send_c(req, ...)                                                                  \
	cb_redis_send((req), CB__RNARG(__VA_ARGS__), CB__STRV(__VA_ARGS__), NULL)

/* Reply accessors; all accept NULL (type CB_REDIS_NIL, values 0/NULL). */
int cb_redis_type(const cb_redis_reply *r);
long long cb_redis_int(const cb_redis_reply *r);
/* String or error text (borrowed; NUL-terminated); len may be NULL. */
const char *cb_redis_str(const cb_redis_reply *r, size_t *len);
size_t cb_redis_len(const cb_redis_reply *r);
const cb_redis_reply *cb_redis_at(const cb_redis_reply *r, size_t i);

/* ---- Pipelines (SDK 1.4) ----
 *
 * Several commands sent together and answered together: one round trip to
 * Redis instead of one per command. Commands run in order but not atomically
 * (other clients' commands may run between them); use a Lua script when they
 * must see each other's effects as one. At most CB_REDIS_PIPE_MAX commands.
 *
 *   cb_redis_pipe *p = cb_redis_pipe_new(req);
 *   int lim = cb_redis_pipe_ratelimit(p, "chat:sess:...", 30, 60, 0, 1);
 *   int get = cb_redis_pipe_c(p, "GET", "chat:ctx:...");
 *   cb_redis_pipe_run(p);
 *   cb_redis_pipe_rate(p, lim, &rate);
 *   cb_redis_reply *ctx = cb_redis_pipe_reply(p, get);
 */
#define CB_REDIS_PIPE_MAX 16
typedef struct cb_redis_pipe cb_redis_pipe;
typedef struct cb_rate cb_rate;

/* A new, empty pipeline, owned by req. NULL when out of memory. */
cb_redis_pipe *cb_redis_pipe_new(cb_req *req);

/* Queues one command (arguments as for cb_redis; copied, so the caller's
 * buffers may go). Returns its index (0, 1, ...) for cb_redis_pipe_reply,
 * or CB_EINVAL (negative) for a bad command, a full or already run pipe. */
int cb_redis_pipe_add(cb_redis_pipe *p, int argc, const char *const *argv, const size_t *lens);
#define cb_redis_pipe_c(p, ...)                                                                    \
	cb_redis_pipe_add((p), CB__RNARG(__VA_ARGS__), CB__STRV(__VA_ARGS__), NULL)

/* Queues a rate-limit check, with the meaning and arguments of
 * cb_ratelimit. Returns its index for cb_redis_pipe_rate, or CB_EINVAL. */
int cb_redis_pipe_ratelimit(cb_redis_pipe *p, const char *key, long long limit, long long window_s,
                            long long block_s, long long cost);

/* Sends every queued command and reads every reply. Returns CB_OK, or
 * CB_EREDIS when Redis is unreachable (then every reply is NULL and every
 * rate limit decides by ratelimit_on_redis_down), CB_EINVAL if p is NULL or
 * ran before. */
int cb_redis_pipe_run(cb_redis_pipe *p);

/* The reply to command i after cb_redis_pipe_run (owned by the request), or
 * NULL (Redis unreachable, i not a command of p). */
cb_redis_reply *cb_redis_pipe_reply(cb_redis_pipe *p, int i);

/* The outcome of rate-limit check i after cb_redis_pipe_run, into out:
 * CB_OK, CB_EREDIS (out filled as cb_ratelimit does when Redis is down), or
 * CB_EINVAL when i is not a rate-limit check of p. */
int cb_redis_pipe_rate(cb_redis_pipe *p, int i, cb_rate *out);

/* Outcome of one rate-limit check. Callers set .size = sizeof(cb_rate)
 * (CB_RATE_INIT does) so the struct can grow. */
typedef struct cb_rate {
	size_t size;
	int allowed;         /* 1 when the request may proceed */
	long long limit;     /* the limit checked against */
	long long remaining; /* requests left in the window (>= 0) */
	long long reset_ms;  /* milliseconds until the window (or block) ends */
	int unavailable;     /* 1 when Redis could not be asked */
} cb_rate;
#define CB_RATE_INIT                                                                               \
	{                                                                                          \
		sizeof(cb_rate), 0, 0, 0, 0, 0                                                     \
	}

/* Counts cost requests (0 = only look) against key: at most limit per
 * window_s seconds (the window starts with the first counted request). The
 * request that uses up the limit is still allowed; with block_s > 0 it also
 * starts a block, and every request is then refused for block_s seconds;
 * with block_s = 0 requests over the limit are refused until the window
 * ends. The count itself survives a block: refund it (cb_ratelimit_refund)
 * to start afresh. Looking (cost 0) answers whether one more request would
 * be allowed. Atomic in Redis (one Lua script), so concurrent carbotd
 * processes share the count. key is namespaced by the caller ("login:" +
 * email + ip ...). Returns CB_OK, or CB_EREDIS (out filled according to
 * ratelimit_on_redis_down, unavailable = 1). */
int cb_ratelimit(cb_req *req, const char *key, long long limit, long long window_s,
                 long long block_s, long long cost, cb_rate *out);

/* Gives back cost requests counted earlier on key (e.g. for a successful
 * login when only failures count). Returns CB_OK or CB_EREDIS. */
int cb_ratelimit_refund(cb_req *req, const char *key, long long cost);

/* Sets RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (seconds) from
 * rate, and Retry-After when rate->allowed is 0. */
void cb_ratelimit_headers(cb_req *req, const cb_rate *rate);

/* Sets the headers above and a 429 rate_limited error (or 503 unavailable
 * when rate->unavailable). Returns CB_OK. */
int cb_ratelimit_reply(cb_req *req, const cb_rate *rate);

/* ---- A rate limit inside a plugin's own Lua script (SDK 1.5) ----
 *
 * When a limit and the plugin's own Redis work must happen together (the
 * work only if the limit allows, in one round trip), the plugin's script
 * can count the limit itself, with exactly cb_ratelimit's meaning and
 * counters:
 *
 *   script = cb_ratelimit_lua() + "local r = cb_ratelimit(KEYS[1], KEYS[2],
 *            limit, window_ms, block_ms, cost) if r[1] == 0 then return {r}
 *            end ... return {r, ...}"
 *
 * cb_ratelimit_keys names the two keys to pass in KEYS (a script must name
 * every key it touches), and cb_ratelimit_result reads the returned
 * {allowed, remaining, reset_ms} into a cb_rate. */

/* Lua source defining the local function
 *   cb_ratelimit(count_key, block_key, limit, window_ms, block_ms, cost)
 * that counts like cb_ratelimit (windows and blocks in milliseconds) and
 * returns {allowed (1 or 0), remaining, reset_ms}. Prepend it to a script.
 * Static storage, never NULL. */
const char *cb_ratelimit_lua(void);

/* The count and block keys cb_ratelimit uses for key (so a script's count
 * and cb_ratelimit's are the same count), allocated in req. CB_OK, or
 * CB_EINVAL / CB_ENOMEM. */
int cb_ratelimit_keys(cb_req *req, const char *key, const char **count_key, const char **block_key);

/* Fills out from r, a script's {allowed, remaining, reset_ms}, as
 * cb_ratelimit would (limit is the limit the script counted against). A
 * NULL or malformed r is treated as Redis unreachable: CB_EREDIS, out
 * filled according to ratelimit_on_redis_down. CB_EINVAL when out is NULL. */
int cb_ratelimit_result(const cb_redis_reply *r, long long limit, cb_rate *out);

#endif
