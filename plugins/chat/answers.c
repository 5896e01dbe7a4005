/* answers.c — the facts of an answer, matched in the business's knowledge:
 * which services a message names (similarity over each entry's own name,
 * category and synonyms; one entry per mention, the most specific winning;
 * two mentions give two), their prices phrased per price kind and language,
 * the FAQ entry a message asks (question and phrasings, both languages), and
 * the hours of the day asked. Nothing here states a fact the data lacks. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chat.h"

#define T(de, en_) (strcmp(lang, "en") == 0 ? (en_) : (de))

#define SERVICE_MIN 0.6 /* a service counts as named from this similarity */

/* Similarity of the message to service s; *used / *chars as terms_match. */
static double service_score(cb_req *req, const cb_json *s, const struct terms *m,
                            unsigned long long *used, double *chars)
{
	struct terms c;
	double best = 0, bc = 0, x, ch;
	unsigned long long u, bu = 0;
	const cb_json *syn = cb_json_get(s, "synonyms");

	for (int l = 0; l < 2; l++) { /* names are stemmed either way */
		const char *lg = l ? "en" : "de";
		terms_of(req, cb_json_get_str(s, "name"), lg, 0, &c);
		x = terms_match(&c, m, &u, &ch);
		if (x > best || (x == best && ch > bc)) {
			best = x;
			bu = u;
			bc = ch;
		}
		/* "HU/AU": each part names it too */
		const char *nm = cb_json_get_str(s, "name");
		if (nm && strchr(nm, '/')) {
			char *copy = cb_strdup(req, nm), *save = NULL;
			for (char *part = strtok_r(copy, "/", &save); part;
			     part = strtok_r(NULL, "/", &save)) {
				terms_of(req, part, lg, 0, &c);
				x = terms_match(&c, m, &u, &ch);
				if (x > best || (x == best && ch > bc)) {
					best = x;
					bu = u;
					bc = ch;
				}
			}
		}
		for (size_t k = 0; k < cb_json_len(syn); k++) {
			terms_of(req, cb_json_str(cb_json_at(syn, k)), lg, 0, &c);
			x = terms_match(&c, m, &u, &ch);
			if (x > best || (x == best && ch > bc)) {
				best = x;
				bu = u;
				bc = ch;
			}
		}
	}
	if (best < SERVICE_MIN && cb_json_get_str(s, "category")) {
		terms_of(req, cb_json_get_str(s, "category"), "de", 0, &c);
		x = terms_match(&c, m, &u, &ch) * 0.5; /* a category alone is vague */
		if (x > best) {
			best = x;
			bu = u;
			bc = ch * 0.5;
		}
	}
	*used = bu;
	*chars = bc;
	return best;
}

static int first_bit(unsigned long long u)
{
	for (int i = 0; i < 64; i++)
		if (u & (1ULL << i))
			return i;
	return 64;
}

size_t services_named(cb_req *req, const struct business *b, const char *msg, const char *lang,
                      int builtin, const cb_json **out, size_t max)
{
	struct terms m;
	size_t n = cb_json_len(b->services), got = 0;
	unsigned long long taken = 0;

	if (!n || !max)
		return 0;
	terms_of(req, msg, lang, 1, &m);
	double *sc = cb_alloc(req, n * sizeof(double)), *ch = cb_alloc(req, n * sizeof(double));
	unsigned long long *us = cb_alloc(req, n * sizeof(*us));
	for (size_t i = 0; i < n; i++)
		sc[i] = service_score(req, cb_json_at(b->services, i), &m, &us[i], &ch[i]);
	int several = strstr(msg, " und ") || strstr(msg, " and ") || strchr(msg, ',') ||
	              strchr(msg, '&') || strstr(msg, " sowie ") || strstr(msg, " plus ") ||
	              strstr(msg, " oder ") || strstr(msg, " or ");
	if (!several)
		max = 1; /* "TÜV inspection" names one thing */
	while (got < max) {
		long best = -1;
		for (size_t i = 0; i < n; i++) {
			if (sc[i] < SERVICE_MIN || (us[i] & taken))
				continue;
			/* ties: the mention that comes first ("TÜV inspection": the
			 * modifier is the specific part), then the longer match */
			if (best < 0 || sc[i] > sc[best] + 1e-9 ||
			    (fabs(sc[i] - sc[best]) < 1e-9 &&
			     (first_bit(us[i]) < first_bit(us[best]) ||
			      (first_bit(us[i]) == first_bit(us[best]) && ch[i] > ch[best]))))
				best = (long)i;
		}
		if (best < 0)
			break;
		out[got++] = cb_json_at(b->services, (size_t)best);
		taken |= us[best] ? us[best] : ~0ULL;
		sc[best] = -1;
	}
	if (!got && builtin) { /* across languages: "tyre change" for "Reifenwechsel" */
		long best = -1;
		for (size_t i = 0; i < n; i++) {
			const cb_json *s = cb_json_at(b->services, i);
			if (service_of_text(req, cb_json_get_str(s, "name")) != builtin &&
			    !(cb_json_get_str(s, "category") &&
			      service_of_text(req, cb_json_get_str(s, "category")) == builtin))
				continue;
			if (best < 0 || sc[i] > sc[best] + 1e-9)
				best = (long)i;
		}
		if (best >= 0)
			out[got++] = cb_json_at(b->services, (size_t)best);
	}
	return got;
}

static char *money(cb_req *req, double v, const char *lang)
{
	if (fabs(v - round(v)) < 1e-9)
		return cb_sprintf(req, "%.0f €", v);
	char *s = cb_sprintf(req, "%.2f €", v);
	if (strcmp(lang, "en"))
		for (char *p = s; *p; p++)
			if (*p == '.')
				*p = ',';
	return s;
}

const char *price_phrase(cb_req *req, const cb_json *s, const char *lang)
{
	const char *kind = cb_json_get_str(s, "price_kind");
	double v = 0;

	if (!kind)
		return NULL;
	if (strcmp(kind, "text") == 0)
		return cb_json_get_str(s, "price_text");
	if (cb_json_num(cb_json_get(s, "price"), &v) != CB_OK)
		return NULL;
	if (strcmp(kind, "fixed") == 0)
		return money(req, v, lang);
	if (strcmp(kind, "from") == 0)
		return cb_sprintf(req, "%s %s", T("ab", "from"), money(req, v, lang));
	return NULL; /* on_request */
}

const char *service_price_sentence(cb_req *req, const cb_json *s, const char *lang)
{
	const char *name = cb_json_get_str(s, "name"), *note = cb_json_get_str(s, "note");
	const char *p = price_phrase(req, s, lang);
	const char *kind = cb_json_get_str(s, "price_kind");

	if (p)
		return cb_sprintf(
		    req, T("%s kostet bei uns %s%s%s%s.", "%s costs %s%s%s%s with us."), name, p,
		    note && *note ? " (" : "", note && *note ? note : "", note && *note ? ")" : "");
	if (kind && strcmp(kind, "on_request") == 0)
		return cb_sprintf(req,
		                  T("Den Preis für %s nennen wir auf Anfrage.",
		                    "The price for %s is available on request."),
		                  name);
	return cb_sprintf(
	    req, T("Einen Preis für %s habe ich nicht vorliegen.", "I don't have a price for %s."),
	    name);
}

int asks_price_list(cb_req *req, const char *msg)
{
	static const char *const generic[] = {
	    "preisliste", "preise",   "prices",    "pricing", "price",         "preis",  "list",
	    "liste",      "kosten",   "kostet",    "cost",    "costs",         "much",   "teuer",
	    "euro",       "schicken", "schick",    "senden",  "send",          "zeigen", "show",
	    "ueberblick", "overview", "alle",      "your",    "ihre",          "eure",   "euren",
	    "ihren",      "so",       "ungefaehr", "roughly", "approximately", "general"};
	struct terms t;
	int price = 0, list = 0;

	terms_of(req, msg, "de", 0, &t);
	for (size_t i = 0; i < t.n; i++) {
		price |= !strncmp(t.tok[i], "price", 5) || !strncmp(t.tok[i], "preis", 5);
		list |= !strcmp(t.tok[i], "list") || !strcmp(t.tok[i], "liste") ||
		        !strcmp(t.tok[i], "preisliste") || !strcmp(t.tok[i], "pricelist");
	}
	if (price && list)
		return 1; /* "price list please", typos after it included */
	for (size_t i = 0; i < t.n; i++) {
		int g = !strncmp(t.tok[i], "preis", 5) || !strncmp(t.tok[i], "price", 5) ||
		        !strncmp(t.tok[i], "leistung", 8) || !strncmp(t.tok[i], "service", 7) ||
		        strstr(t.tok[i], "uebersicht") || !strncmp(t.tok[i], "tarif", 5);
		for (size_t k = 0; k < sizeof(generic) / sizeof(generic[0]) && !g; k++)
			g = strcmp(t.tok[i], generic[k]) == 0;
		if (!g)
			return 0; /* something specific the list may not hold */
	}
	return 1;
}

char *price_list(cb_req *req, const struct business *b, const char *lang)
{
	char buf[2048];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cb_json_len(b->services) && i < 20; i++) {
		const cb_json *s = cb_json_at(b->services, i);
		const char *p = price_phrase(req, s, lang);
		int k =
		    snprintf(buf + len, sizeof(buf) - len, "%s%s: %s", len ? "; " : "",
		             cb_json_get_str(s, "name"), p ? p : T("auf Anfrage", "on request"));
		if (k > 0 && (size_t)k < sizeof(buf) - len)
			len += (size_t)k;
	}
	return len ? cb_strdup(req, buf) : NULL;
}

/* ---- FAQ ---- */

#define FAQ_MIN 0.6 /* similarity from which an entry answers */

const char *faq_match(cb_req *req, const struct business *b, const char *msg, const char *lang,
                      int confident)
{
	struct terms m[2], c;
	double best = 0;
	const cb_json *hit = NULL;

	if (!cb_json_len(b->faq))
		return NULL;
	terms_of(req, msg, "de", 1, &m[0]);
	terms_of(req, msg, "en", 1, &m[1]);
	if (!m[0].n)
		return NULL;
	for (size_t i = 0; i < cb_json_len(b->faq); i++) {
		const cb_json *f = cb_json_at(b->faq, i), *q = cb_json_get(f, "question");
		const cb_json *ph = cb_json_get(f, "phrasings");
		const char *texts[2 + 2 * KB_PHRASINGS_MAX];
		const char *langs[2 + 2 * KB_PHRASINGS_MAX];
		size_t nt = 0;
		if (cb_json_get_str(q, "de")) {
			texts[nt] = cb_json_get_str(q, "de");
			langs[nt++] = "de";
		}
		if (cb_json_get_str(q, "en")) {
			texts[nt] = cb_json_get_str(q, "en");
			langs[nt++] = "en";
		}
		for (size_t k = 0; k < cb_json_len(ph) && nt < sizeof(texts) / sizeof(texts[0]);
		     k++) {
			texts[nt] = cb_json_get_str(cb_json_at(ph, k), "text");
			langs[nt++] =
			    cb_json_get_str(cb_json_at(ph, k), "lang") &&
			            !strcmp(cb_json_get_str(cb_json_at(ph, k), "lang"), "en")
			        ? "en"
			        : "de";
		}
		for (size_t k = 0; k < nt; k++) {
			int l = strcmp(langs[k], "en") == 0;
			terms_of(req, texts[k], langs[k], 0, &c);
			if (!c.n)
				continue;
			/* the entry's words found in the message; words of ordinary
			 * questions ("geoeffnet", "kostet") weigh less, and over a
			 * confident intent every distinctive word must be there */
			double sum = 0, wsum = 0, dist = 0, dhit = 0;
			for (size_t j = 0; j < c.n; j++) {
				double w = is_intent_word(c.tok[j]) ? 0.4 : 1.0;
				double x = word_best(&m[l], c.tok[j], c.stem[j]);
				sum += w * x;
				wsum += w;
				if (w == 1.0) {
					dist++;
					dhit += x >= 0.7;
				}
			}
			double fw = sum / wsum;
			struct terms cp;
			terms_of(req, texts[k], langs[k], 1, &cp);
			double bw = terms_match(&m[l], &cp, NULL, NULL);
			double x = fw < 0.5 ? 0 : 0.6 * fw + 0.4 * bw;
			if (confident && !(dist > 0 && dhit == dist && fw >= 0.6))
				x = 0;
			if (x > best) {
				best = x;
				hit = f;
			}
		}
	}
	if (!hit || best < FAQ_MIN)
		return NULL;
	const cb_json *a = cb_json_get(hit, "answer");
	const char *t = cb_json_get_str(a, lang);
	return t ? t : cb_json_get_str(a, strcmp(lang, "en") ? "en" : "de");
}

/* ---- hours of one day ---- */

static long asked_day(const struct analysis *a, struct localnow now)
{
	switch (a->day_kind) {
	case 1:
		return now.day + a->day_val;
	case 2:
		return now.day + (a->day_val - now.dow + 7) % 7;
	case 3: {
		int y, m, d;
		civil_from_days(now.day, &y, &m, &d);
		long x = days_from_civil(y, a->day_val / 100, a->day_val % 100);
		if (x < now.day)
			x = days_from_civil(y + 1, a->day_val / 100, a->day_val % 100);
		return x;
	}
	}
	return -1;
}

char *day_hours_reply(cb_req *req, const struct business *b, const struct analysis *a,
                      const char *lang)
{
	long day = asked_day(a, b->now);
	struct dayhours h;
	char r[200], when[64];
	int y, m, d;

	if (day < 0 || !b->week.known)
		return NULL;
	hours_on(&b->week, day, &h);
	civil_from_days(day, &y, &m, &d);
	if (day == b->now.day)
		snprintf(when, sizeof(when), "%s", T("Heute", "Today"));
	else if (day == b->now.day + 1)
		snprintf(when, sizeof(when), "%s", T("Morgen", "Tomorrow"));
	else
		snprintf(when, sizeof(when), T("Am %s, %02d.%02d.,", "On %s, %02d/%02d,"),
		         day_name(day_dow(day), lang), strcmp(lang, "en") ? d : m,
		         strcmp(lang, "en") ? m : d);
	const char *why = h.special == 1 && h.label  ? cb_sprintf(req, " (%s)", h.label)
	                  : h.special == 2 && h.note ? cb_sprintf(req, " (%s)", h.note)
	                                             : "";
	if (!h.n)
		return cb_sprintf(req, T("%s haben wir geschlossen%s.", "%s we are closed%s."),
		                  when, why);
	ranges_text(r, sizeof(r), h.n, h.o, h.c, T(" und ", " and "));
	return cb_sprintf(req, T("%s haben wir %s geöffnet%s.", "%s we are open %s%s."), when, r,
	                  why);
}
