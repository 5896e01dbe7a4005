/* persist_sql.h — the chat path's one SQL statement: find or start the
 * session's conversation and store the visitor's message and the answer.
 *
 * Its own header because three places must run the very same text: the
 * widget's handler (widget.c), bench/chat.pl (which reads it from here and
 * gives it to pgbench) and the benchmark's floor route in the testkit test
 * plugin (the statement alone through carbotd). Keep it one C string
 * literal per line, parameters $1..$9 as below. */
#ifndef CHAT_PERSIST_SQL_H
#define CHAT_PERSIST_SQL_H

/* $1 key, $2 session, $3 visitor, $4 conversation metadata, $5/$6 visitor
 * message and its metadata, $7/$8 answer and its metadata, $9 idle minutes. */
static const char persist_sql[] =
    "WITH prev AS ("
    " SELECT id FROM conversations WHERE session_id = $2 AND client_key_id = $1"
    " AND last_message_at > now() - make_interval(mins => $9::int)"
    " ORDER BY last_message_at DESC LIMIT 1),"
    " ins AS ("
    " INSERT INTO conversations (client_key_id, session_id, user_identifier, message_count,"
    " metadata) SELECT $1, $2, $3, 2, $4::jsonb WHERE NOT EXISTS (SELECT 1 FROM prev)"
    " RETURNING id),"
    " old AS ("
    " UPDATE conversations SET ended_at = last_message_at WHERE session_id = $2"
    " AND client_key_id = $1 AND ended_at IS NULL AND EXISTS (SELECT 1 FROM ins)),"
    " upd AS ("
    " UPDATE conversations c SET message_count = c.message_count + 2, last_message_at = now()"
    " FROM prev WHERE c.id = prev.id),"
    " conv AS (SELECT id, false AS is_new FROM prev UNION ALL SELECT id, true FROM ins),"
    " msg AS ("
    " INSERT INTO messages (conversation_id, role, content, metadata, created_at)"
    " SELECT conv.id, v.role, v.content, v.meta::jsonb, now() + v.lag FROM conv CROSS JOIN"
    " (VALUES ('user'::text, $5::text, $6::text, interval '0'),"
    " ('assistant', $7::text, $8::text, interval '1 millisecond')) AS v(role, content, meta, lag))"
    " SELECT id, is_new FROM conv";

#endif
