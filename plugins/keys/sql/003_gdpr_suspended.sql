-- gdpr: keys switched off while the owner's erasure waits out its grace
-- period (so a cancellation switches exactly these back on).
ALTER TABLE client_keys ADD COLUMN gdpr_suspended boolean NOT NULL DEFAULT false;
