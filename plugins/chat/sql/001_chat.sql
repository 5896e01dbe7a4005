-- The chat plugin's tables, adapted from the spec: timestamptz, NOT NULLs,
-- indexes for the widget's hot path and the owners' queries, and no IP
-- address anywhere (user_identifier is an HMAC of IP + user agent + key id;
-- analytics_events has no ip_address column).

-- A conversation: the messages of one widget session until it falls silent
-- for 30 minutes. last_message_at is not indexed so that the per-message
-- update stays a HOT update.
CREATE TABLE conversations (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	client_key_id uuid NOT NULL REFERENCES client_keys (id) ON DELETE CASCADE,
	session_id varchar(64) NOT NULL,
	user_identifier char(64),
	message_count integer NOT NULL DEFAULT 0 CHECK (message_count >= 0),
	started_at timestamptz NOT NULL DEFAULT now(),
	last_message_at timestamptz NOT NULL DEFAULT now(),
	ended_at timestamptz,
	metadata jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX conversations_session_idx ON conversations (session_id, client_key_id);
CREATE INDEX conversations_key_started_idx ON conversations (client_key_id, started_at DESC, id DESC);

CREATE TABLE messages (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	conversation_id uuid NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	role varchar(20) NOT NULL CHECK (role IN ('user', 'assistant')),
	content text NOT NULL,
	message_type varchar(50) NOT NULL DEFAULT 'text',
	-- {intent, lang} of visitor messages; {source: builtin|llm} of answers
	metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at);

CREATE TABLE analytics_events (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	client_key_id uuid NOT NULL REFERENCES client_keys (id) ON DELETE CASCADE,
	event_type varchar(50) NOT NULL,
	event_category varchar(50),
	event_data jsonb NOT NULL DEFAULT '{}'::jsonb,
	session_id varchar(64),
	user_identifier char(64),
	user_agent varchar(256),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX analytics_events_key_created_idx ON analytics_events (client_key_id, created_at);
CREATE INDEX analytics_events_type_category_idx ON analytics_events (event_type, event_category);

-- What the owner teaches the bot for one key.
CREATE TABLE chat_knowledge (
	client_key_id uuid PRIMARY KEY REFERENCES client_keys (id) ON DELETE CASCADE,
	faq jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(faq) = 'array'),
	prices jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(prices) = 'array'),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Appointment and callback requests collected by the bot.
CREATE TABLE leads (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	client_key_id uuid NOT NULL REFERENCES client_keys (id) ON DELETE CASCADE,
	conversation_id uuid REFERENCES conversations (id) ON DELETE SET NULL,
	kind varchar(20) NOT NULL DEFAULT 'appointment' CHECK (kind IN ('appointment', 'callback')),
	name varchar(200) NOT NULL,
	contact varchar(254) NOT NULL,
	vehicle varchar(200),
	service varchar(400),
	preferred_day varchar(100),
	status varchar(20) NOT NULL DEFAULT 'new'
		CHECK (status IN ('new', 'contacted', 'booked', 'closed')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leads_key_created_idx ON leads (client_key_id, created_at DESC, id DESC);
