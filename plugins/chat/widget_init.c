/* widget_init.c — POST /api/v1/widget/init: the widget's configuration, the
 * business's name and opening state, the texts in German and English, and a
 * new or resumed session id. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "chat.h"

static int is_color(const char *s)
{
	if (!s || strlen(s) != 7 || s[0] != '#')
		return 0;
	for (int i = 1; i < 7; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	return 1;
}

static int one_of(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* 1 when host is domain or one of its subdomains (test keys: localhost). */
static int host_matches(const char *host, const char *domain, const char *env)
{
	size_t h = strlen(host), d = strlen(domain);

	if (strcasecmp(host, domain) == 0)
		return 1;
	if (h > d && host[h - d - 1] == '.' && strcasecmp(host + h - d, domain) == 0)
		return 1;
	return env && strcmp(env, "test") == 0 &&
	       (strcmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0);
}

static cb_json *strings(cb_req *req, const char *lang)
{
	static const char *const k[] = {"title", "placeholder", "send",     "open",
	                                "close", "typing",      "error",    "offline",
	                                "retry", "powered_by",  "open_now", "closed_now"};
	static const char *const de[] = {
	    "Chat mit uns",
	    "Ihre Nachricht …",
	    "Senden",
	    "Chat öffnen",
	    "Chat schließen",
	    "schreibt …",
	    "Das hat leider nicht geklappt. Bitte versuchen Sie es erneut.",
	    "Keine Verbindung. Wir versuchen es gleich noch einmal.",
	    "Erneut versuchen",
	    "Läuft mit CarBot",
	    "Jetzt geöffnet",
	    "Gerade geschlossen"};
	static const char *const en[] = {"Chat with us",
	                                 "Your message …",
	                                 "Send",
	                                 "Open chat",
	                                 "Close chat",
	                                 "typing …",
	                                 "Something went wrong. Please try again.",
	                                 "No connection. We will try again shortly.",
	                                 "Try again",
	                                 "Powered by CarBot",
	                                 "Open now",
	                                 "Closed right now"};
	const char *const *v = strcmp(lang, "en") == 0 ? en : de;
	cb_json *o = cb_json_new_object(req);

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		cb_json_set_str(o, k[i], v[i]);
	return o;
}

/* Checks config (WidgetConfig, every field optional here) into *cfg. */
static void read_config(cb_check *c, const cb_json *conf, cb_json *cfg)
{
	static const char *const themes[] = {"light", "dark", "auto", NULL};
	static const char *const positions[] = {"bottom-right", "bottom-left", "center", NULL};
	const char *s;

	if (!conf || cb_json_type(conf) == CB_JSON_NULL)
		return;
	if (cb_json_type(conf) != CB_JSON_OBJECT) {
		cb_check_fail(c, "config", "type", "config must be an object");
		return;
	}
	s = cb_json_get_str(conf, "theme");
	if (cb_json_get(conf, "theme") && !one_of(s, themes))
		cb_check_fail(c, "config.theme", "invalid", "theme is light, dark or auto");
	else if (s)
		cb_json_set_str(cfg, "theme", s);
	s = cb_json_get_str(conf, "position");
	if (cb_json_get(conf, "position") && !one_of(s, positions))
		cb_check_fail(c, "config.position", "invalid",
		              "position is bottom-right, bottom-left or center");
	else if (s)
		cb_json_set_str(cfg, "position", s);
	s = cb_json_get_str(conf, "primary_color");
	if (cb_json_get(conf, "primary_color") && !is_color(s))
		cb_check_fail(c, "config.primary_color", "invalid", "primary_color is #rrggbb");
	else if (s)
		cb_json_set_str(cfg, "primary_color", s);
	s = cb_json_get_str(conf, "greeting_message");
	if (cb_json_get(conf, "greeting_message") && (!s || utf8_chars(s, strlen(s)) > 500))
		cb_check_fail(c, "config.greeting_message", "invalid",
		              "greeting_message is a string of at most 500 characters");
	else if (s && *s)
		cb_json_set_str(cfg, "greeting_message", s);
	s = cb_json_get_str(conf, "placeholder_text");
	if (cb_json_get(conf, "placeholder_text") && (!s || utf8_chars(s, strlen(s)) > 100))
		cb_check_fail(c, "config.placeholder_text", "invalid",
		              "placeholder_text is a string of at most 100 characters");
	else if (s && *s)
		cb_json_set_str(cfg, "placeholder_text", s);
	s = cb_json_get_str(conf, "avatar_url");
	if (cb_json_get(conf, "avatar_url") &&
	    cb_json_type(cb_json_get(conf, "avatar_url")) != CB_JSON_NULL &&
	    (!s || strlen(s) > 500 || strncmp(s, "https://", 8) != 0 || strpbrk(s, " \"'<>")))
		cb_check_fail(c, "config.avatar_url", "invalid",
		              "avatar_url is an https:// URL of at most 500 bytes");
	else if (s)
		cb_json_set_str(cfg, "avatar_url", s);
}

static const char *locale_of(cb_req *req, const cb_json *body, const struct business *b)
{
	const char *l = cb_json_get_str(cb_json_get(body, "config"), "locale");
	const char *al = cb_req_header(req, "Accept-Language");

	if (!l)
		l = cb_json_get_str(body, "locale");
	if (!l && al)
		l = al;
	if (!l)
		l = b->locale;
	return l && strncasecmp(l, "en", 2) == 0 ? "en" : "de";
}

static const cb_json *cfg_in_request(const cb_json *body)
{
	return cb_json_get(body, "config");
}

static cb_json *business_json(cb_req *req, const struct business *b, const char *lang)
{
	cb_json *o = cb_json_new_object(req);
	int nd, nm;
	int open = hours_open_now(&b->week, b->now, &nd, &nm);

	cb_json_set_str(o, "name", b->name);
	cb_json_set_str(o, "phone", b->phone);
	if (b->week.known) {
		cb_json_set_bool(o, "open_now", open);
		cb_json_set_str(o, "hours", hours_text(req, &b->week, lang));
	} else {
		cb_json_set_null(o, "open_now");
		cb_json_set_null(o, "hours");
	}
	if (b->week.known && nd >= 0) {
		cb_json *n = cb_json_new_object(req);
		static const char *const ids[] = {"monday", "tuesday",  "wednesday", "thursday",
		                                  "friday", "saturday", "sunday"};
		cb_json_set_str(n, "day", ids[nd]);
		cb_json_set_str(n, "label", day_name(nd, lang));
		cb_json_set(n, "time",
		            cb_json_new_str(req, cb_sprintf(req, "%02d:%02d", nm / 60, nm % 60)));
		cb_json_set_bool(n, "today", nd == b->now.dow);
		cb_json_set(n, "text",
		            cb_json_new_str(req, cb_sprintf(req, "%s %02d:%02d", day_abbr(nd, lang),
		                                            nm / 60, nm % 60)));
		cb_json_set(o, "next_open", n);
	} else {
		cb_json_set_null(o, "next_open");
	}
	return o;
}

int h_widget_init(cb_req *req)
{
	cb_json *body, *cfg, *out, *str;
	cb_check *c;
	struct business b;
	const char *key_id = cb_req_get(req, "key.id");
	const char *domain, *sid, *lang;
	int resumed = 0;

	cors_allow(req);
	body = cb_req_json(req);
	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	domain = cb_check_str(c, "domain", CB_REQUIRED, 1, 253);
	sid = cb_json_get_str(body, "session_id");
	cfg = cb_json_new_object(req);
	read_config(c, cb_json_get(body, "config"), cfg);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (!host_matches(domain, cb_req_get(req, "key.domain"),
	                  cb_req_get(req, "key.environment")))
		return cb_reply_error(req, 403, "domain_mismatch",
		                      "This key is for another domain");
	if (visitor_limited(req, cb_sprintf(req, "init:%s", visitor_id(req, key_id)), 60, 60))
		return CB_OK;
	if (business_load(req, key_id, cb_req_get(req, "key.user_id"), &b) != CB_OK)
		return CB_EDB;
	lang = locale_of(req, body, &b);

	if (session_id_ok(sid) && session_known(req, key_id, sid)) {
		resumed = 1;
	} else {
		sid = new_session_id(req);
		if (!sid)
			return CB_ERR;
	}
	session_remember(req, key_id, sid);

	/* defaults < the business's landing page < what the page asks for */
	out = cb_json_new_object(req);
	str = cb_json_new_object(req);
	cb_json_set(str, "de", strings(req, "de"));
	cb_json_set(str, "en", strings(req, "en"));
	cb_json *conf = cb_json_new_object(req);
	cb_json_set_str(conf, "theme", "auto");
	cb_json_set_str(conf, "position", "bottom-right");
	cb_json_set_str(conf, "greeting_message",
	                b.name ? cb_sprintf(req,
	                                    strcmp(lang, "en") == 0
	                                        ? "Hello! Welcome to %s. How can I help you?"
	                                        : "Hallo! Willkommen bei %s. Wie kann ich helfen?",
	                                    b.name)
	                       : (strcmp(lang, "en") == 0 ? "Hello! How can I help you?"
	                                                  : "Hallo! Wie kann ich helfen?"));
	cb_json_set_str(conf, "placeholder_text",
	                strcmp(lang, "en") == 0 ? "Your message …" : "Ihre Nachricht …");
	cb_json_set_str(conf, "primary_color",
	                is_color(b.primary_color) ? b.primary_color : "#0055aa");
	cb_json_set_null(conf, "avatar_url");
	for (size_t i = 0; i < cb_json_len(cfg); i++)
		cb_json_set(conf, cb_json_key_at(cfg, i), cb_json_at(cfg, i));
	cb_json_set_str(conf, "locale", lang);
	/* the widget reads these from config (see widget/src/index.js) */
	cb_json *biz = business_json(req, &b, lang);
	cb_json_set_str(conf, "business_name", b.name);
	cb_json_set(conf, "open_now", cb_json_get(biz, "open_now"));
	cb_json *next = cb_json_get(biz, "next_open");
	if (cb_json_type(next) == CB_JSON_OBJECT)
		cb_json_set_str(conf, "next_open", cb_json_get_str(next, "text"));
	else
		cb_json_set_null(conf, "next_open");
	/* the owner's greeting and quick replies (knowledge base) when set */
	const char *greet = cb_json_get_str(b.greeting, lang);
	if (greet && *greet && !cb_json_get(cfg_in_request(body), "greeting_message"))
		cb_json_set_str(conf, "greeting_message", greet);
	cb_json *sugg = cb_json_get(b.quick_replies, lang);
	if (cb_json_type(sugg) != CB_JSON_ARRAY || cb_json_len(sugg) == 0)
		sugg = suggestions_for(req, I_GREETING, lang);
	cb_json_set(conf, "suggestions", sugg);

	cb_json_set_str(out, "session_id", sid);
	cb_json_set_bool(out, "resumed", resumed);
	cb_json_set(out, "config", conf);
	cb_json_set(out, "strings", str);
	cb_json_set(out, "business", biz);
	cb_json_set(out, "suggestions", sugg);
	cb_json_set_str(out, "environment", cb_req_get(req, "key.environment"));
	return cb_reply_json(req, 200, out);
}
