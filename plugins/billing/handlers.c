/* handlers.c — GET /api/v1/billing/subscription, POST .../portal,
 * GET .../invoices and the internal metrics. */
#include <string.h>

#include "billing.h"

static cb_json *switched_off(cb_req *req, const char *user_id, int *rc)
{
	cb_json *arr = cb_json_new_array(req);
	cb_res *r = cb_db_q(req,
	                    "SELECT kind, object_id::text AS id, "
	                    "  floor(extract(epoch FROM switched_off_at))::bigint AS at "
	                    "FROM billing_switched_off WHERE user_id = $1 "
	                    "ORDER BY switched_off_at, kind, object_id",
	                    user_id);

	*rc = r ? CB_OK : CB_EDB;
	for (int i = 0; i < cb_res_rows(r); i++) {
		cb_json *o = cb_json_new_object(req);
		cb_json_set_str(o, "kind", cb_res_val(r, i, "kind"));
		cb_json_set_str(o, "id", cb_res_val(r, i, "id"));
		cb_json_set_str(o, "switched_off_at", iso_time(req, cb_res_int(r, i, "at")));
		cb_json_push(arr, o);
	}
	return arr;
}

int h_subscription(cb_req *req)
{
	const char *uid = cb_req_get(req, "user.id");
	struct user_state us;
	cb_json *o = cb_json_new_object(req), *off;
	cb_res *cur;
	int rc = users_get(req, uid, 0, &us), has;

	if (rc < 0)
		return CB_EDB;
	if (rc == 0)
		return cb_reply_error(req, 404, "not_found", "No such user");
	if (!(cur = sub_current(req, uid)))
		return CB_EDB;
	off = switched_off(req, uid, &rc);
	if (rc != CB_OK)
		return CB_EDB;
	has = cb_res_rows(cur) == 1;
	cb_json_set_str(o, "plan", us.tier);
	cb_json_set_str(o, "status", us.status);
	cb_json_set_str(o, "interval", has ? cb_res_val(cur, 0, "billing_interval") : NULL);
	cb_json_set_str(o, "current_period_end",
	                has ? iso_time(req, cb_res_int(cur, 0, "period_end")) : NULL);
	cb_json_set_str(o, "trial_end",
	                has           ? iso_time(req, cb_res_int(cur, 0, "trial_end"))
	                : us.in_trial ? iso_time(req, us.trial_ends_at)
	                              : NULL);
	cb_json_set_bool(o, "cancel_at_period_end",
	                 has && cb_res_bool(cur, 0, "cancel_at_period_end"));
	cb_json_set_str(o, "grace_period_end",
	                has && strcmp(us.status, "past_due") == 0
	                    ? iso_time(req, cb_res_int(cur, 0, "grace_end"))
	                    : NULL);
	cb_json_set_bool(o, "test_mode", (int)bl_cf.test_mode);
	cb_json_set(o, "switched_off", off);
	return cb_reply_json(req, 200, o);
}

int h_portal(cb_req *req)
{
	int rc;
	const char *cus = customer_of(req, cb_req_get(req, "user.id"), &rc);
	struct form *f;
	cb_json *s;

	if (rc != CB_OK)
		return CB_EDB;
	if (!cus)
		return cb_reply_error(req, 409, "no_billing_account",
		                      "There is nothing to manage yet: subscribe to a plan first");
	f = form_new(req);
	form_add(f, "customer", cus);
	form_add(f, "return_url", bl_cf.portal_return_url);
	rc = stripe_call(req, "POST", "/v1/billing_portal/sessions", f, NULL, &s);
	if (rc != STRIPE_OK || !cb_json_get_str(s, "url"))
		return stripe_reply_error(req, rc == STRIPE_OK ? STRIPE_DOWN : rc);
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "url", cb_json_get_str(s, "url"));
	cb_set_header(req, "Cache-Control", "no-store");
	return cb_reply_json(req, 200, o);
}

int h_invoices(cb_req *req)
{
	int rc;
	const char *cus = customer_of(req, cb_req_get(req, "user.id"), &rc);
	cb_json *out = cb_json_new_object(req), *arr = cb_json_new_array(req), *list;
	struct form *f;

	if (rc != CB_OK)
		return CB_EDB;
	cb_json_set(out, "invoices", arr);
	if (!cus)
		return cb_reply_json(req, 200, out);
	f = form_new(req);
	form_add(f, "customer", cus);
	form_add(f, "limit", "100");
	rc = stripe_call(req, "GET", "/v1/invoices", f, NULL, &list);
	if (rc != STRIPE_OK)
		return stripe_reply_error(req, rc);
	cb_json *data = cb_json_get(list, "data");
	for (size_t i = 0; i < cb_json_len(data); i++) {
		cb_json *in = cb_json_at(data, i), *o = cb_json_new_object(req);
		const char *cur = cb_json_get_str(in, "currency");
		cb_json_set_str(o, "id", cb_json_get_str(in, "id"));
		cb_json_set_str(o, "number", cb_json_get_str(in, "number"));
		cb_json_set_str(o, "date", iso_time(req, json_ll(in, "created")));
		cb_json_set_int(o, "amount", json_ll(in, "amount_due"));
		cb_json_set_int(o, "amount_paid", json_ll(in, "amount_paid"));
		cb_json_set_str(o, "currency", cur ? cur : "eur");
		cb_json_set_str(o, "status", cb_json_get_str(in, "status"));
		cb_json_set_str(o, "hosted_url", cb_json_get_str(in, "hosted_invoice_url"));
		cb_json_set_str(o, "pdf_url", cb_json_get_str(in, "invoice_pdf"));
		cb_json_push(arr, o);
	}
	return cb_reply_json(req, 200, out);
}

/* Prometheus text for billing's own counters. The core's /metrics has no
 * plugin extension point yet, so this is served beside it (loopback only). */
int h_metrics(cb_req *req)
{
	cb_res *r = cb_db_q0(req, "SELECT (SELECT count(*) FROM billing_drift) AS drift, "
	                          "(SELECT count(*) FROM billing_events) AS events, "
	                          "(SELECT count(*) FROM billing_events "
	                          "  WHERE processed_at IS NULL) AS pending");
	if (!r)
		return CB_EDB;
	const char *text = cb_sprintf(
	    req,
	    "# HELP carbot_billing_reconcile_drift_total Subscriptions the reconciliation "
	    "found out of step with Stripe and repaired.\n"
	    "# TYPE carbot_billing_reconcile_drift_total counter\n"
	    "carbot_billing_reconcile_drift_total %lld\n"
	    "# HELP carbot_billing_webhook_events_total Stripe events received (each once).\n"
	    "# TYPE carbot_billing_webhook_events_total counter\n"
	    "carbot_billing_webhook_events_total %lld\n"
	    "# HELP carbot_billing_webhook_events_pending Stripe events not yet processed.\n"
	    "# TYPE carbot_billing_webhook_events_pending gauge\n"
	    "carbot_billing_webhook_events_pending %lld\n",
	    cb_res_int(r, 0, "drift"), cb_res_int(r, 0, "events"), cb_res_int(r, 0, "pending"));
	return cb_reply(req, 200, "text/plain; version=0.0.4", text, strlen(text));
}

/* The same numbers in the core's /metrics (cb_metric): udata is the query. */
static int metric_value(cb_req *req, void *udata, double *value)
{
	cb_res *r = cb_db_q0(req, (const char *)udata);

	if (!r || cb_res_rows(r) != 1)
		return CB_EDB;
	*value = (double)cb_res_int(r, 0, "n");
	return CB_OK;
}

int metrics_register(cb_plugin *p)
{
	static const struct {
		const char *name, *type, *help, *sql;
	} m[] = {
	    {"carbot_billing_reconcile_drift_total", "counter",
	     "Subscriptions the reconciliation found out of step with Stripe and repaired.",
	     "SELECT count(*) AS n FROM billing_drift"},
	    {"carbot_billing_webhook_events_total", "counter",
	     "Stripe events received (each once).", "SELECT count(*) AS n FROM billing_events"},
	    {"carbot_billing_webhook_events_pending", "gauge", "Stripe events not yet processed.",
	     "SELECT count(*) AS n FROM billing_events WHERE processed_at IS NULL"},
	};

	for (size_t i = 0; i < CB_COUNT(m); i++)
		if (cb_metric(p, m[i].name, m[i].type, m[i].help, metric_value, (void *)m[i].sql) !=
		    CB_OK)
			return CB_ERR;
	return CB_OK;
}
