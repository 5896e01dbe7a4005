-- gdpr: export jobs, pending erasures, retention per business, the audit log.
CREATE TABLE gdpr_exports (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
	bytes bigint,
	error text,
	created_at timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz
);
CREATE INDEX gdpr_exports_user_idx ON gdpr_exports (user_id, created_at DESC);

-- One pending erasure per account. email_hash (SHA-256 of the lower-case
-- address) lets the owner cancel with e-mail and password while the account
-- is disabled; the row goes with the account.
CREATE TABLE gdpr_erasures (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
	email_hash text NOT NULL,
	requested_at timestamptz NOT NULL DEFAULT now(),
	erase_at timestamptz NOT NULL
);
CREATE INDEX gdpr_erasures_due_idx ON gdpr_erasures (erase_at);

CREATE TABLE gdpr_retention (
	user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	conversations_days integer CHECK (conversations_days BETWEEN 30 AND 1095),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- What was done, when, by whom, to how many rows. Nothing personal: user_id
-- goes (SET NULL) with the account; subject is an HMAC of the user id with
-- the plugin's secret, so an operator holding the id can still find the
-- entries of an erased account.
CREATE TABLE gdpr_audit (
	id bigserial PRIMARY KEY,
	user_id uuid REFERENCES users (id) ON DELETE SET NULL,
	subject text NOT NULL,
	action text NOT NULL,
	actor text NOT NULL CHECK (actor IN ('owner', 'operator', 'visitor', 'system')),
	rows bigint NOT NULL DEFAULT 0,
	at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gdpr_audit_subject_idx ON gdpr_audit (subject, at DESC);
