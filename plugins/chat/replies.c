/* replies.c — the built-in engine's answers, in German or English, made only
 * of what the business told us: its landing page (name, hours, address,
 * phone, services with prices) and the key's FAQ and price list. A price it
 * was not given is never guessed: the visitor is offered a callback. */
#include <stdio.h>
#include <string.h>

#include "chat.h"

static int en(const char *lang)
{
	return strcmp(lang, "en") == 0;
}

#define T(de, en_) (en(lang) ? (en_) : (de))

static void push(cb_req *req, cb_json *arr, const char *s)
{
	cb_json_push(arr, cb_json_new_str(req, s));
}

cb_json *suggestions_for(cb_req *req, int intent, const char *lang)
{
	cb_json *s = cb_json_new_array(req);
	const char *hours = T("Öffnungszeiten", "Opening hours");
	const char *prices = T("Preise", "Prices");
	const char *book = T("Termin vereinbaren", "Book an appointment");
	const char *call = T("Rückruf anfordern", "Request a callback");
	const char *where = T("Adresse", "Address");
	const char *services = T("Leistungen", "Services");

	switch (intent) {
	case I_HOURS:
		push(req, s, book);
		push(req, s, where);
		push(req, s, call);
		break;
	case I_PRICE:
		push(req, s, book);
		push(req, s, call);
		push(req, s, services);
		break;
	case I_SERVICES:
		push(req, s, prices);
		push(req, s, book);
		break;
	case I_LOCATION:
		push(req, s, hours);
		push(req, s, book);
		break;
	case I_CONTACT:
	case I_EMERGENCY:
		push(req, s, call);
		push(req, s, hours);
		break;
	case I_THANKS:
		push(req, s, book);
		push(req, s, hours);
		break;
	case I_BYE:
		break;
	default:
		push(req, s, hours);
		push(req, s, prices);
		push(req, s, book);
		break;
	}
	return s;
}

/* 1 when the normalised name (base form) appears in the normalised message. */
static int names_in(cb_req *req, const char *name, const char *msg_base)
{
	char *a, *b;
	size_t n;

	if (!name || !*name)
		return 0;
	norm_forms(req, name, &a, &b);
	while (*b == ' ')
		b++;
	n = strlen(b);
	while (n && b[n - 1] == ' ')
		b[--n] = '\0';
	if (n < 3)
		return 0;
	const char *hit = strstr(msg_base, b);
	return hit && (hit == msg_base || hit[-1] == ' ') && (hit[n] == ' ' || hit[n] == '\0');
}

/* The owner's price of the service the message names: {service, price, note}
 * from the key's price list or {name, price} from the landing page. */
static int find_price(cb_req *req, const struct business *b, int service, const char *msg,
                      const char **what, const char **price, const char **note)
{
	char *ma, *mb;

	norm_forms(req, msg, &ma, &mb);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < cb_json_len(b->prices); i++) {
			const cb_json *p = cb_json_at(b->prices, i);
			const char *name = cb_json_get_str(p, "service");
			if (!cb_json_get_str(p, "price") || !*cb_json_get_str(p, "price"))
				continue;
			if (pass == 0 ? names_in(req, name, mb)
			              : service && service_of_text(req, name) == service) {
				*what = name;
				*price = cb_json_get_str(p, "price");
				*note = cb_json_get_str(p, "note");
				return 1;
			}
		}
		for (size_t i = 0; i < cb_json_len(b->services); i++) {
			const cb_json *s = cb_json_at(b->services, i);
			const char *name = cb_json_get_str(s, "name");
			if (!cb_json_get_str(s, "price") || !*cb_json_get_str(s, "price"))
				continue;
			if (pass == 0 ? names_in(req, name, mb)
			              : service && service_of_text(req, name) == service) {
				*what = name;
				*price = cb_json_get_str(s, "price");
				*note = NULL;
				return 1;
			}
		}
	}
	return 0;
}

/* 1 when the business lists the service (by category or name). */
static int offers(cb_req *req, const struct business *b, int service, const char **name)
{
	for (size_t i = 0; i < cb_json_len(b->services); i++) {
		const char *n = cb_json_get_str(cb_json_at(b->services, i), "name");
		if (n && service_of_text(req, n) == service) {
			*name = n;
			return 1;
		}
	}
	for (size_t i = 0; i < cb_json_len(b->prices); i++) {
		const char *n = cb_json_get_str(cb_json_at(b->prices, i), "service");
		if (n && service_of_text(req, n) == service) {
			*name = n;
			return 1;
		}
	}
	return 0;
}

/* An FAQ answer whose question shares most of its words with the message. */
static const char *faq_answer(cb_req *req, const struct business *b, const char *msg)
{
	char *ma, *mb, *mt[64];
	size_t mn;
	const char *best = NULL;
	int best_score = 0;

	if (cb_json_len(b->faq) == 0)
		return NULL;
	norm_forms(req, msg, &ma, &mb);
	mn = tokenise(mb, mt, 64);
	for (size_t i = 0; i < cb_json_len(b->faq); i++) {
		const cb_json *f = cb_json_at(b->faq, i);
		const char *q = cb_json_get_str(f, "q");
		char *qa, *qb, *qt[32];
		size_t qn, content = 0, hits = 0;
		if (!q || !cb_json_get_str(f, "a"))
			continue;
		norm_forms(req, q, &qa, &qb);
		qn = tokenise(qb, qt, 32);
		for (size_t k = 0; k < qn; k++) {
			size_t ql = strlen(qt[k]);
			if (ql < 4) /* short words say little */
				continue;
			content++;
			for (size_t j = 0; j < mn; j++) {
				int bud = edit_budget(ql);
				if (dl_distance(qt[k], ql, mt[j], strlen(mt[j]), bud) <= bud) {
					hits++;
					break;
				}
			}
		}
		/* at least two thirds of the question's words, and two of them
		 * unless the question has only one */
		if (content && hits * 3 >= content * 2 && (hits >= 2 || content == 1)) {
			int sc = (int)(hits * 100 / content);
			if (sc > best_score) {
				best_score = sc;
				best = cb_json_get_str(f, "a");
			}
		}
	}
	return best;
}

static const char *biz_name(const struct business *b, const char *lang)
{
	return b->name && *b->name ? b->name : T("unserer Werkstatt", "our workshop");
}

static const char *callback_offer(const char *lang)
{
	return T("Soll Sie jemand aus unserem Team zurückrufen?",
	         "Shall someone from our team call you back?");
}

static char *hours_reply(cb_req *req, const struct business *b, const char *lang)
{
	int nd, nm;
	int open = hours_open_now(&b->week, b->now, &nd, &nm);
	char *when;

	if (!b->week.known)
		return cb_sprintf(
		    req, "%s %s",
		    T("Die genauen Öffnungszeiten habe ich leider nicht vorliegen.",
		      "I'm afraid I don't have the exact opening hours."),
		    b->phone
		        ? cb_sprintf(req, T("Rufen Sie uns gern an: %s.", "Please call us: %s."),
		                     b->phone)
		        : callback_offer(lang));
	if (open)
		when = cb_sprintf(req, "%s",
		                  T("Gerade haben wir geöffnet.", "We are open right now."));
	else if (nd < 0)
		when = cb_strdup(req, "");
	else if (nd == b->now.dow)
		when = cb_sprintf(req,
		                  T("Gerade ist geschlossen – wir öffnen heute um %02d:%02d.",
		                    "We are closed right now and open today at %02d:%02d."),
		                  nm / 60, nm % 60);
	else
		when =
		    cb_sprintf(req,
		               T("Gerade ist geschlossen – wir öffnen wieder am %s um %02d:%02d.",
		                 "We are closed right now and open again on %s at %02d:%02d."),
		               day_name(nd, lang), nm / 60, nm % 60);
	return cb_sprintf(req, "%s %s. %s", T("Unsere Öffnungszeiten:", "Our opening hours:"),
	                  hours_text(req, &b->week, lang), when);
}

static char *price_reply(cb_req *req, const struct analysis *a, const struct business *b,
                         const char *msg, const char *lang)
{
	const char *what, *price, *note;

	if (find_price(req, b, a->service, msg, &what, &price, &note))
		return cb_sprintf(req,
		                  T("%s kostet bei uns %s%s%s%s. Möchten Sie einen Termin?",
		                    "%s costs %s%s%s%s with us. Would you like an appointment?"),
		                  what, price, note && *note ? " (" : "", note && *note ? note : "",
		                  note && *note ? ")" : "");
	if (a->service)
		return cb_sprintf(
		    req,
		    T("Einen festen Preis für %s kann ich Ihnen hier leider nicht "
		      "nennen – das hängt vom Fahrzeug ab. %s",
		      "I can't give you a fixed price for %s here – it depends on the "
		      "vehicle. %s"),
		    service_label(a->service, lang), callback_offer(lang));
	return cb_sprintf(req, "%s %s",
	                  T("Für welche Leistung möchten Sie einen Preis wissen? Einen Preis, der "
	                    "mir nicht vorliegt, nenne ich nicht –",
	                    "Which service would you like a price for? I won't guess a price I "
	                    "haven't been given –"),
	                  T("gern ruft Sie aber jemand aus dem Team zurück.",
	                    "but someone from the team can call you back."));
}

static char *services_reply(cb_req *req, const struct analysis *a, const struct business *b,
                            const char *msg, const char *lang)
{
	const char *name, *what, *price, *note;

	if (a->service && offers(req, b, a->service, &name)) {
		if (find_price(req, b, a->service, msg, &what, &price, &note))
			return cb_sprintf(req,
			                  T("Ja, %s bieten wir an (%s). Möchten Sie einen Termin?",
			                    "Yes, we do %s (%s). Would you like an appointment?"),
			                  name, price);
		return cb_sprintf(req,
		                  T("Ja, %s bieten wir an. Möchten Sie einen Termin?",
		                    "Yes, we offer %s. Would you like an appointment?"),
		                  name);
	}
	if (a->service && cb_json_len(b->services) == 0)
		return cb_sprintf(
		    req,
		    T("Zu %s berät Sie unser Team gern. Möchten Sie einen Termin oder "
		      "einen Rückruf?",
		      "Our team will gladly advise you on %s. Would you like an "
		      "appointment or a callback?"),
		    service_label(a->service, lang));
	if (a->service)
		return cb_sprintf(req,
		                  T("%s finde ich nicht in unserer Leistungsliste. %s",
		                    "I can't find %s in our list of services. %s"),
		                  service_label(a->service, lang), callback_offer(lang));
	if (cb_json_len(b->services) == 0)
		return cb_sprintf(
		    req, "%s",
		    T("Wir helfen rund ums Auto – fragen Sie gern nach einer Leistung, "
		      "z. B. Inspektion, Reifenwechsel oder HU/AU.",
		      "We help with everything around your car – ask about a service, "
		      "e.g. inspection, tyre change or MOT."));
	char list[600];
	size_t len = 0;
	list[0] = '\0';
	for (size_t i = 0; i < cb_json_len(b->services) && i < 12; i++) {
		const char *n = cb_json_get_str(cb_json_at(b->services, i), "name");
		int k =
		    n ? snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "", n) : 0;
		if (k > 0 && (size_t)k < sizeof(list) - len)
			len += (size_t)k;
	}
	return cb_sprintf(req,
	                  T("Unsere Leistungen: %s. Wozu möchten Sie mehr wissen?",
	                    "Our services: %s. What would you like to know more about?"),
	                  list);
}

static char *contact_reply(cb_req *req, const struct business *b, const char *lang)
{
	if (b->phone && b->email)
		return cb_sprintf(req,
		                  T("Sie erreichen uns telefonisch unter %s oder per E-Mail an %s.",
		                    "You can reach us by phone at %s or by e-mail at %s."),
		                  b->phone, b->email);
	if (b->phone || b->email)
		return cb_sprintf(req, T("Sie erreichen uns unter %s.", "You can reach us at %s."),
		                  b->phone ? b->phone : b->email);
	return cb_strdup(req, T("Gern meldet sich jemand aus unserem Team bei Ihnen. "
	                        "Möchten Sie einen Rückruf?",
	                        "Someone from our team will gladly get in touch. Would you like a "
	                        "callback?"));
}

static char *location_reply(cb_req *req, const struct business *b, const char *lang)
{
	if (b->address)
		return cb_sprintf(req,
		                  T("Sie finden uns hier: %s. Wir freuen uns auf Ihren Besuch!",
		                    "You'll find us here: %s. We look forward to your visit!"),
		                  b->address);
	return cb_sprintf(req, "%s %s",
	                  T("Unsere Adresse habe ich leider nicht vorliegen.",
	                    "I'm afraid I don't have our address at hand."),
	                  contact_reply(req, b, lang));
}

static char *emergency_reply(cb_req *req, const struct business *b, const char *lang)
{
	const char *safety =
	    T("Bringen Sie sich zuerst in Sicherheit: Warnblinker an, Warnweste anziehen, "
	      "Warndreieck aufstellen. Bei Verletzten wählen Sie sofort 112.",
	      "First get to safety: hazard lights on, put on a high-visibility vest, set up "
	      "the warning triangle. If anyone is hurt, call 112 at once.");
	if (b->phone)
		return cb_sprintf(req,
		                  T("%s Für Abschleppen oder Pannenhilfe rufen Sie uns direkt "
		                    "an: %s.",
		                    "%s For towing or breakdown help call us directly: %s."),
		                  safety, b->phone);
	return cb_sprintf(req, "%s %s", safety, callback_offer(lang));
}

void reply_build(cb_req *req, const struct analysis *a, const struct business *b,
                 const char *message, struct reply *out)
{
	const char *lang = a->lang;
	const char *faq = NULL;

	if (a->intent != I_EMERGENCY && a->intent != I_GREETING && a->intent != I_THANKS &&
	    a->intent != I_BYE)
		faq = faq_answer(req, b, message);
	out->suggestions = suggestions_for(req, a->intent, lang);
	if (faq) {
		out->text = faq;
		return;
	}
	switch (a->intent) {
	case I_GREETING:
		out->text = cb_sprintf(req,
		                       T("Hallo und willkommen bei %s! Ich helfe bei Fragen zu "
		                         "Öffnungszeiten, Preisen, Leistungen und Terminen.",
		                         "Hello and welcome to %s! I can help with opening hours, "
		                         "prices, services and appointments."),
		                       biz_name(b, lang));
		break;
	case I_HOURS:
		out->text = hours_reply(req, b, lang);
		break;
	case I_PRICE:
		out->text = price_reply(req, a, b, message, lang);
		break;
	case I_SERVICES:
		out->text = services_reply(req, a, b, message, lang);
		break;
	case I_LOCATION:
		out->text = location_reply(req, b, lang);
		break;
	case I_CONTACT:
		out->text = contact_reply(req, b, lang);
		break;
	case I_EMERGENCY:
		out->text = emergency_reply(req, b, lang);
		break;
	case I_THANKS:
		out->text = T("Gern geschehen! Kann ich sonst noch etwas für Sie tun?",
		              "You're welcome! Is there anything else I can do for you?");
		break;
	case I_BYE:
		out->text = T("Auf Wiedersehen und gute Fahrt!", "Goodbye and drive safely!");
		break;
	default:
		out->text = T("Das habe ich leider nicht verstanden. Ich helfe gern bei "
		              "Öffnungszeiten, Preisen, Leistungen und Terminen – oder jemand aus "
		              "dem Team ruft Sie zurück.",
		              "Sorry, I didn't understand that. I can help with opening hours, "
		              "prices, services and appointments – or someone from the team can "
		              "call you back.");
		break;
	}
}
