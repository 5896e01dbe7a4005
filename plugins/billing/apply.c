/* apply.c — the one place a user's tier is decided.
 *
 * Stripe is the truth: an event or a reconciliation only makes us re-read a
 * subscription (sub_sync) and store it as Stripe shows it now (sub_store);
 * apply_user then derives the tier and status from what is stored, all under
 * the user's row lock, so duplicate and out-of-order deliveries converge on
 * the same answer whatever order they come in. The rule:
 *
 *   a live subscription (active, trialing)     -> its plan, its status
 *   past_due (or unpaid) within grace_days     -> its plan, past_due
 *   past_due after the grace period            -> basic, past_due
 *   never subscribed, local trial running      -> premium, trialing
 *   otherwise                                  -> basic; canceled when a
 *                                                 subscription ended,
 *                                                 incomplete when never paid
 *
 * A change of tier switches off what the new plan does not allow and back on
 * what it does (switchoff.c); after the commit subscription.changed tells
 * everyone who caches a tier (keys) to forget it. */
#include <string.h>

#include "billing.h"

static const char *ts_arg(cb_req *req, const cb_json *o, const char *key)
{
	long long v = json_ll(o, key);
	return v > 0 ? cb_sprintf(req, "%lld", v) : NULL;
}

static int is(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

int sub_store(cb_req *req, const char *user_id, const cb_json *sub)
{
	const cb_json *item = cb_json_at(cb_json_get(cb_json_get(sub, "items"), "data"), 0);
	const char *price = cb_json_get_str(cb_json_get(item, "price"), "id");
	const char *interval = NULL, *status = cb_json_get_str(sub, "status");
	const char *id = cb_json_get_str(sub, "id");
	const struct plan *pl = plan_by_price(price, &interval);
	int cancel_end = 0, dunning = is(status, "past_due") || is(status, "unpaid");
	cb_res *old;

	if (!id || !status)
		return CB_EINVAL;
	if (!pl) {
		cb_log(req, CB_LOG_WARN,
		       "subscription %s has a price this server does not sell (%s)", id,
		       price ? price : "none");
		pl = &bl_cf.plans[0];
	}
	cb_json_bool(cb_json_get(sub, "cancel_at_period_end"), &cancel_end);
	old = cb_db_q(req,
	              "SELECT grace_ends_at IS NOT NULL AS in_dunning FROM billing_subscriptions "
	              "WHERE stripe_subscription_id = $1",
	              id);
	if (!old)
		return CB_EDB;
	if (!cb_db_q(
	        req,
	        "INSERT INTO billing_subscriptions AS s (user_id, stripe_subscription_id, "
	        "  stripe_customer_id, stripe_item_id, plan_id, price_id, billing_interval, "
	        "  status, current_period_start, current_period_end, trial_start, trial_end, "
	        "  cancel_at_period_end, canceled_at, stripe_created, grace_ends_at) "
	        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::bigint), "
	        "  to_timestamp($10::bigint), to_timestamp($11::bigint), "
	        "  to_timestamp($12::bigint), $13::boolean, to_timestamp($14::bigint), "
	        "  to_timestamp($15::bigint), "
	        "  now() + make_interval(days => $16::int)) "
	        "ON CONFLICT (stripe_subscription_id) DO UPDATE SET "
	        "  stripe_item_id = EXCLUDED.stripe_item_id, plan_id = EXCLUDED.plan_id, "
	        "  price_id = EXCLUDED.price_id, billing_interval = EXCLUDED.billing_interval, "
	        "  status = EXCLUDED.status, current_period_start = EXCLUDED.current_period_start, "
	        "  current_period_end = EXCLUDED.current_period_end, "
	        "  trial_start = EXCLUDED.trial_start, trial_end = EXCLUDED.trial_end, "
	        "  cancel_at_period_end = EXCLUDED.cancel_at_period_end, "
	        "  canceled_at = EXCLUDED.canceled_at, "
	        "  grace_ends_at = CASE WHEN $16::int IS NOT NULL "
	        "    THEN COALESCE(s.grace_ends_at, EXCLUDED.grace_ends_at) END, "
	        "  updated_at = now()",
	        user_id, id, cb_json_get_str(sub, "customer"), cb_json_get_str(item, "id"), pl->id,
	        price, interval, status, ts_arg(req, sub, "current_period_start"),
	        ts_arg(req, sub, "current_period_end"), ts_arg(req, sub, "trial_start"),
	        ts_arg(req, sub, "trial_end"), cancel_end ? "t" : "f",
	        ts_arg(req, sub, "canceled_at"), ts_arg(req, sub, "created"),
	        dunning ? cb_sprintf(req, "%lld", bl_cf.grace_days) : NULL))
		return CB_EDB;
	/* Dunning just began: downgrade at the end of the grace period unless a
	 * payment arrives first (the job re-reads Stripe then). */
	if (dunning && !(cb_res_rows(old) == 1 && cb_res_bool(old, 0, "in_dunning"))) {
		cb_json *p = cb_json_new_object(req);
		cb_json_set_str(p, "user_id", user_id);
		cb_json_set_str(p, "subscription", id);
		if (cb_job_enqueue(req, JOB_GRACE, p, bl_cf.grace_days * 86400 + 1, NULL) != CB_OK)
			return CB_EDB;
		/* tell the owner (notify mails it; its job joins this transaction) */
		cb_res *g = cb_db_q(req,
		                    "SELECT floor(extract(epoch FROM grace_ends_at))::bigint AS g "
		                    "FROM billing_subscriptions WHERE stripe_subscription_id = $1",
		                    id);
		if (!g)
			return CB_EDB;
		cb_json *d = cb_json_new_object(req);
		cb_json_set_str(d, "user_id", user_id);
		cb_json_set_str(d, "grace_ends_at",
		                cb_res_rows(g) == 1 ? iso_time(req, cb_res_int(g, 0, "g")) : NULL);
		cb_emit(req, CB_EV_BILLING_PAYMENT_FAILED, d);
	}
	return CB_OK;
}

int sub_sync(cb_req *req, const char *user_id, const char *sub_id)
{
	cb_json *sub;
	int rc = stripe_call(req, "GET", cb_sprintf(req, "/v1/subscriptions/%s", sub_id), NULL,
	                     NULL, &sub);
	const char *mine;

	if (rc == STRIPE_REFUSED) {
		cb_log(req, CB_LOG_WARN, "subscription %s: Stripe does not know it; ignored",
		       sub_id);
		return CB_OK;
	}
	if (rc != STRIPE_OK)
		return rc;
	mine = customer_of(req, user_id, &rc);
	if (rc != CB_OK)
		return rc;
	if (!is(mine, cb_json_get_str(sub, "customer"))) {
		cb_log(req, CB_LOG_WARN, "subscription %s is not of user %s's customer; ignored",
		       sub_id, user_id);
		return CB_OK;
	}
	return sub_store(req, user_id, sub);
}

cb_res *sub_current(cb_req *req, const char *user_id)
{
	return cb_db_q(req,
	               "SELECT stripe_subscription_id, stripe_item_id, plan_id, price_id, "
	               "  billing_interval, status, cancel_at_period_end, "
	               "  COALESCE(grace_ends_at > now(), false) AS in_grace, "
	               "  floor(extract(epoch FROM current_period_end))::bigint AS period_end, "
	               "  floor(extract(epoch FROM trial_end))::bigint AS trial_end, "
	               "  floor(extract(epoch FROM grace_ends_at))::bigint AS grace_end, "
	               "  status IN ('active', 'trialing', 'past_due', 'unpaid') AS live "
	               "FROM billing_subscriptions WHERE user_id = $1 "
	               "ORDER BY status IN ('active', 'trialing', 'past_due', 'unpaid') DESC, "
	               "  stripe_created DESC NULLS LAST, updated_at DESC LIMIT 1",
	               user_id);
}

static void decide(cb_res *cur, const struct user_state *us, const char **tier, const char **status)
{
	const char *st = cb_res_rows(cur) == 1 ? cb_res_val(cur, 0, "status") : NULL;

	if (is(st, "active") || is(st, "trialing")) {
		*tier = cb_res_val(cur, 0, "plan_id");
		*status = st;
	} else if (is(st, "past_due") || is(st, "unpaid")) {
		*tier = cb_res_bool(cur, 0, "in_grace") ? cb_res_val(cur, 0, "plan_id") : "basic";
		*status = "past_due";
	} else if (us->in_trial && (!st || is(st, "incomplete") || is(st, "incomplete_expired"))) {
		/* the trial is for accounts that never paid */
		*tier = "premium";
		*status = "trialing";
	} else {
		*tier = "basic";
		*status = !st ? "active" : is(st, "incomplete") ? "incomplete" : "canceled";
	}
}

int apply_user(cb_req *req, const char *user_id, struct change *ch)
{
	struct user_state us;
	const char *tier, *status;
	cb_res *cur;
	int rc = users_get(req, user_id, 1, &us);

	memset(ch, 0, sizeof *ch);
	if (rc <= 0)
		return rc == 0 ? CB_OK : CB_EDB;
	cur = sub_current(req, user_id);
	if (!cur)
		return CB_EDB;
	decide(cur, &us, &tier, &status);
	ch->old_tier = us.tier;
	ch->new_tier = tier;
	ch->status = status;
	if (is(tier, us.tier) && is(status, us.status))
		return CB_OK;
	ch->changed = 1;
	if (users_set_tier(req, user_id, tier, status) != CB_OK)
		return CB_EDB;
	if (!is(tier, us.tier) && (rc = enforce_plan(req, user_id, plan_by_id(tier))) != CB_OK)
		return rc;
	cb_log(req, CB_LOG_INFO, "user %s: tier %s -> %s, status %s -> %s", user_id, us.tier, tier,
	       us.status, status);
	return CB_OK;
}

void emit_change(cb_req *req, const char *user_id, const struct change *ch)
{
	if (ch->changed)
		users_announce(req, user_id, ch->old_tier, ch->new_tier, ch->status);
}

int sync_user(cb_req *req, const char *user_id, const char *sub_id, struct change *ch)
{
	struct user_state us;
	int rc;

	memset(ch, 0, sizeof *ch);
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	rc = users_get(req, user_id, 1, &us); /* the row lock: one writer per user */
	if (rc <= 0) {
		cb_db_rollback(req);
		return rc == 0 ? CB_OK : CB_EDB;
	}
	if (sub_id && (rc = sub_sync(req, user_id, sub_id)) != CB_OK)
		goto fail;
	if ((rc = apply_user(req, user_id, ch)) != CB_OK)
		goto fail;
	if (cb_db_commit(req) != CB_OK)
		return CB_EDB;
	emit_change(req, user_id, ch);
	return CB_OK;
fail:
	cb_db_rollback(req);
	ch->changed = 0;
	return rc;
}
