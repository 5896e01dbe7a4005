-- The chat path looks a session's conversation up by key, session and
-- recency (widget.c's persist_sql). With (session_id, client_key_id) alone
-- the planner, misled by statistics that lag behind a fast-growing table,
-- chose the (client_key_id, started_at) index instead and filtered every
-- conversation of the key: 17 ms per message at 27,000 conversations. This
-- index answers the whole condition and the ORDER BY ... LIMIT 1 itself.
DROP INDEX conversations_session_idx;
CREATE INDEX conversations_key_session_idx
    ON conversations (client_key_id, session_id, last_message_at DESC);
