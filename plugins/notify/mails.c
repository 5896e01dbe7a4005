/* mails.c — the outbox. A mail is rendered and built where it is caused
 * (inside that request's or job's transaction), stored in notify_mails and
 * sent by the durable job notify.send. The job locks its row while it
 * talks SMTP and marks it sent in the same transaction, so a retried or
 * taken-over job never sends a sent mail again. */
#include <stdio.h>
#include <string.h>

#include "notify.h"

const char *user_lang(cb_req *req, const char *user_id)
{
	cb_res *r =
	    user_id
	        ? cb_db_q(req, "SELECT language FROM notify_settings WHERE user_id = $1", user_id)
	        : NULL;
	return r && cb_res_rows(r) == 1 ? cb_res_val(r, 0, "language") : "de";
}

const char *unsubscribe_token(cb_req *req, const char *user_id, const char *what)
{
	const char *msg = cb_sprintf(req, "unsubscribe:%s:%s", user_id, what);
	return cb_hmac_sha256_hex(req, notify_cf.secret, notify_cf.secret_len, msg, strlen(msg));
}

int mail_queue(cb_req *req, const char *user_id, const char *rcpt, const char *name,
               const char *lang, cb_json *data, int flags, const char *optional)
{
	struct rendered_mail m;
	const char *extra = NULL;
	cb_json *payload;
	cb_res *r;
	int rc;

	if (!lang)
		lang = user_lang(req, user_id);
	cb_json_set_str(data, "public_url", notify_cf.public_url);
	rc = mail_render(req, name, lang, data, &m);
	if (rc != CB_OK) {
		cb_log(req, CB_LOG_ERROR, "notify: cannot render mail %s.%s", name, lang);
		return CB_ERR;
	}
	if ((flags & MAIL_OPTIONAL) && user_id && optional) {
		const char *url = cb_sprintf(
		    req, "%s/api/v1/notifications/unsubscribe?u=%s&m=%s&k=%s", notify_cf.public_url,
		    user_id, optional, unsubscribe_token(req, user_id, optional));
		extra = cb_sprintf(req,
		                   "List-Unsubscribe: <%s>\r\n"
		                   "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
		                   url);
	}
	/* which mail this is, for filters (and the tests) */
	extra = cb_sprintf(req, "%sX-CarBot-Mail: %s\r\n", extra ? extra : "", name);
	r = cb_db_q(
	    req,
	    "INSERT INTO notify_mails (user_id, kind, recipient, subject, message, secret) "
	    "VALUES ($1, $2, $3, $4, $5, $6::boolean) RETURNING id",
	    user_id, name, rcpt, m.subject,
	    mime_message(req, mime_address(req, NULL, rcpt), m.subject, m.text, m.html, extra),
	    (flags & MAIL_SECRET) ? "true" : "false");
	if (!r || cb_res_rows(r) != 1)
		return CB_EDB;
	payload = cb_json_new_object(req);
	cb_json_set_str(payload, "mail_id", cb_res_val(r, 0, "id"));
	rc = cb_job_enqueue(req, "notify.send", payload, 0, NULL);
	if (rc != CB_OK)
		return rc;
	cb_log(req, CB_LOG_INFO, "notify: mail %s (%s) queued as %s", name, lang,
	       cb_res_val(r, 0, "id"));
	return CB_OK;
}

int job_send(cb_req *req, const cb_json *payload)
{
	const char *id = cb_json_get_str(payload, "mail_id");
	char err[512] = "";
	cb_res *r;
	int rc;

	if (!id || !cb_is_uuid(id))
		return CB_OK; /* nothing a retry could mend */
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	r = cb_db_q(req,
	            "SELECT recipient, message, status, attempts FROM notify_mails WHERE id = $1 "
	            "FOR UPDATE",
	            id);
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) != 1 || strcmp(cb_res_val(r, 0, "status"), "queued") != 0 ||
	    !cb_res_val(r, 0, "message")) {
		cb_db_rollback(req);
		return CB_OK; /* sent already, given up, or gone with its user */
	}
	rc = smtp_send(cb_res_val(r, 0, "recipient"), cb_res_val(r, 0, "message"), err, sizeof err);
	if (rc == CB_OK) {
		if (!cb_db_q(req,
		             "UPDATE notify_mails SET status = 'sent', sent_at = now(), "
		             "attempts = attempts + 1, last_error = NULL, "
		             "message = CASE WHEN secret THEN NULL ELSE message END WHERE id = $1",
		             id) ||
		    cb_db_commit(req) != CB_OK)
			return CB_EDB;
		cb_log(req, CB_LOG_INFO, "notify: mail %s sent", id);
		return CB_OK;
	}
	/* The last attempt gives up: a token mail loses its message then too. */
	const char *final =
	    cb_res_int(r, 0, "attempts") + 1 >= notify_cf.mail_max_attempts ? "true" : "false";
	if (!cb_db_q(req,
	             "UPDATE notify_mails SET attempts = attempts + 1, last_error = $2, "
	             "status = CASE WHEN $3::boolean THEN 'failed' ELSE status END, "
	             "message = CASE WHEN $3::boolean AND secret THEN NULL ELSE message END "
	             "WHERE id = $1",
	             id, err, final) ||
	    cb_db_commit(req) != CB_OK)
		return CB_EDB;
	cb_log(req, CB_LOG_WARN, "notify: mail %s not sent: %s", id, err);
	cb_job_error(req, "smtp: %s", err);
	return CB_EFETCH;
}
