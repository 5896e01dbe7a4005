-- The owner's choices: the language of their mails, the optional mails
-- (lead alerts, the daily digest) and extra recipients of lead alerts.
CREATE TABLE notify_settings (
	user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	language text NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en')),
	lead_alerts boolean NOT NULL DEFAULT true,
	daily_digest boolean NOT NULL DEFAULT false,
	lead_recipients text[] NOT NULL DEFAULT '{}',
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- The outbox: one row per message and recipient, sent by the job
-- notify.send. message is the whole RFC 5322 text; for mails that carry a
-- token (verification, reset) it is wiped once sent or given up.
CREATE TABLE notify_mails (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid REFERENCES users (id) ON DELETE CASCADE,
	kind text NOT NULL,
	recipient text NOT NULL,
	subject text NOT NULL,
	message text,
	secret boolean NOT NULL DEFAULT false,
	status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
	attempts int NOT NULL DEFAULT 0,
	last_error text,
	created_at timestamptz NOT NULL DEFAULT now(),
	sent_at timestamptz
);
CREATE INDEX notify_mails_user_idx ON notify_mails (user_id, created_at);

-- Outgoing webhook endpoints. The secret signs deliveries; it is shown once
-- and kept because every delivery needs it.
CREATE TABLE notify_webhooks (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	url text NOT NULL CHECK (length(url) <= 2048),
	events text[] NOT NULL,
	active boolean NOT NULL DEFAULT true,
	secret text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notify_webhooks_user_idx ON notify_webhooks (user_id);

-- One delivery of one event to one endpoint, with what its last attempt saw.
CREATE TABLE notify_deliveries (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	webhook_id uuid NOT NULL REFERENCES notify_webhooks (id) ON DELETE CASCADE,
	event text NOT NULL,
	body text NOT NULL,
	status text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'retrying', 'delivered', 'failed')),
	attempts int NOT NULL DEFAULT 0,
	response_code int,
	duration_ms int,
	last_error text,
	next_retry_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	delivered_at timestamptz
);
CREATE INDEX notify_deliveries_webhook_idx ON notify_deliveries (webhook_id, created_at DESC);
