-- Billing: Stripe customers, subscriptions as Stripe last showed them, the
-- webhook events received (each once), what a downgrade switched off, and
-- the drift the daily reconciliation found. users.subscription_tier,
-- subscription_status and trial_ends_at (auth's table) are derived from
-- these by the billing plugin alone.
CREATE TABLE billing_customers (
	user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	stripe_customer_id text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now()
);

-- The spec's subscriptions table, adapted: timestamptz, Stripe's ids,
-- the price's interval, cancel_at_period_end and the payment grace period.
CREATE TABLE billing_subscriptions (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	stripe_subscription_id text NOT NULL UNIQUE,
	stripe_customer_id text NOT NULL,
	stripe_item_id text,
	plan_id varchar(100) NOT NULL,
	price_id text,
	billing_interval text,
	status varchar(50) NOT NULL,
	current_period_start timestamptz,
	current_period_end timestamptz,
	trial_start timestamptz,
	trial_end timestamptz,
	cancel_at_period_end boolean NOT NULL DEFAULT false,
	canceled_at timestamptz,
	grace_ends_at timestamptz,
	stripe_created timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX billing_subscriptions_user_idx ON billing_subscriptions (user_id);

CREATE TABLE billing_events (
	id text PRIMARY KEY,
	type text NOT NULL,
	payload jsonb NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now(),
	processed_at timestamptz,
	outcome text
);

CREATE TABLE billing_switched_off (
	kind text NOT NULL CHECK (kind IN ('client_key', 'landing_page')),
	object_id uuid NOT NULL,
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	switched_off_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (kind, object_id)
);
CREATE INDEX billing_switched_off_user_idx ON billing_switched_off (user_id);

CREATE TABLE billing_drift (
	id bigserial PRIMARY KEY,
	user_id uuid,
	stripe_subscription_id text,
	old_tier text,
	new_tier text,
	old_status text,
	new_status text,
	found_at timestamptz NOT NULL DEFAULT now()
);

-- The first daily reconciliation; each run queues the next.
INSERT INTO cb_jobs (name, payload, run_at, max_attempts)
VALUES ('billing.reconcile', '{}', now() + interval '1 day', 5);
