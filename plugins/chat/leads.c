/* leads.c — collecting a lead over a few turns when a visitor asks for an
 * appointment or a callback: name, phone or e-mail, vehicle, service and
 * preferred day, each checked before the next is asked. The state is the
 * "lead" member of the session context:
 *   {"kind":"appointment"|"callback","step":N,"name":..,"contact":..,
 *    "vehicle":..,"service":..,"day":..}
 * "abbrechen"/"cancel" (or "stop") leaves the flow; an emergency always
 * gets its answer. The finished lead is stored with the conversation (in the
 * same transaction, see widget.c) and announced as hook lead.created. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "chat.h"

#define T(de, en_) (strcmp(lang, "en") == 0 ? (en_) : (de))

int is_phone_number(const char *s)
{
	int digits = 0;

	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9')
			digits++;
		else if (c == '+' && digits == 0 && strspn(s, " ") == i)
			continue;
		else if (!strchr(" -/().", c))
			return 0;
	}
	return digits >= 6 && digits <= 20;
}

int is_email_address(const char *s)
{
	const char *at = strchr(s, '@');
	const char *dot = at ? strrchr(at, '.') : NULL;
	size_t n = strlen(s);

	if (!at || at == s || strchr(at + 1, '@') || !dot || dot == at + 1 || !dot[1] ||
	    dot[1] == '.' || n > 254 || strstr(s, ".."))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || strchr("<>()[]\\,;:\"", s[i]))
			return 0;
	return strlen(dot + 1) >= 2;
}

/* s trimmed, in the arena. */
static char *trim(cb_req *req, const char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n && strchr(" \t\r\n.!", s[n - 1]))
		n--;
	return cb_strndup(req, s, n);
}

static const char *strip_prefix(const char *s, const char *const *prefixes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(prefixes[i]);
		if (strncasecmp(s, prefixes[i], l) == 0 && s[l] == ' ')
			return s + l + 1;
	}
	return s;
}

static const char *name_of(cb_req *req, const char *msg)
{
	static const char *const pre[] = {"ich heiße", "ich heisse", "mein name ist",
	                                  "ich bin",   "my name is", "i am",
	                                  "i'm",       "this is",    "name:"};
	const char *s = strip_prefix(trim(req, msg), pre, sizeof(pre) / sizeof(pre[0]));
	size_t n = strlen(s), letters = 0, words = 1;

	if (utf8_chars(s, n) < 2 || utf8_chars(s, n) > 100)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= '0' && c <= '9') || c == '@' || c == '<' || c == '>')
			return NULL;
		letters += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
		words += c == ' ';
	}
	return letters >= 2 && words <= 6 ? s : NULL;
}

static const char *contact_of(cb_req *req, const char *msg)
{
	char *s = trim(req, msg);
	char *w[16];
	char *copy = cb_strdup(req, s);
	size_t n = 0;

	if (is_phone_number(s) || is_email_address(s))
		return s;
	/* "meine Nummer ist 0170 1234567" / "mail: a@b.de" */
	for (char *p = strtok(copy, " ,;"); p && n < 16; p = strtok(NULL, " ,;"))
		w[n++] = p;
	for (size_t i = 0; i < n; i++)
		if (is_email_address(w[i]))
			return w[i];
	const char *num = strpbrk(s, "+0123456789");
	if (num && is_phone_number(trim(req, num)))
		return trim(req, num);
	return NULL;
}

static const char *free_text(cb_req *req, const char *msg, size_t max)
{
	char *s = trim(req, msg);
	size_t c = utf8_chars(s, strlen(s));

	return c >= 2 && c <= max ? s : NULL;
}

/* A weekday, today/tomorrow or a date, as a canonical word or ISO date. */
static const char *day_of(cb_req *req, const char *msg)
{
	static const char *const words[][2] = {
	    {"montag", "monday"},       {"dienstag", "tuesday"},
	    {"mittwoch", "wednesday"},  {"donnerstag", "thursday"},
	    {"freitag", "friday"},      {"samstag", "saturday"},
	    {"sonnabend", "saturday"},  {"sonntag", "sunday"},
	    {"monday", "monday"},       {"tuesday", "tuesday"},
	    {"wednesday", "wednesday"}, {"thursday", "thursday"},
	    {"friday", "friday"},       {"saturday", "saturday"},
	    {"sunday", "sunday"},       {"heute", "today"},
	    {"today", "today"},         {"morgen", "tomorrow"},
	    {"tomorrow", "tomorrow"},   {"uebermorgen", "day after tomorrow"},
	    {"mo", "monday"},           {"di", "tuesday"},
	    {"mi", "wednesday"},        {"do", "thursday"},
	    {"fr", "friday"},           {"sa", "saturday"},
	    {"mon", "monday"},          {"tue", "tuesday"},
	    {"wed", "wednesday"},       {"thu", "thursday"},
	    {"fri", "friday"},          {"sat", "saturday"}};
	char *a, *b, *tok[32];
	int d, m, y = 0;
	size_t n;
	const char *s = trim(req, msg);

	for (const char *p = s; *p; p++) {
		if (!(*p >= '0' && *p <= '9') || (p > s && p[-1] >= '0' && p[-1] <= '9'))
			continue;
		if (sscanf(p, "%4d-%2d-%2d", &y, &m, &d) == 3 && y >= 2000 && m >= 1 && m <= 12 &&
		    d >= 1 && d <= 31)
			return cb_sprintf(req, "%04d-%02d-%02d", y, m, d);
		y = 0;
		int k = sscanf(p, "%2d.%2d.%4d", &d, &m, &y);
		if (k < 2)
			k = sscanf(p, "%2d/%2d/%4d", &d, &m, &y);
		if (k >= 2 && d >= 1 && d <= 31 && m >= 1 && m <= 12) {
			if (k == 3 && y < 100)
				y += 2000;
			if (k == 2 || y < 2000) {
				time_t now = time(NULL);
				struct tm tm;
				gmtime_r(&now, &tm);
				y = tm.tm_year + 1900;
				if (m < tm.tm_mon + 1 || (m == tm.tm_mon + 1 && d < tm.tm_mday))
					y++;
			}
			return cb_sprintf(req, "%04d-%02d-%02d", y, m, d);
		}
	}
	norm_forms(req, s, &a, &b);
	n = tokenise(a, tok, 32);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
			size_t l = strlen(words[k][0]), tl = strlen(tok[i]);
			int bud = edit_budget(l);
			/* "montags", "am montag", "montag vormittag" */
			if (strcmp(tok[i], words[k][0]) == 0 ||
			    (l >= 5 && dl_distance(tok[i], tl, words[k][0], l, bud) <= bud) ||
			    (l >= 5 && tl == l + 1 && strncmp(tok[i], words[k][0], l) == 0))
				return words[k][1];
		}
	return NULL;
}

static int cancelled(cb_req *req, const char *msg)
{
	static const char *const stop[] = {"abbrechen", "abbruch",    "cancel",     "stop",
	                                   "stopp",     "vergiss es", "never mind", "nevermind"};
	char *a, *b;

	norm_forms(req, msg, &a, &b);
	for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		if (strstr(a, stop[i]))
			return 1;
	return 0;
}

static const char *ask(cb_req *req, int step, const char *lang, const char *kind)
{
	(void)req;
	switch (step) {
	case L_NAME:
		return strcmp(kind, "callback") == 0
		           ? T("Gern ruft Sie jemand aus unserem Team zurück. Wie ist Ihr Name?",
		               "Someone from our team will gladly call you back. What is your "
		               "name?")
		           : T("Gern vereinbaren wir einen Termin. Wie ist Ihr Name?",
		               "Happy to arrange an appointment. What is your name?");
	case L_CONTACT:
		return T("Unter welcher Telefonnummer oder E-Mail-Adresse erreichen wir Sie?",
		         "What phone number or e-mail address can we reach you at?");
	case L_VEHICLE:
		return T("Um welches Fahrzeug geht es (Marke, Modell, Baujahr)?",
		         "Which vehicle is it about (make, model, year)?");
	case L_SERVICE:
		return T("Welche Leistung brauchen Sie (z. B. Inspektion, Reifenwechsel, HU/AU)?",
		         "Which service do you need (e.g. inspection, tyre change, MOT)?");
	default:
		if (kind && strcmp(kind, "callback") == 0)
			return T("An welchem Tag passt Ihnen der Rückruf (Wochentag oder Datum)?",
			         "Which day suits you for the call (a weekday or a date)?");
		return T("Welcher Tag passt Ihnen am besten (Wochentag oder Datum)?",
		         "Which day suits you best (a weekday or a date)?");
	}
}

static const char *retry(int step, const char *lang)
{
	switch (step) {
	case L_NAME:
		return T("Das sieht nicht nach einem Namen aus. Wie heißen Sie?",
		         "That doesn't look like a name. What is your name?");
	case L_CONTACT:
		return T(
		    "Bitte geben Sie eine Telefonnummer (6–20 Ziffern) oder eine E-Mail-Adresse "
		    "an.",
		    "Please give a phone number (6–20 digits) or an e-mail address.");
	case L_VEHICLE:
	case L_SERVICE:
		return T("Bitte beschreiben Sie es in ein paar Worten.",
		         "Please describe it in a few words.");
	default:
		return T("Bitte nennen Sie einen Wochentag (z. B. Dienstag) oder ein Datum (z. B. "
		         "14.08.).",
		         "Please name a weekday (e.g. Tuesday) or a date (e.g. 2025-08-14).");
	}
}

/* The canonical day of day_of as people read it in lang. */
static const char *day_display(cb_req *req, const char *day, const char *lang)
{
	static const char *const ids[] = {"monday", "tuesday",  "wednesday", "thursday",
	                                  "friday", "saturday", "sunday"};

	(void)req;
	for (int d = 0; d < 7; d++)
		if (strcmp(day, ids[d]) == 0)
			return day_name(d, lang);
	if (strcmp(day, "today") == 0)
		return T("heute", "today");
	if (strcmp(day, "tomorrow") == 0)
		return T("morgen", "tomorrow");
	if (strcmp(day, "day after tomorrow") == 0)
		return T("übermorgen", "the day after tomorrow");
	return day;
}

/* A canonical day word of day_of as an ISO date from the business's today
 * (a weekday: its next occurrence after today); an ISO date stays. */
static const char *day_iso(cb_req *req, const char *day, const struct business *b)
{
	static const char *const ids[] = {"monday", "tuesday",  "wednesday", "thursday",
	                                  "friday", "saturday", "sunday"};
	long d = -1;
	int y, m, dd;

	for (int k = 0; k < 7; k++)
		if (strcmp(day, ids[k]) == 0)
			d = b->now.day + ((k - b->now.dow + 6) % 7) + 1;
	if (strcmp(day, "today") == 0)
		d = b->now.day;
	else if (strcmp(day, "tomorrow") == 0)
		d = b->now.day + 1;
	else if (strcmp(day, "day after tomorrow") == 0)
		d = b->now.day + 2;
	if (d < 0)
		return day;
	civil_from_days(d, &y, &m, &dd);
	return cb_sprintf(req, "%04d-%02d-%02d", y, m, dd);
}

/* A question typed in the middle of the flow ("Was kostet das?" at the name
 * step): answered as such, not stored as the answer to the step. */
static int interrupts(const struct analysis *a, const char *msg, int step)
{
	if (step == L_CONTACT)
		return 0; /* a phone number or e-mail is checked strictly anyway */
	if (a->intent == I_COMPLAINT || a->intent == I_BOT)
		return 1;
	int question = a->intent == I_HOURS || a->intent == I_PRICE || a->intent == I_LOCATION ||
	               a->intent == I_CONTACT || a->intent == I_SERVICES;
	if (step == L_DAY && a->intent == I_HOURS && !strchr(msg, '?'))
		return 0; /* "am Samstag" is a day, not a question */
	return question && (strchr(msg, '?') || a->confidence >= 4);
}

const char *lead_pending(cb_req *req, const cb_json *ctx, const char *lang)
{
	const cb_json *lead = cb_json_get(ctx, "lead");
	long long step = 0;

	if (cb_json_int(cb_json_get(lead, "step"), &step) != CB_OK || step <= L_NONE ||
	    step >= L_DONE)
		return NULL;
	if (cb_json_get_str(lead, "lang"))
		lang = cb_json_get_str(lead, "lang");
	return cb_sprintf(req, "%s %s", T("Zurück zu Ihrer Anfrage:", "Back to your request:"),
	                  ask(req, (int)step, lang, cb_json_get_str(lead, "kind")));
}

/* "Donnerstag (10.12.2026)" for a weekday or a relative day, else the date. */
static const char *day_label(cb_req *req, const cb_json *lead, const char *lang)
{
	const char *w = cb_json_get_str(lead, "day_word"), *iso = cb_json_get_str(lead, "day");
	int y, m, d;

	if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return iso ? iso : "";
	const char *date = strcmp(lang, "en") == 0 ? cb_sprintf(req, "%04d-%02d-%02d", y, m, d)
	                                           : cb_sprintf(req, "%02d.%02d.%04d", d, m, y);
	if (!w || strcmp(w, iso) == 0)
		return date;
	return cb_sprintf(req, "%s (%s)", day_display(req, w, lang), date);
}

static int next_step(const cb_json *lead, int step)
{
	int callback =
	    cb_json_get_str(lead, "kind") && !strcmp(cb_json_get_str(lead, "kind"), "callback");

	step++;
	if (step == L_VEHICLE && callback)
		step++; /* a callback needs a name, a number and a day */
	if (step == L_SERVICE && (callback || cb_json_get_str(lead, "service")))
		step++;
	return step;
}

static cb_json *stop_words(cb_req *req, const char *lang)
{
	cb_json *s = cb_json_new_array(req);

	cb_json_push(s, cb_json_new_str(req, T("Abbrechen", "Cancel")));
	return s;
}

int lead_step(cb_req *req, cb_json *ctx, const struct analysis *a, const struct business *b,
              const char *message, const char *key_id, const char *user_id,
              const char **conversation_id, struct reply *out)
{
	cb_json *lead = cb_json_get(ctx, "lead");
	const char *lang = a->lang;
	long long step = 0;
	const char *v = NULL;

	(void)key_id;
	(void)user_id;
	(void)conversation_id;
	if (cb_json_type(lead) == CB_JSON_OBJECT)
		cb_json_int(cb_json_get(lead, "step"), &step);
	if (step <= L_NONE || step >= L_DONE) {
		if (a->intent != I_APPOINTMENT && a->intent != I_HUMAN)
			return 0;
		lead = cb_json_new_object(req);
		cb_json_set_str(lead, "kind", a->intent == I_HUMAN ? "callback" : "appointment");
		cb_json_set_str(lead, "lang", lang);
		if (a->service)
			cb_json_set_str(lead, "service", service_label(a->service, lang));
		cb_json_set_int(lead, "step", L_NAME);
		cb_json_set(ctx, "lead", lead);
		out->text = ask(req, L_NAME, lang, cb_json_get_str(lead, "kind"));
		out->suggestions = stop_words(req, lang);
		return 1;
	}
	if (a->intent == I_EMERGENCY || interrupts(a, message, (int)step))
		return 0; /* answered as such; the flow waits and asks again */
	if (cancelled(req, message)) {
		cb_json_del(ctx, "lead");
		out->text =
		    T("In Ordnung, ich habe die Anfrage verworfen. Wie kann ich sonst helfen?",
		      "All right, I've dropped the request. How else can I help?");
		out->suggestions = suggestions_for(req, I_FALLBACK, lang);
		return 1;
	}
	switch (step) {
	case L_NAME:
		v = name_of(req, message);
		if (v)
			cb_json_set_str(lead, "name", v);
		break;
	case L_CONTACT:
		v = contact_of(req, message);
		if (v)
			cb_json_set_str(lead, "contact", v);
		break;
	case L_VEHICLE:
		v = free_text(req, message, 100);
		if (v)
			cb_json_set_str(lead, "vehicle", v);
		break;
	case L_SERVICE:
		v = free_text(req, message, 200);
		if (v)
			cb_json_set_str(lead, "service", v);
		break;
	default:
		v = day_of(req, message);
		if (v) {
			cb_json_set_str(lead, "day_word", v);
			cb_json_set_str(lead, "day", day_iso(req, v, b));
		}
		break;
	}
	out->suggestions = stop_words(req, lang);
	if (!v) {
		out->text = retry((int)step, lang);
		return 1;
	}
	step = next_step(lead, (int)step);
	cb_json_set_int(lead, "step", step);
	if (step < L_DONE) {
		out->text = ask(req, (int)step, lang, cb_json_get_str(lead, "kind"));
		return 1;
	}
	out->text =
	    cb_sprintf(req,
	               T("Danke, %s! Ihre Anfrage (%s, %s) ist bei uns eingegangen. Wir "
	                 "melden uns unter %s.",
	                 "Thank you, %s! We have your request (%s, %s) and will get back to "
	                 "you at %s."),
	               cb_json_get_str(lead, "name"),
	               cb_json_get_str(lead, "service") ? cb_json_get_str(lead, "service")
	                                                : T("Rückruf", "callback"),
	               day_label(req, lead, lang), cb_json_get_str(lead, "contact"));
	/* the request is made: no "book an appointment" again */
	out->suggestions = suggestions_for(req, I_LEAD_DONE, lang);
	return 1;
}

int lead_store(cb_req *req, cb_json *ctx, const char *key_id, const char *user_id,
               const char *conversation_id)
{
	cb_json *lead = cb_json_get(ctx, "lead");
	long long step = 0;
	cb_res *r;

	if (cb_json_int(cb_json_get(lead, "step"), &step) != CB_OK || step != L_DONE)
		return CB_OK;
	r = cb_db_q(req,
	            "INSERT INTO leads (client_key_id, conversation_id, kind, name, contact, "
	            "vehicle, service, preferred_day) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
	            "RETURNING id",
	            key_id, conversation_id, cb_json_get_str(lead, "kind"),
	            cb_json_get_str(lead, "name"), cb_json_get_str(lead, "contact"),
	            cb_json_get_str(lead, "vehicle"), cb_json_get_str(lead, "service"),
	            cb_json_get_str(lead, "day"));
	if (!r)
		return CB_EDB;
	cb_json *d = cb_json_new_object(req);
	cb_json_set_str(d, "lead_id", cb_res_val(r, 0, "id"));
	cb_json_set_str(d, "key_id", key_id);
	cb_json_set_str(d, "user_id", user_id);
	cb_json_set_str(d, "conversation_id", conversation_id);
	static const char *const fields[] = {"kind",    "name",    "contact",
	                                     "vehicle", "service", "day"};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) /* for notify's mail */
		cb_json_set_str(d, i == 5 ? "preferred_day" : fields[i],
		                cb_json_get_str(lead, fields[i]));
	cb_emit(req, "lead.created", d);
	cb_json_del(ctx, "lead");
	cb_log(req, CB_LOG_INFO, "lead %s stored", cb_res_val(r, 0, "id"));
	return CB_OK;
}
