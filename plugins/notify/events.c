/* events.c — what other plugins' events become.
 *
 * Inside the emitting request a hook only queues the job notify.event
 * {event, user_id, data} (one INSERT, in the emitter's transaction): the
 * job then, in one transaction of its own, fans the event out to webhooks
 * and queues the mails it causes, so a retry never doubles anything.
 *
 * Mails that carry a token (auth.email_verification, auth.password_reset)
 * are rendered and put into the outbox in the hook itself, so the token
 * never rests in cb_jobs. See README.md for every event's payload.
 */
#include <string.h>

#include "notify.h"

static const char *const job_events[] = {
    "lead.created",           "lead.updated",           "conversation.ended",
    "page.published",         "subscription.changed",   "billing.trial_ending",
    "billing.payment_failed", "user.erasure_scheduled", "user.erasure_cancelled",
};

static int on_event(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	(void)udata;
	const char *user_id = cb_json_get_str(data, "user_id");
	if (!user_id || !cb_is_uuid(user_id)) {
		cb_log(req, CB_LOG_WARN, "notify: event %s without a user_id, ignored", event);
		return CB_OK;
	}
	cb_json *p = cb_json_new_object(req);
	cb_json_set_str(p, "event", event);
	cb_json_set_str(p, "user_id", user_id);
	/* a copy: data is borrowed and may be changed by the emitter */
	size_t len = 0;
	char *text = cb_json_dump(req, data, &len);
	cb_json_set(p, "data", cb_json_parse(req, text, len, NULL, 0));
	return cb_job_enqueue(req, "notify.event", p, 0, NULL);
}

static cb_res *owner(cb_req *req, const char *user_id)
{
	return cb_db_q(req,
	               "SELECT u.email, COALESCE(s.language, 'de') AS language, "
	               "COALESCE(s.lead_alerts, true) AS lead_alerts, "
	               "array_to_json(COALESCE(s.lead_recipients, '{}'))::text AS recipients "
	               "FROM users u LEFT JOIN notify_settings s ON s.user_id = u.id "
	               "WHERE u.id = $1 AND u.deleted_at IS NULL",
	               user_id);
}

static int lead_mails(cb_req *req, const char *user_id, const cb_res *o, const cb_json *lead)
{
	const char *lang = cb_res_val(o, 0, "language"), *rcpts = cb_res_val(o, 0, "recipients");
	const cb_json *extra = cb_json_parse(req, rcpts, strlen(rcpts), NULL, 0);
	const char *lead_id = cb_json_get_str(lead, "lead_id");
	int rc;

	if (!cb_res_bool(o, 0, "lead_alerts"))
		return CB_OK;
	for (size_t i = 0; i <= cb_json_len(extra); i++) {
		const char *to =
		    i == 0 ? cb_res_val(o, 0, "email") : cb_json_str(cb_json_at(extra, i - 1));
		cb_json *d = cb_json_new_object(req);
		size_t len = 0;
		char *text = cb_json_dump(req, lead, &len);
		cb_json_set(d, "lead", cb_json_parse(req, text, len, NULL, 0));
		cb_json_set_str(d, "link",
		                cb_sprintf(req, "%s/admin/leads/%s", notify_cf.public_url,
		                           lead_id ? lead_id : ""));
		rc = mail_queue(req, user_id, to, "lead", lang, d, MAIL_OPTIONAL, "lead_alerts");
		if (rc != CB_OK)
			return rc;
	}
	return CB_OK;
}

/* The account mails billing and gdpr cause: template and the data fields
 * it shows, and the dashboard page it links to. */
static const struct {
	const char *event, *mail, *path, *fields[3];
} account_mails[] = {
    {"billing.trial_ending", "trial_ending", "/admin/billing", {"trial_ends_at", NULL}},
    {"billing.payment_failed", "payment_failed", "/admin/billing", {"grace_ends_at", NULL}},
    {"user.erasure_scheduled", "erasure_scheduled", "/admin/account", {"erase_at", NULL}},
    {"user.erasure_cancelled", "erasure_cancelled", "/admin/", {NULL}},
};

static int event_mails(cb_req *req, const char *event, const char *user_id, const cb_json *data)
{
	cb_res *o = owner(req, user_id);
	if (!o)
		return CB_EDB;
	if (cb_res_rows(o) != 1)
		return CB_OK; /* the owner is gone */
	if (strcmp(event, "lead.created") == 0)
		return lead_mails(req, user_id, o, data);
	for (size_t i = 0; i < CB_COUNT(account_mails); i++) {
		if (strcmp(event, account_mails[i].event) != 0)
			continue;
		cb_json *d = cb_json_new_object(req);
		for (int f = 0; f < 3 && account_mails[i].fields[f]; f++)
			cb_json_set_str(d, account_mails[i].fields[f],
			                cb_json_get_str(data, account_mails[i].fields[f]));
		cb_json_set_str(
		    d, "link",
		    cb_sprintf(req, "%s%s", notify_cf.public_url, account_mails[i].path));
		return mail_queue(req, user_id, cb_res_val(o, 0, "email"), account_mails[i].mail,
		                  cb_res_val(o, 0, "language"), d, MAIL_PLAIN, NULL);
	}
	return CB_OK;
}

static int job_event(cb_req *req, const cb_json *payload)
{
	const char *event = cb_json_get_str(payload, "event"),
	           *user_id = cb_json_get_str(payload, "user_id");
	const cb_json *data = cb_json_get(payload, "data");
	int rc;

	if (!event || !user_id || !cb_is_uuid(user_id))
		return CB_OK;
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	rc = webhooks_fanout(req, user_id, event, data);
	if (rc == CB_OK)
		rc = event_mails(req, event, user_id, data);
	if (rc != CB_OK) {
		cb_job_error(req, "event %s: %s", event, cb_strerror(rc));
		return rc; /* rolled back when the job's request ends */
	}
	return cb_db_commit(req) == CB_OK ? CB_OK : CB_EDB;
}

/* auth.email_verification / auth.password_reset {user_id, email, token,
 * ttl_s}: the token is in the message only, and the message is wiped once
 * sent. */
static int on_token_mail(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	(void)udata;
	const char *user_id = cb_json_get_str(data, "user_id"),
	           *email = cb_json_get_str(data, "email"), *token = cb_json_get_str(data, "token");
	int reset = strcmp(event, "auth.password_reset") == 0;
	long long ttl = 0;

	if (!user_id || !email || !token)
		return CB_OK;
	cb_json_int(cb_json_get(data, "ttl_s"), &ttl);
	cb_json *d = cb_json_new_object(req);
	cb_json_set_str(d, "email", email);
	cb_json_set_int(d, "hours", (ttl + 3599) / 3600);
	cb_json_set_int(d, "minutes", (ttl + 59) / 60);
	cb_json_set_str(d, "link",
	                cb_sprintf(req, "%s/admin/%s?token=%s", notify_cf.public_url,
	                           reset ? "reset-password" : "verify-email", token));
	return mail_queue(req, user_id, email, reset ? "password_reset" : "verify_email", NULL, d,
	                  MAIL_SECRET, NULL);
}

/* user.registered, in the registration's transaction: the language of
 * future mails from the browser's Accept-Language (German unless English
 * comes first). */
static int on_registered(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	(void)event, (void)udata;
	const char *user_id = cb_json_get_str(data, "user_id"),
	           *al = cb_req_header(req, "Accept-Language");
	const char *lang =
	    al && (al[0] == 'e' || al[0] == 'E') && (al[1] == 'n' || al[1] == 'N') ? "en" : "de";
	if (!user_id)
		return CB_OK;
	if (!cb_db_q(req,
	             "INSERT INTO notify_settings (user_id, language) VALUES ($1, $2) "
	             "ON CONFLICT (user_id) DO NOTHING",
	             user_id, lang))
		return CB_EDB;
	return CB_OK;
}

int events_init(cb_plugin *p)
{
	for (size_t i = 0; i < CB_COUNT(job_events); i++)
		if (cb_hook(p, job_events[i], CB_HOOK_LAST, on_event, NULL) != CB_OK)
			return cb_plugin_fail(p, "hook %s", job_events[i]);
	/* before auth's own user.registered work emits the verification mail */
	if (cb_hook(p, "user.registered", CB_HOOK_FIRST, on_registered, NULL) != CB_OK ||
	    cb_hook(p, "auth.email_verification", CB_HOOK_MIDDLE, on_token_mail, NULL) != CB_OK ||
	    cb_hook(p, "auth.password_reset", CB_HOOK_MIDDLE, on_token_mail, NULL) != CB_OK)
		return cb_plugin_fail(p, "cannot register hooks");
	if (cb_job_handler(p, "notify.event", 12, job_event) != CB_OK)
		return CB_ERR;
	return CB_OK;
}
