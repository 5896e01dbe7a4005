-- gdpr: pages taken offline while the owner's erasure waits out its grace
-- period (so a cancellation publishes exactly these again).
ALTER TABLE landing_pages ADD COLUMN gdpr_suspended boolean NOT NULL DEFAULT false;
