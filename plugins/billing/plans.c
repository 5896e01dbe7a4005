/* plans.c — the three plans (basic, premium, enterprise) from config and
 * GET /api/v1/billing/plans. Each plan's limits are the ones auth and keys
 * enforce (keep them equal when changing either); client_keys and
 * landing_pages are what a downgrade switches off beyond. */
#include <stdio.h>
#include <string.h>

#include "billing.h"

#include <carbot/settings.h>

static const char *const ids[N_PLANS] = {"basic", "premium", "enterprise"};

/* Defaults: the spec's rate and usage limits; prices and the other limits
 * are the product's choice. */
static const struct {
	const char *name, *features, *amount_month, *amount_year, *checkout;
	const char *api, *conv, *msg, *keys, *pages, *domains;
} defs[N_PLANS] = {
    {"Basic", "chat_widget,client_keys,analytics", "0", "0", "0", "100", "1000", "10000", "3", "0",
     "0"},
    {"Premium", "chat_widget,client_keys,analytics,landing_pages,templates,custom_domain", "4900",
     "49000", "1", "500", "5000", "50000", "20", "5", "1"},
    {"Enterprise",
     "chat_widget,client_keys,analytics,landing_pages,templates,custom_domain,priority_support",
     "19900", "199000", "0", "2000", "-1", "-1", "-1", "-1", "-1"},
};

/* "premium_amount_month": setting names and defaults built once in init and
 * kept for carbotd's life (cb_setting keeps the pointer). */
#define SLOTS 16
static char names[N_PLANS][SLOTS][48];

static const char *name_of(int plan, int slot, const char *suffix)
{
	snprintf(names[plan][slot], sizeof names[plan][slot], "%s_%s", ids[plan], suffix);
	return names[plan][slot];
}

static int plan_settings(cb_plugin *p, int i)
{
	struct plan *pl = &bl_cf.plans[i];
	static char price_defs[N_PLANS][2][48];

	/* Price ids default to the stand-in's ("price_premium_month"); basic has none. */
	if (i > 0) {
		snprintf(price_defs[i][0], sizeof price_defs[i][0], "price_%s_month", ids[i]);
		snprintf(price_defs[i][1], sizeof price_defs[i][1], "price_%s_year", ids[i]);
	}
	cb_str_setting strs[] = {
	    {name_of(i, 0, "name"), defs[i].name, &pl->name},
	    {name_of(i, 1, "features"), defs[i].features, &pl->features},
	    {name_of(i, 2, "stripe_price_month"), price_defs[i][0], &pl->price_month},
	    {name_of(i, 3, "stripe_price_year"), price_defs[i][1], &pl->price_year},
	};
	cb_int_setting ints[] = {
	    {name_of(i, 4, "amount_month"), defs[i].amount_month, 0, 100000000, &pl->amount_month},
	    {name_of(i, 5, "amount_year"), defs[i].amount_year, 0, 1000000000, &pl->amount_year},
	    {name_of(i, 6, "checkout"), defs[i].checkout, 0, 1, &pl->checkout},
	    {name_of(i, 7, "api_requests"), defs[i].api, -1, 100000000, &pl->api_requests},
	    {name_of(i, 8, "conversations"), defs[i].conv, -1, 100000000, &pl->conversations},
	    {name_of(i, 9, "messages"), defs[i].msg, -1, 100000000, &pl->messages},
	    {name_of(i, 10, "client_keys"), defs[i].keys, -1, 100000, &pl->client_keys},
	    {name_of(i, 11, "landing_pages"), defs[i].pages, -1, 100000, &pl->landing_pages},
	    {name_of(i, 12, "custom_domains"), defs[i].domains, -1, 100000, &pl->custom_domains},
	};

	pl->id = ids[i];
	if (cb_settings_str(p, strs, CB_COUNT(strs)) != CB_OK ||
	    cb_settings_int(p, ints, CB_COUNT(ints)) != CB_OK)
		return CB_ERR;
	if (i == 0 && pl->checkout)
		return cb_plugin_fail(p, "basic is the free plan: basic_checkout must be 0");
	return CB_OK;
}

int plans_settings(cb_plugin *p)
{
	for (int i = 0; i < N_PLANS; i++)
		if (plan_settings(p, i) != CB_OK)
			return CB_ERR;
	return CB_OK;
}

const struct plan *plan_by_id(const char *id)
{
	for (int i = 0; id && i < N_PLANS; i++)
		if (strcmp(bl_cf.plans[i].id, id) == 0)
			return &bl_cf.plans[i];
	return NULL;
}

const struct plan *plan_by_price(const char *price_id, const char **interval)
{
	for (int i = 0; price_id && *price_id && i < N_PLANS; i++) {
		const struct plan *pl = &bl_cf.plans[i];
		if (strcmp(pl->price_month, price_id) == 0 ||
		    strcmp(pl->price_year, price_id) == 0) {
			if (interval)
				*interval =
				    strcmp(pl->price_month, price_id) == 0 ? "month" : "year";
			return pl;
		}
	}
	return NULL;
}

static void set_limit(cb_json *o, const char *key, long long v)
{
	if (v < 0)
		cb_json_set_null(o, key); /* unlimited */
	else
		cb_json_set_int(o, key, v);
}

static cb_json *price(cb_req *req, const char *interval, long long amount)
{
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "interval", interval);
	cb_json_set_int(o, "amount", amount);
	cb_json_set_str(o, "currency", "EUR");
	return o;
}

static cb_json *features(cb_req *req, const char *list)
{
	cb_json *arr = cb_json_new_array(req);
	const char *s = list;

	while (s && *s) {
		size_t n = strcspn(s, ",");
		if (n)
			cb_json_push(arr, cb_json_new_strn(req, s, n));
		s += n;
		if (*s == ',')
			s++;
	}
	return arr;
}

int h_plans(cb_req *req)
{
	cb_json *out = cb_json_new_object(req), *arr = cb_json_new_array(req);

	cb_json_set_bool(out, "test_mode", (int)bl_cf.test_mode);
	cb_json_set_str(out, "currency", "EUR");
	for (int i = 0; i < N_PLANS; i++) {
		const struct plan *pl = &bl_cf.plans[i];
		cb_json *o = cb_json_new_object(req), *prices = cb_json_new_array(req);
		cb_json *lim = cb_json_new_object(req);
		cb_json_set_str(o, "id", pl->id);
		cb_json_set_str(o, "name", pl->name);
		cb_json_push(prices, price(req, "month", pl->amount_month));
		cb_json_push(prices, price(req, "year", pl->amount_year));
		cb_json_set(o, "prices", prices);
		set_limit(lim, "api_requests_per_15min", pl->api_requests);
		set_limit(lim, "conversations", pl->conversations);
		set_limit(lim, "messages", pl->messages);
		set_limit(lim, "client_keys", pl->client_keys);
		set_limit(lim, "landing_pages", pl->landing_pages);
		set_limit(lim, "custom_domains", pl->custom_domains);
		cb_json_set(o, "limits", lim);
		cb_json_set(o, "features", features(req, pl->features));
		cb_json_set_str(o, "purchase",
		                i == 0         ? "free"
		                : pl->checkout ? "checkout"
		                               : "contact");
		if (i > 0 && !pl->checkout)
			cb_json_set_str(o, "contact_url", bl_cf.contact_url);
		cb_json_push(arr, o);
	}
	cb_json_set(out, "plans", arr);
	cb_set_header(req, "Cache-Control", "public, max-age=60");
	return cb_reply_json(req, 200, out);
}
