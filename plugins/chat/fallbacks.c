/* fallbacks.c — GET /api/v1/knowledge/fallbacks: what visitors asked that
 * the engine could not answer (visitor messages stored with intent
 * "fallback"), grouped by normalised text, most frequent first. Read from
 * the messages themselves: the chat path writes nothing extra for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"

static int when_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 10 || n > 40 || !(s[0] >= '0' && s[0] <= '9'))
		return 0;
	return strspn(s, "0123456789-:T.+Z ") == n;
}

int h_kb_fallbacks(cb_req *req)
{
	const char *key = cb_req_query(req, "key"), *from = cb_req_query(req, "from");
	const char *to = cb_req_query(req, "to"), *off = cb_req_query(req, "offset");
	long long limit = query_limit(req, 20), offset = 0;
	char lim[24], offs[24];
	cb_json *out, *list;
	cb_res *r;

	if (limit < 0)
		return cb_reply_error(req, 400, "invalid_query", "limit is 1..100");
	if (off) {
		char *end = NULL;
		offset = strtoll(off, &end, 10);
		if (!*off || *end || offset < 0 || offset > 10000)
			return cb_reply_error(req, 400, "invalid_query", "offset is 0..10000");
	}
	if ((from && !when_ok(from)) || (to && !when_ok(to)))
		return cb_reply_error(req, 400, "invalid_query",
		                      "from and to are dates (2025-08-06) or ISO 8601 timestamps");
	if (key && own_key(req, key) != CB_OK)
		return CB_OK;
	snprintf(lim, sizeof(lim), "%lld", limit);
	snprintf(offs, sizeof(offs), "%lld", offset);
	r = cb_db_q(
	    req,
	    "WITH t AS (SELECT m.content, m.created_at, m.metadata->>'lang' AS lang, "
	    "c.client_key_id, btrim(regexp_replace(lower(m.content), "
	    "'[^[:alnum:]äöüß]+', ' ', 'g')) AS norm FROM messages m "
	    "JOIN conversations c ON c.id = m.conversation_id "
	    "JOIN client_keys k ON k.id = c.client_key_id "
	    "WHERE k.user_id = $1 AND m.role = 'user' AND m.metadata->>'intent' = 'fallback' "
	    "AND ($2::uuid IS NULL OR c.client_key_id = $2::uuid) "
	    "AND m.created_at >= coalesce($3::timestamptz, now() - interval '90 days') "
	    "AND ($4::timestamptz IS NULL OR m.created_at < $4::timestamptz)), "
	    "g AS (SELECT norm, count(*) AS n, min(created_at) AS first, max(created_at) AS last, "
	    "(array_agg(content ORDER BY created_at DESC))[1] AS example, "
	    "mode() WITHIN GROUP (ORDER BY lang) AS lang, "
	    "array_to_json(array_agg(DISTINCT client_key_id::text))::text AS keys "
	    "FROM t WHERE norm <> '' GROUP BY norm) "
	    "SELECT norm, n, " TS_UTC("first") " AS first, " TS_UTC(
	        "last") " AS last, example, lang, keys, count(*) OVER () AS total "
	                "FROM g ORDER BY n DESC, g.last DESC, norm LIMIT $5::int OFFSET $6::int",
	    cb_req_get(req, "user.id"), key, from, to, lim, offs);
	if (!r) {
		if (strncmp(cb_db_sqlstate(req), "22", 2) == 0)
			return cb_reply_error(req, 400, "invalid_query",
			                      "from and to must be valid dates");
		return db_failed(req, "list fallbacks");
	}
	out = cb_json_new_object(req);
	list = cb_json_new_array(req);
	for (int i = 0; i < cb_res_rows(r); i++) {
		cb_json *o = cb_json_new_object(req);
		cb_json_set_str(o, "text", cb_res_val(r, i, "norm"));
		cb_json_set_int(o, "count", cb_res_int(r, i, "n"));
		cb_json_set_str(o, "lang", cb_res_val(r, i, "lang"));
		cb_json_set_str(o, "example", cb_res_val(r, i, "example"));
		cb_json_set_str(o, "first_seen_at", cb_res_val(r, i, "first"));
		cb_json_set_str(o, "last_seen_at", cb_res_val(r, i, "last"));
		cb_json_set(o, "key_ids", json_text(req, cb_res_val(r, i, "keys")));
		cb_json_push(list, o);
	}
	long long total = cb_res_rows(r) ? cb_res_int(r, 0, "total") : 0;
	if (!cb_res_rows(r) && offset > 0) {
		cb_res *c = cb_db_q(req,
		                    "SELECT count(DISTINCT btrim(regexp_replace(lower(m.content), "
		                    "'[^[:alnum:]äöüß]+', ' ', 'g'))) AS n FROM messages m "
		                    "JOIN conversations c ON c.id = m.conversation_id "
		                    "JOIN client_keys k ON k.id = c.client_key_id WHERE "
		                    "k.user_id = $1 AND m.role = 'user' AND "
		                    "m.metadata->>'intent' = 'fallback' AND ($2::uuid IS NULL OR "
		                    "c.client_key_id = $2::uuid)",
		                    cb_req_get(req, "user.id"), key);
		total = c && cb_res_rows(c) ? cb_res_int(c, 0, "n") : 0;
	}
	cb_json_set(out, "fallbacks", list);
	cb_json_set_int(out, "total", total);
	if (offset + (long long)cb_res_rows(r) < total)
		cb_json_set_int(out, "next_offset", offset + (long long)cb_res_rows(r));
	else
		cb_json_set_null(out, "next_offset");
	return cb_reply_json(req, 200, out);
}
