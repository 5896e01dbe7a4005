/* retention.c — how long a business keeps chat transcripts:
 * PUT /api/v1/gdpr/retention {conversations_days: null | 30..1095} (null =
 * the operator's default, retention_days; 0 there = keep). A daily job
 * (planted by the migration, re-planned by itself) asks every plugin's purge
 * to delete older conversations, messages and leads, keeping only anonymous
 * aggregates for analytics. */
#include <string.h>

#include "gdpr.h"

static cb_json *current(cb_req *req, const char *uid)
{
	cb_res *r =
	    cb_db_q(req, "SELECT conversations_days FROM gdpr_retention WHERE user_id = $1", uid);
	if (!r)
		return NULL;
	cb_json *o = cb_json_new_object(req);
	long long d = 0;
	int own = cb_res_rows(r) == 1 && cb_res_int_ok(r, 0, "conversations_days", &d) == CB_OK;
	if (!own)
		d = gdpr_cf.retention_days;
	if (d > 0)
		cb_json_set_int(o, "conversations_days", d);
	else
		cb_json_set_null(o, "conversations_days");
	cb_json_set_str(o, "source", own ? "business" : "default");
	return o;
}

int h_retention_get(cb_req *req)
{
	cb_json *o = current(req, cb_req_get(req, "user.id"));
	return o ? cb_reply_json(req, 200, o) : cb_reply_db_error(req, "retention: read");
}

int h_retention_put(cb_req *req)
{
	const char *uid = cb_req_get(req, "user.id");
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	cb_check *c = cb_check_new(req, body);
	long long days = 0;
	const cb_json *v = cb_json_get(body, "conversations_days");
	int off = v && cb_json_type(v) == CB_JSON_NULL;
	if (!off)
		cb_check_int(c, "conversations_days", CB_REQUIRED, 30, 1095, &days);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (!cb_db_q(req,
	             "INSERT INTO gdpr_retention (user_id, conversations_days) "
	             "VALUES ($1, NULLIF($2, '')::int) ON CONFLICT (user_id) DO UPDATE "
	             "SET conversations_days = EXCLUDED.conversations_days, updated_at = now()",
	             uid, off ? "" : cb_sprintf(req, "%lld", days)))
		return cb_reply_db_error(req, "retention: write");
	if (off && !cb_db_q(req, "DELETE FROM gdpr_retention WHERE user_id = $1", uid))
		return cb_reply_db_error(req, "retention: write");
	audit(req, uid, "retention.changed", "owner", 0);
	cb_json *o = current(req, uid);
	return o ? cb_reply_json(req, 200, o) : cb_reply_db_error(req, "retention: read");
}

static int purge_all(cb_req *req, const char *uid, long long days, const char *exempt,
                     long long *rows)
{
	for (size_t i = 0; cb_datasubject_at(i); i++) {
		const cb_datasubject *ds = cb_datasubject_at(i);
		if (ds->purge && ds->purge(req, uid, days, exempt, rows) != CB_OK) {
			cb_job_error(req, "purge %s failed", ds->section);
			return CB_EDB;
		}
	}
	return CB_OK;
}

int retention_job(cb_req *req, const cb_json *payload)
{
	(void)payload;
	cb_res *r = cb_db_q0(req, "SELECT user_id, conversations_days FROM gdpr_retention "
	                          "WHERE conversations_days IS NOT NULL ORDER BY user_id");
	cb_res *ex = cb_db_q0(req, "SELECT coalesce(array_agg(user_id), '{}')::text AS a "
	                           "FROM gdpr_retention WHERE conversations_days IS NOT NULL");
	if (!r || !ex)
		return CB_EDB;
	for (int i = 0; i < cb_res_rows(r); i++) {
		long long rows = 0;
		const char *uid = cb_res_val(r, i, "user_id");
		if (cb_db_begin(req) != CB_OK ||
		    purge_all(req, uid, cb_res_int(r, i, "conversations_days"), NULL, &rows) !=
		        CB_OK ||
		    (rows > 0 && audit(req, uid, "retention.purged", "system", rows) != CB_OK) ||
		    cb_db_commit(req) != CB_OK)
			return CB_EDB;
	}
	if (gdpr_cf.retention_days > 0) {
		long long rows = 0;
		if (cb_db_begin(req) != CB_OK ||
		    purge_all(req, NULL, gdpr_cf.retention_days, cb_res_val(ex, 0, "a"), &rows) !=
		        CB_OK ||
		    cb_db_commit(req) != CB_OK)
			return CB_EDB;
		if (rows > 0)
			cb_log(req, CB_LOG_INFO, "gdpr: retention default purged %lld rows", rows);
	}
	/* the next run, once: a second pending one (another process) is dropped */
	cb_res *other = cb_db_q(req,
	                        "SELECT count(*) AS n FROM cb_jobs WHERE name = $1 AND "
	                        "status = 'pending'",
	                        GDPR_RETENTION_JOB);
	if (other && cb_res_int(other, 0, "n") == 0)
		return cb_job_enqueue(req, GDPR_RETENTION_JOB, NULL, 86400, NULL) == CB_OK ? CB_OK
		                                                                           : CB_EDB;
	return CB_OK;
}
