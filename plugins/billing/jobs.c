/* jobs.c — the durable work: processing a stored webhook event, the end of
 * a trial, the end of a payment grace period, the daily reconciliation, and
 * the trial every new account starts with. Each job is idempotent (it
 * re-reads the truth and applies it), so a retry or a second run is harmless;
 * a failure (Stripe unreachable, a customer not known yet) is retried by the
 * job queue with backoff instead of being dropped. */
#include <string.h>
#include <time.h>

#include "billing.h"

static int done(cb_req *req, const char *event_id, const char *outcome)
{
	return cb_db_q(req,
	               "UPDATE billing_events SET processed_at = now(), outcome = $2 WHERE id = $1",
	               event_id, outcome)
	           ? CB_OK
	           : CB_EDB;
}

static int fail(cb_req *req, int rc, const char *what)
{
	cb_job_error(req, "%s: %s", what,
	             rc == STRIPE_DOWN           ? "Stripe unavailable"
	             : rc == STRIPE_REFUSED      ? "Stripe refused"
	             : rc == STRIPE_UNCONFIGURED ? "Stripe not configured"
	                                         : cb_strerror(rc));
	return rc == CB_OK ? CB_ERR : rc;
}

int job_event(cb_req *req, const cb_json *payload)
{
	const char *id = cb_json_get_str(payload, "event_id"), *sub_id = NULL, *cus = NULL;
	cb_res *r =
	    cb_db_q(req,
	            "SELECT type, payload::text AS payload, processed_at IS NOT NULL AS done "
	            "FROM billing_events WHERE id = $1",
	            id);
	struct change ch;
	int rc;

	if (!r)
		return fail(req, CB_EDB, "load event");
	if (cb_res_rows(r) != 1 || cb_res_bool(r, 0, "done"))
		return CB_OK;
	const char *type = cb_res_val(r, 0, "type"), *text = cb_res_val(r, 0, "payload");
	cb_json *ev = cb_json_parse(req, text, strlen(text), NULL, 0);
	cb_json *obj = cb_json_get(cb_json_get(ev, "data"), "object");

	if (strncmp(type, "checkout.session.", 17) == 0) {
		cb_json *s;
		const char *sid = cb_json_get_str(obj, "id");
		if (!sid)
			return done(req, id, "no session id");
		rc = stripe_call(req, "GET", cb_sprintf(req, "/v1/checkout/sessions/%s", sid), NULL,
		                 NULL, &s);
		if (rc == STRIPE_REFUSED)
			return done(req, id, "unknown session");
		if (rc != STRIPE_OK)
			return fail(req, rc, "read checkout session");
		cus = cb_json_get_str(s, "customer");
		sub_id = cb_json_get_str(s, "subscription");
	} else if (strncmp(type, "customer.subscription.", 22) == 0) {
		sub_id = cb_json_get_str(obj, "id");
		cus = cb_json_get_str(obj, "customer");
	} else if (strncmp(type, "invoice.", 8) == 0) {
		sub_id = cb_json_get_str(obj, "subscription");
		cus = cb_json_get_str(obj, "customer");
	} else {
		return done(req, id, "ignored");
	}
	if (!sub_id)
		return done(req, id, "no subscription");
	const char *uid = user_of_customer(req, cus, &rc);
	if (rc != CB_OK)
		return fail(req, rc, "look up customer");
	if (!uid) {
		/* maybe our own commit of the customer is still on its way: retried */
		cb_job_error(req, "customer %s is not known yet", cus ? cus : "(none)");
		return CB_ERR;
	}
	if ((rc = sync_user(req, uid, sub_id, &ch)) != CB_OK)
		return fail(req, rc, "apply subscription");
	return done(req, id,
	            ch.changed ? cb_sprintf(req, "%s -> %s", ch.old_tier, ch.new_tier)
	                       : "no change");
}

int job_trial(cb_req *req, const cb_json *payload)
{
	struct change ch;
	int rc = sync_user(req, cb_json_get_str(payload, "user_id"), NULL, &ch);
	return rc == CB_OK ? CB_OK : fail(req, rc, "trial end");
}

int job_grace(cb_req *req, const cb_json *payload)
{
	struct change ch;
	int rc = sync_user(req, cb_json_get_str(payload, "user_id"),
	                   cb_json_get_str(payload, "subscription"), &ch);
	return rc == CB_OK ? CB_OK : fail(req, rc, "grace end");
}

/* One subscription as Stripe lists it: stored and applied like an event's;
 * a change means we had missed something. */
static int reconcile_one(cb_req *req, const cb_json *sub, long long *drift)
{
	const char *cus = cb_json_get_str(sub, "customer"), *sid = cb_json_get_str(sub, "id");
	struct user_state us;
	struct change ch;
	int rc;
	const char *uid = user_of_customer(req, cus, &rc);

	if (rc != CB_OK)
		return rc;
	if (!uid) {
		cb_log(req, CB_LOG_INFO, "reconcile: subscription %s of unknown customer %s", sid,
		       cus ? cus : "-");
		return CB_OK;
	}
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	if ((rc = users_get(req, uid, 1, &us)) <= 0) {
		cb_db_rollback(req);
		return rc == 0 ? CB_OK : CB_EDB;
	}
	if ((rc = sub_store(req, uid, sub)) != CB_OK || (rc = apply_user(req, uid, &ch)) != CB_OK) {
		cb_db_rollback(req);
		return rc;
	}
	if (ch.changed &&
	    !cb_db_q(req,
	             "INSERT INTO billing_drift (user_id, stripe_subscription_id, old_tier, "
	             "new_tier, old_status, new_status) VALUES ($1, $2, $3, $4, $5, $6)",
	             uid, sid, ch.old_tier, ch.new_tier, us.status, ch.status)) {
		cb_db_rollback(req);
		return CB_EDB;
	}
	if (cb_db_commit(req) != CB_OK)
		return CB_EDB;
	if (ch.changed) {
		(*drift)++;
		cb_log(req, CB_LOG_WARN,
		       "reconcile: drift repaired for user %s (subscription %s): %s/%s -> %s/%s",
		       uid, sid, ch.old_tier, us.status, ch.new_tier, ch.status);
	}
	emit_change(req, uid, &ch);
	return CB_OK;
}

static int schedule_next(cb_req *req)
{
	cb_res *r = cb_db_q(req, "SELECT 1 FROM cb_jobs WHERE name = $1 AND status = 'pending'",
	                    JOB_RECONCILE);
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) > 0)
		return CB_OK;
	return cb_job_enqueue(req, JOB_RECONCILE, NULL, bl_cf.reconcile_interval, NULL);
}

int job_reconcile(cb_req *req, const cb_json *payload)
{
	const char *after = NULL;
	long long drift = 0, seen = 0;
	int rc, pages = 0;
	const char **trials;
	size_t ntrials;

	(void)payload;
	if ((rc = schedule_next(req)) != CB_OK)
		return fail(req, rc, "schedule the next reconciliation");
	do {
		struct form *f = form_new(req);
		cb_json *list;
		form_add(f, "status", "all");
		form_add(f, "limit", "100");
		form_add(f, "starting_after", after);
		if ((rc = stripe_call(req, "GET", "/v1/subscriptions", f, NULL, &list)) !=
		    STRIPE_OK)
			return fail(req, rc, "list subscriptions");
		cb_json *data = cb_json_get(list, "data");
		int more = 0;
		cb_json_bool(cb_json_get(list, "has_more"), &more);
		for (size_t i = 0; i < cb_json_len(data); i++, seen++)
			if ((rc = reconcile_one(req, cb_json_at(data, i), &drift)) != CB_OK)
				return fail(req, rc, "reconcile a subscription");
		after = more && cb_json_len(data)
		            ? cb_json_get_str(cb_json_at(data, cb_json_len(data) - 1), "id")
		            : NULL;
	} while (after && ++pages < 1000);
	/* trials whose end job went missing */
	if (users_trials_over(req, &trials, &ntrials) == CB_OK)
		for (size_t i = 0; i < ntrials; i++) {
			struct change ch;
			sync_user(req, trials[i], NULL, &ch);
		}
	cb_log(req, drift ? CB_LOG_WARN : CB_LOG_INFO,
	       "reconcile: %lld subscriptions checked, %lld out of step and repaired", seen, drift);
	return CB_OK;
}

int on_registered(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	const char *uid = cb_json_get_str(data, "user_id");
	cb_json *p;
	long long ends = 0, notice;

	(void)event;
	(void)udata;
	if (bl_cf.trial_days <= 0 || !cb_is_uuid(uid))
		return CB_OK;
	if (users_start_trial(req, uid, bl_cf.trial_days, &ends) != CB_OK)
		return CB_EDB;
	if (ends == 0)
		return CB_OK; /* the account had its trial already */
	p = cb_json_new_object(req);
	cb_json_set_str(p, "user_id", uid);
	if (cb_job_enqueue(req, JOB_TRIAL, p, bl_cf.trial_days * 86400 + 1, NULL) != CB_OK)
		return CB_EDB;
	/* the "trial ends in 3 days" notice (at once for trials of 3 days or less) */
	notice = bl_cf.trial_days * 86400 - TRIAL_NOTICE_S;
	return cb_job_enqueue(req, JOB_TRIAL_ENDING, p, notice > 0 ? notice : 0, NULL);
}

/* 3 days before the trial ends: billing.trial_ending, when the account is
 * still on its trial (a subscription bought meanwhile makes it moot). */
int job_trial_ending(cb_req *req, const cb_json *payload)
{
	const char *uid = cb_json_get_str(payload, "user_id");
	struct user_state us;
	cb_json *d;
	long long left;
	int rc = users_get(req, uid, 0, &us);

	if (rc < 0)
		return fail(req, rc, "trial ending");
	if (rc == 0 || !us.in_trial || strcmp(us.status, "trialing") != 0)
		return CB_OK;
	left = us.trial_ends_at - (long long)time(NULL);
	if (left > TRIAL_NOTICE_S + 3600) {
		/* the trial was made longer: tell them 3 days before its new end */
		return cb_job_enqueue(req, JOB_TRIAL_ENDING, payload, left - TRIAL_NOTICE_S, NULL);
	}
	d = cb_json_new_object(req);
	cb_json_set_str(d, "user_id", uid);
	cb_json_set_str(d, "trial_ends_at", iso_time(req, us.trial_ends_at));
	cb_emit(req, CB_EV_BILLING_TRIAL_ENDING, d);
	return CB_OK;
}
