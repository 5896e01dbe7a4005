/* chatfloor.c — POST /t/chat-floor: the chat path's SQL statement and nothing
 * else (no key check, no Redis, no reply engine), for bench/chat.pl. What
 * carbotd reaches here is the ceiling of POST /api/v1/widget/chat on the
 * same machine: HTTP, JSON, the handler pool and one statement.
 *
 * Body: {"key_id": UUID, "session_id": "...", "message": "...",
 * "redis_trips": N}; the values the handler would compute (visitor,
 * metadata, answer) are fixed, as in the benchmark's pgbench script. N
 * (0..16, default 0) Redis round trips (an INCR of testkit:floor:trips
 * each, waited for) come first:
 * the benchmark measures what each costs. Only with the chat plugin's
 * tables. */
#include <carbot/sdk.h>

#include "persist_sql.h"
#include "testkit.h"

static int chat_floor(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	const char *key = cb_json_get_str(body, "key_id");
	const char *sid = cb_json_get_str(body, "session_id");
	const char *msg = cb_json_get_str(body, "message");
	long long trips = 0;
	const cb_json *t = cb_json_get(body, "redis_trips");
	if (!key || !sid || !msg ||
	    (t && (cb_json_int(t, &trips) != CB_OK || trips < 0 || trips > 16)))
		return cb_reply_error(
		    req, 400, "validation_failed",
		    "key_id, session_id and message are required; redis_trips 0..16");
	for (long long i = 0; i < trips; i++)
		if (!cb_redis_c(req, "INCR", "testkit:floor:trips"))
			return CB_EREDIS;
	long long pings = 0;
	cb_json_int(cb_json_get(body, "pings"), &pings);
	for (long long i = 0; i < pings; i++)
		cb_redis_c(req, "GET", sid);
	cb_res *r =
	    cb_db_q(req, persist_sql, key, sid,
	            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	            "{\"lang\":\"de\"}", msg, "{\"intent\":\"opening_hours\",\"lang\":\"de\"}",
	            "Unsere Öffnungszeiten: Mo–Fr 08:00–18:00.", "{\"source\":\"builtin\"}", "30");
	if (!r || cb_res_rows(r) != 1)
		return CB_EDB;
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "conversation_id", cb_res_val(r, 0, "id"));
	cb_json_set_bool(o, "is_new", cb_res_bool(r, 0, "is_new"));
	return cb_reply_json(req, 200, o);
}

void testkit_chat_floor(cb_plugin *p)
{
	cb_route(p, "POST", "/t/chat-floor", CB_AUTH_PUBLIC, NULL, chat_floor);
}
