/* keys_api.h — the keys plugin's service for other plugins (the widget API).
 *
 * A plugin that serves the widget declares CB_DEPS("keys"), builds with
 * -Iplugins/keys (CFLAGS_<name> in its plugin.mk) and takes the table once
 * in init:
 *
 *   const struct keys_api *keys = cb_service(KEYS_SERVICE);
 *   if (!keys || keys->size < KEYS_API_V1_SIZE)
 *           return cb_plugin_fail(p, "the keys plugin's service " KEYS_SERVICE " is missing");
 *
 * Most routes need none of it: a route registered with CB_AUTH_CLIENT_KEY
 * has the key checked (X-CarBot-Key header or the JSON body's client_key,
 * against the Origin header), rate limited, and its facts set as request
 * attributes "key.id", "key.user_id", "key.tier", "key.environment",
 * "key.domain" before the handler runs. What remains is counting usage:
 *
 *   struct keys_usage u = KEYS_USAGE_INIT;
 *   int st = keys->record_usage(req, cb_req_get(req, "key.id"), "message", &u);
 *   if (st != KEYS_OK)
 *           return keys->reply(req, st, &u.hit);   (429 usage_limit_exceeded, ...)
 *
 * Structs crossing the boundary start with their size (set by the caller
 * with the *_INIT macros), so they can grow at their end.
 */
#ifndef CARBOT_KEYS_API_H
#define CARBOT_KEYS_API_H

#include <stddef.h>

#include <carbot/sdk.h>

#define KEYS_SERVICE "keys.v1"

/* What a check found. KEYS_OK is 0; everything else is a reason to refuse. */
enum keys_status {
	KEYS_OK = 0,
	KEYS_UNKNOWN = 1,     /* malformed or no such key (also: its owner was deleted) */
	KEYS_REVOKED = 2,     /* revoked, or replaced by a rotation */
	KEYS_EXPIRED = 3,     /* past its expires_at */
	KEYS_INACTIVE = 4,    /* switched off by its owner (is_active false) */
	KEYS_BAD_ORIGIN = 5,  /* the Origin is not the key's domain (or a subdomain of it) */
	KEYS_UNVERIFIED = 6,  /* the require_verified setting is on and the domain is not */
	KEYS_OVER_LIMIT = 7,  /* a usage limit of the current period is used up */
	KEYS_UNAVAILABLE = 8, /* PostgreSQL or Redis could not be asked */
	KEYS_LIMITED = 9,     /* the caller's own rate limit refused (usage_queued) */
};

struct keys_pending; /* a use queued by usage_queue, owned by the request */

/* A usage limit: the one that was hit, or (in keys_usage) the one counted. */
struct keys_limit {
	const char *name;     /* "conversations", "messages" (the tier's) or "usage_limit" */
	long long used;       /* count in the current period */
	long long max;        /* -1: unlimited */
	long long period_end; /* unix seconds when the period (and the count) ends */
};

/* What validate() knows about a key. Strings live in the request's arena. */
struct keys_info {
	size_t size; /* sizeof(struct keys_info); KEYS_INFO_INIT sets it */
	const char *id, *user_id, *tier, *environment, *domain;
	int domain_verified;
	long long usage_limit; /* the key's own cap on messages per period */
	long long conversations_used, conversations_max; /* max -1: unlimited */
	long long messages_used, messages_max;           /* min(usage_limit, tier's) */
	long long period_start, period_end;              /* unix seconds */
	long long expires_at;                            /* unix seconds; 0: never */
	struct keys_limit hit;                           /* with KEYS_OVER_LIMIT */
};
#define KEYS_INFO_INIT                                                                             \
	{                                                                                          \
		.size = sizeof(struct keys_info)                                                   \
	}

/* What record_usage() counted. */
struct keys_usage {
	size_t size;           /* sizeof(struct keys_usage); KEYS_USAGE_INIT sets it */
	long long remaining;   /* left in the period after this one; -1: unlimited */
	struct keys_limit hit; /* the limit counted against (the one hit when refused) */
};
#define KEYS_USAGE_INIT                                                                            \
	{                                                                                          \
		.size = sizeof(struct keys_usage)                                                  \
	}

struct keys_api {
	size_t size; /* sizeof(struct keys_api) of the keys plugin that filled it */

	/* Checks key (the full "cb_prod_..."/"cb_test_..." string) for use from
	 * origin (the request's Origin header; NULL or "null" never matches):
	 * known, not revoked, active, not expired, origin is the key's domain or
	 * a subdomain (http or https; default ports only, except that a test
	 * key for localhost or 127.0.0.1 allows any port), and the period's
	 * message limit not used up. Fills *out (when not NULL) as far as it
	 * got, and records the use as the key's last_used_at. Returns KEYS_OK or
	 * a reason. Results are cached in Redis for at most cache_ttl seconds;
	 * revocation, rotation and every other change take effect at once. */
	int (*validate)(cb_req *req, const char *key, const char *origin, struct keys_info *out);

	/* Counts one use of kind "conversation" or "message" for key_id in the
	 * current period, atomically refusing it when the limit is reached
	 * (the count then stays as it was). Returns KEYS_OK, KEYS_OVER_LIMIT
	 * (out->hit says which), another reason when the key is no longer
	 * usable, KEYS_UNKNOWN for an unknown kind, or KEYS_UNAVAILABLE when
	 * Redis is down (refused: a limit is never exceeded). May queue the
	 * usage flush job on req's connection (inside its transaction, if one
	 * is open; a rolled-back one is made up for by a later use). */
	int (*record_usage)(cb_req *req, const char *key_id, const char *kind,
	                    struct keys_usage *out);

	/* Sets the error response for status (not KEYS_OK) and returns CB_OK:
	 * 401 invalid_client_key, 403 origin_not_allowed / domain_not_verified,
	 * 429 usage_limit_exceeded with Retry-After and details [hit] (hit may be
	 * NULL), 503 unavailable. */
	int (*reply)(cb_req *req, int status, const struct keys_limit *hit);

	/* Static name of a status ("unknown", "revoked", ...). */
	const char *(*status_name)(int status);

	/* ---- v2 (check keys->size >= KEYS_API_V2_SIZE) ---- */

	/* record_usage behind a rate limit of the caller's, in the caller's
	 * round trip: queues on p (a pipeline the caller then runs, with its
	 * own commands) one script that counts the limit exactly as
	 * cb_ratelimit(req, limit_key, limit, window_s, 0, 1, ...) would and,
	 * only when it allows, counts the use as record_usage does. Returns
	 * KEYS_OK with *pending set, or the reason the key cannot be counted
	 * (nothing queued; *pending NULL), as record_usage returns them. */
	int (*usage_queue)(cb_req *req, cb_redis_pipe *p, const char *key_id, const char *kind,
	                   const char *limit_key, long long limit, long long window_s,
	                   struct keys_pending **pending);

	/* After cb_redis_pipe_run(p): the limit's outcome into *rate (as
	 * cb_ratelimit fills it; Redis down follows ratelimit_on_redis_down)
	 * and the use's into *out. Returns KEYS_LIMITED when the limit refused
	 * (nothing counted: answer with cb_ratelimit_reply), else what
	 * record_usage would have returned. */
	int (*usage_queued)(cb_req *req, cb_redis_pipe *p, struct keys_pending *pending,
	                    cb_rate *rate, struct keys_usage *out);

	/* ---- v3 (check keys->size >= KEYS_API_V3_SIZE): plan changes ---- */

	/* Switches off (is_active false; never revokes) the newest of user_id's
	 * live keys beyond the oldest keep (keep < 0: none) and pushes their ids
	 * onto ids_out (a JSON array, may be NULL). Runs on req's connection
	 * (in its transaction, if open) and drops the keys' cached copies.
	 * Returns CB_OK, CB_EINVAL (not a UUID), CB_EDB, or CB_EREDIS when a
	 * cached copy could not be dropped (the change itself was made). */
	int (*switch_off_beyond)(cb_req *req, const char *user_id, long long keep,
	                         cb_json *ids_out);

	/* Switches key_id of user_id back on unless it was revoked meanwhile.
	 * Returns CB_OK, CB_ENOTFOUND (no such live key of that user), CB_EDB or
	 * CB_EREDIS as above. */
	int (*switch_on)(cb_req *req, const char *user_id, const char *key_id);
};

/* The size of the first version of the table: check keys->size against it. */
#define KEYS_API_V1_SIZE (offsetof(struct keys_api, status_name) + sizeof(void *))
/* The size with usage_queue and usage_queued. */
#define KEYS_API_V2_SIZE (offsetof(struct keys_api, usage_queued) + sizeof(void *))
/* The size with switch_off_beyond and switch_on. */
#define KEYS_API_V3_SIZE (offsetof(struct keys_api, switch_on) + sizeof(void *))

#endif
