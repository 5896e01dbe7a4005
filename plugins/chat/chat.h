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
};

/* Classifies message; locale ("de-DE", "en", NULL) decides the language when
 * the words do not. */
void analyse(cb_req *req, const char *message, const char *locale, struct analysis *out);

const char *intent_name(int intent);
/* Name of a service in lang, and its stable id ("tyres"). */
const char *service_label(int service, const char *lang);
const char *service_id(int service);
/* The service a free text names (e.g. a service the owner listed), or S_NONE. */
int service_of_text(cb_req *req, const char *text);

/* ---- hours.c: opening hours ---- */

struct week {
	int closed[7];         /* 0 = Monday */
	int open[7], close[7]; /* minutes of the day */
	int known;             /* 1 when the business gave hours */
};

/* Reads contact_info.hours (landing's normalised shape: weekday name ->
 * {"open":"08:00","close":"18:00"} or {"closed":true}). */
void hours_read(const cb_json *hours, struct week *w);

/* Local time of the business now: ISO weekday 0..6 (Monday 0) and minute. */
struct localnow {
	int dow, minute;
};

/* 1 when open at now; *next_dow / *next_min say when it next opens
 * (-1 when never). */
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
	const cb_json *services; /* array of {name, price, description} */
	const cb_json *faq;      /* array of {q, a} */
	const cb_json *prices;   /* array of {service, price, note} */
	struct localnow now;
};

/* Loads the business data of key key_id owned by user_id (landing page
 * configuration, when the landing plugin's table exists, and the key's
 * knowledge), from a short in-memory cache. CB_OK or CB_EDB. */
int business_load(cb_req *req, const char *key_id, const char *user_id, struct business *out);

/* Drops the cached data of key_id (after a knowledge change). */
void business_forget(const char *key_id);
void business_cache_free(void);

/* ---- replies.c: the built-in engine ---- */

struct reply {
	const char *text;
	cb_json *suggestions; /* array of strings */
};

/* The answer to a message analysed as a, from b. */
void reply_build(cb_req *req, const struct analysis *a, const struct business *b,
                 const char *message, struct reply *out);

/* Quick replies fitting intent in lang. */
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

#endif
