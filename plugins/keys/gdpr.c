/* gdpr.c — keys' part of the data-subject contract: the owner's keys in the
 * export (never the key or its hash: the last four characters only), switched
 * off while an erasure is pending, switched on again when it is cancelled,
 * and deleted (with their usage) by the erasure. */
#include "keys.h"

#define KEY_JSON                                                                                   \
	"json_build_object('id', id, 'environment', environment, 'key', 'cb_...' || key_last4, "   \
	"'domain', domain, 'domain_verified', domain_verified, 'description', description, "       \
	"'is_active', is_active, 'usage_limit', usage_limit, "                                     \
	"'created_at', " CB_SQL_TS("created_at") ", 'last_used_at', " CB_SQL_TS(                   \
	    "last_used_at") ", "                                                                   \
	                    "'revoked_at', " CB_SQL_TS("revoked_at") ", 'expires_at', " CB_SQL_TS( \
	                        "expires_at") ", "                                                 \
	                                      "'usage', (SELECT coalesce(json_agg(u), '[]') FROM " \
	                                      "client_key_usage u "                                \
	                                      "WHERE u.key_id = k.id))"

static int export_keys(cb_req *req, const char *uid, cb_export *out)
{
	return cb_export_ndjson(req, out, "keys/client_keys.ndjson",
	                        "SELECT " KEY_JSON "::text AS j, id::text AS k FROM client_keys k "
	                        "WHERE user_id = $1 AND id > coalesce(nullif($2, '')::uuid, "
	                        "'00000000-0000-0000-0000-000000000000') ORDER BY id LIMIT 1000",
	                        uid);
}

static int suspend(cb_req *req, const char *uid)
{
	return cb_db_q(req,
	               "UPDATE client_keys SET is_active = false, gdpr_suspended = true, "
	               "updated_at = now() WHERE user_id = $1 AND is_active",
	               uid)
	           ? CB_OK
	           : CB_EDB;
}

static int restore(cb_req *req, const char *uid)
{
	return cb_db_q(req,
	               "UPDATE client_keys SET is_active = true, gdpr_suspended = false, "
	               "updated_at = now() WHERE user_id = $1 AND gdpr_suspended",
	               uid)
	           ? CB_OK
	           : CB_EDB;
}

static int erase(cb_req *req, const char *uid, long long *rows)
{
	static const char *const sql[] = {
	    "DELETE FROM client_key_usage WHERE key_id IN "
	    "(SELECT id FROM client_keys WHERE user_id = $1)",
	    "DELETE FROM client_keys WHERE user_id = $1",
	};
	return cb_db_exec_each(req, sql, sizeof sql / sizeof sql[0], uid, rows);
}

static const cb_datasubject ds = {
    CB_DATASUBJECT_SIZE, "keys", export_keys, erase, suspend, restore, NULL, NULL, NULL, NULL};

int gdpr_register(cb_plugin *p)
{
	return cb_datasubject_register(p, &ds);
}
