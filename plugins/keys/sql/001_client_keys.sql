-- Client keys. Adapted from the spec's client_keys table: the key itself is
-- never stored (no key_value): key_hash is HMAC-SHA-256 of it under the
-- key_secret setting, looked up by equality; key_last4 and environment are
-- what listings show of it ("cb_prod_…a1b2"). Times are timestamptz. A
-- revoked key keeps its row (revoked_at) and frees its domain.
CREATE TABLE client_keys (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	environment text NOT NULL DEFAULT 'prod' CHECK (environment IN ('prod', 'test')),
	key_hash bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
	key_last4 text NOT NULL CHECK (key_last4 ~ '^[0-9a-f]{4}$'),
	-- lower-case ASCII, IDN as punycode (the plugin normalises it)
	domain varchar(253) NOT NULL CHECK (domain = lower(domain) AND domain <> ''),
	domain_verified boolean NOT NULL DEFAULT false,
	domain_verified_at timestamptz,
	-- published by the owner at /.well-known/carbot-verification: not a secret
	verification_token text NOT NULL,
	description varchar(500),
	is_active boolean NOT NULL DEFAULT true,
	-- the owner's cap on messages per period (the tier's limit caps it too)
	usage_limit integer NOT NULL CHECK (usage_limit BETWEEN 100 AND 1000000),
	-- anchor of the monthly usage periods: [period_start + n months, + n+1 months)
	period_start timestamptz NOT NULL DEFAULT now(),
	last_used_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	rotated_at timestamptz,
	expires_at timestamptz,
	revoked_at timestamptz,
	metadata jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- One live key per user, environment and domain (the spec's 409).
CREATE UNIQUE INDEX client_keys_user_env_domain_key ON client_keys (user_id, environment, domain)
	WHERE revoked_at IS NULL;
CREATE INDEX client_keys_user_created_idx ON client_keys (user_id, created_at DESC, id DESC);
CREATE INDEX client_keys_domain_idx ON client_keys (domain);

-- Usage per key and period, flushed from the hot counters in Redis (only
-- ever raised: GREATEST). Earlier periods stay for history.
CREATE TABLE client_key_usage (
	key_id uuid NOT NULL REFERENCES client_keys (id) ON DELETE CASCADE,
	period integer NOT NULL CHECK (period >= 0),
	period_start timestamptz NOT NULL,
	conversations bigint NOT NULL DEFAULT 0 CHECK (conversations >= 0),
	messages bigint NOT NULL DEFAULT 0 CHECK (messages >= 0),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (key_id, period)
);

-- Start of period n of a key anchored at anchor (UTC calendar months, so a
-- key made on the 31st has periods starting on the last day of shorter
-- months, without drifting).
CREATE FUNCTION keys_period_bound(anchor timestamptz, n integer) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT ((anchor AT TIME ZONE 'UTC') + make_interval(months => n)) AT TIME ZONE 'UTC'
$$;

-- The period of a key anchored at anchor that contains instant at.
CREATE FUNCTION keys_period_index(anchor timestamptz, at timestamptz) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
	a timestamp := anchor AT TIME ZONE 'UTC';
	t timestamp := at AT TIME ZONE 'UTC';
	n integer;
BEGIN
	IF t < a THEN
		RETURN 0;
	END IF;
	n := ((extract(year FROM t) - extract(year FROM a)) * 12
	      + extract(month FROM t) - extract(month FROM a))::integer;
	WHILE n > 0 AND a + make_interval(months => n) > t LOOP
		n := n - 1;
	END LOOP;
	WHILE a + make_interval(months => n + 1) <= t LOOP
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
