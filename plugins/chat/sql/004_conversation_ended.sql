-- conversation.ended: a conversation is announced once, by the job
-- chat.end_idle, when it has fallen silent for idle_minutes or a newer
-- conversation of its session has ended it. Conversations older than this
-- migration count as announced (no flood of events for old history): the
-- column is added as true, then new rows default to false.
ALTER TABLE conversations ADD COLUMN end_announced boolean NOT NULL DEFAULT true;
ALTER TABLE conversations ALTER COLUMN end_announced SET DEFAULT false;
-- Only the open ones, by a column the per-message update never changes
-- (started_at), so that update stays HOT.
CREATE INDEX conversations_unannounced_idx ON conversations (started_at) WHERE NOT end_announced;
INSERT INTO cb_jobs (name, payload, max_attempts) VALUES ('chat.end_idle', '{}', 5);
