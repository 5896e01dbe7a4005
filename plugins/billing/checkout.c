/* checkout.c — POST /api/v1/billing/checkout {plan, interval}.
 *
 * Without a live subscription: a Stripe Checkout Session (mode
 * subscription) for the plan's price, for the user's customer (made on the
 * first checkout, with the user id in its metadata); the answer is its URL.
 * Idempotency keys make a double click one customer and one session.
 * With a live subscription on another plan or interval: the subscription's
 * price is changed at once, with Stripe's proration (create_prorations),
 * and the new tier applied before answering.
 * Nothing is written unless Stripe answered: a Stripe that cannot be
 * reached (timeouts from config) is 502 payment_provider_unavailable. */
#include <string.h>
#include <time.h>

#include "billing.h"

static const char *idem(cb_req *req, const char *what, const char *a, const char *b, const char *c)
{
	/* one minute buckets: a double click shares a key, a later retry does not */
	const char *src =
	    cb_sprintf(req, "%s|%s|%s|%s|%lld", what, a, b, c, (long long)time(NULL) / 60);
	return cb_sprintf(req, "carbot-%s-%s", what, cb_sha256_hex(req, src, strlen(src)));
}

static int change_plan(cb_req *req, const char *uid, cb_res *cur, const struct plan *pl,
                       const char *interval, const char *price)
{
	const char *sub_id = cb_res_val(cur, 0, "stripe_subscription_id");
	struct form *f = form_new(req);
	struct user_state us;
	struct change ch;
	cb_json *sub;
	int rc;

	form_add(f, "items[0][id]", cb_res_val(cur, 0, "stripe_item_id"));
	form_add(f, "items[0][price]", price);
	form_add(f, "proration_behavior", "create_prorations");
	form_add(f, "cancel_at_period_end", "false");
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	if ((rc = users_get(req, uid, 1, &us)) <= 0)
		return rc == 0 ? cb_reply_error(req, 404, "not_found", "No such user") : CB_EDB;
	rc = stripe_call(req, "POST", cb_sprintf(req, "/v1/subscriptions/%s", sub_id), f,
	                 idem(req, "change", uid, sub_id, price), &sub);
	if (rc != STRIPE_OK) {
		cb_db_rollback(req);
		return stripe_reply_error(req, rc);
	}
	if ((rc = sub_store(req, uid, sub)) != CB_OK || (rc = apply_user(req, uid, &ch)) != CB_OK)
		return rc == CB_EDB ? CB_EDB : CB_ERR;
	if (cb_db_commit(req) != CB_OK)
		return CB_EDB;
	emit_change(req, uid, &ch);
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "url", bl_cf.success_url);
	cb_json_set_bool(o, "changed", 1);
	cb_json_set_str(o, "plan", pl->id);
	cb_json_set_str(o, "interval", interval);
	cb_json_set_str(o, "tier", ch.new_tier ? ch.new_tier : us.tier);
	return cb_reply_json(req, 200, o);
}

static int new_session(cb_req *req, const char *uid, const struct plan *pl, const char *interval,
                       const char *price)
{
	struct user_state us;
	struct form *f;
	cb_json *s;
	const char *cus;
	int rc;

	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	if ((rc = users_get(req, uid, 1, &us)) <= 0)
		return rc == 0 ? cb_reply_error(req, 404, "not_found", "No such user") : CB_EDB;
	cus = customer_ensure(req, uid, us.email, &rc);
	if (!cus) {
		cb_db_rollback(req);
		return stripe_reply_error(req, rc);
	}
	f = form_new(req);
	form_add(f, "mode", "subscription");
	form_add(f, "customer", cus);
	form_add(f, "client_reference_id", uid);
	form_add(f, "line_items[0][price]", price);
	form_add(f, "line_items[0][quantity]", "1");
	form_add(f, "success_url", bl_cf.success_url);
	form_add(f, "cancel_url", bl_cf.cancel_url);
	form_add(f, "metadata[user_id]", uid);
	form_add(f, "metadata[plan]", pl->id);
	form_add(f, "subscription_data[metadata][user_id]", uid);
	rc = stripe_call(req, "POST", "/v1/checkout/sessions", f,
	                 idem(req, "checkout", uid, pl->id, interval), &s);
	if (rc != STRIPE_OK || !cb_json_get_str(s, "url")) {
		cb_db_rollback(req);
		return stripe_reply_error(req, rc == STRIPE_OK ? STRIPE_DOWN : rc);
	}
	if (cb_db_commit(req) != CB_OK)
		return CB_EDB;
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "url", cb_json_get_str(s, "url"));
	cb_json_set_str(o, "id", cb_json_get_str(s, "id"));
	cb_json_set_bool(o, "test_mode", (int)bl_cf.test_mode);
	cb_set_header(req, "Cache-Control", "no-store");
	return cb_reply_json(req, 200, o);
}

int h_checkout(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	const char *uid = cb_req_get(req, "user.id"), *plan_id, *interval, *price;
	const struct plan *pl;
	cb_check *c;
	cb_res *cur;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	plan_id = cb_check_str(c, "plan", CB_REQUIRED, 1, 32);
	interval = cb_check_str(c, "interval", CB_OPTIONAL, 1, 16);
	if (!interval && cb_json_type(cb_json_get(body, "interval")) <= CB_JSON_NULL)
		interval = "month";
	if (interval && strcmp(interval, "month") != 0 && strcmp(interval, "year") != 0)
		cb_check_fail(c, "interval", "invalid", "interval is \"month\" or \"year\"");
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	pl = plan_by_id(plan_id);
	if (!pl)
		return cb_reply_error(req, 400, "unknown_plan", "There is no plan \"%s\"", plan_id);
	if (pl == &bl_cf.plans[0])
		return cb_reply_error(
		    req, 400, "plan_not_purchasable",
		    "Basic is free: to leave a paid plan, cancel it in the portal");
	if (!pl->checkout)
		return cb_reply_error(req, 400, "contact_sales",
		                      "The %s plan is arranged with us directly: %s", pl->name,
		                      bl_cf.contact_url);
	price = strcmp(interval, "month") == 0 ? pl->price_month : pl->price_year;
	if (!*price)
		return cb_reply_error(req, 400, "interval_not_offered",
		                      "The %s plan is not sold by the %s", pl->name, interval);
	if (!(cur = sub_current(req, uid)))
		return CB_EDB;
	if (cb_res_rows(cur) == 1 && cb_res_bool(cur, 0, "live")) {
		const char *ci = cb_res_val(cur, 0, "billing_interval");
		if (strcmp(cb_res_val(cur, 0, "plan_id"), pl->id) == 0 && ci &&
		    strcmp(ci, interval) == 0)
			return cb_reply_error(req, 409, "already_subscribed",
			                      "You are on the %s plan (%sly) already", pl->name,
			                      interval);
		return change_plan(req, uid, cur, pl, interval, price);
	}
	return new_session(req, uid, pl, interval, price);
}
