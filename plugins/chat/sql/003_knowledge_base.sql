-- One knowledge base per business (= per owner user), read by every key's
-- chat and shown by GET /api/v1/knowledge: {hours, services, faq, greeting,
-- quick_replies} as the README describes. version counts the writes (the
-- compare-and-set of PUT and of adding a phrasing).
CREATE TABLE chat_kb (
	user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	doc jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(doc) = 'object'),
	version bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
	updated_at timestamptz NOT NULL DEFAULT now()
);
