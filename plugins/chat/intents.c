/* intents.c — what a visitor wants, in German or English, typos included.
 *
 * Keywords are written here as people write them ("Öffnungszeiten") and
 * normalised once into both matching forms. A token meets a keyword when
 * either form is equal, within the edit budget (1 edit from 5 characters, 2
 * from 9), or — for German compounds — starts or ends with a keyword of at
 * least 4 characters ("Winterreifen", "Bremsenwechsel"). Words of the
 * language lists below never match fuzzily ("there" is not "where"). Each
 * intent adds up the weights of its keywords; the highest wins, ties go to
 * the more urgent intent. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"

#define KW_WORDS 4 /* words of a keyword phrase at most */

struct kw {
	const char *text; /* as written; up to KW_WORDS words */
	int what;         /* intent, or service when the table is the services' */
	int weight;
	/* filled once */
	char *a[KW_WORDS], *b[KW_WORDS]; /* spelled and base form of each word */
	size_t la[KW_WORDS], lb[KW_WORDS];
	int nw;
};

#define K(t, w, n)                                                                                 \
	{                                                                                          \
		t, w, n, {0}, {0}, {0}, {0}, 0                                                     \
	}

#include "intents_words.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void prepare(struct kw *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(t[i].text);
		char *a = malloc(2 * len + 2), *b = malloc(2 * len + 2);
		char *ta[KW_WORDS], *tb[KW_WORDS];
		if (!a || !b)
			abort();
		norm_into(t[i].text, a, b);
		t[i].nw = (int)tokenise(a, ta, KW_WORDS);
		tokenise(b, tb, KW_WORDS);
		for (int w = 0; w < t[i].nw; w++) {
			t[i].a[w] = ta[w];
			t[i].b[w] = tb[w];
			t[i].la[w] = strlen(ta[w]);
			t[i].lb[w] = strlen(tb[w]);
		}
	}
}

static void prepare_all(void)
{
	prepare(intents, sizeof(intents) / sizeof(intents[0]));
	prepare(services, sizeof(services) / sizeof(services[0]));
}

static int in_list(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, list[i]) == 0)
			return 1;
	return 0;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int known_word(const char *w)
{
	return in_list(w, de_words, N(de_words)) || in_list(w, en_words, N(en_words));
}

struct toks {
	char **a, **b;
	size_t *la, *lb;
	int *known;
	size_t n;
};

static int ends_with(const char *s, size_t n, const char *t, size_t m)
{
	return n > m && memcmp(s + n - m, t, m) == 0;
}

/* 1 when token i meets word w of keyword k. */
static int word_meets(const struct toks *t, size_t i, const struct kw *k, int w)
{
	const char *ta = t->a[i], *tb = t->b[i];
	size_t la = t->la[i], lb = t->lb[i];
	int budget = edit_budget(k->la[w]);

	if (strcmp(ta, k->a[w]) == 0 || strcmp(tb, k->b[w]) == 0)
		return 1;
	if (t->known[i])
		return 0;
	if (budget && (dl_distance(ta, la, k->a[w], k->la[w], budget) <= budget ||
	               dl_distance(tb, lb, k->b[w], k->lb[w], budget) <= budget))
		return 1;
	/* German compounds: "winterreifen", "bremsenwechsel" */
	if (k->nw == 1 && k->la[w] >= 4 && la >= k->la[w] + 3 &&
	    (strncmp(ta, k->a[w], k->la[w]) == 0 || ends_with(ta, la, k->a[w], k->la[w])))
		return 1;
	return 0;
}

static int kw_meets(const struct toks *t, size_t i, const struct kw *k)
{
	if (i + (size_t)k->nw > t->n)
		return 0;
	for (int w = 0; w < k->nw; w++)
		if (!word_meets(t, i + (size_t)w, k, w))
			return 0;
	return 1;
}

/* Each keyword counts once; a token counts once per intent (its best
 * keyword): "service services" or "preis preise" is not twice the evidence. */
static void score(cb_req *req, const struct toks *t, const struct kw *tab, size_t n, int *scores,
                  int cap)
{
	int *best = cb_alloc(req, (size_t)cap * (t->n + 1) * sizeof(int));

	memset(best, 0, (size_t)cap * (t->n + 1) * sizeof(int));
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < t->n; i++)
			if (kw_meets(t, i, &tab[k])) {
				int *b = &best[(size_t)tab[k].what * (t->n + 1) + i];
				if (tab[k].what < cap && tab[k].weight > *b)
					*b = tab[k].weight;
				break;
			}
	for (int w = 0; w < cap; w++)
		for (size_t i = 0; i < t->n; i++)
			scores[w] += best[(size_t)w * (t->n + 1) + i];
}

/* The day a message asks about: today / tomorrow / the day after, a weekday
 * ("am Sonntag", "samstags", "on Sunday"), the weekend, or a date. */
static void day_slot(const struct toks *t, const char *raw, struct analysis *out)
{
	static const char *const de[7] = {"montag",  "dienstag", "mittwoch", "donnerstag",
	                                  "freitag", "samstag",  "sonntag"};
	static const char *const en[7] = {"monday", "tuesday",  "wednesday", "thursday",
	                                  "friday", "saturday", "sunday"};

	out->day_kind = 0;
	for (const char *p = raw; *p; p++) {
		int d, m;
		if (*p >= '0' && *p <= '9' && (p == raw || !(p[-1] >= '0' && p[-1] <= '9')) &&
		    sscanf(p, "%2d.%2d.", &d, &m) == 2 && d >= 1 && d <= 31 && m >= 1 && m <= 12) {
			out->day_kind = 3;
			out->day_val = m * 100 + d;
			return;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		const char *w = t->a[i];
		size_t l = t->la[i];
		if (!strcmp(w, "heute") || !strcmp(w, "today") || !strcmp(w, "tonight") ||
		    !strcmp(w, "jetzt") || !strcmp(w, "now")) {
			out->day_kind = 1;
			out->day_val = 0;
			return;
		}
		if (!strcmp(w, "uebermorgen")) {
			out->day_kind = 1;
			out->day_val = 2;
			return;
		}
		if ((!strcmp(w, "morgen") && !(i > 0 && !strcmp(t->a[i - 1], "guten"))) ||
		    !strcmp(w, "tomorrow") || !strcmp(w, "tmrw") || !strcmp(w, "morgn")) {
			out->day_kind = 1;
			out->day_val = 1;
			return;
		}
		if (!strcmp(w, "wochenende") || !strcmp(w, "weekend")) {
			out->day_kind = 2;
			out->day_val = 5;
			return;
		}
		for (int d = 0; d < 7; d++) {
			size_t ld = strlen(de[d]), le = strlen(en[d]);
			if ((l >= ld && strncmp(w, de[d], ld) == 0 && l <= ld + 1) ||
			    (l >= le && strncmp(w, en[d], le) == 0 && l <= le + 1) ||
			    (l >= 6 && dl_distance(w, l, de[d], ld, 1) <= 1) ||
			    (l >= 6 && dl_distance(w, l, en[d], le, 1) <= 1)) {
				out->day_kind = 2;
				out->day_val = d;
				return;
			}
		}
	}
}

/* Ties go to the first of this order. */
static const int priority[] = {I_EMERGENCY, I_COMPLAINT, I_BOT,      I_HUMAN,   I_APPOINTMENT,
                               I_PRICE,     I_HOURS,     I_LOCATION, I_CONTACT, I_SERVICES,
                               I_THANKS,    I_BYE,       I_GREETING};

#define MAX_TOKENS  200
#define MODEL_MIN_P 0.7 /* the classifier's confidence threshold */

static int has_umlaut(const char *s)
{
	return strstr(s, "ä") || strstr(s, "ö") || strstr(s, "ü") || strstr(s, "ß") ||
	       strstr(s, "Ä") || strstr(s, "Ö") || strstr(s, "Ü");
}

static const char *language(const struct toks *t, const char *raw, const char *locale)
{
	int de = has_umlaut(raw) ? 2 : 0, en = 0;

	for (size_t i = 0; i < t->n; i++) {
		de += in_list(t->a[i], de_words, N(de_words));
		en += in_list(t->a[i], en_words, N(en_words));
	}
	if (de != en)
		return de > en ? "de" : "en";
	if (locale && (locale[0] == 'e' || locale[0] == 'E') &&
	    (locale[1] == 'n' || locale[1] == 'N'))
		return "en";
	return "de";
}

void analyse(cb_req *req, const char *message, const char *locale, struct analysis *out)
{
	char *sa, *sb;
	char **ta = cb_alloc(req, MAX_TOKENS * sizeof(char *));
	char **tb = cb_alloc(req, MAX_TOKENS * sizeof(char *));
	size_t *la = cb_alloc(req, MAX_TOKENS * sizeof(size_t));
	size_t *lb = cb_alloc(req, MAX_TOKENS * sizeof(size_t));
	int *known = cb_alloc(req, MAX_TOKENS * sizeof(int));
	int is[I_N] = {0}, ss[S_N] = {0};
	struct toks t = {ta, tb, la, lb, known, 0};

	pthread_once(&once, prepare_all);
	norm_forms(req, message, &sa, &sb);
	t.n = tokenise(sa, ta, MAX_TOKENS);
	if (tokenise(sb, tb, MAX_TOKENS) != t.n) /* same boundaries by construction */
		t.n = 0;
	for (size_t i = 0; i < t.n; i++) {
		la[i] = strlen(ta[i]);
		lb[i] = strlen(tb[i]);
		known[i] = known_word(ta[i]);
	}
	score(req, &t, intents, N(intents), is, I_N);
	score(req, &t, services, N(services), ss, S_N);
	day_slot(&t, message, out);

	if (out->day_kind && is[I_HOURS])
		is[I_HOURS] += 2; /* "wann … morgen …": the hours of that day */
	out->service = S_NONE;
	for (int s = 1; s < S_N; s++)
		if (ss[s] > (out->service ? ss[out->service] : 0))
			out->service = s;
	if (out->service)
		is[I_SERVICES] += 2;

	if (is[I_PRICE] >= 3 && is[I_SERVICES] >= is[I_PRICE])
		is[I_SERVICES] =
		    is[I_PRICE] - 1; /* "was kostet der Klimaservice": a price question */
	out->intent = I_FALLBACK;
	int best = 0;
	for (size_t p = 0; p < N(priority); p++)
		if (is[priority[p]] > best) {
			best = is[priority[p]];
			out->intent = priority[p];
		}
	out->confidence = best;
	/* no keyword: the trained classifier decides when it is sure (measured:
	 * letting it override weak keyword evidence lost 4 points of right
	 * facts on the evaluation set) */
	out->model_intent = classify(message, &out->model_p);
	out->from_model = 0;
	if (best == 0 && out->model_p >= MODEL_MIN_P && out->model_intent != I_FALLBACK) {
		out->intent = out->model_intent;
		out->from_model = 1;
	}
	out->lang = language(&t, message, locale);
	out->yes = out->no = 0;
	for (size_t i = 0; i < t.n && i < 4; i++) {
		out->yes |= in_list(ta[i], yes_words, N(yes_words));
		out->no |= in_list(ta[i], no_words, N(no_words));
	}
}

int is_intent_word(const char *spelled)
{
	pthread_once(&once, prepare_all);
	for (size_t k = 0; k < N(intents); k++)
		if (intents[k].nw == 1 && strcmp(intents[k].a[0], spelled) == 0)
			return 1;
	return 0;
}

int service_of_text(cb_req *req, const char *text)
{
	struct analysis a;

	analyse(req, text, NULL, &a);
	return a.service;
}

const char *intent_name(int intent)
{
	static const char *const names[I_N] = {
	    "fallback", "greeting", "opening_hours", "appointment", "price",
	    "services", "location", "contact",       "emergency",   "callback",
	    "thanks",   "bye",      "complaint",     "bot"};

	return intent >= 0 && intent < I_N ? names[intent] : "fallback";
}

const char *service_id(int service)
{
	static const char *const ids[S_N] = {"",        "inspection",  "oil_change",
	                                     "hu_au",   "tyres",       "brakes",
	                                     "air_con", "diagnostics", "glass"};

	return service > 0 && service < S_N ? ids[service] : "";
}

const char *service_label(int service, const char *lang)
{
	static const char *const de[S_N] = {
	    "",        "Inspektion",   "Ölwechsel",      "HU/AU (TÜV)",      "Reifenwechsel",
	    "Bremsen", "Klimaservice", "Fehlerdiagnose", "Scheibenreparatur"};
	static const char *const en[S_N] = {
	    "",       "inspection",      "oil change",  "MOT (HU/AU)", "tyre change",
	    "brakes", "air-con service", "diagnostics", "glass repair"};

	if (service <= 0 || service >= S_N)
		return "";
	return strcmp(lang, "en") == 0 ? en[service] : de[service];
}
