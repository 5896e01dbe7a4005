-- The template catalogue: the spec's templates table, with timestamptz, a
-- check on ids (they appear in URLs) and a trigger that keeps updated_at
-- current, which the compiled-template cache is keyed on.
CREATE TABLE templates (
	id varchar(50) PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]*$'),
	name varchar(255) NOT NULL,
	description text,
	category varchar(100),
	preview_image_url varchar(500),
	-- {main, partials: {name: source}, sample_data, features: [..], theme: {..},
	--  strings: {de: {..}, en: {..}}, sections: [..], thumbnail: {layout}, position}
	template_data jsonb NOT NULL CHECK (jsonb_typeof(template_data->'main') = 'string'),
	is_active boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX templates_category_idx ON templates (category);
CREATE INDEX templates_search_idx ON templates
	USING gin (to_tsvector('english', name || ' ' || COALESCE(description, '')));

CREATE FUNCTION templates_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated_at := clock_timestamp();
	RETURN NEW;
END
$$;

CREATE TRIGGER templates_touch BEFORE UPDATE ON templates
	FOR EACH ROW EXECUTE FUNCTION templates_touch();
