-- Custom-domain checks (the spec's table, with timestamptz, a method check
-- and the last failure for the dashboard). The token is not a secret: it is
-- meant to be published in DNS or on the domain's web site.
CREATE TABLE domain_verifications (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	landing_page_id uuid NOT NULL REFERENCES landing_pages (id) ON DELETE CASCADE,
	domain varchar(253) NOT NULL,
	verification_token varchar(255) NOT NULL,
	verification_method varchar(10) NOT NULL CHECK (verification_method IN ('dns', 'file', 'meta')),
	is_verified boolean NOT NULL DEFAULT false,
	verified_at timestamptz,
	last_checked_at timestamptz,
	last_error text,
	expires_at timestamptz NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX domain_verifications_page_idx ON domain_verifications (landing_page_id, created_at);
