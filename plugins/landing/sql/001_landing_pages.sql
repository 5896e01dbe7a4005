-- Landing pages. Adapted from the spec's table: times are timestamptz, the
-- subdomain is a DNS label (3-63), custom_domain holds only a verified
-- domain, and render_version grows with every change so that cached renders
-- in every carbotd process can tell they are stale. templates is the
-- templates plugin's catalogue (a dependency: its migrations run first).
CREATE TABLE landing_pages (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	template_id varchar(50) NOT NULL REFERENCES templates (id),
	subdomain varchar(63) NOT NULL UNIQUE
		CHECK (length(subdomain) BETWEEN 3 AND 63
		       AND subdomain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$'),
	custom_domain varchar(253) UNIQUE CHECK (custom_domain = lower(custom_domain)),
	ssl_enabled boolean NOT NULL DEFAULT false,
	configuration jsonb NOT NULL DEFAULT '{}'::jsonb,
	seo_settings jsonb NOT NULL DEFAULT '{}'::jsonb,
	is_published boolean NOT NULL DEFAULT false,
	published_at timestamptz,
	render_version bigint NOT NULL DEFAULT 1,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX landing_pages_user_idx ON landing_pages (user_id, created_at);
