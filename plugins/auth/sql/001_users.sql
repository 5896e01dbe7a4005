-- Accounts. Adapted from the spec's users table: email is stored lower-cased
-- and unique case-insensitively, times are timestamptz, plus the operator
-- role, soft deletion and the instant before which access tokens are void.
CREATE TABLE users (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
	password_hash text NOT NULL,
	first_name varchar(100),
	last_name varchar(100),
	company_name varchar(255),
	phone varchar(20),
	subscription_tier varchar(20) NOT NULL DEFAULT 'basic'
		CHECK (subscription_tier IN ('basic', 'premium', 'enterprise')),
	subscription_status varchar(20) NOT NULL DEFAULT 'active',
	trial_ends_at timestamptz,
	role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
	-- access tokens issued before this (iat, seconds) are refused: set by a
	-- password change and by "log out everywhere"
	sessions_valid_after timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	last_login_at timestamptz,
	deleted_at timestamptz
);

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE INDEX users_subscription_tier_idx ON users (subscription_tier);
