/* conv_search.c — GET /api/v1/conversations/search: the owner's
 * conversation list with the dashboard's filters on top of those of
 * GET /api/v1/conversations (key, from, to, limit, cursor; same answer
 * shape and cursors): intent (a visitor message of the conversation was
 * classified so) and has_lead (true/false: a lead came from it). Each row
 * also says has_lead. */
#include <stdio.h>
#include <string.h>

#include "chat.h"

/* clang-format off */
#define ENDED_AT "COALESCE(c.ended_at, CASE WHEN c.last_message_at < now() - " \
                 "make_interval(mins => $2::int) THEN c.last_message_at END)"
#define SEARCH_COLS                                                                   \
	"c.id, c.client_key_id, c.session_id, c.message_count, "                      \
	"c.metadata::text AS metadata, "                                              \
	TS_UTC("c.started_at") " AS started_at, "                                     \
	TS_UTC("c.last_message_at") " AS last_message_at, "                           \
	TS_UTC(ENDED_AT) " AS ended_at, "                                             \
	"(extract(epoch FROM c.started_at) * 1000000)::bigint AS us, "                \
	"EXISTS (SELECT 1 FROM leads l WHERE l.conversation_id = c.id) AS has_lead"
/* clang-format on */

static cb_json *row_json(cb_req *req, const cb_res *r, int i)
{
	static const char *const cols[] = {"id",         "client_key_id",   "session_id",
	                                   "started_at", "last_message_at", "ended_at"};
	cb_json *o = cb_json_new_object(req);

	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		cb_json_set_str(o, cols[k], cb_res_val(r, i, cols[k]));
	cb_json_set_int(o, "message_count", cb_res_int(r, i, "message_count"));
	cb_json_set(o, "metadata", json_text(req, cb_res_val(r, i, "metadata")));
	cb_json_set_bool(o, "has_lead", cb_res_bool(r, i, "has_lead"));
	return o;
}

static int date_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 10 || n > 40 || !(s[0] >= '0' && s[0] <= '9'))
		return 0;
	return strspn(s, "0123456789-:T.+Z ") == n;
}

/* An intent name as the engine writes them: [a-z_], 1..40. */
static int intent_ok(const char *s)
{
	size_t n = strlen(s);
	return n >= 1 && n <= 40 && strspn(s, "abcdefghijklmnopqrstuvwxyz_") == n;
}

int h_conversation_search(cb_req *req)
{
	const char *key = cb_req_query(req, "key"), *from = cb_req_query(req, "from");
	const char *to = cb_req_query(req, "to"), *cursor = cb_req_query(req, "cursor");
	const char *intent = cb_req_query(req, "intent"), *hl = cb_req_query(req, "has_lead");
	const char *us = NULL, *cid = NULL, *lead = NULL;
	long long limit = query_limit(req, 20);
	char lim[24], idle[24];
	cb_res *r;

	if (limit < 0)
		return cb_reply_error(req, 400, "invalid_query", "limit is 1..100");
	if ((from && !date_ok(from)) || (to && !date_ok(to)))
		return cb_reply_error(req, 400, "invalid_query",
		                      "from and to are dates (2025-08-06) or ISO 8601 timestamps");
	if (intent && !intent_ok(intent))
		return cb_reply_error(req, 400, "invalid_query",
		                      "intent is an intent name such as price or opening_hours");
	if (hl) {
		if (strcmp(hl, "true") == 0 || strcmp(hl, "1") == 0)
			lead = "true";
		else if (strcmp(hl, "false") == 0 || strcmp(hl, "0") == 0)
			lead = "false";
		else
			return cb_reply_error(req, 400, "invalid_query",
			                      "has_lead is true or false");
	}
	if (cursor && cursor_decode(req, cursor, &us, &cid) != CB_OK)
		return cb_reply_error(req, 400, "invalid_cursor", "The cursor is not valid");
	if (key && own_key(req, key) != CB_OK)
		return CB_OK;
	snprintf(lim, sizeof(lim), "%lld", limit + 1);
	snprintf(idle, sizeof(idle), "%lld", chat_cf.idle_minutes);
	r = cb_db_q(
	    req,
	    "SELECT " SEARCH_COLS " FROM conversations c JOIN client_keys k ON "
	    "k.id = c.client_key_id WHERE k.user_id = $1 "
	    "AND ($3::uuid IS NULL OR c.client_key_id = $3::uuid) "
	    "AND ($4::timestamptz IS NULL OR c.started_at >= $4::timestamptz) "
	    "AND ($5::timestamptz IS NULL OR c.started_at < $5::timestamptz) "
	    "AND ($6::bigint IS NULL OR (c.started_at, c.id) < ('epoch'::timestamptz + "
	    "$6::bigint * interval '1 microsecond', $7::uuid)) "
	    "AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM messages m WHERE "
	    "  m.conversation_id = c.id AND m.role = 'user' AND m.metadata->>'intent' = $9)) "
	    "AND ($10::boolean IS NULL OR EXISTS (SELECT 1 FROM leads l "
	    "  WHERE l.conversation_id = c.id) = $10::boolean) "
	    "ORDER BY c.started_at DESC, c.id DESC LIMIT $8::int",
	    cb_req_get(req, "user.id"), idle, key, from, to, us, cid, lim, intent, lead);
	if (!r) {
		if (strncmp(cb_db_sqlstate(req), "22", 2) == 0)
			return cb_reply_error(req, 400, "invalid_query",
			                      "from and to must be valid dates");
		return db_failed(req, "search conversations");
	}
	return reply_page(req, r, limit, "conversations", row_json);
}
