/* carbot/api.h — the function table carbotd hands to every plugin.
 *
 * Plugins never link against carbotd's symbols: carbot_plugin() receives this
 * table and the macros below route every cb_* call through it. That is why a
 * plugin builds out of tree from these headers alone and is loaded
 * RTLD_LOCAL.
 *
 * The table is append-only within a major version: new functions go at the
 * end (and bump CB_SDK_MINOR), each with the minor that added it. The slots
 * are pinned: sdk/abi.manifest (slot, since, name, signature) is generated
 * from this list by sdk/tools/abi-manifest.pl and t/sdk-abi.t fails when a
 * slot moves or changes, or when the manifest was not regenerated.
 *
 * A plugin that declares an older minor (CB_PLUGIN_SDK_MINOR) may call a newer
 * function only inside a CB_IF_HAS block: anywhere else the call does not
 * compile ("cb__guard_cb_x undeclared"), so it cannot crash an old core:
 *
 *   CB_IF_HAS(cb_query_int) {
 *           cb_query_int(c, "page", CB_OPTIONAL, 1, 1000, &page);
 *   }
 *
 * CB_HAS(fn) is the same test as an expression (true when the running core
 * offers fn).
 *
 * Do not include this header directly: include <carbot/sdk.h>.
 */
#ifndef CARBOT_API_H
#define CARBOT_API_H

#include <stddef.h>

/* Every function of the SDK, in table order, with the minor that added it.
 * Append only. */
#define CB_API_FUNCS(X)                                                                            \
	X(cb_strerror, 0)                                                                          \
	X(cb_alloc, 0)                                                                             \
	X(cb_strdup, 0)                                                                            \
	X(cb_strndup, 0)                                                                           \
	X(cb_sprintf, 0)                                                                           \
	X(cb_cleanup, 0)                                                                           \
	X(cb_log, 0)                                                                               \
	X(cb_json_parse, 0)                                                                        \
	X(cb_json_type, 0)                                                                         \
	X(cb_json_get, 0)                                                                          \
	X(cb_json_str, 0)                                                                          \
	X(cb_json_strlen, 0)                                                                       \
	X(cb_json_num, 0)                                                                          \
	X(cb_json_int, 0)                                                                          \
	X(cb_json_bool, 0)                                                                         \
	X(cb_json_len, 0)                                                                          \
	X(cb_json_at, 0)                                                                           \
	X(cb_json_key_at, 0)                                                                       \
	X(cb_json_get_str, 0)                                                                      \
	X(cb_json_new_object, 0)                                                                   \
	X(cb_json_new_array, 0)                                                                    \
	X(cb_json_new_str, 0)                                                                      \
	X(cb_json_new_strn, 0)                                                                     \
	X(cb_json_new_int, 0)                                                                      \
	X(cb_json_new_num, 0)                                                                      \
	X(cb_json_new_bool, 0)                                                                     \
	X(cb_json_new_null, 0)                                                                     \
	X(cb_json_set, 0)                                                                          \
	X(cb_json_set_str, 0)                                                                      \
	X(cb_json_set_int, 0)                                                                      \
	X(cb_json_set_num, 0)                                                                      \
	X(cb_json_set_bool, 0)                                                                     \
	X(cb_json_set_null, 0)                                                                     \
	X(cb_json_del, 0)                                                                          \
	X(cb_json_push, 0)                                                                         \
	X(cb_json_dump, 0)                                                                         \
	X(cb_req_method, 0)                                                                        \
	X(cb_req_path, 0)                                                                          \
	X(cb_req_param, 0)                                                                         \
	X(cb_req_query, 0)                                                                         \
	X(cb_req_header, 0)                                                                        \
	X(cb_req_body, 0)                                                                          \
	X(cb_req_json, 0)                                                                          \
	X(cb_req_id, 0)                                                                            \
	X(cb_req_client_ip, 0)                                                                     \
	X(cb_req_route, 0)                                                                         \
	X(cb_req_set, 0)                                                                           \
	X(cb_req_get, 0)                                                                           \
	X(cb_reply, 0)                                                                             \
	X(cb_reply_json, 0)                                                                        \
	X(cb_reply_error, 0)                                                                       \
	X(cb_reply_error_details, 0)                                                               \
	X(cb_set_header, 0)                                                                        \
	X(cb_add_header, 0)                                                                        \
	X(cb_replied, 0)                                                                           \
	X(cb_check_new, 0)                                                                         \
	X(cb_check_str, 0)                                                                         \
	X(cb_check_int, 0)                                                                         \
	X(cb_check_num, 0)                                                                         \
	X(cb_check_bool, 0)                                                                        \
	X(cb_check_fail, 0)                                                                        \
	X(cb_check_ok, 0)                                                                          \
	X(cb_check_reply, 0)                                                                       \
	X(cb_db_query, 0)                                                                          \
	X(cb_db_query_ro, 0)                                                                       \
	X(cb_db_begin, 0)                                                                          \
	X(cb_db_commit, 0)                                                                         \
	X(cb_db_rollback, 0)                                                                       \
	X(cb_db_sqlstate, 0)                                                                       \
	X(cb_db_errmsg, 0)                                                                         \
	X(cb_res_rows, 0)                                                                          \
	X(cb_res_cols, 0)                                                                          \
	X(cb_res_affected, 0)                                                                      \
	X(cb_res_col, 0)                                                                           \
	X(cb_res_get, 0)                                                                           \
	X(cb_res_val, 0)                                                                           \
	X(cb_res_int, 0)                                                                           \
	X(cb_res_bool, 0)                                                                          \
	X(cb_redis, 0)                                                                             \
	X(cb_redis_type, 0)                                                                        \
	X(cb_redis_int, 0)                                                                         \
	X(cb_redis_str, 0)                                                                         \
	X(cb_redis_len, 0)                                                                         \
	X(cb_redis_at, 0)                                                                          \
	X(cb_ratelimit, 0)                                                                         \
	X(cb_ratelimit_refund, 0)                                                                  \
	X(cb_ratelimit_headers, 0)                                                                 \
	X(cb_ratelimit_reply, 0)                                                                   \
	X(cb_emit, 0)                                                                              \
	X(cb_veto, 0)                                                                              \
	X(cb_veto_reason, 0)                                                                       \
	X(cb_job_enqueue, 0)                                                                       \
	X(cb_job_error, 0)                                                                         \
	X(cb_fetch, 0)                                                                             \
	X(cb_route, 0)                                                                             \
	X(cb_route_body, 0)                                                                        \
	X(cb_migration, 0)                                                                         \
	X(cb_hook, 0)                                                                              \
	X(cb_job_handler, 0)                                                                       \
	X(cb_authenticator, 0)                                                                     \
	X(cb_service_provide, 0)                                                                   \
	X(cb_setting, 0)                                                                           \
	X(cb_conf_str, 0)                                                                          \
	X(cb_conf_int, 0)                                                                          \
	X(cb_conf_bool, 0)                                                                         \
	X(cb_core_setting, 0)                                                                      \
	X(cb_plugin_fail, 0)                                                                       \
	X(cb_service, 0)                                                                           \
	X(cb_route_fast, 2)                                                                        \
	X(cb_sha256_hex, 3)                                                                        \
	X(cb_hmac_sha256_hex, 3)                                                                   \
	X(cb_random_hex, 3)                                                                        \
	X(cb_is_uuid, 3)                                                                           \
	X(cb_redis_pipe_new, 4)                                                                    \
	X(cb_redis_pipe_add, 4)                                                                    \
	X(cb_redis_pipe_ratelimit, 4)                                                              \
	X(cb_redis_pipe_run, 4)                                                                    \
	X(cb_redis_pipe_reply, 4)                                                                  \
	X(cb_redis_pipe_rate, 4)                                                                   \
	X(cb_redis_send, 5)                                                                        \
	X(cb_ratelimit_lua, 5)                                                                     \
	X(cb_ratelimit_keys, 5)                                                                    \
	X(cb_ratelimit_result, 5)                                                                  \
	X(cb_permission, 6)                                                                        \
	X(cb_permission_granted, 6)                                                                \
	X(cb_permission_list, 6)                                                                   \
	X(cb_query_int, 6)                                                                         \
	X(cb_query_str, 6)                                                                         \
	X(cb_query_bool, 6)                                                                        \
	X(cb_query_enum, 6)                                                                        \
	X(cb_query_uuid, 6)                                                                        \
	X(cb_page_read, 6)                                                                         \
	X(cb_page_json, 6)                                                                         \
	X(cb_res_json, 6)                                                                          \
	X(cb_res_int_ok, 6)                                                                        \
	X(cb_res_num_ok, 6)                                                                        \
	X(cb_reply_db_error, 6)                                                                    \
	X(cb_cache_new, 6)                                                                         \
	X(cb_cache_get, 6)                                                                         \
	X(cb_cache_put, 6)                                                                         \
	X(cb_cache_del, 6)                                                                         \
	X(cb_cache_clear, 6)                                                                       \
	X(cb_cache_free, 6)                                                                        \
	X(cb_check_text, 6)                                                                        \
	X(cb_utf8_len, 6)                                                                          \
	X(cb_metric, 6)                                                                            \
	X(cb_openapi, 6)                                                                           \
	X(cb_datasubject_register, 6)                                                              \
	X(cb_datasubject_at, 6)                                                                    \
	X(cb_res_free, 6)                                                                          \
	X(cb_db_exec_each, 6)

#ifdef __cplusplus
#define CB__TYPEOF(x) decltype(x)
#define CB__EXTERN_C  extern "C"
#else
#define CB__TYPEOF(x) __typeof__(x)
#define CB__EXTERN_C
#endif

/* One type per slot: a struct member may then share its function's name in
 * C++ too. */
#define CB__API_TYPE(fn, since) typedef CB__TYPEOF(fn) cb__t_##fn;
CB_API_FUNCS(CB__API_TYPE)
#undef CB__API_TYPE

/* The table. size is sizeof(struct cb_api) of the core that filled it. */
struct cb_api {
	size_t size;
	unsigned sdk_major;
	unsigned sdk_minor;
#define CB__API_SLOT(fn, since) cb__t_##fn *fn;
	CB_API_FUNCS(CB__API_SLOT)
#undef CB__API_SLOT
};

#ifndef CB_CORE_BUILD

/* Set by carbot_plugin(); shared by the plugin's files, hidden outside it. */
extern const struct cb_api *cb__api __attribute__((visibility("hidden")));

/* True when the running core offers function fn. */
#define CB_HAS(fn) (offsetof(struct cb_api, fn) < cb__api->size)

/* Runs the statement (block) after it only when the running core offers fn;
 * inside it fn may be called even when it is newer than the plugin's
 * declared minor. */
#define CB_IF_HAS(fn) for (int cb__guard_##fn = CB_HAS(fn); cb__guard_##fn; cb__guard_##fn = 0)

/* A call of fn that compiles only inside CB_IF_HAS(fn). */
#define CB__GUARDED(fn, ...) ((void)cb__guard_##fn, cb__api->fn(__VA_ARGS__))

/* Names the plugin's dependencies: CB_DEPS("auth", "keys"). */
#ifdef __cplusplus
#define CB_DEPS(...)                                                                               \
	([]() -> const char *const * {                                                             \
		static const char *const d[] = {__VA_ARGS__, nullptr};                             \
		return d;                                                                          \
	}())
#else
#define CB_DEPS(...) ((const char *const[]){__VA_ARGS__, NULL})
#endif

/* The SDK minor a plugin declares it needs. By default the minor of the
 * headers it is built with; a plugin that must also load into older cores
 * defines it lower before including <carbot/sdk.h>, and then calls newer
 * functions inside CB_IF_HAS and tests newer struct fields by size:
 *   #define CB_PLUGIN_SDK_MINOR 0
 */
#ifndef CB_PLUGIN_SDK_MINOR
#define CB_PLUGIN_SDK_MINOR CB_SDK_MINOR
#endif

/* Defines the plugin: its one exported function and its descriptor. Use once
 * per plugin, in one of its files:
 *   CB_PLUGIN("hello", "1.0.0", NULL, hello_init, NULL)
 */
#define CB_PLUGIN(NAME, VERSION, DEPS, INIT, FINI)                                                 \
	const struct cb_api *cb__api;                                                              \
	static const cb_plugin_desc cb__desc = {sizeof(cb_plugin_desc),                            \
	                                        CB_SDK_MAJOR,                                      \
	                                        CB_PLUGIN_SDK_MINOR,                               \
	                                        (unsigned)sizeof(void *),                          \
	                                        NAME,                                              \
	                                        VERSION,                                           \
	                                        DEPS,                                              \
	                                        INIT,                                              \
	                                        FINI};                                             \
	CB__EXTERN_C __attribute__((visibility("default"))) const cb_plugin_desc *carbot_plugin(   \
	    const struct cb_api *api);                                                             \
	CB__EXTERN_C const cb_plugin_desc *carbot_plugin(const struct cb_api *api)                 \
	{                                                                                          \
		cb__api = api;                                                                     \
		return &cb__desc;                                                                  \
	}

/* Every cb_* function goes through the table. */
#define cb_strerror(...)            (cb__api->cb_strerror(__VA_ARGS__))
#define cb_alloc(...)               (cb__api->cb_alloc(__VA_ARGS__))
#define cb_strdup(...)              (cb__api->cb_strdup(__VA_ARGS__))
#define cb_strndup(...)             (cb__api->cb_strndup(__VA_ARGS__))
#define cb_sprintf(...)             (cb__api->cb_sprintf(__VA_ARGS__))
#define cb_cleanup(...)             (cb__api->cb_cleanup(__VA_ARGS__))
#define cb_log(...)                 (cb__api->cb_log(__VA_ARGS__))
#define cb_json_parse(...)          (cb__api->cb_json_parse(__VA_ARGS__))
#define cb_json_type(...)           (cb__api->cb_json_type(__VA_ARGS__))
#define cb_json_get(...)            (cb__api->cb_json_get(__VA_ARGS__))
#define cb_json_str(...)            (cb__api->cb_json_str(__VA_ARGS__))
#define cb_json_strlen(...)         (cb__api->cb_json_strlen(__VA_ARGS__))
#define cb_json_num(...)            (cb__api->cb_json_num(__VA_ARGS__))
#define cb_json_int(...)            (cb__api->cb_json_int(__VA_ARGS__))
#define cb_json_bool(...)           (cb__api->cb_json_bool(__VA_ARGS__))
#define cb_json_len(...)            (cb__api->cb_json_len(__VA_ARGS__))
#define cb_json_at(...)             (cb__api->cb_json_at(__VA_ARGS__))
#define cb_json_key_at(...)         (cb__api->cb_json_key_at(__VA_ARGS__))
#define cb_json_get_str(...)        (cb__api->cb_json_get_str(__VA_ARGS__))
#define cb_json_new_object(...)     (cb__api->cb_json_new_object(__VA_ARGS__))
#define cb_json_new_array(...)      (cb__api->cb_json_new_array(__VA_ARGS__))
#define cb_json_new_str(...)        (cb__api->cb_json_new_str(__VA_ARGS__))
#define cb_json_new_strn(...)       (cb__api->cb_json_new_strn(__VA_ARGS__))
#define cb_json_new_int(...)        (cb__api->cb_json_new_int(__VA_ARGS__))
#define cb_json_new_num(...)        (cb__api->cb_json_new_num(__VA_ARGS__))
#define cb_json_new_bool(...)       (cb__api->cb_json_new_bool(__VA_ARGS__))
#define cb_json_new_null(...)       (cb__api->cb_json_new_null(__VA_ARGS__))
#define cb_json_set(...)            (cb__api->cb_json_set(__VA_ARGS__))
#define cb_json_set_str(...)        (cb__api->cb_json_set_str(__VA_ARGS__))
#define cb_json_set_int(...)        (cb__api->cb_json_set_int(__VA_ARGS__))
#define cb_json_set_num(...)        (cb__api->cb_json_set_num(__VA_ARGS__))
#define cb_json_set_bool(...)       (cb__api->cb_json_set_bool(__VA_ARGS__))
#define cb_json_set_null(...)       (cb__api->cb_json_set_null(__VA_ARGS__))
#define cb_json_del(...)            (cb__api->cb_json_del(__VA_ARGS__))
#define cb_json_push(...)           (cb__api->cb_json_push(__VA_ARGS__))
#define cb_json_dump(...)           (cb__api->cb_json_dump(__VA_ARGS__))
#define cb_req_method(...)          (cb__api->cb_req_method(__VA_ARGS__))
#define cb_req_path(...)            (cb__api->cb_req_path(__VA_ARGS__))
#define cb_req_param(...)           (cb__api->cb_req_param(__VA_ARGS__))
#define cb_req_query(...)           (cb__api->cb_req_query(__VA_ARGS__))
#define cb_req_header(...)          (cb__api->cb_req_header(__VA_ARGS__))
#define cb_req_body(...)            (cb__api->cb_req_body(__VA_ARGS__))
#define cb_req_json(...)            (cb__api->cb_req_json(__VA_ARGS__))
#define cb_req_id(...)              (cb__api->cb_req_id(__VA_ARGS__))
#define cb_req_client_ip(...)       (cb__api->cb_req_client_ip(__VA_ARGS__))
#define cb_req_route(...)           (cb__api->cb_req_route(__VA_ARGS__))
#define cb_req_set(...)             (cb__api->cb_req_set(__VA_ARGS__))
#define cb_req_get(...)             (cb__api->cb_req_get(__VA_ARGS__))
#define cb_reply(...)               (cb__api->cb_reply(__VA_ARGS__))
#define cb_reply_json(...)          (cb__api->cb_reply_json(__VA_ARGS__))
#define cb_reply_error(...)         (cb__api->cb_reply_error(__VA_ARGS__))
#define cb_reply_error_details(...) (cb__api->cb_reply_error_details(__VA_ARGS__))
#define cb_set_header(...)          (cb__api->cb_set_header(__VA_ARGS__))
#define cb_add_header(...)          (cb__api->cb_add_header(__VA_ARGS__))
#define cb_replied(...)             (cb__api->cb_replied(__VA_ARGS__))
#define cb_check_new(...)           (cb__api->cb_check_new(__VA_ARGS__))
#define cb_check_str(...)           (cb__api->cb_check_str(__VA_ARGS__))
#define cb_check_int(...)           (cb__api->cb_check_int(__VA_ARGS__))
#define cb_check_num(...)           (cb__api->cb_check_num(__VA_ARGS__))
#define cb_check_bool(...)          (cb__api->cb_check_bool(__VA_ARGS__))
#define cb_check_fail(...)          (cb__api->cb_check_fail(__VA_ARGS__))
#define cb_check_ok(...)            (cb__api->cb_check_ok(__VA_ARGS__))
#define cb_check_reply(...)         (cb__api->cb_check_reply(__VA_ARGS__))
#define cb_db_query(...)            (cb__api->cb_db_query(__VA_ARGS__))
#define cb_db_query_ro(...)         (cb__api->cb_db_query_ro(__VA_ARGS__))
#define cb_db_begin(...)            (cb__api->cb_db_begin(__VA_ARGS__))
#define cb_db_commit(...)           (cb__api->cb_db_commit(__VA_ARGS__))
#define cb_db_rollback(...)         (cb__api->cb_db_rollback(__VA_ARGS__))
#define cb_db_sqlstate(...)         (cb__api->cb_db_sqlstate(__VA_ARGS__))
#define cb_db_errmsg(...)           (cb__api->cb_db_errmsg(__VA_ARGS__))
#define cb_res_rows(...)            (cb__api->cb_res_rows(__VA_ARGS__))
#define cb_res_cols(...)            (cb__api->cb_res_cols(__VA_ARGS__))
#define cb_res_affected(...)        (cb__api->cb_res_affected(__VA_ARGS__))
#define cb_res_col(...)             (cb__api->cb_res_col(__VA_ARGS__))
#define cb_res_get(...)             (cb__api->cb_res_get(__VA_ARGS__))
#define cb_res_val(...)             (cb__api->cb_res_val(__VA_ARGS__))
#define cb_res_int(...)             (cb__api->cb_res_int(__VA_ARGS__))
#define cb_res_bool(...)            (cb__api->cb_res_bool(__VA_ARGS__))
#define cb_redis(...)               (cb__api->cb_redis(__VA_ARGS__))
#define cb_redis_type(...)          (cb__api->cb_redis_type(__VA_ARGS__))
#define cb_redis_int(...)           (cb__api->cb_redis_int(__VA_ARGS__))
#define cb_redis_str(...)           (cb__api->cb_redis_str(__VA_ARGS__))
#define cb_redis_len(...)           (cb__api->cb_redis_len(__VA_ARGS__))
#define cb_redis_at(...)            (cb__api->cb_redis_at(__VA_ARGS__))
#define cb_ratelimit(...)           (cb__api->cb_ratelimit(__VA_ARGS__))
#define cb_ratelimit_refund(...)    (cb__api->cb_ratelimit_refund(__VA_ARGS__))
#define cb_ratelimit_headers(...)   (cb__api->cb_ratelimit_headers(__VA_ARGS__))
#define cb_ratelimit_reply(...)     (cb__api->cb_ratelimit_reply(__VA_ARGS__))
#define cb_emit(...)                (cb__api->cb_emit(__VA_ARGS__))
#define cb_veto(...)                (cb__api->cb_veto(__VA_ARGS__))
#define cb_veto_reason(...)         (cb__api->cb_veto_reason(__VA_ARGS__))
#define cb_job_enqueue(...)         (cb__api->cb_job_enqueue(__VA_ARGS__))
#define cb_job_error(...)           (cb__api->cb_job_error(__VA_ARGS__))
#define cb_fetch(...)               (cb__api->cb_fetch(__VA_ARGS__))
#define cb_route(...)               (cb__api->cb_route(__VA_ARGS__))
#define cb_route_body(...)          (cb__api->cb_route_body(__VA_ARGS__))
#define cb_migration(...)           (cb__api->cb_migration(__VA_ARGS__))
#define cb_hook(...)                (cb__api->cb_hook(__VA_ARGS__))
#define cb_job_handler(...)         (cb__api->cb_job_handler(__VA_ARGS__))
#define cb_authenticator(...)       (cb__api->cb_authenticator(__VA_ARGS__))
#define cb_service_provide(...)     (cb__api->cb_service_provide(__VA_ARGS__))
#define cb_setting(...)             (cb__api->cb_setting(__VA_ARGS__))
#define cb_conf_str(...)            (cb__api->cb_conf_str(__VA_ARGS__))
#define cb_conf_int(...)            (cb__api->cb_conf_int(__VA_ARGS__))
#define cb_conf_bool(...)           (cb__api->cb_conf_bool(__VA_ARGS__))
#define cb_core_setting(...)        (cb__api->cb_core_setting(__VA_ARGS__))
#define cb_plugin_fail(...)         (cb__api->cb_plugin_fail(__VA_ARGS__))
#define cb_service(...)             (cb__api->cb_service(__VA_ARGS__))

/* since 1.2 */
#if CB_PLUGIN_SDK_MINOR >= 2
#define cb_route_fast(...) (cb__api->cb_route_fast(__VA_ARGS__))
#else
#define cb_route_fast(...) CB__GUARDED(cb_route_fast, __VA_ARGS__)
#endif

/* since 1.3 */
#if CB_PLUGIN_SDK_MINOR >= 3
#define cb_sha256_hex(...)      (cb__api->cb_sha256_hex(__VA_ARGS__))
#define cb_hmac_sha256_hex(...) (cb__api->cb_hmac_sha256_hex(__VA_ARGS__))
#define cb_random_hex(...)      (cb__api->cb_random_hex(__VA_ARGS__))
#define cb_is_uuid(...)         (cb__api->cb_is_uuid(__VA_ARGS__))
#else
#define cb_sha256_hex(...)      CB__GUARDED(cb_sha256_hex, __VA_ARGS__)
#define cb_hmac_sha256_hex(...) CB__GUARDED(cb_hmac_sha256_hex, __VA_ARGS__)
#define cb_random_hex(...)      CB__GUARDED(cb_random_hex, __VA_ARGS__)
#define cb_is_uuid(...)         CB__GUARDED(cb_is_uuid, __VA_ARGS__)
#endif

/* since 1.4 */
#if CB_PLUGIN_SDK_MINOR >= 4
#define cb_redis_pipe_new(...)       (cb__api->cb_redis_pipe_new(__VA_ARGS__))
#define cb_redis_pipe_add(...)       (cb__api->cb_redis_pipe_add(__VA_ARGS__))
#define cb_redis_pipe_ratelimit(...) (cb__api->cb_redis_pipe_ratelimit(__VA_ARGS__))
#define cb_redis_pipe_run(...)       (cb__api->cb_redis_pipe_run(__VA_ARGS__))
#define cb_redis_pipe_reply(...)     (cb__api->cb_redis_pipe_reply(__VA_ARGS__))
#define cb_redis_pipe_rate(...)      (cb__api->cb_redis_pipe_rate(__VA_ARGS__))
#else
#define cb_redis_pipe_new(...)       CB__GUARDED(cb_redis_pipe_new, __VA_ARGS__)
#define cb_redis_pipe_add(...)       CB__GUARDED(cb_redis_pipe_add, __VA_ARGS__)
#define cb_redis_pipe_ratelimit(...) CB__GUARDED(cb_redis_pipe_ratelimit, __VA_ARGS__)
#define cb_redis_pipe_run(...)       CB__GUARDED(cb_redis_pipe_run, __VA_ARGS__)
#define cb_redis_pipe_reply(...)     CB__GUARDED(cb_redis_pipe_reply, __VA_ARGS__)
#define cb_redis_pipe_rate(...)      CB__GUARDED(cb_redis_pipe_rate, __VA_ARGS__)
#endif

/* since 1.5 */
#if CB_PLUGIN_SDK_MINOR >= 5
#define cb_redis_send(...)       (cb__api->cb_redis_send(__VA_ARGS__))
#define cb_ratelimit_lua(...)    (cb__api->cb_ratelimit_lua(__VA_ARGS__))
#define cb_ratelimit_keys(...)   (cb__api->cb_ratelimit_keys(__VA_ARGS__))
#define cb_ratelimit_result(...) (cb__api->cb_ratelimit_result(__VA_ARGS__))
#else
#define cb_redis_send(...)       CB__GUARDED(cb_redis_send, __VA_ARGS__)
#define cb_ratelimit_lua(...)    CB__GUARDED(cb_ratelimit_lua, __VA_ARGS__)
#define cb_ratelimit_keys(...)   CB__GUARDED(cb_ratelimit_keys, __VA_ARGS__)
#define cb_ratelimit_result(...) CB__GUARDED(cb_ratelimit_result, __VA_ARGS__)
#endif

/* since 1.6 */
#if CB_PLUGIN_SDK_MINOR >= 6
#define cb_permission(...)         (cb__api->cb_permission(__VA_ARGS__))
#define cb_permission_granted(...) (cb__api->cb_permission_granted(__VA_ARGS__))
#define cb_permission_list(...)    (cb__api->cb_permission_list(__VA_ARGS__))
#define cb_query_int(...)          (cb__api->cb_query_int(__VA_ARGS__))
#define cb_query_str(...)          (cb__api->cb_query_str(__VA_ARGS__))
#define cb_query_bool(...)         (cb__api->cb_query_bool(__VA_ARGS__))
#define cb_query_enum(...)         (cb__api->cb_query_enum(__VA_ARGS__))
#define cb_query_uuid(...)         (cb__api->cb_query_uuid(__VA_ARGS__))
#define cb_page_read(...)          (cb__api->cb_page_read(__VA_ARGS__))
#define cb_page_json(...)          (cb__api->cb_page_json(__VA_ARGS__))
#define cb_res_json(...)           (cb__api->cb_res_json(__VA_ARGS__))
#define cb_res_int_ok(...)         (cb__api->cb_res_int_ok(__VA_ARGS__))
#define cb_res_num_ok(...)         (cb__api->cb_res_num_ok(__VA_ARGS__))
#define cb_reply_db_error(...)     (cb__api->cb_reply_db_error(__VA_ARGS__))
#define cb_cache_new(...)          (cb__api->cb_cache_new(__VA_ARGS__))
#define cb_cache_get(...)          (cb__api->cb_cache_get(__VA_ARGS__))
#define cb_cache_put(...)          (cb__api->cb_cache_put(__VA_ARGS__))
#define cb_cache_del(...)          (cb__api->cb_cache_del(__VA_ARGS__))
#define cb_cache_clear(...)        (cb__api->cb_cache_clear(__VA_ARGS__))
#define cb_cache_free(...)         (cb__api->cb_cache_free(__VA_ARGS__))
#define cb_check_text(...)         (cb__api->cb_check_text(__VA_ARGS__))
#define cb_utf8_len(...)           (cb__api->cb_utf8_len(__VA_ARGS__))
#define cb_metric(...)             (cb__api->cb_metric(__VA_ARGS__))
#define cb_openapi(...)            (cb__api->cb_openapi(__VA_ARGS__))
#else
#define cb_permission(...)         CB__GUARDED(cb_permission, __VA_ARGS__)
#define cb_permission_granted(...) CB__GUARDED(cb_permission_granted, __VA_ARGS__)
#define cb_permission_list(...)    CB__GUARDED(cb_permission_list, __VA_ARGS__)
#define cb_query_int(...)          CB__GUARDED(cb_query_int, __VA_ARGS__)
#define cb_query_str(...)          CB__GUARDED(cb_query_str, __VA_ARGS__)
#define cb_query_bool(...)         CB__GUARDED(cb_query_bool, __VA_ARGS__)
#define cb_query_enum(...)         CB__GUARDED(cb_query_enum, __VA_ARGS__)
#define cb_query_uuid(...)         CB__GUARDED(cb_query_uuid, __VA_ARGS__)
#define cb_page_read(...)          CB__GUARDED(cb_page_read, __VA_ARGS__)
#define cb_page_json(...)          CB__GUARDED(cb_page_json, __VA_ARGS__)
#define cb_res_json(...)           CB__GUARDED(cb_res_json, __VA_ARGS__)
#define cb_res_int_ok(...)         CB__GUARDED(cb_res_int_ok, __VA_ARGS__)
#define cb_res_num_ok(...)         CB__GUARDED(cb_res_num_ok, __VA_ARGS__)
#define cb_reply_db_error(...)     CB__GUARDED(cb_reply_db_error, __VA_ARGS__)
#define cb_cache_new(...)          CB__GUARDED(cb_cache_new, __VA_ARGS__)
#define cb_cache_get(...)          CB__GUARDED(cb_cache_get, __VA_ARGS__)
#define cb_cache_put(...)          CB__GUARDED(cb_cache_put, __VA_ARGS__)
#define cb_cache_del(...)          CB__GUARDED(cb_cache_del, __VA_ARGS__)
#define cb_cache_clear(...)        CB__GUARDED(cb_cache_clear, __VA_ARGS__)
#define cb_cache_free(...)         CB__GUARDED(cb_cache_free, __VA_ARGS__)
#define cb_check_text(...)         CB__GUARDED(cb_check_text, __VA_ARGS__)
#define cb_utf8_len(...)           CB__GUARDED(cb_utf8_len, __VA_ARGS__)
#define cb_metric(...)             CB__GUARDED(cb_metric, __VA_ARGS__)
#define cb_openapi(...)            CB__GUARDED(cb_openapi, __VA_ARGS__)
#endif

/* since 1.6: the data-subject contract (datasubject.h, cb_res_free, cb_db_exec_each) */
#if CB_PLUGIN_SDK_MINOR >= 6
#define cb_datasubject_register(...) (cb__api->cb_datasubject_register(__VA_ARGS__))
#define cb_datasubject_at(...)       (cb__api->cb_datasubject_at(__VA_ARGS__))
#define cb_res_free(...)             (cb__api->cb_res_free(__VA_ARGS__))
#define cb_db_exec_each(...)         (cb__api->cb_db_exec_each(__VA_ARGS__))
#else
#define cb_datasubject_register(...) CB__GUARDED(cb_datasubject_register, __VA_ARGS__)
#define cb_datasubject_at(...)       CB__GUARDED(cb_datasubject_at, __VA_ARGS__)
#define cb_res_free(...)             CB__GUARDED(cb_res_free, __VA_ARGS__)
#define cb_db_exec_each(...)         CB__GUARDED(cb_db_exec_each, __VA_ARGS__)
#endif

#endif /* CB_CORE_BUILD */

#endif
