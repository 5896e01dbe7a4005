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
	case I_LEAD_DONE:
		push(req, s, hours);
		push(req, s, where);
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

static const char *biz_name(const struct business *b, const char *lang)
{
	return b->name && *b->name ? b->name : T("unserer Werkstatt", "our workshop");
}

static const char *callback_offer(const char *lang)
{
	return T("Soll Sie jemand aus unserem Team zurückrufen?",
	         "Shall someone from our team call you back?");
}

static char *hours_reply(cb_req *req, const struct analysis *a, const struct business *b,
                         const char *lang)
{
	int nd, nm;
	int open = hours_open_now(&b->week, b->now, &nd, &nm);
	char *when, *day;

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
	else if (nd == b->now.dow && nm > b->now.minute)
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
	day = a->day_kind && !(a->day_kind == 1 && a->day_val == 0 && a->confidence < 0)
	          ? day_hours_reply(req, b, a, lang)
	          : NULL;
	if (day && a->day_kind == 1 && a->day_val == 0)
		return cb_sprintf(req, "%s %s", day, when);
	if (day)
		return day;
	return cb_sprintf(req, "%s %s. %s", T("Unsere Öffnungszeiten:", "Our opening hours:"),
	                  hours_text(req, &b->week, lang), when);
}

#define NAMED_MAX 3

static char *price_reply(cb_req *req, const struct analysis *a, const struct business *b,
                         const char *msg, const char *lang)
{
	const cb_json *named[NAMED_MAX];
	size_t n = services_named(req, b, msg, lang, a->service, named, NAMED_MAX);

	if (n) {
		char *out = cb_strdup(req, "");
		int ask_callback = 0;
		for (size_t i = 0; i < n; i++) {
			out = cb_sprintf(req, "%s%s%s", out, i ? " " : "",
			                 service_price_sentence(req, named[i], lang));
			ask_callback |= !price_phrase(req, named[i], lang);
		}
		return cb_sprintf(req, "%s %s", out,
		                  ask_callback ? callback_offer(lang)
		                               : T("Möchten Sie einen Termin?",
		                                   "Would you like an appointment?"));
	}
	if (a->service)
		return cb_sprintf(req,
		                  T("Einen Preis für %s habe ich nicht vorliegen. %s",
		                    "I don't have a price for %s. %s"),
		                  service_label(a->service, lang), callback_offer(lang));
	char *list = asks_price_list(req, msg) ? price_list(req, b, lang) : NULL;
	if (!list && cb_json_len(b->services))
		return cb_sprintf(req, "%s %s",
		                  T("Dafür habe ich leider keinen Preis vorliegen.",
		                    "I'm afraid I don't have a price for that."),
		                  callback_offer(lang));
	if (list)
		return cb_sprintf(req,
		                  T("Unsere Preise: %s. Wozu möchten Sie mehr wissen?",
		                    "Our prices: %s. What would you like to know more about?"),
		                  list);
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
	const cb_json *named[NAMED_MAX];
	size_t n = services_named(req, b, msg, lang, a->service, named, NAMED_MAX);

	if (n) {
		char *out = cb_strdup(req, "");
		for (size_t i = 0; i < n; i++) {
			const char *p = price_phrase(req, named[i], lang);
			const char *name = cb_json_get_str(named[i], "name");
			out = cb_sprintf(
			    req, "%s%s%s", out, i ? " " : "",
			    p ? cb_sprintf(req,
			                   T("Ja, %s bieten wir an (%s).", "Yes, we do %s (%s)."),
			                   name, p)
			      : cb_sprintf(req, T("Ja, %s bieten wir an.", "Yes, we offer %s."),
			                   name));
		}
		return cb_sprintf(req, "%s %s", out,
		                  T("Möchten Sie einen Termin?", "Would you like an appointment?"));
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
		const char *nm = cb_json_get_str(cb_json_at(b->services, i), "name");
		int k =
		    nm ? snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "", nm) : 0;
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
	    a->intent != I_BYE && a->intent != I_COMPLAINT && a->intent != I_BOT)
		faq =
		    faq_match(req, b, message, lang, a->intent != I_FALLBACK && a->confidence >= 3);
	out->suggestions = suggestions_for(req, a->intent, lang);
	out->faq = faq != NULL;
	if (faq) {
		out->text = faq;
		return;
	}
	switch (a->intent) {
	case I_GREETING:
		if (cb_json_get_str(b->greeting, lang) && *cb_json_get_str(b->greeting, lang)) {
			out->text = cb_json_get_str(b->greeting, lang);
			break;
		}
		out->text = cb_sprintf(req,
		                       T("Hallo und willkommen bei %s! Ich helfe bei Fragen zu "
		                         "Öffnungszeiten, Preisen, Leistungen und Terminen.",
		                         "Hello and welcome to %s! I can help with opening hours, "
		                         "prices, services and appointments."),
		                       biz_name(b, lang));
		break;
	case I_HOURS:
		out->text = hours_reply(req, a, b, lang);
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
	case I_COMPLAINT:
		out->text = cb_sprintf(
		    req, "%s %s",
		    T("Das tut mir leid – danke, dass Sie es uns sagen. Damit sich jemand aus dem "
		      "Team persönlich darum kümmert:",
		      "I'm sorry about that – thank you for telling us. So that someone from the "
		      "team can look into it personally:"),
		    callback_offer(lang));
		break;
	case I_BOT:
		out->text = cb_sprintf(
		    req, "%s %s %s %s",
		    T("Ich bin der digitale Assistent von", "I'm the digital assistant of"),
		    biz_name(b, lang), T("– kein Mensch.", "– not a person."),
		    T("Wenn Sie lieber mit jemandem aus dem Team sprechen, ruft man Sie gern "
		      "zurück "
		      "– soll ich das veranlassen?",
		      "If you'd rather talk to someone from the team, they will gladly call you "
		      "back – shall I arrange that?"));
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
