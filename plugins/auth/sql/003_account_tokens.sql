-- Account e-mails: when the address was confirmed, and the single-use
-- tokens of the verification and password-reset links, stored only as their
-- SHA-256. email is the address a token was sent to: a verification counts
-- only while the account still has that address.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

CREATE TABLE auth_account_tokens (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
	token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	email text NOT NULL,
	expires_at timestamptz NOT NULL,
	used_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX auth_account_tokens_user_idx ON auth_account_tokens (user_id, purpose);
