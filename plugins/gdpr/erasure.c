/* erasure.c — Art. 17: the owner asks (password re-entered), the account is
 * disabled at once (every plugin's suspend, then user.deleted) and its
 * permanent deletion is planned after grace_days; within that time the owner
 * cancels with e-mail and password (the one thing the credentials still do)
 * and everything is restored. The planned job, or an operator at once, runs
 * user.erasing and every plugin's eraser in reverse dependency order, auth's
 * (the users row) last. */
#include <string.h>

#include "gdpr.h"

static const cb_datasubject *confirmer(void)
{
	for (size_t i = 0; cb_datasubject_at(i); i++)
		if (cb_datasubject_at(i)->confirm)
			return cb_datasubject_at(i);
	return NULL;
}

static size_t n_entries(void)
{
	size_t n = 0;
	while (cb_datasubject_at(n))
		n++;
	return n;
}

static cb_json *user_payload(cb_req *req, const char *uid)
{
	cb_json *d = cb_json_new_object(req);
	cb_json_set_str(d, "user_id", uid);
	return d;
}

static const char *email_hash(cb_req *req, const char *email)
{
	char *e = cb_strdup(req, email ? email : "");
	for (char *c = e; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return cb_sha256_hex(req, e, strlen(e));
}

/* 0 ok; else a reply has been set. */
static int check_password(cb_req *req, const char *uid, const char *password)
{
	const cb_datasubject *c = confirmer();
	int rc = c ? c->confirm(req, uid, password) : CB_ENOTFOUND;
	if (rc == CB_OK)
		return 0;
	if (rc == CB_EINVAL)
		cb_reply_error(req, 403, "invalid_password", "The password is wrong");
	else if (rc == CB_ENOTFOUND)
		cb_reply_error(req, 404, "not_found", "No such account");
	else
		cb_reply_db_error(req, "erasure: confirm");
	return -1;
}

int h_erasure(cb_req *req)
{
	const char *uid = cb_req_get(req, "user.id");
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	cb_check *c = cb_check_new(req, body);
	const char *password = cb_check_str(c, "password", CB_REQUIRED, 1, 1024);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (check_password(req, uid, password))
		return CB_OK;
	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "erasure: begin");
	cb_res *r = cb_db_q(req,
	                    "INSERT INTO gdpr_erasures (user_id, email_hash, erase_at) "
	                    "VALUES ($1, $2, now() + make_interval(days => $3::int)) "
	                    "ON CONFLICT (user_id) DO NOTHING "
	                    "RETURNING id, " CB_SQL_TS("erase_at") " AS erase_at",
	                    uid, email_hash(req, cb_req_get(req, "user.email")),
	                    cb_sprintf(req, "%lld", gdpr_cf.grace_days));
	if (!r)
		return cb_reply_db_error(req, "erasure: insert");
	if (cb_res_rows(r) != 1) {
		cb_db_rollback(req);
		return cb_reply_error(req, 409, "erasure_pending",
		                      "The erasure of this account is planned already");
	}
	const char *erase_at = cb_res_val(r, 0, "erase_at");
	for (size_t i = n_entries(); i-- > 0;) {
		const cb_datasubject *ds = cb_datasubject_at(i);
		int rc = ds->suspend ? ds->suspend(req, uid) : CB_OK;
		if (rc != CB_OK)
			return cb_reply_db_error(
			    req, cb_sprintf(req, "erasure: suspend %s", ds->section));
	}
	cb_emit(req, CB_EV_USER_DELETED, user_payload(req, uid));
	cb_json *ev = user_payload(req, uid);
	cb_json_set_str(ev, "erase_at", erase_at);
	cb_emit(req, "user.erasure_scheduled", ev);
	cb_json *job = cb_json_new_object(req);
	cb_json_set_str(job, "erasure_id", cb_res_val(r, 0, "id"));
	if (cb_job_enqueue(req, GDPR_ERASE_JOB, job, gdpr_cf.grace_days * 86400, NULL) != CB_OK ||
	    audit(req, uid, "erasure.requested", "owner", 0) != CB_OK)
		return cb_reply_db_error(req, "erasure: plan");
	if (cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "erasure: commit");
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "status", "scheduled");
	cb_json_set_str(o, "erase_at", erase_at);
	cb_json_set_int(o, "grace_days", gdpr_cf.grace_days);
	return cb_reply_json(req, 202, o);
}

int h_erasure_cancel(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	cb_check *c = cb_check_new(req, body);
	const char *email = cb_check_str(c, "email", CB_REQUIRED, 3, 254);
	const char *password = cb_check_str(c, "password", CB_REQUIRED, 1, 1024);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	const char *eh = email_hash(req, email);
	cb_rate rate = CB_RATE_INIT;
	cb_ratelimit(req, cb_sprintf(req, "gdpr:cancel:%s", eh), 10, 900, 900, 1, &rate);
	if (!rate.allowed)
		return cb_ratelimit_reply(req, &rate);
	cb_res *r = cb_db_q(req,
	                    "SELECT user_id, erase_at > now() AS in_grace FROM gdpr_erasures "
	                    "WHERE email_hash = $1",
	                    eh);
	if (!r)
		return cb_reply_db_error(req, "cancel: read");
	if (cb_res_rows(r) != 1)
		return cb_reply_error(req, 404, "no_pending_erasure",
		                      "No erasure is planned for these credentials");
	const char *uid = cb_strdup(req, cb_res_val(r, 0, "user_id"));
	if (check_password(req, uid, password))
		return CB_OK;
	if (!cb_res_bool(r, 0, "in_grace"))
		return cb_reply_error(req, 410, "grace_period_over",
		                      "The grace period is over; the account is being erased");
	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "cancel: begin");
	r = cb_db_q(
	    req, "DELETE FROM gdpr_erasures WHERE user_id = $1 AND erase_at > now() RETURNING id",
	    uid);
	if (!r)
		return cb_reply_db_error(req, "cancel: delete");
	if (cb_res_rows(r) != 1) {
		cb_db_rollback(req);
		return cb_reply_error(req, 410, "grace_period_over",
		                      "The grace period is over; the account is being erased");
	}
	if (!cb_db_q(req,
	             "DELETE FROM cb_jobs WHERE name = $1 AND status = 'pending' "
	             "AND payload->>'erasure_id' = $2",
	             GDPR_ERASE_JOB, cb_res_val(r, 0, "id")))
		return cb_reply_db_error(req, "cancel: job");
	for (size_t i = 0; cb_datasubject_at(i); i++) {
		const cb_datasubject *ds = cb_datasubject_at(i);
		int rc = ds->restore ? ds->restore(req, uid) : CB_OK;
		if (rc != CB_OK)
			return cb_reply_db_error(
			    req, cb_sprintf(req, "cancel: restore %s", ds->section));
	}
	cb_emit(req, "user.erasure_cancelled", user_payload(req, uid));
	if (audit(req, uid, "erasure.cancelled", "owner", 0) != CB_OK)
		return cb_reply_db_error(req, "cancel: audit");
	if (cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "cancel: commit");
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "status", "cancelled");
	return cb_reply_json(req, 200, o);
}

/* In the caller's transaction: user.erasing, then the erasers, dependents
 * first. The audit entry goes in before the users row does (its user_id is
 * then set NULL; subject stays). */
int erase_now(cb_req *req, const char *uid, long long *rows)
{
	*rows = 0;
	cb_res *r = cb_db_q(
	    req,
	    "INSERT INTO gdpr_audit (user_id, subject, action, actor) "
	    "VALUES ($1, $2, 'erasure.done', 'system') RETURNING id",
	    uid, cb_hmac_sha256_hex(req, gdpr_cf.secret, strlen(gdpr_cf.secret), uid, strlen(uid)));
	if (!r)
		return strcmp(cb_db_sqlstate(req), "23503") == 0 ? CB_ENOTFOUND : CB_EDB;
	const char *audit_id = cb_strdup(req, cb_res_val(r, 0, "id"));
	cb_emit(req, CB_EV_USER_ERASING, user_payload(req, uid));
	for (size_t i = n_entries(); i-- > 0;) {
		const cb_datasubject *ds = cb_datasubject_at(i);
		int rc = ds->erase_owner(req, uid, rows);
		if (rc != CB_OK) {
			cb_log(req, CB_LOG_ERROR, "gdpr: eraser %s failed: %s", ds->section,
			       cb_strerror(rc));
			return rc;
		}
	}
	return cb_db_q(req, "UPDATE gdpr_audit SET rows = $2::bigint WHERE id = $1::bigint",
	               audit_id, cb_sprintf(req, "%lld", *rows))
	           ? CB_OK
	           : CB_EDB;
}

int erase_job(cb_req *req, const cb_json *payload)
{
	const char *id = cb_json_get_str(payload, "erasure_id");
	long long rows = 0;
	if (!cb_is_uuid(id))
		return CB_OK;
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	cb_res *r = cb_db_q(req,
	                    "SELECT user_id FROM gdpr_erasures WHERE id = $1 AND erase_at <= now() "
	                    "FOR UPDATE",
	                    id);
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) != 1) {
		/* cancelled, or not due yet (the grace period was lengthened) */
		cb_res *due =
		    cb_db_q(req,
		            "SELECT greatest(1, extract(epoch FROM erase_at - now()))::bigint "
		            "AS s FROM gdpr_erasures WHERE id = $1",
		            id);
		if (due && cb_res_rows(due) == 1 &&
		    cb_job_enqueue(req, GDPR_ERASE_JOB, payload, cb_res_int(due, 0, "s"), NULL) !=
		        CB_OK)
			return CB_EDB;
		return cb_db_commit(req) == CB_OK ? CB_OK : CB_EDB;
	}
	const char *uid = cb_strdup(req, cb_res_val(r, 0, "user_id"));
	int rc = erase_now(req, uid, &rows);
	if (rc != CB_OK) {
		cb_job_error(req, "erasure failed: %s", cb_strerror(rc));
		return rc;
	}
	if (cb_db_commit(req) != CB_OK)
		return CB_EDB;
	cb_log(req, CB_LOG_INFO, "gdpr: an account was erased (%lld rows)", rows);
	return CB_OK;
}

/* POST /api/v1/gdpr/admin/users/{id}/erase — an operator erases at once. */
int h_admin_erase(cb_req *req)
{
	const char *uid = cb_req_param(req, "id");
	long long rows = 0;
	if (!cb_is_uuid(uid))
		return cb_reply_error(req, 404, "not_found", "No such account");
	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "admin erase: begin");
	int rc = erase_now(req, uid, &rows);
	if (rc == CB_ENOTFOUND) {
		cb_db_rollback(req);
		return cb_reply_error(req, 404, "not_found", "No such account");
	}
	if (rc != CB_OK)
		return cb_reply_db_error(req, "admin erase");
	/* who did it: the operator's id is not personal data of the subject */
	if (!cb_db_q(
	        req,
	        "UPDATE gdpr_audit SET actor = 'operator', action = 'erasure.immediate' "
	        "WHERE id = (SELECT max(id) FROM gdpr_audit WHERE subject = $1)",
	        cb_hmac_sha256_hex(req, gdpr_cf.secret, strlen(gdpr_cf.secret), uid, strlen(uid))))
		return cb_reply_db_error(req, "admin erase: audit");
	if (cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "admin erase: commit");
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "status", "erased");
	cb_json_set_int(o, "rows", rows);
	return cb_reply_json(req, 200, o);
}
