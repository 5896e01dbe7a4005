/* keys.h — what the keys plugin's files share.
 *
 * Built with -fvisibility=hidden: nothing declared here leaves the shared
 * object; only carbot_plugin() (CB_PLUGIN in plugin.c) is exported, and the
 * service table (keys_api.h) is reached through cb_service("keys.v1").
 */
#ifndef KEYS_KEYS_H
#define KEYS_KEYS_H

#include <stddef.h>

#include <carbot/sdk.h>

#include <carbot/services/keys_api.h>

/* ---- settings (plugin.c) ---- */

enum { TIER_BASIC, TIER_PREMIUM, TIER_ENTERPRISE, TIER_N };

struct keys_conf {
	const char *secret; /* HMAC key of stored key hashes; >= 32 bytes */
	size_t secret_len;
	const char *verification_url; /* with "{domain}" */
	long long verify_timeout_ms, verify_max_bytes, verify_per_hour;
	long long cache_ttl;
	long long key_rate_limit, key_rate_window, key_rate_block;
	long long ip_rate_limit, ip_rate_window, ip_rate_block;
	long long ip_all_limit; /* per IP over all keys, same window and block */
	long long conversations[TIER_N], messages[TIER_N]; /* -1: unlimited */
	long long max_keys[TIER_N]; /* live keys per owner by plan, -1: unlimited */
	long long key_ttl_days, max_keys_per_user, flush_interval;
	int require_verified;
};
extern struct keys_conf keys_cf;

/* ---- limits.c: what a tier allows ---- */

#define USAGE_LIMIT_MIN 100
#define USAGE_LIMIT_MAX 1000000

/* Index of tier name, or -1 for an unknown one (which gets basic's limits). */
int tier_index(const char *tier);
long long tier_conversations(const char *tier); /* -1: unlimited */
long long tier_messages(const char *tier);      /* -1: unlimited */
/* Highest usage_limit a key of tier may have, and the default one. */
long long usage_limit_max(const char *tier);
/* How many live (not revoked) keys tier allows; -1 unlimited (then
 * max_keys_per_user alone applies). */
long long tier_max_keys(const char *tier);
/* The message limit that applies: the smaller of the key's usage_limit and
 * the tier's; *name says which ("usage_limit" or "messages"). */
long long messages_max(const char *tier, long long usage_limit, const char **name);

/* ---- secret.c: keys, their hashes and masks ---- */

#define KEY_RANDOM_HEX 32 /* hex characters after "cb_prod_" / "cb_test_" */
#define KEY_LEN        (8 + KEY_RANDOM_HEX)

/* A new key "cb_<env>_" + 32 hex characters of OpenSSL's CSPRNG, in req's
 * arena; NULL when the CSPRNG fails. */
char *key_generate(cb_req *req, const char *env);

/* 1 when key has the shape of a key (cb_prod_/cb_test_ + 32 lower-case hex). */
int key_well_formed(const char *key);

/* Hex of HMAC-SHA-256(key_secret, key), 64 characters in req's arena. */
char *key_hash_hex(cb_req *req, const char *key);

/* "cb_prod_…a1b2": what listings show of a key. */
char *key_mask(cb_req *req, const char *env, const char *last4);

/* 1 when a and b (NUL-terminated) are equal, in time independent of where
 * they differ. */
int same_secret(const char *a, const char *b);

/* ---- domain.c: the domain a key is bound to, and Origin checks ---- */

/* The domain in, lower-cased, IDN as punycode, one trailing dot dropped; in
 * req's arena. NULL when it is not acceptable for a key of environment env
 * ("prod" or "test"); then *why says why (static text). */
char *domain_normalize(cb_req *req, const char *in, const char *env, const char **why);

/* 1 when origin (an Origin header) may use a key of env bound to domain. */
int origin_allowed(const char *origin, const char *domain, const char *env);

/* Parses the domain_blocklist setting (comma-separated domains; each also
 * blocks its subdomains). CB_OK, or CB_EINVAL with *bad naming the entry. */
int blocklist_load(const char *list, const char **bad);
void blocklist_free(void);

/* ---- lua.c: Redis scripts ---- */

#define LUA_ARGS_MAX 24
/* Runs script (static storage that never changes: its SHA-1 is remembered
 * by address) with nkeys keys followed by arguments (n strings in all, at
 * most LUA_ARGS_MAX). Returns the reply, or NULL when Redis is unreachable or the
 * script failed (logged). */
cb_redis_reply *lua_eval(cb_req *req, const char *script, int nkeys, int n,
                         const char *const *keys_then_args);

/* The same queued on pipeline p (the index of its reply), and its reply
 * after cb_redis_pipe_run (run again alone if Redis did not know the
 * script): the same script and arguments both times. */
int lua_queue(cb_redis_pipe *p, const char *script, int nkeys, int n,
              const char *const *keys_then_args);
cb_redis_reply *lua_queued(cb_req *req, cb_redis_pipe *p, int i, const char *script, int nkeys,
                           int n, const char *const *keys_then_args);

/* A reply (integer, or string of digits) as a number >= 0; absent when it
 * is nil, empty or not such a number. */
long long reply_num(const cb_redis_reply *r, long long absent);

/* ---- keyrec.c: a key as validation sees it, cached in Redis ---- */

struct keyrec {
	const char *id, *user_id, *tier, *environment, *domain, *key_hash;
	int domain_verified, is_active, revoked;
	long long expires_at, usage_limit;
	long long period, period_start, period_end; /* index, unix seconds */
	long long conversations, messages;          /* as last flushed to PostgreSQL */
};

/* Loads the key whose hash is hash_hex (by_id 0) or whose id is id (by_id
 * 1): from the cache, else from PostgreSQL (then cached). CB_OK,
 * CB_ENOTFOUND or CB_EDB. */
int keyrec_load(cb_req *req, const char *hash_or_id, int by_id, struct keyrec *out);

/* A request remembers the last record it loaded, so the usage count after
 * the key check costs no second look-up. keyrec_memo offers a cached record
 * fetched by the caller (a GET of keyrec_cache_key, say in a pipeline);
 * keyrec_load uses it if it is complete and the one asked for. */
const char *keyrec_cache_key(cb_req *req, const char *hash_hex);
void keyrec_memo(cb_req *req, const cb_redis_reply *cached);
/* The same with a record's text, and the text remembered (NULL if none). */
void keyrec_memo_text(cb_req *req, const char *text);
const char *keyrec_memoised(cb_req *req);
/* 1 with *out filled when text is a complete record of the key whose hash
 * is hash_hex and its period has not ended; else 0. */
int keyrec_parse(cb_req *req, const char *text, const char *hash_hex, struct keyrec *out);

/* Drops the cached copies of key id (hash_hex, and old_hash_hex when not
 * NULL). Called before commit (so a failure can still roll the change back)
 * and again after it. CB_OK or CB_EREDIS. */
int keyrec_forget(cb_req *req, const char *id, const char *hash_hex, const char *old_hash_hex);

/* ---- usage.c: the hot counters in Redis and their flush ---- */

/* Live counts of the current period: the larger of Redis and rec's flushed
 * values. Also records now as the key's last use. CB_OK or CB_EREDIS (then
 * the flushed values are given). */
int usage_touch(cb_req *req, const struct keyrec *rec, long long *conv, long long *msg);

/* usage_touch in two halves around a pipeline's run, with more commands
 * in the same round trip. */
#define USAGE_TOUCH_N 8 /* its keys (5) and arguments (3) */
struct touch {
	const char *args[USAGE_TOUCH_N];
	int i;
};
void usage_touch_queue(cb_req *req, cb_redis_pipe *p, const struct keyrec *rec, struct touch *t);
int usage_touch_read(cb_req *req, cb_redis_pipe *p, struct touch *t, const struct keyrec *rec,
                     long long *conv, long long *msg);

/* usage_touch inside another script (hint.c): the Lua function
 * touch(5 keys, 3 arguments) returning {c, m, flag}, its USAGE_TOUCH_N
 * keys and arguments for rec into args, and what its reply r means (as
 * usage_touch_read). */
const char *usage_touch_lua(void);
void usage_touch_args(cb_req *req, const struct keyrec *rec, const char **args);
int usage_touch_apply(cb_req *req, const cb_redis_reply *r, const struct keyrec *rec,
                      long long *conv, long long *msg);

/* Counts one use of kind; see keys_api.h record_usage. */
int usage_record(cb_req *req, const struct keyrec *rec, const char *kind, struct keys_usage *out);

/* The same behind a caller's rate limit, queued on the caller's pipeline
 * (keys_api.h usage_queue): NULL when it cannot be queued. usage_queued
 * reads its reply after the run into *rate and *out (full size). */
struct keys_pending *usage_queue(cb_req *req, cb_redis_pipe *p, const struct keyrec *rec,
                                 const char *kind, const char *limit_key, long long limit,
                                 long long window_s);
int usage_queued(cb_req *req, cb_redis_pipe *p, struct keys_pending *q, cb_rate *rate,
                 struct keys_usage *out);

/* Live counts for n keys (ids[i] in period periods[i]) into conv[i] and
 * msg[i] and last use (unix seconds, 0 when unknown) into last[i], where
 * Redis knows more than the caller's values. Best effort. */
void usage_live(cb_req *req, size_t n, const char *const *ids, const long long *periods,
                long long *conv, long long *msg, long long *last);

#define FLUSH_JOB "keys.flush_usage"
int usage_flush_job(cb_req *req, const cb_json *payload);

/* ---- validate.c: the service ---- */

int svc_validate(cb_req *req, const char *key, const char *origin, struct keys_info *out);

/* svc_validate plus the per-key rate limit, counted in the same round trip
 * as the usage look-up once the key passed its checks: KEYS_RATE_LIMITED
 * (rate filled) when the limit refuses. */
#define KEYS_RATE_LIMITED 100
struct key_rate {
	long long limit, window, block;
	cb_rate rate;
};
int validate_limited(cb_req *req, const char *key, const char *origin, struct keys_info *out,
                     struct key_rate *kr);

/* The per-IP limit of the key check: its key, limit, window and block
 * (seconds), and where its outcome goes. */
struct ip_rate {
	const char *key;
	long long limit, window, block;
	cb_rate *rate;
};
/* validate_limited with the IP limit, in one round trip, when hint (the
 * record this process last saw pass for the key with hash hash) holds
 * (hint.c). Returns a KEYS_* status as validate_limited does, or:
 *   HINT_NONE        nothing counted: check the usual way;
 *   HINT_IP_COUNTED  the IP limit was counted and allows, but Redis holds
 *                    another record (memoised for keyrec_load, if any):
 *                    check the usual way without the IP limit;
 *   HINT_IP_REFUSED  the IP limit refuses (ip->rate filled). */
#define HINT_NONE       (-1)
#define HINT_IP_COUNTED (-2)
#define HINT_IP_REFUSED (-3)
int validate_hinted(cb_req *req, const char *hash, const char *hint, const char *origin,
                    const struct ip_rate *ip, struct keys_info *out, struct key_rate *kr);

/* ---- hint.c: the record each key last passed with, per process ---- */

/* Keeps text (copied) as the hint of the key whose hash is hash; NULL or
 * empty text is ignored. */
void hint_put(const char *hash, const char *text);
/* The hint for hash, copied into req, or NULL. */
const char *hint_get(cb_req *req, const char *hash);
/* Forgets the hint for hash. */
void hint_drop(const char *hash);
/* Frees every hint (plugin unload). */
void hints_free(void);
/* As svc_validate for the key key_id (a UUID), the origin having been held
 * against a hosted page's hosts already: no domain binding, no
 * require_verified. */
int svc_validate_bound(cb_req *req, const char *key_id, struct keys_info *out);
int svc_record_usage(cb_req *req, const char *key_id, const char *kind, struct keys_usage *out);
int svc_usage_queue(cb_req *req, cb_redis_pipe *p, const char *key_id, const char *kind,
                    const char *limit_key, long long limit, long long window_s,
                    struct keys_pending **pending);
int svc_usage_queued(cb_req *req, cb_redis_pipe *p, struct keys_pending *pending, cb_rate *rate,
                     struct keys_usage *out);
int svc_reply(cb_req *req, int status, const struct keys_limit *hit);
const char *svc_status_name(int status);
/* switchoff.c: keys.v3, a plan change switching keys off and on */
int svc_switch_off_beyond(cb_req *req, const char *user_id, long long keep, cb_json *ids_out);
int svc_switch_on(cb_req *req, const char *user_id, const char *key_id);

/* ---- authn.c: the client-key authenticator ---- */

int keys_authenticate(cb_req *req, const char *permission);

/* ---- store.c: client_keys rows as the API shows them ---- */

/* Columns every key query selects, FROM source aliased k, users u, the
 * current period p and its usage row s. */
#define TS(x) CB_SQL_TS(x) /* the SDK's one timestamp rule */
#define KEY_COLS                                                                                                                                                                                                        \
	"k.id, k.environment, k.key_last4, k.domain, k.domain_verified, k.verification_token, "                                                                                                                         \
	"k.description, k.is_active, k.usage_limit, encode(k.key_hash, 'hex') AS key_hash, "                                                                                                                            \
	"k.revoked_at IS NOT NULL AS revoked, "                                                                                                                                                                         \
	"(k.expires_at IS NOT NULL AND k.expires_at <= now()) AS expired, "                                                                                                                                             \
	"u.subscription_tier AS tier, p.idx AS period, "                                                                                                                                                                \
	"COALESCE(s.conversations, 0) AS conversations, COALESCE(s.messages, 0) AS messages, "                                                                                                                          \
	"COALESCE(floor(extract(epoch FROM k.last_used_at))::bigint, 0) AS last_used_epoch, " TS("k.created_at") " AS created_at, " TS("k.updated_at") " AS updated_at, " TS("k.last_used_at") " AS last_used_at, " TS( \
	    "k.expires_at") " AS expires_at, " TS("k.revoked_at") " AS revoked_at, " TS("k."                                                                                                                            \
	                                                                                "rotated_"                                                                                                                      \
	                                                                                "at") " A"                                                                                                                      \
	                                                                                      "S "                                                                                                                      \
	                                                                                      "ro"                                                                                                                      \
	                                                                                      "ta"                                                                                                                      \
	                                                                                      "te"                                                                                                                      \
	                                                                                      "d_"                                                                                                                      \
	                                                                                      "at"                                                                                                                      \
	                                                                                      ","                                                                                                                       \
	                                                                                      " " TS("k.domain_verified_at") " AS domain_verified_at, " TS(                                                             \
	                                                                                          "keys_period_bound(k.period_start, p.idx)") " AS period_start, " TS("keys_period_bound(k.period_start, p.idx + 1)") " AS period_end"
#define KEY_FROM(src)                                                                              \
	src " k JOIN users u ON u.id = k.user_id "                                                 \
	    "CROSS JOIN LATERAL (SELECT keys_period_index(k.period_start, now()) AS idx) p "       \
	    "LEFT JOIN client_key_usage s ON s.key_id = k.id AND s.period = p.idx"

/* The key id of user_id with KEY_COLS (0 rows when it does not exist, is
 * another user's, or id is not a UUID); NULL on a database failure. */
cb_res *key_load(cb_req *req, const char *user_id, const char *id, int for_update);

/* The API's view of row of res (never the key or its hash). live_* are the
 * counts and last use to show (see usage_live). */
cb_json *key_json(cb_req *req, const cb_res *res, int row, long long conv, long long msg,
                  long long last_used);

/* key_json of row 0 with live usage looked up. */
cb_json *key_json_live(cb_req *req, const cb_res *res, int row);

/* Replies: 404 not_found (also for other users' keys), 500/503 after a
 * database failure (logged with what), 409 key_revoked. */
int reply_not_found(cb_req *req);
int reply_revoked(cb_req *req);

/* The SDK's one database-error reply; the old name stays for code written
 * before it moved to the core (SDK 1.6). */
#define reply_db_error cb_reply_db_error

/* Commits req's transaction after dropping the cached copies of the key
 * (before and after the commit); replies 503/500 itself on failure and then
 * returns non-zero. */
int commit_forgetting(cb_req *req, const char *id, const char *hash_hex, const char *old_hash_hex);

/* ---- input.c: request checks shared by handlers ---- */

#define DESCRIPTION_MAX 500

/* Records every member of body not in known[0..n) (at most 10). */
void reject_unknown(cb_check *c, const cb_json *body, const char *const *known, size_t n);

/* The "description" member: *set when present; returns NULL to clear it
 * (null or ""), else the text (<= 500 bytes, no control characters except
 * newline and tab). Problems are recorded in c. */
const char *read_description(cb_check *c, const cb_json *body, int *set);

/* The verification URL of domain (verification_url with {domain}). */
char *verification_url(cb_req *req, const char *domain);

/* ---- handlers (handlers_*.c, verify.c) ---- */

int h_create(cb_req *req);
int h_list(cb_req *req);
int h_get(cb_req *req);
int h_patch(cb_req *req);
int h_delete(cb_req *req);
int h_rotate(cb_req *req);
int h_verify(cb_req *req);

/* hooks.c: subscription and account changes drop a user's cached keys */
int on_user_changed(cb_req *req, const char *event, const cb_json *data, void *udata);

/* Job keys.forget_user, queued by a trigger on users when an account is
 * soft-deleted, deleted or changes tier or status: drops the cached records
 * of the keys in its payload {"user_id", "keys": [{"id", "key_hash"}]}. */
#define FORGET_USER_JOB "keys.forget_user"
int forget_user_job(cb_req *req, const cb_json *payload);

/* gdpr.c: this plugin's part of the data-subject contract. */
int gdpr_register(cb_plugin *p);

#endif
