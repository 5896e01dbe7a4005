/* owner.c — the owner's view of conversations: GET /api/v1/conversations
 * (filters key, from, to; cursor pagination over (started_at, id), newest
 * first) and GET /api/v1/conversations/{id} with its messages. Other owners'
 * conversations do not exist (404). */
#include <stdio.h>
#include <string.h>

#include "chat.h"

#define CONV_COLS                                                                                  \
	"c.id, c.client_key_id, c.session_id, c.message_count, c.metadata::text AS "               \
	"metadata, " TS_UTC("c.started_at") " AS started_at, " TS_UTC(                             \
	    "c.last_message_at") " AS last_message_at, " TS_UTC("COALESCE(c.ended_at, CASE WHEN "  \
	                                                        "c.last_message_at < now() - "     \
	                                                        "make_interval(mins => $2::int) "  \
	                                                        "THEN c.last_message_at END)") " " \
	                                                                                       "A" \
	                                                                                       "S" \
	                                                                                       " " \
	                                                                                       "e" \
	                                                                                       "n" \
	                                                                                       "d" \
	                                                                                       "e" \
	                                                                                       "d" \
	                                                                                       "_" \
	                                                                                       "a" \
	                                                                                       "t" \
	                                                                                       "," \
	                                                                                       " " \
	                                                                                       "(" \
	                                                                                       "e" \
	                                                                                       "x" \
	                                                                                       "t" \
	                                                                                       "r" \
	                                                                                       "a" \
	                                                                                       "c" \
	                                                                                       "t" \
	                                                                                       "(" \
	                                                                                       "e" \
	                                                                                       "p" \
	                                                                                       "o" \
	                                                                                       "c" \
	                                                                                       "h" \
	                                                                                       " " \
	                                                                                       "F" \
	                                                                                       "R" \
	                                                                                       "O" \
	                                                                                       "M" \
	                                                                                       " " \
	                                                                                       "c" \
	                                                                                       "." \
	                                                                                       "s" \
	                                                                                       "t" \
	                                                                                       "a" \
	                                                                                       "r" \
	                                                                                       "t" \
	                                                                                       "e" \
	                                                                                       "d" \
	                                                                                       "_" \
	                                                                                       "a" \
	                                                                                       "t" \
	                                                                                       ")" \
	                                                                                       " " \
	                                                                                       "*" \
	                                                                                       " " \
	                                                                                       "1" \
	                                                                                       "0" \
	                                                                                       "0" \
	                                                                                       "0" \
	                                                                                       "0" \
	                                                                                       "0" \
	                                                                                       "0" \
	                                                                                       ")" \
	                                                                                       ":" \
	                                                                                       ":" \
	                                                                                       "b" \
	                                                                                       "i" \
	                                                                                       "g" \
	                                                                                       "i" \
	                                                                                       "n" \
	                                                                                       "t" \
	                                                                                       " " \
	                                                                                       "A" \
	                                                                                       "S" \
	                                                                                       " " \
	                                                                                       "u" \
	                                                                                       "s"

static cb_json *conv_json(cb_req *req, const cb_res *r, int i)
{
	static const char *const cols[] = {"id",         "client_key_id",   "session_id",
	                                   "started_at", "last_message_at", "ended_at"};
	cb_json *o = cb_json_new_object(req);

	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		cb_json_set_str(o, cols[k], cb_res_val(r, i, cols[k]));
	cb_json_set_int(o, "message_count", cb_res_int(r, i, "message_count"));
	cb_json_set(o, "metadata", json_text(req, cb_res_val(r, i, "metadata")));
	return o;
}

/* A date or timestamp the way people write them; PostgreSQL does the rest. */
static int date_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 10 || n > 40 || !(s[0] >= '0' && s[0] <= '9'))
		return 0;
	return strspn(s, "0123456789-:T.+Z ") == n;
}

int h_conversations(cb_req *req)
{
	const char *key = cb_req_query(req, "key"), *from = cb_req_query(req, "from");
	const char *to = cb_req_query(req, "to"), *cursor = cb_req_query(req, "cursor");
	const char *us = NULL, *cid = NULL;
	cb_check *c = cb_check_new(req, NULL);
	long long limit = 20;
	char lim[24], idle[24];
	cb_res *r;

	cb_query_int(c, "limit", CB_OPTIONAL, 1, 100, &limit);
	if (from && !date_ok(from))
		cb_check_fail(c, "from", "invalid",
		              "from is a date (2025-08-06) or an ISO 8601 timestamp");
	if (to && !date_ok(to))
		cb_check_fail(c, "to", "invalid",
		              "to is a date (2025-08-06) or an ISO 8601 timestamp");
	if (cursor && cursor_decode(req, cursor, &us, &cid) != CB_OK)
		cb_check_fail(c, "cursor", "invalid", "The cursor is not valid");
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (key && own_key(req, key) != CB_OK)
		return CB_OK;
	snprintf(lim, sizeof(lim), "%lld", limit + 1);
	snprintf(idle, sizeof(idle), "%lld", chat_cf.idle_minutes);
	r = cb_db_q(req,
	            "SELECT " CONV_COLS " FROM conversations c JOIN client_keys k ON "
	            "k.id = c.client_key_id WHERE k.user_id = $1 "
	            "AND ($3::uuid IS NULL OR c.client_key_id = $3::uuid) "
	            "AND ($4::timestamptz IS NULL OR c.started_at >= $4::timestamptz) "
	            "AND ($5::timestamptz IS NULL OR c.started_at < $5::timestamptz) "
	            "AND ($6::bigint IS NULL OR (c.started_at, c.id) < ('epoch'::timestamptz + "
	            "$6::bigint * interval '1 microsecond', $7::uuid)) "
	            "ORDER BY c.started_at DESC, c.id DESC LIMIT $8::int",
	            cb_req_get(req, "user.id"), idle, key, from, to, us, cid, lim);
	if (!r) {
		if (strncmp(cb_db_sqlstate(req), "22", 2) == 0)
			return cb_reply_error(req, 400, "invalid_query",
			                      "from and to must be valid dates");
		return db_failed(req, "list conversations");
	}
	return reply_page(req, r, limit, "conversations", conv_json);
}

int h_conversation(cb_req *req)
{
	const char *id = cb_req_param(req, "id");
	char idle[24];
	cb_json *out, *msgs;
	cb_res *r, *m;

	if (!cb_is_uuid(id))
		return reply_not_found(req);
	snprintf(idle, sizeof(idle), "%lld", chat_cf.idle_minutes);
	r = cb_db_q(req,
	            "SELECT " CONV_COLS " FROM conversations c JOIN client_keys k ON "
	            "k.id = c.client_key_id WHERE k.user_id = $1 AND c.id = $3",
	            cb_req_get(req, "user.id"), idle, id);
	if (!r)
		return db_failed(req, "load conversation");
	if (cb_res_rows(r) != 1)
		return reply_not_found(req);
	m = cb_db_q(
	    req,
	    "SELECT m.id, m.role, m.content, m.message_type, m.metadata::text AS metadata, " TS_UTC(
	        "m.created_at") " AS created_at FROM messages m "
	                        "WHERE m.conversation_id = $1 ORDER BY m.created_at, m.id",
	    id);
	if (!m)
		return db_failed(req, "load messages");
	out = cb_json_new_object(req);
	msgs = cb_json_new_array(req);
	for (int i = 0; i < cb_res_rows(m); i++) {
		cb_json *o = cb_json_new_object(req);
		cb_json_set_str(o, "id", cb_res_val(m, i, "id"));
		cb_json_set_str(o, "role", cb_res_val(m, i, "role"));
		cb_json_set_str(o, "content", cb_res_val(m, i, "content"));
		cb_json_set_str(o, "message_type", cb_res_val(m, i, "message_type"));
		cb_json_set(o, "metadata", json_text(req, cb_res_val(m, i, "metadata")));
		cb_json_set_str(o, "created_at", cb_res_val(m, i, "created_at"));
		cb_json_push(msgs, o);
	}
	cb_json_set(out, "conversation", conv_json(req, r, 0));
	cb_json_set(out, "messages", msgs);
	return cb_reply_json(req, 200, out);
}
