-- The durable job queue (jobs.h). Workers claim due rows with
-- FOR UPDATE SKIP LOCKED, so several carbotd processes can share it.
CREATE TABLE cb_jobs (
    id           bigserial PRIMARY KEY,
    name         text        NOT NULL,
    payload      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status       text        NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts     integer     NOT NULL DEFAULT 0,
    max_attempts integer     NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
    run_at       timestamptz NOT NULL DEFAULT now(),
    locked_at    timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX cb_jobs_due ON cb_jobs (run_at) WHERE status IN ('pending', 'running');
CREATE INDEX cb_jobs_failed ON cb_jobs (updated_at) WHERE status = 'failed';
