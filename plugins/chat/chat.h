/* chat.h — what the chat plugin's files share.
 *
 * Built with -fvisibility=hidden: nothing declared here leaves the shared
 * object; only carbot_plugin() (CB_PLUGIN in plugin.c) is exported.
 */
#ifndef CHAT_CHAT_H
#define CHAT_CHAT_H

#include <stddef.h>

#include <carbot/sdk.h>

#include "keys_api.h"

/* ---- settings (plugin.c) ---- */

struct chat_conf {
	const char *visitor_salt; /* HMAC key of user_identifier; >= 32 bytes */
	size_t visitor_salt_len;
	const char *llm_url; /* "" = built-in engine only */
	const char *llm_model;
	const char *llm_api_key; /* "" = no Authorization header */
	long long llm_timeout_ms, llm_history;
	long long idle_minutes;                  /* a conversation ends after this much silence */
	long long ip_limit, ip_window;           /* widget requests per visitor IP */
	long long session_limit, session_window; /* chat messages per session */
	long long cache_ms;                      /* how long business data is kept in memory */
	const char *timezone;                    /* of opening hours */
};
extern struct chat_conf chat_cf;

/* keys.v1, taken at init (the keys plugin loads first). */
extern const struct keys_api *chat_keys;

#define MESSAGE_MAX_CHARS 2000
#define SESSION_ID_LEN    32 /* hex of 128 random bits */

/* ---- normalise.c: text for matching ---- */

/* Number of UTF-8 code points of n bytes (valid UTF-8 assumed). */
size_t utf8_chars(const char *s, size_t n);

/* The two matching forms of text: lower case ASCII, umlauts written out
 * ("ä" -> "ae", "ß" -> "ss") in *spelled and reduced to their base letter
 * ("ä" -> "a") in *base; everything that is not a letter or digit becomes a
 * space. Both in req's arena. */
void norm_forms(cb_req *req, const char *text, char **spelled, char **base);
/* The same into caller buffers of 2 * strlen(text) + 2 bytes each. */
void norm_into(const char *text, char *spelled, char *base);

/* Splits s (a normalised form) in place into at most max tokens. */
size_t tokenise(char *s, char **tok, size_t max);

/* Damerau-Levenshtein (optimal string alignment) distance of a and b, or
 * limit + 1 as soon as it is certain to exceed limit. */
int dl_distance(const char *a, size_t na, const char *b, size_t nb, int limit);

/* Edits a token of length n may differ by from a keyword: 0 below 5
 * characters, 1 from 5, 2 from 9. */
int edit_budget(size_t n);

/* ---- textmatch.c: stems, stop words, similarity ---- */

#define TERMS_MAX 64

/* The content words of a text (stop words dropped), their Snowball stems in
 * lang, and (pairs) adjacent words joined after them: tok[n..all). pos is
 * each word's index among all the text's words. */
struct terms {
	size_t n, all;
	char **tok, **stem;
	int *pos;
};
void terms_of(cb_req *req, const char *text, const char *lang, int pairs, struct terms *out);
/* How well message m covers phrase c: the mean over c's words of their best
 * match in m (0..1). *used gets the message words that matched (bit = pos),
 * *chars the matched length (specificity). Either may be NULL. */
double terms_match(const struct terms *c, const struct terms *m, unsigned long long *used,
                   double *chars);
/* The best match (0..1) of phrase word tok (stem) among m's words. */
double word_best(const struct terms *m, const char *tok, const char *stem);
/* 1 when a and b are the same text once normalised. */
int text_same(cb_req *req, const char *a, const char *b);
void textmatch_free(void);

/* ---- intents.c: what a visitor wants ---- */

enum intent {
	I_FALLBACK,
	I_GREETING,
	I_HOURS,
	I_APPOINTMENT,
	I_PRICE,
	I_SERVICES,
	I_LOCATION,
	I_CONTACT,
	I_EMERGENCY,
	I_HUMAN,
	I_THANKS,
	I_BYE,
	I_COMPLAINT, /* apologise, offer a callback */
	I_BOT,       /* "am I talking to a bot?": honest, offer a human */
	I_N
};

enum service {
	S_NONE,
	S_INSPECTION,
	S_OIL,
	S_HU,
	S_TYRES,
	S_BRAKES,
	S_AIRCON,
	S_DIAGNOSTICS,
	S_GLASS,
	S_N
};

struct analysis {
	int intent;       /* enum intent */
	int service;      /* enum service, S_NONE when none named */
	const char *lang; /* "de" or "en" */
	int yes, no;      /* the message says yes / no */
	int confidence;   /* the winning intent's score (0 = fallback) */
	int model_intent; /* the trained classifier's intent and probability */
	double model_p;
	int from_model; /* 1 when the classifier (not a keyword) set intent */
	/* the day asked about: 0 none, 1 relative (day_val days from today),
	 * 2 weekday (day_val 0..6, Monday 0), 3 date (day_val = month*100+day) */
	int day_kind, day_val;
};

/* Classifies message; locale ("de-DE", "en", NULL) decides the language when
 * the words do not. */
void analyse(cb_req *req, const char *message, const char *locale, struct analysis *out);

const char *intent_name(int intent);
/* classify.c: the trained classifier's intent of text and its probability. */
int classify(const char *text, double *prob);
/* 1 when the (spelled, lower-case) word is one of the intent keywords: common
 * words of questions ("geoeffnet", "kostet") weigh less in FAQ matching. */
int is_intent_word(const char *spelled);
/* Name of a service in lang, and its stable id ("tyres"). */
const char *service_label(int service, const char *lang);
const char *service_id(int service);
/* The service a free text names (e.g. a service the owner listed), or S_NONE. */
int service_of_text(cb_req *req, const char *text);

/* ---- hours.c: opening hours ---- */

#define DAY_RANGES 4

struct week {
	int nr[7];                                /* ranges on weekday d (0 = Monday); 0 = closed */
	int ro[7][DAY_RANGES], rc[7][DAY_RANGES]; /* minutes of the day */
	int known;                                /* 1 when the business gave hours */
	const cb_json *holidays, *closures;       /* knowledge base; may be NULL */
};

/* Reads weekday name -> {"open","close"} | {"closed":true} | "08:00-18:00" |
 * [ranges] (landing's shape and the knowledge base's weekly). */
void hours_read(const cb_json *hours, struct week *w);

/* Local time of the business now: ISO weekday 0..6 (Monday 0), minute, and
 * the local date as days since 1970-01-01. */
struct localnow {
	int dow, minute;
	long day;
};

/* What a calendar day holds: its ranges, and whether a holiday (label = its
 * name) or a closure (note = the owner's note, may be NULL) decides it. */
struct dayhours {
	int n, o[DAY_RANGES], c[DAY_RANGES];
	int special; /* 0 weekly, 1 holiday, 2 closure / special hours */
	const char *label, *note;
};
void hours_on(const struct week *w, long day, struct dayhours *out);
int day_dow(long day);
void ranges_text(char *buf, size_t size, int n, const int *o, const int *c, const char *sep);

/* 1 when open at now (not inside a break); *next_dow / *next_min say when it
 * next opens within two weeks (-1 when not). */
int hours_open_now(const struct week *w, struct localnow now, int *next_dow, int *next_min);

/* "Mo–Fr 08:00–18:00, Sa 09:00–13:00" in lang, in req's arena. */
char *hours_text(cb_req *req, const struct week *w, const char *lang);
const char *day_name(int dow, const char *lang);
const char *day_abbr(int dow, const char *lang); /* "Mo", "Mon" */

/* ---- business.c: what the business told us ---- */

struct business {
	const char *name, *description, *phone, *email, *address;
	const char *primary_color, *locale;
	struct week week;
	/* {name, category?, synonyms[], price_kind fixed|from|on_request|text,
	 * price? (number), price_text? (the key's override, as given), note?} */
	const cb_json *services;
	const cb_json *faq;    /* {question{de?,en?}, answer{de?,en?}, phrasings[{text,lang}]} */
	const cb_json *prices; /* empty: the key's prices are merged into services */
	const cb_json *greeting, *quick_replies; /* {de?, en?} or NULL */
	struct localnow now;
};

/* Loads the business data of key key_id owned by user_id (landing page
 * configuration, when the landing plugin's table exists, and the key's
 * knowledge), from a short in-memory cache. CB_OK or CB_EDB. */
int business_load(cb_req *req, const char *key_id, const char *user_id, struct business *out);

/* Drops the cached data of key_id (after a knowledge change), or of every key
 * of user_id (after a knowledge-base change). */
void business_forget(const char *key_id);
void business_forget_user(const char *user_id);

/* ---- kb_view.c, kb_check.c, kb_api.c, fallbacks.c: the knowledge base ---- */

#define KB_PHRASINGS_MAX 30

/* The knowledge base a landing page implies ({hours:{weekly}, services}). */
cb_json *kb_from_landing(cb_req *req, const char *landing);
/* Fills b's hours, services, faq, greeting and quick replies from the landing
 * page, the owner's knowledge base and the key's override (JSON texts, each
 * may be NULL). */
void kb_apply(cb_req *req, struct business *b, const char *landing, const char *kb, const char *faq,
              const char *prices);
/* The cleaned sections of a PUT body; problems recorded in c. */
cb_json *kb_check(cb_req *req, cb_check *c, const cb_json *body);
cb_json *kb_check_phrasing(cb_req *req, cb_check *c, const cb_json *e, const char *path);
/* "HH:MM" -> minutes, "YYYY-MM-DD" -> days since 1970-01-01; -1 when not. */
int kb_hhmm(const char *s);
long kb_date(const char *s);
long days_from_civil(int y, int m, int d);
void civil_from_days(long z, int *y, int *m, int *d);

int h_kb_get(cb_req *req);
int h_kb_put(cb_req *req);
int h_kb_phrasing_add(cb_req *req);
int h_kb_phrasing_del(cb_req *req);
int h_kb_fallbacks(cb_req *req);
void business_cache_free(void);

/* ---- replies.c: the built-in engine ---- */

struct reply {
	const char *text;
	cb_json *suggestions; /* array of strings */
	int faq;              /* 1 when an FAQ entry answered */
};

/* The answer to a message analysed as a, from b. */
void reply_build(cb_req *req, const struct analysis *a, const struct business *b,
                 const char *message, struct reply *out);

/* answers.c: the services msg names (at most max, most specific first, one
 * per mention), a service's price in lang (NULL: none may be stated), its
 * sentence, the price list, the FAQ answer msg asks for (over a confident
 * intent only when very close), and the hours of the day asked. */
size_t services_named(cb_req *req, const struct business *b, const char *msg, const char *lang,
                      int builtin, const cb_json **out, size_t max);
const char *price_phrase(cb_req *req, const cb_json *service, const char *lang);
const char *service_price_sentence(cb_req *req, const cb_json *service, const char *lang);
char *price_list(cb_req *req, const struct business *b, const char *lang);
/* 1 when msg asks for prices in general (no specific thing named). */
int asks_price_list(cb_req *req, const char *msg);
const char *faq_match(cb_req *req, const struct business *b, const char *msg, const char *lang,
                      int confident);
char *day_hours_reply(cb_req *req, const struct business *b, const struct analysis *a,
                      const char *lang);

/* After a completed appointment or callback request (not an intent). */
#define I_LEAD_DONE (I_N + 1)
/* Quick replies fitting intent (or I_LEAD_DONE) in lang. */
cb_json *suggestions_for(cb_req *req, int intent, const char *lang);

/* ---- leads.c: collecting a lead over several turns ---- */

/* Steps of the lead flow; the state lives in the session context. */
enum lead_step { L_NONE, L_NAME, L_CONTACT, L_VEHICLE, L_SERVICE, L_DAY, L_DONE };

/* Continues (or starts, for appointment/callback intents) the lead flow of
 * ctx ("lead" member) for message. Returns 1 when it answered (out set), 0
 * when the message is not part of a lead flow. May store the lead and emit
 * lead.created. */
int lead_step(cb_req *req, cb_json *ctx, const struct analysis *a, const struct business *b,
              const char *message, const char *key_id, const char *user_id,
              const char **conversation_id, struct reply *out);

/* The flow's pending question ("Zurück zu Ihrer Anfrage: …") when a lead
 * flow waits in ctx, else NULL. */
const char *lead_pending(cb_req *req, const cb_json *ctx, const char *lang);

/* Stores the finished lead of ctx for conversation_id (after the
 * conversation exists). CB_OK or CB_EDB. */
int lead_store(cb_req *req, cb_json *ctx, const char *key_id, const char *user_id,
               const char *conversation_id);

/* 1 when s is a phone number (digits, spaces, "+", "-", "/", "()"; 6..20
 * digits), an e-mail address, a weekday or a date. */
int is_phone_number(const char *s);
int is_email_address(const char *s);

/* ---- sessions.c: visitors, sessions, context ---- */

/* 32 hex characters of 128 random bits in req's arena, or NULL. */
char *new_session_id(cb_req *req);
int session_id_ok(const char *s);

/* Hex HMAC-SHA-256(visitor_salt, ip "\n" user agent "\n" key id): a visitor
 * without storing the IP. */
char *visitor_id(cb_req *req, const char *key_id);

/* The Redis key of a session's context, and the context ({"conv", "lead",
 * "hist"}) from the reply to a GET of it: a new empty one when absent or
 * unreadable. */
const char *ctx_key(cb_req *req, const char *key_id, const char *session_id);
cb_json *ctx_load(cb_req *req, const cb_redis_reply *cached);
/* Saves it with the idle TTL, without waiting for Redis's reply
 * (cb_redis_send): the write is on its way before the answer is, and the
 * visitor's next message makes its own round trips to Redis before it reads
 * the context. CB_OK or CB_EREDIS; a lost write costs the context (history,
 * a lead flow in progress), never a stored message. */
int ctx_save(cb_req *req, const char *key_id, const char *session_id, const cb_json *ctx);
/* Appends a turn to ctx.hist, keeping the last llm_history. */
void ctx_push(cb_req *req, cb_json *ctx, const char *role, const char *text);

/* Marks session_id as issued for key_id (init), and tells whether it was. */
int session_remember(cb_req *req, const char *key_id, const char *session_id);
int session_known(cb_req *req, const char *key_id, const char *session_id);

/* ---- llm.c: an optional OpenAI-compatible endpoint ---- */

/* Asks the configured LLM for an answer. Returns the text (req's arena) or
 * NULL (not configured, error, timeout, bad answer: the built-in engine
 * answers). */
const char *llm_answer(cb_req *req, const struct business *b, const cb_json *hist,
                       const char *message, const char *lang);

/* ---- cors.c ---- */

/* Access-Control-Allow-Origin for an allowed request (after the key check). */
void cors_allow(cb_req *req);
int h_preflight(cb_req *req);

/* ---- widget.c, events.c: the widget API ---- */

int h_widget_init(cb_req *req);
int h_widget_chat(cb_req *req);
int h_widget_events(cb_req *req);

/* Per visitor IP (hashed) rate limit shared by the widget routes: 1 (with a
 * 429 set) when over. */
int visitor_limited(cb_req *req, const char *what, long long limit, long long window);

/* Counts usage kind for the request's key; 1 (with the error set) when
 * refused. */
int usage_refused(cb_req *req, const char *kind);

/* ---- widgetjs.c ---- */

int widgetjs_load(const char *path);
void widgetjs_free(void);
int h_widget_js(cb_req *req);

/* ---- owner APIs (owner.c, knowledge.c, leads_api.c, analytics.c) ---- */

int h_conversations(cb_req *req);
int h_conversation(cb_req *req);
int h_conversation_search(cb_req *req); /* conv_search.c */
int h_knowledge_get(cb_req *req);
int h_knowledge_put(cb_req *req);
int h_leads(cb_req *req);
int h_lead_patch(cb_req *req);
int h_analytics(cb_req *req);

/* ---- util.c ---- */

/* Logs what failed and returns CB_EDB: the core answers 503 or 500. */
int db_failed(cb_req *req, const char *what);
int reply_not_found(cb_req *req);
/* The key {id} of the path if it belongs to the caller: CB_OK, or a reply
 * (404 / 500) has been set and CB_ENOTFOUND / CB_EDB is returned. */
int own_key(cb_req *req, const char *id);
/* Parses the jsonb text col of row 0 (an empty object/array when NULL). */
cb_json *json_text(cb_req *req, const char *text);
/* Cursor of (time as text, uuid): opaque base64url. decode gives CB_OK or
 * CB_EINVAL. */
char *cursor_encode(cb_req *req, const char *ts, const char *id);
/* Replies {name: [row(r, i) for the first limit rows], next_cursor} for a
 * query that fetched limit + 1 rows with columns "us" and "id". */
int reply_page(cb_req *req, const cb_res *r, long long limit, const char *name,
               cb_json *(*row)(cb_req *req, const cb_res *r, int i));
int cursor_decode(cb_req *req, const char *cursor, const char **ts, const char **id);
/* limit query parameter: 1..100, default def; -1 when malformed. */
long long query_limit(cb_req *req, long long def);

#define TS_UTC(x) "to_char((" x ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* gdpr.c: this plugin's part of the data-subject contract. */
int gdpr_register(cb_plugin *p);

/* ended.c: the job chat.end_idle, which emits conversation.ended. */
int ended_register(cb_plugin *p);

#endif
