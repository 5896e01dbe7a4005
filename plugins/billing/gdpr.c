/* gdpr.c — billing's part of the data-subject contract: the customer, the
 * subscriptions (plan, status, periods) in the export; the erasure deletes
 * them, the drift log of the user and the received Stripe events naming the
 * user. While an erasure waits, live subscriptions are set to cancel at
 * period end at Stripe (and back when the erasure is cancelled). */
#include "billing.h"

static int export_billing(cb_req *req, const char *uid, cb_export *out)
{
	int rc = cb_export_ndjson(
	    req, out, "billing/customer.ndjson",
	    "SELECT json_build_object('stripe_customer_id', stripe_customer_id, "
	    "'created_at', " CB_SQL_TS(
	        "created_at") ")::text AS j, '1' AS k "
	                      "FROM billing_customers WHERE user_id = $1 AND $2 = ''",
	    uid);
	if (rc == CB_OK)
		rc = cb_export_ndjson(
		    req, out, "billing/subscriptions.ndjson",
		    "SELECT json_build_object('plan', plan_id, 'interval', billing_interval, "
		    "'status', status, 'current_period_start', " CB_SQL_TS(
		        "current_period_start") ", "
		                                "'current_period_end', " CB_SQL_TS(
		                                    "current_period_end") ", "
		                                                          "'cancel_at_period_end', "
		                                                          "cancel_at_period_end, "
		                                                          "'canceled_at',"
		                                                          " " CB_SQL_TS(
		                                                              "canceled_at") ", "
		                                                                             "'crea"
		                                                                             "ted_"
		                                                                             "at',"
		                                                                             " " CB_SQL_TS(
		                                                                                 "c"
		                                                                                 "r"
		                                                                                 "e"
		                                                                                 "a"
		                                                                                 "t"
		                                                                                 "e"
		                                                                                 "d"
		                                                                                 "_"
		                                                                                 "a"
		                                                                                 "t") ")::text AS j, id::text AS k "
		                                                                                      "FROM billing_subscriptions WHERE user_id = $1 AND id::text > $2 "
		                                                                                      "ORDER BY id::text LIMIT 1000",
		    uid);
	return rc;
}

/* Sets cancel_at_period_end of the user's live subscriptions at Stripe to
 * on (suspend: those not set yet) or back off (restore: those gdpr set). */
static int set_cancel(cb_req *req, const char *uid, int on)
{
	cb_res *r = cb_db_q(req,
	                    on ? "SELECT stripe_subscription_id AS s FROM billing_subscriptions "
	                         "WHERE user_id = $1 AND NOT cancel_at_period_end "
	                         "AND status IN ('trialing', 'active', 'past_due')"
	                       : "SELECT stripe_subscription_id AS s FROM billing_subscriptions "
	                         "WHERE user_id = $1 AND gdpr_cancelled",
	                    uid);
	if (!r)
		return CB_EDB;
	for (int i = 0; i < cb_res_rows(r); i++) {
		const char *sub_id = cb_res_val(r, i, "s");
		struct form *f = form_new(req);
		cb_json *sub = NULL;
		form_add(f, "cancel_at_period_end", on ? "true" : "false");
		int rc = stripe_call(req, "POST", cb_sprintf(req, "/v1/subscriptions/%s", sub_id),
		                     f, NULL, &sub);
		if (rc != STRIPE_OK) {
			cb_log(req, CB_LOG_ERROR,
			       "billing: gdpr: Stripe refused cancel_at_period_end=%s",
			       on ? "true" : "false");
			return CB_ERR;
		}
		if (!cb_db_q(req,
		             "UPDATE billing_subscriptions SET cancel_at_period_end = $2::boolean, "
		             "gdpr_cancelled = $2::boolean, updated_at = now() "
		             "WHERE stripe_subscription_id = $1",
		             sub_id, on ? "true" : "false"))
			return CB_EDB;
	}
	return CB_OK;
}

static int suspend(cb_req *req, const char *uid)
{
	return set_cancel(req, uid, 1);
}

static int restore(cb_req *req, const char *uid)
{
	return set_cancel(req, uid, 0);
}

static int erase_billing(cb_req *req, const char *uid, long long *rows)
{
	static const char *const sql[] = {
	    "DELETE FROM billing_subscriptions WHERE user_id = $1",
	    "DELETE FROM billing_switched_off WHERE user_id = $1",
	    "DELETE FROM billing_drift WHERE user_id = $1",
	    "DELETE FROM billing_events WHERE payload::text LIKE '%' || $1 || '%'",
	    "DELETE FROM billing_customers WHERE user_id = $1",
	};
	return cb_db_exec_each(req, sql, sizeof sql / sizeof sql[0], uid, rows);
}

static const cb_datasubject ds = {CB_DATASUBJECT_SIZE,
                                  "billing",
                                  export_billing,
                                  erase_billing,
                                  suspend,
                                  restore,
                                  NULL,
                                  NULL,
                                  NULL,
                                  NULL};

int gdpr_register(cb_plugin *p)
{
	return cb_datasubject_register(p, &ds);
}
