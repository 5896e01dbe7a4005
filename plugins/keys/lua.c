/* lua.c — running the plugin's Redis scripts: EVALSHA, and EVAL when Redis
 * does not know the script yet (after a restart or SCRIPT FLUSH); alone or
 * queued on a pipeline with other commands. */
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "keys.h"

#define SHA_HEX (2 * SHA_DIGEST_LENGTH + 1)

/* The SHA-1 (hex) of script into sha. The scripts live in static storage
 * and never change (every caller passes one of the file-level scripts),
 * so each thread remembers the last few by address: the hot path hashes
 * none of its (up to 2 KiB) scripts twice. */
static void script_sha(const char *script, char *sha)
{
	static __thread struct {
		const char *script;
		char sha[SHA_HEX];
	} seen[16];
	static __thread unsigned next;
	unsigned char md[SHA_DIGEST_LENGTH];

	for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++)
		if (seen[i].script == script) {
			memcpy(sha, seen[i].sha, SHA_HEX);
			return;
		}
	SHA1((const unsigned char *)script, strlen(script), md);
	for (int i = 0; i < SHA_DIGEST_LENGTH; i++)
		snprintf(sha + 2 * i, 3, "%02x", md[i]);
	seen[next].script = script;
	memcpy(seen[next].sha, sha, SHA_HEX);
	next = (next + 1) % (sizeof(seen) / sizeof(seen[0]));
}

/* argv = EVALSHA sha nkeys keys_then_args...; sha and num are the caller's
 * buffers. Returns argc, or 0 when n is too large. */
static int evalsha_argv(const char *script, int nkeys, int n, const char *const *keys_then_args,
                        const char **argv, char *sha, char *num)
{
	if (n > LUA_ARGS_MAX)
		return 0;
	script_sha(script, sha);
	snprintf(num, 8, "%d", nkeys);
	argv[0] = "EVALSHA";
	argv[1] = sha;
	argv[2] = num;
	for (int i = 0; i < n; i++)
		argv[3 + i] = keys_then_args[i];
	return 3 + n;
}

static int noscript(const cb_redis_reply *r)
{
	return cb_redis_type(r) == CB_REDIS_ERROR &&
	       strncmp(cb_redis_str(r, NULL), "NOSCRIPT", 8) == 0;
}

static cb_redis_reply *checked(cb_req *req, cb_redis_reply *r)
{
	if (cb_redis_type(r) == CB_REDIS_ERROR) {
		cb_log(req, CB_LOG_ERROR, "redis script failed: %s", cb_redis_str(r, NULL));
		return NULL;
	}
	return r;
}

int lua_queue(cb_redis_pipe *p, const char *script, int nkeys, int n,
              const char *const *keys_then_args)
{
	const char *argv[3 + LUA_ARGS_MAX];
	char sha[SHA_HEX], num[8];
	int argc = evalsha_argv(script, nkeys, n, keys_then_args, argv, sha, num);

	return argc ? cb_redis_pipe_add(p, argc, argv, NULL) : CB_EINVAL;
}

cb_redis_reply *lua_queued(cb_req *req, cb_redis_pipe *p, int i, const char *script, int nkeys,
                           int n, const char *const *keys_then_args)
{
	cb_redis_reply *r = cb_redis_pipe_reply(p, i);

	if (noscript(r)) /* Redis restarted and forgot it */
		return lua_eval(req, script, nkeys, n, keys_then_args);
	return checked(req, r);
}

cb_redis_reply *lua_eval(cb_req *req, const char *script, int nkeys, int n,
                         const char *const *keys_then_args)
{
	const char *argv[3 + LUA_ARGS_MAX];
	char sha[SHA_HEX], num[8];
	int argc = evalsha_argv(script, nkeys, n, keys_then_args, argv, sha, num);
	cb_redis_reply *r;

	if (!argc)
		return NULL;
	r = cb_redis(req, argc, argv, NULL);
	if (noscript(r)) {
		argv[0] = "EVAL";
		argv[1] = script;
		r = cb_redis(req, argc, argv, NULL);
	}
	return checked(req, r);
}

long long reply_num(const cb_redis_reply *r, long long absent)
{
	const char *s;
	long long v = 0;

	if (cb_redis_type(r) == CB_REDIS_INTEGER)
		return cb_redis_int(r);
	s = cb_redis_str(r, NULL);
	if (cb_redis_type(r) != CB_REDIS_STRING || !s || !*s)
		return absent;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000000000LL)
			return absent;
		v = v * 10 + (*s - '0');
	}
	return v;
}
