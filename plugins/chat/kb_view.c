/* kb_view.c — the one knowledge base the engine answers from: the landing
 * page's business data as the base, the owner's knowledge base (chat_kb)
 * over it section by section, then the key's override (its FAQ added, its
 * price texts over the matching services' prices). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"

static const char *const weekdays[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};

/* "ab 149 €" -> from 149; "39,90 €" -> fixed 39.9; else on_request. */
static void parse_price(const char *t, const char **kind, double *price)
{
	char *sp = NULL;
	const char *s = t;

	*kind = "on_request";
	*price = 0;
	if (!t)
		return;
	while (*s == ' ')
		s++;
	int from = 0;
	if (strncasecmp(s, "ab ", 3) == 0 || strncasecmp(s, "from ", 5) == 0) {
		from = 1;
		s += s[0] == 'a' || s[0] == 'A' ? 3 : 5;
	}
	while (*s == ' ' || (unsigned char)*s == 0xE2 || (unsigned char)*s == 0x82 ||
	       (unsigned char)*s == 0xAC || *s == 'E' || *s == 'U' || *s == 'R')
		s++; /* "€149", "EUR 149" */
	if (!isdigit((unsigned char)*s))
		return;
	char num[32];
	size_t n = 0;
	while ((isdigit((unsigned char)*s) || *s == ',' || *s == '.') && n + 1 < sizeof(num)) {
		num[n++] = *s == ',' ? '.' : *s;
		s++;
	}
	num[n] = '\0';
	double v = strtod(num, &sp);
	if (!sp || *sp)
		return;
	while (*s == ' ' || *s == ',' || *s == '-' || *s == '.')
		s++;
	/* what may follow the number: the currency and nothing else */
	if (*s && strcmp(s, "€") && strcasecmp(s, "eur") && strcasecmp(s, "euro"))
		return;
	*kind = from ? "from" : "fixed";
	*price = v;
}

cb_json *kb_from_landing(cb_req *req, const char *landing)
{
	cb_json *c = landing ? cb_json_parse(req, landing, strlen(landing), NULL, 0) : NULL;
	const cb_json *ci = cb_json_get(c, "contact_info");
	cb_json *out = cb_json_new_object(req), *hours = cb_json_new_object(req);
	cb_json *weekly = cb_json_new_object(req), *services = cb_json_new_array(req);
	struct week w;

	if (!ci)
		ci = cb_json_get(c, "contact");
	hours_read(cb_json_get(ci, "hours") ? cb_json_get(ci, "hours") : cb_json_get(c, "hours"),
	           &w);
	if (w.known)
		for (int d = 0; d < 7; d++) {
			cb_json *day = cb_json_new_array(req);
			for (int i = 0; i < w.nr[d]; i++) {
				cb_json *r = cb_json_new_object(req);
				cb_json_set_str(
				    r, "open",
				    cb_sprintf(req, "%02d:%02d", w.ro[d][i] / 60, w.ro[d][i] % 60));
				cb_json_set_str(
				    r, "close",
				    cb_sprintf(req, "%02d:%02d", w.rc[d][i] / 60, w.rc[d][i] % 60));
				cb_json_push(day, r);
			}
			cb_json_set(weekly, weekdays[d], day);
		}
	cb_json_set(hours, "weekly", weekly);
	cb_json_set(out, "hours", hours);
	const cb_json *ls = cb_json_get(c, "services");
	for (size_t i = 0; i < cb_json_len(ls); i++) {
		const cb_json *s = cb_json_at(ls, i);
		const char *name = cb_json_get_str(s, "name"), *kind;
		const char *pt = cb_json_get_str(s, "price");
		double price;
		if (!name || !*name)
			continue;
		cb_json *o = cb_json_new_object(req);
		parse_price(pt, &kind, &price);
		cb_json_set_str(o, "name", name);
		cb_json_set(o, "synonyms", cb_json_new_array(req));
		cb_json_set_str(o, "price_kind", kind);
		if (strcmp(kind, "on_request"))
			cb_json_set_num(o, "price", price);
		else if (pt && *pt)
			cb_json_set_str(o, "note", pt);
		if (cb_json_get_str(s, "description"))
			cb_json_set_str(o, "description", cb_json_get_str(s, "description"));
		cb_json_push(services, o);
	}
	cb_json_set(out, "services", services);
	return out;
}

static int weekly_known(const cb_json *weekly)
{
	return cb_json_type(weekly) == CB_JSON_OBJECT && cb_json_len(weekly) > 0;
}

/* The key's price text "service" names a service of list: its index, or -1. */
static long service_named(cb_req *req, const cb_json *list, const char *name)
{
	for (size_t i = 0; i < cb_json_len(list); i++) {
		const cb_json *s = cb_json_at(list, i);
		if (text_same(req, name, cb_json_get_str(s, "name")))
			return (long)i;
		const cb_json *syn = cb_json_get(s, "synonyms");
		for (size_t k = 0; k < cb_json_len(syn); k++)
			if (text_same(req, name, cb_json_str(cb_json_at(syn, k))))
				return (long)i;
	}
	return -1;
}

void kb_apply(cb_req *req, struct business *b, const char *landing, const char *kb, const char *faq,
              const char *prices)
{
	cb_json *base = kb_from_landing(req, landing);
	cb_json *doc = kb ? cb_json_parse(req, kb, strlen(kb), NULL, 0) : NULL;
	const cb_json *hours = cb_json_get(base, "hours");
	cb_json *services = cb_json_get(base, "services");
	cb_json *faqs = cb_json_new_array(req);
	cb_json *svc = cb_json_new_array(req);

	if (cb_json_type(doc) == CB_JSON_OBJECT) {
		if (cb_json_get(doc, "hours") &&
		    weekly_known(cb_json_get(cb_json_get(doc, "hours"), "weekly")))
			hours = cb_json_get(doc, "hours");
		else if (cb_json_get(doc, "hours")) { /* dates without a weekly plan */
			cb_json *h = cb_json_new_object(req);
			cb_json_set(h, "weekly", cb_json_get(hours, "weekly"));
			cb_json_set(h, "holidays",
			            cb_json_get(cb_json_get(doc, "hours"), "holidays"));
			cb_json_set(h, "closures",
			            cb_json_get(cb_json_get(doc, "hours"), "closures"));
			hours = h;
		}
		if (cb_json_type(cb_json_get(doc, "services")) == CB_JSON_ARRAY)
			services = cb_json_get(doc, "services");
		if (cb_json_type(cb_json_get(doc, "faq")) == CB_JSON_ARRAY)
			for (size_t i = 0; i < cb_json_len(cb_json_get(doc, "faq")); i++)
				cb_json_push(faqs, cb_json_at(cb_json_get(doc, "faq"), i));
		b->greeting = cb_json_get(doc, "greeting");
		b->quick_replies = cb_json_get(doc, "quick_replies");
	}
	hours_read(cb_json_get(hours, "weekly"), &b->week);
	if (!weekly_known(cb_json_get(hours, "weekly")))
		b->week.known = 0;
	b->week.holidays = cb_json_get(hours, "holidays");
	b->week.closures = cb_json_get(hours, "closures");
	for (size_t i = 0; i < cb_json_len(services); i++) {
		const cb_json *s = cb_json_at(services, i);
		cb_json *o = cb_json_new_object(req);
		for (size_t k = 0; k < cb_json_len(s); k++)
			cb_json_set(o, cb_json_key_at(s, k), cb_json_at(s, k));
		cb_json_push(svc, o);
	}
	/* the key's override */
	cb_json *kp = prices ? cb_json_parse(req, prices, strlen(prices), NULL, 0) : NULL;
	for (size_t i = 0; i < cb_json_len(kp); i++) {
		const cb_json *p = cb_json_at(kp, i);
		const char *name = cb_json_get_str(p, "service"), *pt = cb_json_get_str(p, "price");
		if (!name || !pt || !*pt)
			continue;
		long at = service_named(req, svc, name);
		cb_json *o;
		if (at >= 0)
			o = cb_json_at(svc, (size_t)at);
		else {
			o = cb_json_new_object(req);
			cb_json_set_str(o, "name", name);
			cb_json_set(o, "synonyms", cb_json_new_array(req));
			cb_json_push(svc, o);
		}
		cb_json_set_str(o, "price_kind", "text");
		cb_json_set_str(o, "price_text", pt);
		if (cb_json_get_str(p, "note"))
			cb_json_set_str(o, "note", cb_json_get_str(p, "note"));
		else
			cb_json_del(o, "note");
	}
	cb_json *kf = faq ? cb_json_parse(req, faq, strlen(faq), NULL, 0) : NULL;
	for (size_t i = 0; i < cb_json_len(kf); i++) {
		const cb_json *f = cb_json_at(kf, i);
		if (!cb_json_get_str(f, "q") || !cb_json_get_str(f, "a"))
			continue;
		cb_json *o = cb_json_new_object(req), *q = cb_json_new_object(req);
		cb_json *a = cb_json_new_object(req);
		struct analysis an;
		analyse(req, cb_json_get_str(f, "q"), NULL, &an);
		cb_json_set_str(q, an.lang, cb_json_get_str(f, "q"));
		cb_json_set_str(a, an.lang, cb_json_get_str(f, "a"));
		cb_json_set(o, "question", q);
		cb_json_set(o, "answer", a);
		cb_json_set(o, "phrasings", cb_json_new_array(req));
		cb_json_push(faqs, o);
	}
	b->services = svc;
	b->faq = faqs;
	b->prices = cb_json_new_array(req);
}
