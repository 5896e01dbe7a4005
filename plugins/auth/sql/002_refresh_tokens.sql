-- Refresh tokens, stored only as their SHA-256. A family is one session: each
-- refresh replaces its token by a child (parent_id, replaced_by); presenting a
-- replaced token revokes the whole family.
CREATE TABLE refresh_tokens (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	family_id uuid NOT NULL,
	token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
	parent_id uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL,
	replaced_by uuid REFERENCES refresh_tokens (id) ON DELETE SET NULL,
	remember boolean NOT NULL DEFAULT false,
	expires_at timestamptz NOT NULL,
	revoked_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
