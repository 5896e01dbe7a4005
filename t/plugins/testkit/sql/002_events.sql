CREATE TABLE testkit_events (
    id    bigserial PRIMARY KEY,
    event text NOT NULL,
    data  jsonb,
    at    timestamptz NOT NULL DEFAULT now()
);
