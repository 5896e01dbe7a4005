/* chatfloor.c — POST /t/chat-floor: the chat path's SQL statement and nothing
 * else (no key check, no Redis, no reply engine), for bench/chat.pl. What
 * carbotd reaches here is the ceiling of POST /api/v1/widget/chat on the
 * same machine: HTTP, JSON, the handler pool and one statement.
 *
 * Body: {"key_id": UUID, "session_id": "...", "message": "..."}; the values
 * the handler would compute (visitor, metadata, answer) are fixed, as in the
 * benchmark's pgbench script. Only with the chat plugin's tables. */
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
	if (!key || !sid || !msg)
		return cb_reply_error(req, 400, "validation_failed",
		                      "key_id, session_id and message are required");
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
