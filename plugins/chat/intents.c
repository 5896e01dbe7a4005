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

struct kw {
	const char *text; /* as written; may be up to 3 words */
	int what;         /* intent, or service when the table is the services' */
	int weight;
	/* filled once */
	char *a[3], *b[3]; /* spelled and base form of each word */
	size_t la[3], lb[3];
	int nw;
};

#define K(t, w, n)                                                                                 \
	{                                                                                          \
		t, w, n, {0}, {0}, {0}, {0}, 0                                                     \
	}

static struct kw intents[] = {
    K("hallo", I_GREETING, 1),
    K("hi", I_GREETING, 1),
    K("hey", I_GREETING, 1),
    K("moin", I_GREETING, 1),
    K("servus", I_GREETING, 1),
    K("guten tag", I_GREETING, 1),
    K("guten morgen", I_GREETING, 1),
    K("guten abend", I_GREETING, 1),
    K("grüß gott", I_GREETING, 1),
    K("hello", I_GREETING, 1),
    K("good morning", I_GREETING, 1),
    K("good afternoon", I_GREETING, 1),
    K("good evening", I_GREETING, 1),

    K("öffnungszeiten", I_HOURS, 4),
    K("geöffnet", I_HOURS, 3),
    K("offen", I_HOURS, 3),
    K("öffnet", I_HOURS, 3),
    K("öffnen", I_HOURS, 3),
    K("aufmachen", I_HOURS, 3),
    K("schließt", I_HOURS, 3),
    K("schließen", I_HOURS, 3),
    K("geschlossen", I_HOURS, 3),
    K("uhrzeit", I_HOURS, 2),
    K("hours", I_HOURS, 4),
    K("opening", I_HOURS, 3),
    K("open", I_HOURS, 3),
    K("opens", I_HOURS, 3),
    K("close", I_HOURS, 3),
    K("closing", I_HOURS, 3),
    K("closed", I_HOURS, 3),
    K("wann", I_HOURS, 1),
    K("when", I_HOURS, 1),
    K("samstag", I_HOURS, 1),
    K("samstags", I_HOURS, 1),
    K("sonntag", I_HOURS, 1),
    K("saturday", I_HOURS, 1),
    K("sunday", I_HOURS, 1),
    K("heute", I_HOURS, 1),
    K("today", I_HOURS, 1),

    K("termin", I_APPOINTMENT, 4),
    K("termine", I_APPOINTMENT, 4),
    K("terminvereinbarung", I_APPOINTMENT, 4),
    K("buchen", I_APPOINTMENT, 3),
    K("vereinbaren", I_APPOINTMENT, 3),
    K("reservieren", I_APPOINTMENT, 3),
    K("vorbeikommen", I_APPOINTMENT, 2),
    K("appointment", I_APPOINTMENT, 4),
    K("book", I_APPOINTMENT, 3),
    K("booking", I_APPOINTMENT, 3),
    K("schedule", I_APPOINTMENT, 3),
    K("reserve", I_APPOINTMENT, 3),
    K("slot", I_APPOINTMENT, 2),
    K("come in", I_APPOINTMENT, 2),

    K("preis", I_PRICE, 4),
    K("preise", I_PRICE, 4),
    K("kosten", I_PRICE, 4),
    K("kostet", I_PRICE, 4),
    K("wie viel", I_PRICE, 3),
    K("wieviel", I_PRICE, 3),
    K("teuer", I_PRICE, 3),
    K("angebot", I_PRICE, 3),
    K("kostenvoranschlag", I_PRICE, 4),
    K("euro", I_PRICE, 2),
    K("price", I_PRICE, 4),
    K("prices", I_PRICE, 4),
    K("pricing", I_PRICE, 4),
    K("cost", I_PRICE, 4),
    K("costs", I_PRICE, 4),
    K("how much", I_PRICE, 4),
    K("quote", I_PRICE, 4),
    K("estimate", I_PRICE, 3),
    K("expensive", I_PRICE, 3),
    K("fee", I_PRICE, 3),
    K("charge", I_PRICE, 2),

    K("leistungen", I_SERVICES, 3),
    K("leistung", I_SERVICES, 3),
    K("service", I_SERVICES, 2),
    K("services", I_SERVICES, 3),
    K("angebote", I_SERVICES, 2),
    K("reparatur", I_SERVICES, 2),
    K("reparieren", I_SERVICES, 2),
    K("macht ihr", I_SERVICES, 2),
    K("bietet ihr", I_SERVICES, 2),
    K("repair", I_SERVICES, 2),
    K("fix", I_SERVICES, 2),
    K("do you do", I_SERVICES, 2),
    K("do you offer", I_SERVICES, 3),
    K("offer", I_SERVICES, 2),

    K("adresse", I_LOCATION, 4),
    K("anfahrt", I_LOCATION, 4),
    K("wo", I_LOCATION, 2),
    K("standort", I_LOCATION, 4),
    K("wie komme", I_LOCATION, 3),
    K("finde", I_LOCATION, 2),
    K("finden", I_LOCATION, 2),
    K("route", I_LOCATION, 3),
    K("parken", I_LOCATION, 2),
    K("address", I_LOCATION, 4),
    K("where", I_LOCATION, 3),
    K("location", I_LOCATION, 4),
    K("directions", I_LOCATION, 4),
    K("located", I_LOCATION, 4),
    K("map", I_LOCATION, 3),
    K("parking", I_LOCATION, 2),
    K("get there", I_LOCATION, 3),

    K("telefon", I_CONTACT, 4),
    K("telefonnummer", I_CONTACT, 4),
    K("nummer", I_CONTACT, 3),
    K("anrufen", I_CONTACT, 3),
    K("e mail", I_CONTACT, 3),
    K("email", I_CONTACT, 3),
    K("mail", I_CONTACT, 2),
    K("kontakt", I_CONTACT, 4),
    K("erreichen", I_CONTACT, 3),
    K("phone", I_CONTACT, 4),
    K("call", I_CONTACT, 3),
    K("contact", I_CONTACT, 4),
    K("number", I_CONTACT, 3),
    K("reach", I_CONTACT, 3),
    K("whatsapp", I_CONTACT, 3),

    K("abschleppen", I_EMERGENCY, 6),
    K("abschleppdienst", I_EMERGENCY, 6),
    K("abschleppwagen", I_EMERGENCY, 6),
    K("panne", I_EMERGENCY, 6),
    K("pannendienst", I_EMERGENCY, 6),
    K("notfall", I_EMERGENCY, 6),
    K("liegengeblieben", I_EMERGENCY, 6),
    K("springt nicht an", I_EMERGENCY, 6),
    K("unfall", I_EMERGENCY, 6),
    K("tow", I_EMERGENCY, 6),
    K("towing", I_EMERGENCY, 6),
    K("breakdown", I_EMERGENCY, 6),
    K("broke down", I_EMERGENCY, 6),
    K("broken down", I_EMERGENCY, 6),
    K("emergency", I_EMERGENCY, 6),
    K("accident", I_EMERGENCY, 6),
    K("stranded", I_EMERGENCY, 6),
    K("wont start", I_EMERGENCY, 6),
    K("won t start", I_EMERGENCY, 6),

    K("rückruf", I_HUMAN, 5),
    K("zurückrufen", I_HUMAN, 5),
    K("mitarbeiter", I_HUMAN, 4),
    K("mensch", I_HUMAN, 4),
    K("persönlich", I_HUMAN, 3),
    K("berater", I_HUMAN, 4),
    K("ruft mich an", I_HUMAN, 5),
    K("rufen sie mich", I_HUMAN, 5),
    K("callback", I_HUMAN, 5),
    K("call back", I_HUMAN, 5),
    K("call me", I_HUMAN, 5),
    K("human", I_HUMAN, 4),
    K("person", I_HUMAN, 3),
    K("agent", I_HUMAN, 3),
    K("staff", I_HUMAN, 3),
    K("someone", I_HUMAN, 2),
    K("real person", I_HUMAN, 5),

    K("abgeben", I_APPOINTMENT, 2),
    K("vorbeibringen", I_APPOINTMENT, 3),
    K("bring it in", I_APPOINTMENT, 4),
    K("bring my car", I_APPOINTMENT, 3),
    K("drop it off", I_APPOINTMENT, 4),
    K("drop off", I_APPOINTMENT, 3),
    K("come by", I_APPOINTMENT, 2),
    K("pop in", I_APPOINTMENT, 2),
    K("macht ihr auf", I_HOURS, 4),
    K("zeiten", I_HOURS, 3),
    K("uhrzeiten", I_HOURS, 3),
    K("times", I_HOURS, 2),
    K("nehmt ihr", I_PRICE, 3),
    K("was nehmt", I_PRICE, 4),
    K("what do you charge", I_PRICE, 4),
    K("what do you do", I_SERVICES, 3),
    K("was macht ihr", I_SERVICES, 3),
    K("get to you", I_LOCATION, 4),
    K("how do i get", I_LOCATION, 4),
    K("mich", I_HUMAN, 1),
    K("jemand", I_HUMAN, 2),
    K("auf", I_HOURS, 1),
    K("zu", I_HOURS, 1),
    K("machen sie auf", I_HOURS, 4),
    K("habt ihr auf", I_HOURS, 4),
    K("zurück", I_HUMAN, 2),
    K("melden", I_HUMAN, 2),
    K("ring me", I_HUMAN, 4),
    K("get back to me", I_HUMAN, 5),
    K("speak to", I_HUMAN, 3),
    K("talk to", I_HUMAN, 3),
    K("sprechen", I_HUMAN, 2),

    K("beschwerde", I_COMPLAINT, 6),
    K("beschweren", I_COMPLAINT, 6),
    K("reklamation", I_COMPLAINT, 6),
    K("reklamieren", I_COMPLAINT, 6),
    K("unzufrieden", I_COMPLAINT, 6),
    K("nicht zufrieden", I_COMPLAINT, 6),
    K("enttäuscht", I_COMPLAINT, 6),
    K("verärgert", I_COMPLAINT, 6),
    K("frechheit", I_COMPLAINT, 6),
    K("unverschämt", I_COMPLAINT, 6),
    K("sauer", I_COMPLAINT, 4),
    K("ärgerlich", I_COMPLAINT, 5),
    K("schlechter service", I_COMPLAINT, 6),
    K("pfusch", I_COMPLAINT, 6),
    K("schon wieder kaputt", I_COMPLAINT, 6),
    K("complaint", I_COMPLAINT, 6),
    K("complain", I_COMPLAINT, 6),
    K("unhappy", I_COMPLAINT, 6),
    K("not happy", I_COMPLAINT, 6),
    K("disappointed", I_COMPLAINT, 6),
    K("unacceptable", I_COMPLAINT, 6),
    K("terrible", I_COMPLAINT, 5),
    K("awful", I_COMPLAINT, 5),
    K("rude", I_COMPLAINT, 5),
    K("ripped off", I_COMPLAINT, 6),
    K("worst", I_COMPLAINT, 5),
    K("angry", I_COMPLAINT, 5),

    K("bot", I_BOT, 7),
    K("chatbot", I_BOT, 7),
    K("roboter", I_BOT, 7),
    K("robot", I_BOT, 7),
    K("ki", I_BOT, 6),
    K("künstliche intelligenz", I_BOT, 7),
    K("ai", I_BOT, 6),
    K("automated", I_BOT, 6),
    K("maschine", I_BOT, 6),
    K("computer", I_BOT, 5),
    K("are you human", I_BOT, 8),
    K("are you real", I_BOT, 8),
    K("are you a real", I_BOT, 8),
    K("am i talking to", I_BOT, 6),
    K("am i chatting with", I_BOT, 6),
    K("bist du ein mensch", I_BOT, 8),
    K("bist du echt", I_BOT, 8),
    K("sind sie ein mensch", I_BOT, 8),
    K("sind sie echt", I_BOT, 8),
    K("mensch oder", I_BOT, 8),
    K("echter mensch", I_BOT, 6),
    K("rede ich mit", I_BOT, 6),
    K("schreibe ich mit", I_BOT, 6),
    K("spreche ich mit", I_BOT, 6),

    K("platten", I_EMERGENCY, 5),
    K("plattfuß", I_EMERGENCY, 5),
    K("geplatzt", I_EMERGENCY, 6),
    K("flat tyre", I_EMERGENCY, 5),
    K("flat tire", I_EMERGENCY, 5),
    K("puncture", I_EMERGENCY, 5),
    K("blowout", I_EMERGENCY, 6),
    K("autobahn", I_EMERGENCY, 3),
    K("motorway", I_EMERGENCY, 3),
    K("highway", I_EMERGENCY, 3),
    K("standstreifen", I_EMERGENCY, 6),
    K("seitenstreifen", I_EMERGENCY, 6),
    K("hard shoulder", I_EMERGENCY, 6),
    K("rauch", I_EMERGENCY, 6),
    K("raucht", I_EMERGENCY, 6),
    K("qualm", I_EMERGENCY, 6),
    K("qualmt", I_EMERGENCY, 6),
    K("smoke", I_EMERGENCY, 6),
    K("smoking", I_EMERGENCY, 6),
    K("brennt", I_EMERGENCY, 6),
    K("feuer", I_EMERGENCY, 6),
    K("fire", I_EMERGENCY, 6),
    K("überhitzt", I_EMERGENCY, 5),
    K("overheating", I_EMERGENCY, 5),
    K("liegen geblieben", I_EMERGENCY, 6),
    K("stehen geblieben", I_EMERGENCY, 6),
    K("stuck", I_EMERGENCY, 4),

    K("danke", I_THANKS, 3),
    K("dankeschön", I_THANKS, 3),
    K("vielen dank", I_THANKS, 3),
    K("thanks", I_THANKS, 3),
    K("thank", I_THANKS, 3),
    K("thx", I_THANKS, 3),
    K("merci", I_THANKS, 3),

    K("tschüss", I_BYE, 3),
    K("tschüs", I_BYE, 3),
    K("tschau", I_BYE, 3),
    K("ciao", I_BYE, 3),
    K("auf wiedersehen", I_BYE, 3),
    K("wiedersehen", I_BYE, 3),
    K("bye", I_BYE, 3),
    K("goodbye", I_BYE, 3),
    K("see you", I_BYE, 3),
    K("schönen tag", I_BYE, 2),
};

static struct kw services[] = {
    K("inspektion", S_INSPECTION, 1),
    K("wartung", S_INSPECTION, 1),
    K("durchsicht", S_INSPECTION, 1),
    K("jahresinspektion", S_INSPECTION, 1),
    K("inspection", S_INSPECTION, 1),
    K("maintenance", S_INSPECTION, 1),
    K("servicing", S_INSPECTION, 1),

    K("ölwechsel", S_OIL, 1),
    K("öl", S_OIL, 1),
    K("motoröl", S_OIL, 1),
    K("oil change", S_OIL, 1),
    K("oil", S_OIL, 1),

    K("tüv", S_HU, 1),
    K("hu", S_HU, 1),
    K("au", S_HU, 1),
    K("hauptuntersuchung", S_HU, 1),
    K("abgasuntersuchung", S_HU, 1),
    K("plakette", S_HU, 1),
    K("mot", S_HU, 1),
    K("emissions", S_HU, 1),
    K("roadworthiness", S_HU, 1),

    K("reifen", S_TYRES, 1),
    K("reifenwechsel", S_TYRES, 1),
    K("räderwechsel", S_TYRES, 1),
    K("radwechsel", S_TYRES, 1),
    K("tyres", S_TYRES, 1),
    K("tyre", S_TYRES, 1),
    K("tires", S_TYRES, 1),
    K("tire", S_TYRES, 1),
    K("wheels", S_TYRES, 1),

    K("bremse", S_BRAKES, 1),
    K("bremsen", S_BRAKES, 1),
    K("bremsbeläge", S_BRAKES, 1),
    K("bremsscheiben", S_BRAKES, 1),
    K("brakes", S_BRAKES, 1),
    K("brake", S_BRAKES, 1),

    K("klima", S_AIRCON, 1),
    K("klimaanlage", S_AIRCON, 1),
    K("klimaservice", S_AIRCON, 1),
    K("aircon", S_AIRCON, 1),
    K("air con", S_AIRCON, 1),
    K("air conditioning", S_AIRCON, 1),
    K("ac", S_AIRCON, 1),

    K("diagnose", S_DIAGNOSTICS, 1),
    K("fehlerspeicher", S_DIAGNOSTICS, 1),
    K("kontrollleuchte", S_DIAGNOSTICS, 1),
    K("warnleuchte", S_DIAGNOSTICS, 1),
    K("motorleuchte", S_DIAGNOSTICS, 1),
    K("auslesen", S_DIAGNOSTICS, 1),
    K("diagnostics", S_DIAGNOSTICS, 1),
    K("diagnostic", S_DIAGNOSTICS, 1),
    K("check engine", S_DIAGNOSTICS, 1),
    K("warning light", S_DIAGNOSTICS, 1),
    K("error code", S_DIAGNOSTICS, 1),

    K("scheibe", S_GLASS, 1),
    K("windschutzscheibe", S_GLASS, 1),
    K("frontscheibe", S_GLASS, 1),
    K("steinschlag", S_GLASS, 1),
    K("glas", S_GLASS, 1),
    K("glass", S_GLASS, 1),
    K("windscreen", S_GLASS, 1),
    K("windshield", S_GLASS, 1),
    K("stone chip", S_GLASS, 1),
};

/* Function words for language detection; these never match fuzzily. */
static const char *const de_words[] = {
    "ich",     "sie",      "wir",         "ihr",    "und",        "der",       "die",    "das",
    "ist",     "wann",     "was",         "wie",    "haben",      "habt",      "hat",    "mein",
    "meine",   "meinen",   "bitte",       "danke",  "hallo",      "guten",     "kann",   "koennen",
    "koennt",  "einen",    "ein",         "eine",   "nicht",      "mit",       "fuer",   "auf",
    "bei",     "wo",       "gibt",        "es",     "morgen",     "heute",     "auto",   "wagen",
    "noch",    "schon",    "mir",         "mich",   "euch",       "ja",        "nein",   "gerne",
    "brauche", "moechte",  "wuerde",      "ueber",  "zum",        "zur",       "den",    "dem",
    "des",     "sind",     "seid",        "macht",  "kostet",     "termin",    "oder",   "aber",
    "woche",   "naechste", "naechsten",   "uhr",    "tschuess",   "rufen",     "bremen", "tag",
    "moin",    "servus",   "wiedersehen", "preis",  "kosten",     "werkstatt", "reifen", "auch",
    "mal",     "doch",     "denn",        "jetzt",  "gerade",     "also",      "sehr",   "euer",
    "eure",    "unser",    "wann",        "immer",  "schnell",    "fahre",     "fahren", "teuer",
    "filter",  "wartung",  "nehmt",       "zeiten", "feiertagen", "marken",    "parken"};
static const char *const en_words[] = {
    "i",       "you",      "we",      "the",       "a",        "is",      "are",        "when",
    "what",    "how",      "do",      "does",      "have",     "has",     "my",         "car",
    "please",  "thanks",   "thank",   "hello",     "hi",       "can",     "could",      "an",
    "not",     "with",     "for",     "on",        "to",       "at",      "where",      "much",
    "open",    "tomorrow", "today",   "need",      "would",    "like",    "there",      "here",
    "were",    "often",    "your",    "it",        "yes",      "no",      "of",         "and",
    "or",      "but",      "next",    "week",      "me",       "this",    "that",       "get",
    "am",      "be",       "want",    "book",      "change",   "many",    "any",        "some",
    "good",    "morning",  "evening", "afternoon", "goodbye",  "bye",     "see",        "hey",
    "hours",   "price",    "phone",   "call",      "back",     "remove",  "motorcycle", "also",
    "just",    "still",    "really",  "help",      "thing",    "things",  "mine",       "done",
    "opening", "times",    "pls",     "address",   "location", "parking", "cost",       "prices",
    "store",   "storage",  "charge",  "guys",      "possible", "makes",   "brands",     "list",
    "while",   "wait",     "loan",    "payment",   "card",     "plesae",  "thakns",     "pay"};

static const char *const yes_words[] = {"ja",     "jo",     "gerne", "gern", "ok",  "okay",
                                        "klar",   "bitte",  "yes",   "yeah", "yep", "sure",
                                        "please", "jawohl", "genau", "passt"};
static const char *const no_words[] = {"nein", "no",   "nope",  "nee",       "noe",    "nicht",
                                       "not",  "kein", "keine", "abbrechen", "cancel", "stop"};

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void prepare(struct kw *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(t[i].text);
		char *a = malloc(2 * len + 2), *b = malloc(2 * len + 2);
		char *ta[3], *tb[3];
		if (!a || !b)
			abort();
		norm_into(t[i].text, a, b);
		t[i].nw = (int)tokenise(a, ta, 3);
		tokenise(b, tb, 3);
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
