/* lua.c — running the plugin's Redis scripts: EVALSHA, and EVAL when Redis
 * does not know the script yet (after a restart or SCRIPT FLUSH). */
#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "keys.h"

cb_redis_reply *lua_eval(cb_req *req, const char *script, int nkeys, int n,
                         const char *const *keys_then_args)
{
	const char *argv[3 + 16];
	unsigned char md[SHA_DIGEST_LENGTH];
	char sha[2 * SHA_DIGEST_LENGTH + 1], num[8];
	cb_redis_reply *r;

	if (n > 16)
		return NULL;
	SHA1((const unsigned char *)script, strlen(script), md);
	for (int i = 0; i < SHA_DIGEST_LENGTH; i++)
		snprintf(sha + 2 * i, 3, "%02x", md[i]);
	snprintf(num, sizeof(num), "%d", nkeys);
	argv[0] = "EVALSHA";
	argv[1] = sha;
	argv[2] = num;
	for (int i = 0; i < n; i++)
		argv[3 + i] = keys_then_args[i];
	r = cb_redis(req, 3 + n, argv, NULL);
	if (cb_redis_type(r) == CB_REDIS_ERROR &&
	    strncmp(cb_redis_str(r, NULL), "NOSCRIPT", 8) == 0) {
		argv[0] = "EVAL";
		argv[1] = script;
		r = cb_redis(req, 3 + n, argv, NULL);
	}
	if (cb_redis_type(r) == CB_REDIS_ERROR) {
		cb_log(req, CB_LOG_ERROR, "redis script failed: %s", cb_redis_str(r, NULL));
		return NULL;
	}
	return r;
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
