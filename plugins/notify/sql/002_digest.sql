-- The daily digest: when the owner's next one is due (NULL: none planned).
-- The planned notify.digest job carries the same instant and is dropped
-- when it no longer matches (digest turned off, or planned anew).
ALTER TABLE notify_settings ADD COLUMN digest_next_at timestamptz;
