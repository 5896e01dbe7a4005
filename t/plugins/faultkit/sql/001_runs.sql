-- One row when an attempt of faultkit.slow starts and one when it finishes,
-- with the pid of the carbotd that ran it.
CREATE TABLE faultkit_runs (
    id    bigserial PRIMARY KEY,
    tag   text NOT NULL,
    phase text NOT NULL CHECK (phase IN ('start', 'done')),
    pid   integer NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
