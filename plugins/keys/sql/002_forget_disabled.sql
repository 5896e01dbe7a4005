-- An account disabled or changed behind any handler's back (soft deletion,
-- another tier or subscription status, a DELETE; by SQL, by another plugin or
-- by an operator) must not keep its client keys working from the cache for
-- cache_ttl seconds. This trigger queues keys.forget_user in the same
-- transaction; the job (hooks.c) drops the keys' cached records, which every
-- process's hint is compared against, as soon as a job thread polls. The key
-- ids and hashes travel in the payload: after a DELETE the rows are gone.
CREATE FUNCTION keys_forget_user_queue() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	u uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.deleted_at IS NOT DISTINCT FROM OLD.deleted_at
	   AND NEW.subscription_tier IS NOT DISTINCT FROM OLD.subscription_tier
	   AND NEW.subscription_status IS NOT DISTINCT FROM OLD.subscription_status THEN
		RETURN NULL;
	END IF;
	INSERT INTO cb_jobs (name, payload, max_attempts)
	SELECT 'keys.forget_user',
	       jsonb_build_object('user_id', u, 'keys',
	                          jsonb_agg(jsonb_build_object('id', k.id,
	                                                       'key_hash', encode(k.key_hash, 'hex')))),
	       10
	FROM client_keys k WHERE k.user_id = u
	HAVING count(*) > 0;
	IF TG_OP = 'DELETE' THEN
		RETURN OLD; -- a BEFORE trigger's NULL would cancel the DELETE
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER keys_forget_user_on_update
	AFTER UPDATE OF deleted_at, subscription_tier, subscription_status ON users
	FOR EACH ROW EXECUTE FUNCTION keys_forget_user_queue();

-- BEFORE: the ON DELETE CASCADE has not removed the user's keys yet.
CREATE TRIGGER keys_forget_user_on_delete
	BEFORE DELETE ON users
	FOR EACH ROW EXECUTE FUNCTION keys_forget_user_queue();
