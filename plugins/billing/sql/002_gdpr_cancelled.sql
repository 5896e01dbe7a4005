-- gdpr: subscriptions set to cancel at period end because the owner asked
-- for erasure (so a cancellation within the grace period undoes exactly these).
ALTER TABLE billing_subscriptions ADD COLUMN gdpr_cancelled boolean NOT NULL DEFAULT false;
