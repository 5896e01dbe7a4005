/* gdpr.c — notify's part of the data-subject contract: settings, the mails
 * sent to the owner (never a secret mail's text) and the webhooks (never
 * their signing secret) with their deliveries in the export; all of it
 * deleted by the erasure. */
#include "notify.h"

static int export_notify(cb_req *req, const char *uid, cb_export *out)
{
	int rc = cb_export_ndjson(req, out, "notify/settings.ndjson",
	                          "SELECT json_build_object('language', language, 'lead_alerts', "
	                          "lead_alerts, 'daily_digest', daily_digest, 'lead_recipients', "
	                          "lead_recipients)::text AS j, '1' AS k FROM notify_settings "
	                          "WHERE user_id = $1 AND $2 = ''",
	                          uid);
	if (rc == CB_OK)
		rc = cb_export_ndjson(
		    req, out, "notify/mails.ndjson",
		    "SELECT json_build_object('kind', kind, 'recipient', recipient, 'subject', "
		    "subject, "
		    "'message', CASE WHEN secret THEN NULL ELSE message END, 'status', status, "
		    "'created_at', " CB_SQL_TS(
		        "created_at") ")::text AS j, id::text AS k "
		                      "FROM notify_mails WHERE user_id = $1 AND id::text > $2 "
		                      "ORDER BY id::text LIMIT 1000",
		    uid);
	if (rc == CB_OK)
		rc = cb_export_ndjson(
		    req, out, "notify/webhooks.ndjson",
		    "SELECT json_build_object('url', url, 'events', events, 'active', active, "
		    "'created_at', " CB_SQL_TS(
		        "created_at") ", 'deliveries', (SELECT count(*) FROM "
		                      "notify_deliveries d WHERE d.webhook_id = w.id))::text AS j, "
		                      "id::text AS k "
		                      "FROM notify_webhooks w WHERE user_id = $1 AND id::text > $2 "
		                      "ORDER BY id::text LIMIT 1000",
		    uid);
	return rc;
}

static int erase_notify(cb_req *req, const char *uid, long long *rows)
{
	static const char *const sql[] = {
	    "DELETE FROM notify_deliveries WHERE webhook_id IN "
	    "(SELECT id FROM notify_webhooks WHERE user_id = $1)",
	    "DELETE FROM notify_webhooks WHERE user_id = $1",
	    "DELETE FROM notify_mails WHERE user_id = $1",
	    "DELETE FROM notify_settings WHERE user_id = $1",
	};
	return cb_db_exec_each(req, sql, sizeof sql / sizeof sql[0], uid, rows);
}

static const cb_datasubject ds = {
    CB_DATASUBJECT_SIZE, "notify", export_notify, erase_notify, NULL, NULL, NULL, NULL, NULL, NULL};

int gdpr_register(cb_plugin *p)
{
	return cb_datasubject_register(p, &ds);
}
