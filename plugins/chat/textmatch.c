/* textmatch.c — similarity of a visitor's message and an owner's phrase (a
 * service's name, category or synonym, an FAQ question or phrasing): content
 * words only (German/English stop words dropped), Snowball stems (Debian's
 * libstemmer, German and English), typos within the edit budget, German
 * compounds by containment and shared prefix, and adjacent message words
 * joined ("reifen einlagern" meets "Reifeneinlagerung").
 *
 * libstemmer's stemmers are not thread-safe: a small pool of pairs, each
 * under its own mutex (a text's words are stemmed in one go). */
#include <libstemmer.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"

/* A few stemmer pairs, each under its own mutex: a thread takes the first
 * free one (trylock), so handler threads rarely wait for each other. */
#define STEM_SLOTS 8
static struct stem_slot {
	pthread_mutex_t mu;
	struct sb_stemmer *st[2]; /* de, en */
} slots[STEM_SLOTS] = {
    {PTHREAD_MUTEX_INITIALIZER, {NULL, NULL}}, {PTHREAD_MUTEX_INITIALIZER, {NULL, NULL}},
    {PTHREAD_MUTEX_INITIALIZER, {NULL, NULL}}, {PTHREAD_MUTEX_INITIALIZER, {NULL, NULL}},
    {PTHREAD_MUTEX_INITIALIZER, {NULL, NULL}}, {PTHREAD_MUTEX_INITIALIZER, {NULL, NULL}},
    {PTHREAD_MUTEX_INITIALIZER, {NULL, NULL}}, {PTHREAD_MUTEX_INITIALIZER, {NULL, NULL}}};

static const char *const stop[] = {
    /* German */
    "der",
    "die",
    "das",
    "den",
    "dem",
    "des",
    "ein",
    "eine",
    "einen",
    "einem",
    "einer",
    "und",
    "oder",
    "aber",
    "ich",
    "du",
    "er",
    "sie",
    "es",
    "wir",
    "ihr",
    "mir",
    "mich",
    "dir",
    "dich",
    "uns",
    "euch",
    "ihnen",
    "mein",
    "meine",
    "meinen",
    "meinem",
    "dein",
    "euer",
    "eure",
    "eurer",
    "ist",
    "sind",
    "bin",
    "bist",
    "seid",
    "war",
    "hat",
    "habe",
    "haben",
    "habt",
    "hast",
    "kann",
    "koennen",
    "koennt",
    "kannst",
    "konnte",
    "wird",
    "werden",
    "wuerde",
    "moechte",
    "moechten",
    "will",
    "wollen",
    "soll",
    "muss",
    "mal",
    "bitte",
    "auch",
    "noch",
    "schon",
    "denn",
    "doch",
    "ja",
    "nein",
    "nicht",
    "kein",
    "keine",
    "mit",
    "fuer",
    "auf",
    "bei",
    "von",
    "vom",
    "zu",
    "zum",
    "zur",
    "im",
    "in",
    "an",
    "am",
    "aus",
    "nach",
    "ueber",
    "um",
    "so",
    "wie",
    "was",
    "wer",
    "wo",
    "wann",
    "welche",
    "welcher",
    "welches",
    "gibt",
    "gib",
    "man",
    "da",
    "hier",
    "dort",
    "dann",
    "wenn",
    "ob",
    "dass",
    "also",
    "eigentlich",
    "gerne",
    "gern",
    "sehr",
    "hallo",
    "hi",
    "moin",
    "danke",
    "eig",
    "evtl",
    "vielleicht",
    "etwa",
    "ca",
    "sich",
    "sein",
    "ihre",
    "ihren",
    "unser",
    "unsere",
    "alle",
    "alles",
    "etwas",
    "was",
    "viel",
    "nur",
    /* English */
    "the",
    "a",
    "an",
    "and",
    "or",
    "but",
    "i",
    "you",
    "he",
    "she",
    "it",
    "we",
    "they",
    "me",
    "my",
    "your",
    "our",
    "us",
    "is",
    "are",
    "am",
    "was",
    "were",
    "be",
    "been",
    "do",
    "does",
    "did",
    "have",
    "has",
    "had",
    "can",
    "could",
    "will",
    "would",
    "should",
    "shall",
    "may",
    "might",
    "must",
    "to",
    "of",
    "for",
    "on",
    "at",
    "by",
    "with",
    "from",
    "about",
    "as",
    "into",
    "what",
    "which",
    "who",
    "when",
    "where",
    "how",
    "why",
    "there",
    "here",
    "this",
    "that",
    "these",
    "those",
    "please",
    "thanks",
    "hello",
    "hey",
    "any",
    "some",
    "just",
    "also",
    "so",
    "if",
    "then",
    "than",
    "too",
    "very",
    "really",
    "get",
    "got",
    "its",
    "im",
    "ive",
    "dont",
    "s",
    "t",
    "m",
    "ll",
    "d",
    "re",
    "ve",
    "not",
    "no",
    "yes",
    "all",
    "much",
    "many",
    "tell",
};

static int is_stop(const char *w)
{
	for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		if (strcmp(w, stop[i]) == 0)
			return 1;
	return 0;
}

void textmatch_free(void)
{
	for (int k = 0; k < STEM_SLOTS; k++) {
		pthread_mutex_lock(&slots[k].mu);
		for (int i = 0; i < 2; i++) {
			if (slots[k].st[i])
				sb_stemmer_delete(slots[k].st[i]);
			slots[k].st[i] = NULL;
		}
		pthread_mutex_unlock(&slots[k].mu);
	}
}

static struct stem_slot *take_slot(void)
{
	for (int k = 0; k < STEM_SLOTS; k++)
		if (pthread_mutex_trylock(&slots[k].mu) == 0)
			return &slots[k];
	pthread_mutex_lock(&slots[0].mu);
	return &slots[0];
}

/* Stems tok[0..n) (ASCII, lower case) into req's arena. */
static void stem_all(cb_req *req, char **tok, size_t n, const char *lang, char **out)
{
	int l = lang && strcmp(lang, "en") == 0;
	struct stem_slot *sl = take_slot();

	if (!sl->st[l])
		sl->st[l] = sb_stemmer_new(l ? "english" : "german", "UTF_8");
	for (size_t i = 0; i < n; i++) {
		const sb_symbol *s =
		    sl->st[l]
		        ? sb_stemmer_stem(sl->st[l], (const sb_symbol *)tok[i], (int)strlen(tok[i]))
		        : NULL;
		out[i] = s ? cb_strndup(req, (const char *)s, (size_t)sb_stemmer_length(sl->st[l]))
		           : tok[i];
	}
	pthread_mutex_unlock(&sl->mu);
}

static char *trimmed(char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

int text_same(cb_req *req, const char *a, const char *b)
{
	char *x, *y, *u, *v;

	if (!a || !b)
		return 0;
	norm_forms(req, a, &x, &y);
	norm_forms(req, b, &u, &v);
	return strcmp(trimmed(y), trimmed(v)) == 0;
}

void terms_of(cb_req *req, const char *text, const char *lang, int pairs, struct terms *out)
{
	char *sp, *base, *tok[TERMS_MAX];
	size_t n, k = 0;

	memset(out, 0, sizeof(*out));
	if (!text)
		return;
	norm_forms(req, text, &sp, &base);
	n = tokenise(sp, tok, TERMS_MAX);
	out->tok = cb_alloc(req, 2 * TERMS_MAX * sizeof(char *));
	out->stem = cb_alloc(req, 2 * TERMS_MAX * sizeof(char *));
	out->pos = cb_alloc(req, 2 * TERMS_MAX * sizeof(int));
	for (size_t i = 0; i < n; i++)
		if (!is_stop(tok[i])) {
			out->pos[k] = (int)i;
			out->tok[k++] = tok[i];
		}
	out->n = k;
	if (pairs) /* adjacent content words joined: German compounds written apart */
		for (size_t i = 0; i + 1 < out->n; i++) {
			out->pos[k] = out->pos[i];
			out->tok[k++] = cb_sprintf(req, "%s%s", out->tok[i], out->tok[i + 1]);
		}
	out->all = k;
	stem_all(req, out->tok, k, lang, out->stem);
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

/* How well message word m meets phrase word c: 0..1. */
static double word_score(const char *c, const char *cs, const char *m, const char *ms)
{
	size_t lc = strlen(c), lm = strlen(m);

	if (strcmp(c, m) == 0 || strcmp(cs, ms) == 0)
		return 1.0;
	if (lc < 4 || lm < 3)
		return 0; /* short words: exact only ("hu", "au", "oel") */
	int bud = edit_budget(lc);
	if (bud && lm + 2 >= lc && dl_distance(c, lc, m, lm, bud) <= bud)
		return 0.85;
	if (strlen(cs) >= 4 && strlen(ms) >= 4 && bud &&
	    dl_distance(cs, strlen(cs), ms, strlen(ms), 1) <= 1)
		return 0.85;
	/* compounds: the phrase word inside a longer message word
	 * ("reifenwechsel" in "winterreifenwechsel") */
	if (lc >= 5 && lm > lc && strstr(m, c))
		return 0.8;
	/* a long shared beginning ("reifeneinlager" / "reifeneinlagerung") */
	size_t cp = common_prefix(c, m);
	if (lc >= 8 && cp >= 6 && cp * 4 >= lc * 3)
		return 0.75;
	/* the same word, inflected ("store" / "storage", "wechseln" / "wechsel") */
	if (lc >= 5 && lm >= 5 && cp >= 4 && cp < (lc < lm ? lc : lm) &&
	    (double)cp >= 0.7 * (double)(lc < lm ? lc : lm))
		return 0.7;
	/* the message word inside a longer phrase word ("reifen" in
	 * "reifenwechsel"): weak, so that the specific entry wins */
	if (lm >= 5 && lc > lm && (strncmp(c, m, lm) == 0 || strcmp(c + lc - lm, m) == 0))
		return 0.3 * (double)lm / (double)lc + 0.2;
	return 0;
}

double word_best(const struct terms *m, const char *tok, const char *stem)
{
	double best = 0;

	for (size_t j = 0; j < m->all; j++) {
		double s = word_score(tok, stem, m->tok[j], m->stem[j]);
		if (s > best)
			best = s;
	}
	return best;
}

double terms_match(const struct terms *c, const struct terms *m, unsigned long long *used,
                   double *chars)
{
	double sum = 0;

	if (used)
		*used = 0;
	if (chars)
		*chars = 0;
	if (!c->n || !m->all)
		return 0;
	for (size_t i = 0; i < c->n; i++) {
		double best = 0;
		int at = -1;
		for (size_t j = 0; j < m->all; j++) {
			double s = word_score(c->tok[i], c->stem[i], m->tok[j], m->stem[j]);
			if (s > best) {
				best = s;
				at = m->pos[j];
			}
		}
		sum += best;
		if (best >= 0.5) {
			if (used && at >= 0 && at < 64)
				*used |= 1ULL << at;
			if (chars)
				*chars += best * (double)strlen(c->tok[i]);
		}
	}
	return sum / (double)c->n;
}
