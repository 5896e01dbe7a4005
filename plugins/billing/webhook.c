/* webhook.c — POST /api/v1/billing/webhook, Stripe's deliveries.
 *
 * The signature is checked over the raw body bytes (signature.c) against the
 * current secret and, while one is being rolled, the previous one. A signed
 * event is stored once (its id is the primary key) together with a durable
 * job, in one transaction, and answered 200 at once: processing (which calls
 * Stripe back) happens in the job, so a slow or failing step never holds
 * Stripe's delivery or makes it retry. A duplicate is answered 200 and
 * changes nothing. */
#include <string.h>
#include <time.h>

#include "billing.h"

int h_webhook(cb_req *req)
{
	size_t len;
	const char *body = cb_req_body(req, &len);
	const char *secrets[] = {bl_cf.webhook_secret, bl_cf.webhook_secret_previous, NULL};
	char err[128];
	cb_json *ev, *p;
	cb_res *r;
	int sig;

	if (!*bl_cf.webhook_secret)
		return cb_reply_error(req, 503, "webhook_unconfigured",
		                      "No webhook secret is configured on this server");
	sig = sig_verify(req, cb_req_header(req, "Stripe-Signature"), body, len, secrets,
	                 bl_cf.tolerance, (long long)time(NULL));
	if (sig != SIG_OK) {
		cb_log(req, CB_LOG_WARN, "webhook refused: %s", sig_reason(sig));
		return cb_reply_error(req, 400, "invalid_signature", "%s", sig_reason(sig));
	}
	ev = cb_json_parse(req, body, len, err, sizeof err);
	const char *id = cb_json_get_str(ev, "id"), *type = cb_json_get_str(ev, "type");
	if (!id || strncmp(id, "evt_", 4) != 0 || strlen(id) > 255 || !type || !*type ||
	    strlen(type) > 255 || cb_json_type(cb_json_get(ev, "data")) != CB_JSON_OBJECT)
		return cb_reply_error(req, 400, "invalid_event",
		                      "The body is not a Stripe event (id, type, data)");
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	r = cb_db_q(req,
	            "INSERT INTO billing_events (id, type, payload) VALUES ($1, $2, $3::jsonb) "
	            "ON CONFLICT (id) DO NOTHING RETURNING id",
	            id, type, cb_strndup(req, body, len));
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) == 1) {
		p = cb_json_new_object(req);
		cb_json_set_str(p, "event_id", id);
		if (cb_job_enqueue(req, JOB_EVENT, p, 0, NULL) != CB_OK)
			return CB_EDB;
	}
	if (cb_db_commit(req) != CB_OK)
		return CB_EDB;
	cb_log(req, CB_LOG_INFO, "webhook %s %s%s", type, id,
	       cb_res_rows(r) == 1 ? "" : " (duplicate)");
	cb_json *o = cb_json_new_object(req);
	cb_json_set_bool(o, "received", 1);
	cb_json_set_bool(o, "duplicate", cb_res_rows(r) != 1);
	return cb_reply_json(req, 200, o);
}
