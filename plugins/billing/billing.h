/* billing.h — the billing plugin's shared declarations.
 *
 * The subscription decides the tier: Stripe (or the local stand-in) is the
 * truth, webhooks are only triggers to re-read it, and every write of a
 * user's tier happens in apply.c under that user's row lock.
 */
#ifndef BILLING_H
#define BILLING_H

#include <stddef.h>

#include <carbot/sdk.h>

#define N_PLANS 3 /* basic, premium, enterprise: the tiers auth knows */

struct plan {
	const char *id, *name, *features;                /* features: comma-separated */
	const char *price_month, *price_year;            /* Stripe price ids ("" none) */
	long long amount_month, amount_year;             /* cents, EUR */
	long long checkout;                              /* 1: bought by checkout, 0: contact us */
	long long api_requests, conversations, messages; /* -1: unlimited */
	long long client_keys, landing_pages, custom_domains;
};

struct billing_conf {
	const char *api_base, *api_key, *webhook_secret, *webhook_secret_previous;
	const char *success_url, *cancel_url, *portal_return_url, *contact_url;
	long long timeout_ms, connect_timeout_ms, tolerance, trial_days, grace_days;
	long long reconcile_interval, test_mode;
	struct plan plans[N_PLANS];
};
extern struct billing_conf bl_cf;

/* plans.c */
int plans_settings(cb_plugin *p);
const struct plan *plan_by_id(const char *id);
/* The plan and interval ("month"/"year") a Stripe price id stands for. */
const struct plan *plan_by_price(const char *price_id, const char **interval);
int h_plans(cb_req *req);

/* signature.c: Stripe-Signature checks */
enum sig_result {
	SIG_OK = 0,
	SIG_MISSING,   /* no header */
	SIG_MALFORMED, /* no t=, or not digits, or an empty element */
	SIG_NO_V1,     /* no v1= signature (only v0 or unknown schemes) */
	SIG_STALE,     /* timestamp outside the tolerance, either way */
	SIG_MISMATCH,  /* no v1 matches any accepted secret */
};
int sig_verify(cb_req *req, const char *header, const char *body, size_t len,
               const char *const *secrets, long long tolerance, long long now);
const char *sig_reason(int result);

/* stripe.c: calls to Stripe's REST API through cb_fetch */
enum stripe_rc {
	STRIPE_OK = 0,
	STRIPE_DOWN = -100,    /* no answer, timeout, 5xx, 429, not JSON */
	STRIPE_REFUSED = -101, /* a 4xx with Stripe's error object */
	STRIPE_UNCONFIGURED = -102,
};
struct form; /* an application/x-www-form-urlencoded body being built */
struct form *form_new(cb_req *req);
void form_add(struct form *f, const char *key, const char *value);
/* GET (form NULL or used as the query) or POST/DELETE; *out is the parsed
 * object on STRIPE_OK and Stripe's "error" object on STRIPE_REFUSED. */
int stripe_call(cb_req *req, const char *method, const char *path, struct form *f,
                const char *idempotency_key, cb_json **out);
/* Replies 502 payment_provider_unavailable (or 503 when unconfigured, or 502
 * payment_provider_error for a refusal) and returns CB_OK. */
int stripe_reply_error(cb_req *req, int rc);

/* users_glue.c: users through the users.v1 service (auth) */
struct user_state {
	const char *tier, *status, *email;
	long long trial_ends_at; /* unix seconds, 0: none */
	int in_trial;            /* trial_ends_at in the future */
};
/* 1 found, 0 no such (live) user, CB_EDB. lock: FOR UPDATE (in a transaction). */
int users_get(cb_req *req, const char *user_id, int lock, struct user_state *out);
int users_set_tier(cb_req *req, const char *user_id, const char *tier, const char *status);
/* Emits subscription.changed through users.v1 announce_tier. */
int users_announce(cb_req *req, const char *user_id, const char *old_tier, const char *new_tier,
                   const char *status);
/* *ends_at: the trial's end (unix s), 0 when the account had one already. */
int users_start_trial(cb_req *req, const char *user_id, long long days, long long *ends_at);
/* Users whose trial ended but who are still trialing (a sweep for reconcile). */
int users_trials_over(cb_req *req, const char ***ids, size_t *n);
/* users.v1 (with the members billing calls) is there. */
int users_ready(void);

/* customers.c */
/* The Stripe customer id of user_id, or NULL (none yet, or *rc CB_EDB). */
const char *customer_of(cb_req *req, const char *user_id, int *rc);
/* The user a Stripe customer belongs to: our mapping, else the customer's
 * metadata.user_id at Stripe (then remembered). NULL when unknown (*rc
 * CB_OK), or *rc a failure (CB_EDB, STRIPE_*). */
const char *user_of_customer(cb_req *req, const char *customer_id, int *rc);
/* Returns the user's customer, creating it at Stripe (idempotently) and
 * recording it on req's connection. NULL with *rc on failure. */
const char *customer_ensure(cb_req *req, const char *user_id, const char *email, int *rc);

/* apply.c: the one place a tier is decided */
struct change {
	int changed;
	const char *old_tier, *new_tier, *status;
};
/* Stores Stripe subscription object sub for user_id (upsert by id); the
 * caller holds the user's row lock. */
int sub_store(cb_req *req, const char *user_id, const cb_json *sub);
/* Re-reads subscription sub_id from Stripe and stores it (row lock held). */
int sub_sync(cb_req *req, const char *user_id, const char *sub_id);
/* Recomputes user_id's tier and status from what is stored and writes them,
 * switching off or on what the plan allows (row lock held). */
int apply_user(cb_req *req, const char *user_id, struct change *ch);
/* Emits subscription.changed for ch (after the commit) when something changed. */
void emit_change(cb_req *req, const char *user_id, const struct change *ch);
/* begin + lock + sub_sync (when sub_id) + apply + commit + emit, for jobs. */
int sync_user(cb_req *req, const char *user_id, const char *sub_id, struct change *ch);
/* user_id's current (newest live, else newest) subscription row, or NULL. */
cb_res *sub_current(cb_req *req, const char *user_id);

/* switchoff.c */
int enforce_plan(cb_req *req, const char *user_id, const struct plan *plan);

/* handlers.c and checkout.c */
int h_subscription(cb_req *req);
int h_checkout(cb_req *req);
int h_portal(cb_req *req);
int h_invoices(cb_req *req);
int h_metrics(cb_req *req);
/* Registers the billing metrics in the core's /metrics (cb_metric). */
int metrics_register(cb_plugin *p);

/* webhook.c and jobs.c */
#define JOB_EVENT        "billing.event"
#define JOB_TRIAL        "billing.trial_end"
#define JOB_GRACE        "billing.grace_end"
#define JOB_RECONCILE    "billing.reconcile"
#define JOB_TRIAL_ENDING "billing.trial_ending_notice"
#define TRIAL_NOTICE_S   (3 * 86400) /* billing.trial_ending: 3 days before */
int h_webhook(cb_req *req);
int job_event(cb_req *req, const cb_json *payload);
int job_trial(cb_req *req, const cb_json *payload);
int job_grace(cb_req *req, const cb_json *payload);
int job_reconcile(cb_req *req, const cb_json *payload);
int job_trial_ending(cb_req *req, const cb_json *payload);
int on_registered(cb_req *req, const char *event, const cb_json *data, void *udata);

/* util */
const char *iso_time(cb_req *req, long long unix_s);  /* NULL for 0 */
long long json_ll(const cb_json *o, const char *key); /* 0 when absent */

/* gdpr.c: this plugin's part of the data-subject contract. */
int gdpr_register(cb_plugin *p);

#endif
