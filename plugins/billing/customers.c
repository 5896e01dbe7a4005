/* customers.c — which Stripe customer is which user. A customer is created
 * at the first checkout with the user id in its metadata (and an
 * Idempotency-Key, so a retried or doubled request makes one); the mapping
 * is kept in billing_customers. A customer we do not know (made in Stripe's
 * dashboard, or an event racing our own commit) is looked up at Stripe: its
 * metadata.user_id, when it names a live user, links it. */
#include "billing.h"

const char *customer_of(cb_req *req, const char *user_id, int *rc)
{
	cb_res *r = cb_db_q(
	    req, "SELECT stripe_customer_id FROM billing_customers WHERE user_id = $1", user_id);
	*rc = r ? CB_OK : CB_EDB;
	return cb_res_rows(r) == 1 ? cb_res_val(r, 0, "stripe_customer_id") : NULL;
}

static int remember(cb_req *req, const char *user_id, const char *customer_id)
{
	return cb_db_q(
	           req,
	           "INSERT INTO billing_customers (user_id, stripe_customer_id) VALUES ($1, $2) "
	           "ON CONFLICT DO NOTHING",
	           user_id, customer_id)
	           ? CB_OK
	           : CB_EDB;
}

const char *user_of_customer(cb_req *req, const char *customer_id, int *rc)
{
	cb_res *r;
	cb_json *c;
	struct user_state us;

	*rc = CB_OK;
	if (!customer_id || !*customer_id)
		return NULL;
	r = cb_db_q(req, "SELECT user_id FROM billing_customers WHERE stripe_customer_id = $1",
	            customer_id);
	if (!r) {
		*rc = CB_EDB;
		return NULL;
	}
	if (cb_res_rows(r) == 1)
		return cb_res_val(r, 0, "user_id");
	*rc = stripe_call(req, "GET", cb_sprintf(req, "/v1/customers/%s", customer_id), NULL, NULL,
	                  &c);
	if (*rc == STRIPE_REFUSED) { /* no such customer: unknown, not a failure */
		*rc = CB_OK;
		return NULL;
	}
	if (*rc != STRIPE_OK)
		return NULL;
	const char *uid = cb_json_get_str(cb_json_get(c, "metadata"), "user_id");
	int found = users_get(req, uid, 0, &us);
	if (found < 0) {
		*rc = CB_EDB;
		return NULL;
	}
	if (!found)
		return NULL;
	if ((*rc = remember(req, uid, customer_id)) != CB_OK)
		return NULL;
	return uid;
}

const char *customer_ensure(cb_req *req, const char *user_id, const char *email, int *rc)
{
	const char *id = customer_of(req, user_id, rc);
	struct form *f;
	cb_json *c;

	if (id || *rc != CB_OK)
		return id;
	f = form_new(req);
	form_add(f, "email", email);
	form_add(f, "metadata[user_id]", user_id);
	*rc = stripe_call(req, "POST", "/v1/customers", f,
	                  cb_sprintf(req, "carbot-customer-%s", user_id), &c);
	if (*rc != STRIPE_OK)
		return NULL;
	id = cb_json_get_str(c, "id");
	if (!id) {
		*rc = STRIPE_DOWN;
		return NULL;
	}
	if ((*rc = remember(req, user_id, id)) != CB_OK)
		return NULL;
	return id;
}
