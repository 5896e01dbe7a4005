CREATE TABLE testkit_items (
    id    bigserial PRIMARY KEY,
    name  text NOT NULL UNIQUE,
    added timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE testkit_job_runs (
    id     bigserial PRIMARY KEY,
    tag    text NOT NULL,
    ok     boolean NOT NULL,
    at     timestamptz NOT NULL DEFAULT now()
);
