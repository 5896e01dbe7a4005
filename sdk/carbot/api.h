/* carbot/api.h — the function table carbotd hands to every plugin.
 *
 * Plugins never link against carbotd's symbols: carbot_plugin() receives this
 * table and the macros below route every cb_* call through it. That is why a
 * plugin builds out of tree from these headers alone and is loaded
 * RTLD_LOCAL.
 *
 * The table is append-only within a major version: new functions go at the
 * end (and bump CB_SDK_MINOR). A plugin that wants a function newer than the
 * minor it requires can test for it with CB_HAS(name).
 *
 * Do not include this header directly: include <carbot/sdk.h>.
 */
#ifndef CARBOT_API_H
#define CARBOT_API_H

#include <stddef.h>

/* Every function of the SDK, in table order. Append only. */
#define CB_API_FUNCS(X) \
	X(cb_strerror) \
	X(cb_alloc) \
	X(cb_strdup) \
	X(cb_strndup) \
	X(cb_sprintf) \
	X(cb_cleanup) \
	X(cb_log) \
	X(cb_json_parse) \
	X(cb_json_type) \
	X(cb_json_get) \
	X(cb_json_str) \
	X(cb_json_strlen) \
	X(cb_json_num) \
	X(cb_json_int) \
	X(cb_json_bool) \
	X(cb_json_len) \
	X(cb_json_at) \
	X(cb_json_key_at) \
	X(cb_json_get_str) \
	X(cb_json_new_object) \
	X(cb_json_new_array) \
	X(cb_json_new_str) \
	X(cb_json_new_strn) \
	X(cb_json_new_int) \
	X(cb_json_new_num) \
	X(cb_json_new_bool) \
	X(cb_json_new_null) \
	X(cb_json_set) \
	X(cb_json_set_str) \
	X(cb_json_set_int) \
	X(cb_json_set_num) \
	X(cb_json_set_bool) \
	X(cb_json_set_null) \
	X(cb_json_del) \
	X(cb_json_push) \
	X(cb_json_dump) \
	X(cb_req_method) \
	X(cb_req_path) \
	X(cb_req_param) \
	X(cb_req_query) \
	X(cb_req_header) \
	X(cb_req_body) \
	X(cb_req_json) \
	X(cb_req_id) \
	X(cb_req_client_ip) \
	X(cb_req_route) \
	X(cb_req_set) \
	X(cb_req_get) \
	X(cb_reply) \
	X(cb_reply_json) \
	X(cb_reply_error) \
	X(cb_reply_error_details) \
	X(cb_set_header) \
	X(cb_add_header) \
	X(cb_replied) \
	X(cb_check_new) \
	X(cb_check_str) \
	X(cb_check_int) \
	X(cb_check_num) \
	X(cb_check_bool) \
	X(cb_check_fail) \
	X(cb_check_ok) \
	X(cb_check_reply) \
	X(cb_db_query) \
	X(cb_db_query_ro) \
	X(cb_db_begin) \
	X(cb_db_commit) \
	X(cb_db_rollback) \
	X(cb_db_sqlstate) \
	X(cb_db_errmsg) \
	X(cb_res_rows) \
	X(cb_res_cols) \
	X(cb_res_affected) \
	X(cb_res_col) \
	X(cb_res_get) \
	X(cb_res_val) \
	X(cb_res_int) \
	X(cb_res_bool) \
	X(cb_redis) \
	X(cb_redis_type) \
	X(cb_redis_int) \
	X(cb_redis_str) \
	X(cb_redis_len) \
	X(cb_redis_at) \
	X(cb_ratelimit) \
	X(cb_ratelimit_refund) \
	X(cb_ratelimit_headers) \
	X(cb_ratelimit_reply) \
	X(cb_emit) \
	X(cb_veto) \
	X(cb_veto_reason) \
	X(cb_job_enqueue) \
	X(cb_job_error) \
	X(cb_fetch) \
	X(cb_route) \
	X(cb_route_body) \
	X(cb_migration) \
	X(cb_hook) \
	X(cb_job_handler) \
	X(cb_authenticator) \
	X(cb_service_provide) \
	X(cb_setting) \
	X(cb_conf_str) \
	X(cb_conf_int) \
	X(cb_conf_bool) \
	X(cb_core_setting) \
	X(cb_plugin_fail) \
	X(cb_service) \
	X(cb_route_fast) \
	X(cb_sha256_hex) \
	X(cb_hmac_sha256_hex) \
	X(cb_random_hex) \
	X(cb_is_uuid) \
	X(cb_redis_pipe_new) \
	X(cb_redis_pipe_add) \
	X(cb_redis_pipe_ratelimit) \
	X(cb_redis_pipe_run) \
	X(cb_redis_pipe_reply) \
	X(cb_redis_pipe_rate) \
	X(cb_redis_send) \
	X(cb_ratelimit_lua) \
	X(cb_ratelimit_keys) \
	X(cb_ratelimit_result) \

/* The table. size is sizeof(struct cb_api) of the core that filled it. */
struct cb_api {
	size_t size;
	unsigned sdk_major;
	unsigned sdk_minor;
#define CB__API_SLOT(fn) __typeof__(fn) *fn;
	CB_API_FUNCS(CB__API_SLOT)
#undef CB__API_SLOT
};

#ifndef CB_CORE_BUILD

/* Set by carbot_plugin(); shared by the plugin's files, hidden outside it. */
extern const struct cb_api *cb__api __attribute__((visibility("hidden")));

/* True when the running core offers function fn. */
#define CB_HAS(fn) (offsetof(struct cb_api, fn) < cb__api->size)

/* Names the plugin's dependencies: CB_DEPS("auth", "keys"). */
#define CB_DEPS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The SDK minor a plugin declares it needs. By default the minor of the
 * headers it is built with; a plugin that must also load into older cores
 * defines it lower before including <carbot/sdk.h>, and then tests newer
 * functions with CB_HAS and newer struct fields by size:
 *   #define CB_PLUGIN_SDK_MINOR 0
 */
#ifndef CB_PLUGIN_SDK_MINOR
#define CB_PLUGIN_SDK_MINOR CB_SDK_MINOR
#endif

/* Defines the plugin: its one exported function and its descriptor. Use once
 * per plugin, in one of its files:
 *   CB_PLUGIN("hello", "1.0.0", NULL, hello_init, NULL)
 */
#define CB_PLUGIN(NAME, VERSION, DEPS, INIT, FINI)                                       \
	const struct cb_api *cb__api;                                                      \
	static const cb_plugin_desc cb__desc = {sizeof(cb_plugin_desc), CB_SDK_MAJOR,     \
						CB_PLUGIN_SDK_MINOR, (unsigned)sizeof(void *), \
						NAME, VERSION, DEPS, INIT, FINI};         \
	__attribute__((visibility("default"))) const cb_plugin_desc *carbot_plugin(       \
		const struct cb_api *api);                                                 \
	const cb_plugin_desc *carbot_plugin(const struct cb_api *api)                      \
	{                                                                                  \
		cb__api = api;                                                             \
		return &cb__desc;                                                          \
	}

/* Every cb_* function goes through the table. */
#define cb_strerror(...) (cb__api->cb_strerror(__VA_ARGS__))
#define cb_alloc(...) (cb__api->cb_alloc(__VA_ARGS__))
#define cb_strdup(...) (cb__api->cb_strdup(__VA_ARGS__))
#define cb_strndup(...) (cb__api->cb_strndup(__VA_ARGS__))
#define cb_sprintf(...) (cb__api->cb_sprintf(__VA_ARGS__))
#define cb_cleanup(...) (cb__api->cb_cleanup(__VA_ARGS__))
#define cb_log(...) (cb__api->cb_log(__VA_ARGS__))
#define cb_json_parse(...) (cb__api->cb_json_parse(__VA_ARGS__))
#define cb_json_type(...) (cb__api->cb_json_type(__VA_ARGS__))
#define cb_json_get(...) (cb__api->cb_json_get(__VA_ARGS__))
#define cb_json_str(...) (cb__api->cb_json_str(__VA_ARGS__))
#define cb_json_strlen(...) (cb__api->cb_json_strlen(__VA_ARGS__))
#define cb_json_num(...) (cb__api->cb_json_num(__VA_ARGS__))
#define cb_json_int(...) (cb__api->cb_json_int(__VA_ARGS__))
#define cb_json_bool(...) (cb__api->cb_json_bool(__VA_ARGS__))
#define cb_json_len(...) (cb__api->cb_json_len(__VA_ARGS__))
#define cb_json_at(...) (cb__api->cb_json_at(__VA_ARGS__))
#define cb_json_key_at(...) (cb__api->cb_json_key_at(__VA_ARGS__))
#define cb_json_get_str(...) (cb__api->cb_json_get_str(__VA_ARGS__))
#define cb_json_new_object(...) (cb__api->cb_json_new_object(__VA_ARGS__))
#define cb_json_new_array(...) (cb__api->cb_json_new_array(__VA_ARGS__))
#define cb_json_new_str(...) (cb__api->cb_json_new_str(__VA_ARGS__))
#define cb_json_new_strn(...) (cb__api->cb_json_new_strn(__VA_ARGS__))
#define cb_json_new_int(...) (cb__api->cb_json_new_int(__VA_ARGS__))
#define cb_json_new_num(...) (cb__api->cb_json_new_num(__VA_ARGS__))
#define cb_json_new_bool(...) (cb__api->cb_json_new_bool(__VA_ARGS__))
#define cb_json_new_null(...) (cb__api->cb_json_new_null(__VA_ARGS__))
#define cb_json_set(...) (cb__api->cb_json_set(__VA_ARGS__))
#define cb_json_set_str(...) (cb__api->cb_json_set_str(__VA_ARGS__))
#define cb_json_set_int(...) (cb__api->cb_json_set_int(__VA_ARGS__))
#define cb_json_set_num(...) (cb__api->cb_json_set_num(__VA_ARGS__))
#define cb_json_set_bool(...) (cb__api->cb_json_set_bool(__VA_ARGS__))
#define cb_json_set_null(...) (cb__api->cb_json_set_null(__VA_ARGS__))
#define cb_json_del(...) (cb__api->cb_json_del(__VA_ARGS__))
#define cb_json_push(...) (cb__api->cb_json_push(__VA_ARGS__))
#define cb_json_dump(...) (cb__api->cb_json_dump(__VA_ARGS__))
#define cb_req_method(...) (cb__api->cb_req_method(__VA_ARGS__))
#define cb_req_path(...) (cb__api->cb_req_path(__VA_ARGS__))
#define cb_req_param(...) (cb__api->cb_req_param(__VA_ARGS__))
#define cb_req_query(...) (cb__api->cb_req_query(__VA_ARGS__))
#define cb_req_header(...) (cb__api->cb_req_header(__VA_ARGS__))
#define cb_req_body(...) (cb__api->cb_req_body(__VA_ARGS__))
#define cb_req_json(...) (cb__api->cb_req_json(__VA_ARGS__))
#define cb_req_id(...) (cb__api->cb_req_id(__VA_ARGS__))
#define cb_req_client_ip(...) (cb__api->cb_req_client_ip(__VA_ARGS__))
#define cb_req_route(...) (cb__api->cb_req_route(__VA_ARGS__))
#define cb_req_set(...) (cb__api->cb_req_set(__VA_ARGS__))
#define cb_req_get(...) (cb__api->cb_req_get(__VA_ARGS__))
#define cb_reply(...) (cb__api->cb_reply(__VA_ARGS__))
#define cb_reply_json(...) (cb__api->cb_reply_json(__VA_ARGS__))
#define cb_reply_error(...) (cb__api->cb_reply_error(__VA_ARGS__))
#define cb_reply_error_details(...) (cb__api->cb_reply_error_details(__VA_ARGS__))
#define cb_set_header(...) (cb__api->cb_set_header(__VA_ARGS__))
#define cb_add_header(...) (cb__api->cb_add_header(__VA_ARGS__))
#define cb_replied(...) (cb__api->cb_replied(__VA_ARGS__))
#define cb_check_new(...) (cb__api->cb_check_new(__VA_ARGS__))
#define cb_check_str(...) (cb__api->cb_check_str(__VA_ARGS__))
#define cb_check_int(...) (cb__api->cb_check_int(__VA_ARGS__))
#define cb_check_num(...) (cb__api->cb_check_num(__VA_ARGS__))
#define cb_check_bool(...) (cb__api->cb_check_bool(__VA_ARGS__))
#define cb_check_fail(...) (cb__api->cb_check_fail(__VA_ARGS__))
#define cb_check_ok(...) (cb__api->cb_check_ok(__VA_ARGS__))
#define cb_check_reply(...) (cb__api->cb_check_reply(__VA_ARGS__))
#define cb_db_query(...) (cb__api->cb_db_query(__VA_ARGS__))
#define cb_db_query_ro(...) (cb__api->cb_db_query_ro(__VA_ARGS__))
#define cb_db_begin(...) (cb__api->cb_db_begin(__VA_ARGS__))
#define cb_db_commit(...) (cb__api->cb_db_commit(__VA_ARGS__))
#define cb_db_rollback(...) (cb__api->cb_db_rollback(__VA_ARGS__))
#define cb_db_sqlstate(...) (cb__api->cb_db_sqlstate(__VA_ARGS__))
#define cb_db_errmsg(...) (cb__api->cb_db_errmsg(__VA_ARGS__))
#define cb_res_rows(...) (cb__api->cb_res_rows(__VA_ARGS__))
#define cb_res_cols(...) (cb__api->cb_res_cols(__VA_ARGS__))
#define cb_res_affected(...) (cb__api->cb_res_affected(__VA_ARGS__))
#define cb_res_col(...) (cb__api->cb_res_col(__VA_ARGS__))
#define cb_res_get(...) (cb__api->cb_res_get(__VA_ARGS__))
#define cb_res_val(...) (cb__api->cb_res_val(__VA_ARGS__))
#define cb_res_int(...) (cb__api->cb_res_int(__VA_ARGS__))
#define cb_res_bool(...) (cb__api->cb_res_bool(__VA_ARGS__))
#define cb_redis(...) (cb__api->cb_redis(__VA_ARGS__))
#define cb_redis_type(...) (cb__api->cb_redis_type(__VA_ARGS__))
#define cb_redis_int(...) (cb__api->cb_redis_int(__VA_ARGS__))
#define cb_redis_str(...) (cb__api->cb_redis_str(__VA_ARGS__))
#define cb_redis_len(...) (cb__api->cb_redis_len(__VA_ARGS__))
#define cb_redis_at(...) (cb__api->cb_redis_at(__VA_ARGS__))
#define cb_ratelimit(...) (cb__api->cb_ratelimit(__VA_ARGS__))
#define cb_ratelimit_refund(...) (cb__api->cb_ratelimit_refund(__VA_ARGS__))
#define cb_ratelimit_headers(...) (cb__api->cb_ratelimit_headers(__VA_ARGS__))
#define cb_ratelimit_reply(...) (cb__api->cb_ratelimit_reply(__VA_ARGS__))
#define cb_emit(...) (cb__api->cb_emit(__VA_ARGS__))
#define cb_veto(...) (cb__api->cb_veto(__VA_ARGS__))
#define cb_veto_reason(...) (cb__api->cb_veto_reason(__VA_ARGS__))
#define cb_job_enqueue(...) (cb__api->cb_job_enqueue(__VA_ARGS__))
#define cb_job_error(...) (cb__api->cb_job_error(__VA_ARGS__))
#define cb_fetch(...) (cb__api->cb_fetch(__VA_ARGS__))
#define cb_route(...) (cb__api->cb_route(__VA_ARGS__))
#define cb_route_body(...) (cb__api->cb_route_body(__VA_ARGS__))
#define cb_migration(...) (cb__api->cb_migration(__VA_ARGS__))
#define cb_hook(...) (cb__api->cb_hook(__VA_ARGS__))
#define cb_job_handler(...) (cb__api->cb_job_handler(__VA_ARGS__))
#define cb_authenticator(...) (cb__api->cb_authenticator(__VA_ARGS__))
#define cb_service_provide(...) (cb__api->cb_service_provide(__VA_ARGS__))
#define cb_setting(...) (cb__api->cb_setting(__VA_ARGS__))
#define cb_conf_str(...) (cb__api->cb_conf_str(__VA_ARGS__))
#define cb_conf_int(...) (cb__api->cb_conf_int(__VA_ARGS__))
#define cb_conf_bool(...) (cb__api->cb_conf_bool(__VA_ARGS__))
#define cb_core_setting(...) (cb__api->cb_core_setting(__VA_ARGS__))
#define cb_plugin_fail(...) (cb__api->cb_plugin_fail(__VA_ARGS__))
#define cb_service(...) (cb__api->cb_service(__VA_ARGS__))
#define cb_route_fast(...) (cb__api->cb_route_fast(__VA_ARGS__))
#define cb_sha256_hex(...) (cb__api->cb_sha256_hex(__VA_ARGS__))
#define cb_hmac_sha256_hex(...) (cb__api->cb_hmac_sha256_hex(__VA_ARGS__))
#define cb_random_hex(...) (cb__api->cb_random_hex(__VA_ARGS__))
#define cb_is_uuid(...) (cb__api->cb_is_uuid(__VA_ARGS__))
#define cb_redis_pipe_new(...) (cb__api->cb_redis_pipe_new(__VA_ARGS__))
#define cb_redis_pipe_add(...) (cb__api->cb_redis_pipe_add(__VA_ARGS__))
#define cb_redis_pipe_ratelimit(...) (cb__api->cb_redis_pipe_ratelimit(__VA_ARGS__))
#define cb_redis_pipe_run(...) (cb__api->cb_redis_pipe_run(__VA_ARGS__))
#define cb_redis_pipe_reply(...) (cb__api->cb_redis_pipe_reply(__VA_ARGS__))
#define cb_redis_pipe_rate(...) (cb__api->cb_redis_pipe_rate(__VA_ARGS__))
#define cb_redis_send(...) (cb__api->cb_redis_send(__VA_ARGS__))
#define cb_ratelimit_lua(...) (cb__api->cb_ratelimit_lua(__VA_ARGS__))
#define cb_ratelimit_keys(...) (cb__api->cb_ratelimit_keys(__VA_ARGS__))
#define cb_ratelimit_result(...) (cb__api->cb_ratelimit_result(__VA_ARGS__))

#endif /* CB_CORE_BUILD */

#endif
