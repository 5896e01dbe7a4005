/* carbot/version.h — the SDK version a plugin is built against.
 *
 * Rule: the major must match the core's exactly; a plugin built for an older
 * minor of the same major loads into a newer core (the function table only
 * grows at its end). A plugin built for a newer minor than the core is refused.
 *
 * Changelog (append a line with every bump):
 *   1.0  first SDK: routes, auth policies, request/response, JSON, PostgreSQL,
 *        migrations, Redis and rate limits, hooks, jobs, outbound HTTP, logs,
 *        settings, services.
 *   1.1  cb_fetch_opts.public_only: refuse non-public addresses (SSRF guard).
 *   1.2  cb_route_fast: answer from memory on the I/O thread, or defer.
 *   1.3  util.h: cb_sha256_hex, cb_hmac_sha256_hex, cb_random_hex, cb_is_uuid.
 *   1.4  redis.h: pipelines (cb_redis_pipe_*), rate limits included.
 *   1.5  redis.h: cb_redis_send, a command whose reply nobody waits for;
 *        cb_ratelimit_lua/_keys/_result, a rate limit inside a plugin's script.
 *   1.6  the ABI pinned (sdk/abi.manifest, CB_IF_HAS, headers usable from C++);
 *        events.h; permissions (cb_permission*); query checks (cb_query_*),
 *        pagination (cb_page_*), text in characters (cb_check_text,
 *        cb_utf8_len); CB_SQL_TS, cb_res_json, cb_res_int_ok/_num_ok;
 *        cb_reply_db_error; cache.h (cb_cache_*); services/ headers (users.v1);
 *        cb_metric, a plugin's line in /metrics; users.v1 lock, start_trial,
 *        trials_over and cb_user.trial_ends_at;
 *        cb_openapi (a plugin's OpenAPI fragment, embed.h cb_openapi_json);
 *        datasubject.h: the data-subject contract (cb_datasubject_register,
 *        cb_datasubject_at, cb_export, cb_export_ndjson); cb_res_free.
 */
#ifndef CARBOT_VERSION_H
#define CARBOT_VERSION_H

#define CB_SDK_MAJOR 1
#define CB_SDK_MINOR 6

/* True when the headers being compiled against are at least SDK major.minor
 * (a compile-time test; at run time use CB_HAS, see api.h). */
#define CB_SDK_AT_LEAST(maj, min) \
	(CB_SDK_MAJOR > (maj) || (CB_SDK_MAJOR == (maj) && CB_SDK_MINOR >= (min)))

#endif
