/* llm.c — an optional OpenAI-compatible chat completions endpoint
 * (llm_url is the full URL, e.g. https://api.example.com/v1/chat/completions).
 * The system prompt holds only the business's own data and forbids prices
 * it was not given; the session's last turns (the Redis context) follow,
 * then the visitor's message. Any failure — timeout, non-200, malformed
 * JSON, an empty or oversized answer — returns NULL and the built-in engine
 * answers instead; the visitor never sees the difference. */
#include <stdio.h>
#include <string.h>

#include "chat.h"

#define PROMPT_MAX 6000
#define ANSWER_MAX 4000

struct sbuf {
	char b[PROMPT_MAX];
	size_t n;
};

/* Appends label and value and a newline (nothing when value is NULL). */
static void add(struct sbuf *s, const char *label, const char *value)
{
	int k;

	if (!value)
		return;
	k = snprintf(s->b + s->n, sizeof(s->b) - s->n, "%s%s\n", label, value);
	if (k > 0 && (size_t)k < sizeof(s->b) - s->n)
		s->n += (size_t)k;
}

static const char *prompt(cb_req *req, const struct business *b, const char *lang)
{
	struct sbuf s;

	s.n = 0;
	s.b[0] = '\0';
	add(&s, "",
	    cb_sprintf(req,
	               "You are the website chat assistant of %s, a car workshop. Answer in %s, "
	               "briefly (at most three sentences), politely. Use only the facts below. "
	               "Never state a price, time or service that is not listed here; offer a "
	               "callback from the team instead. Do not ask for personal data.",
	               b->name ? b->name : "the workshop",
	               strcmp(lang, "en") == 0 ? "English" : "German"));
	add(&s, "Address: ", b->address);
	add(&s, "Phone: ", b->phone);
	add(&s, "E-mail: ", b->email);
	add(&s, "About: ", b->description);
	if (b->week.known)
		add(&s, "Opening hours: ", hours_text(req, &b->week, "en"));
	for (size_t i = 0; i < cb_json_len(b->services); i++) {
		const cb_json *v = cb_json_at(b->services, i);
		const char *name = cb_json_get_str(v, "name"), *price = price_phrase(req, v, "en");
		if (!name)
			continue;
		add(&s, "Service: ", name);
		if (price)
			add(&s, "Price: ", cb_sprintf(req, "%s: %s", name, price));
		else if (cb_json_get_str(v, "price_kind") &&
		         !strcmp(cb_json_get_str(v, "price_kind"), "on_request"))
			add(&s,
			    "Price: ", cb_sprintf(req, "%s: on request (state no price)", name));
	}
	for (size_t i = 0; i < cb_json_len(b->faq); i++) {
		const cb_json *v = cb_json_at(b->faq, i);
		const cb_json *q = cb_json_get(v, "question"), *a = cb_json_get(v, "answer");
		const char *qs =
		    cb_json_get_str(q, "en") ? cb_json_get_str(q, "en") : cb_json_get_str(q, "de");
		const char *as = cb_json_get_str(a, lang)   ? cb_json_get_str(a, lang)
		                 : cb_json_get_str(a, "en") ? cb_json_get_str(a, "en")
		                                            : cb_json_get_str(a, "de");
		if (qs && as)
			add(&s, "FAQ: ", cb_sprintf(req, "Q: %s A: %s", qs, as));
	}
	return cb_strndup(req, s.b, s.n);
}

static cb_json *msg(cb_req *req, const char *role, const char *content)
{
	cb_json *m = cb_json_new_object(req);

	cb_json_set_str(m, "role", role);
	cb_json_set_str(m, "content", content);
	return m;
}

const char *llm_answer(cb_req *req, const struct business *b, const cb_json *hist,
                       const char *message, const char *lang)
{
	cb_fetch_opts o = CB_FETCH_INIT;
	cb_fetch_res res = CB_FETCH_RES_INIT;
	cb_json *body, *msgs, *answer;
	const char *headers[3], *text;
	size_t len;
	int rc;

	if (!chat_cf.llm_url || !*chat_cf.llm_url)
		return NULL;
	body = cb_json_new_object(req);
	msgs = cb_json_new_array(req);
	cb_json_set_str(body, "model", chat_cf.llm_model);
	cb_json_push(msgs, msg(req, "system", prompt(req, b, lang)));
	for (size_t i = 0; i < cb_json_len(hist); i++) {
		const cb_json *t = cb_json_at(hist, i);
		const char *r = cb_json_get_str(t, "r");
		if (r && cb_json_get_str(t, "c"))
			cb_json_push(msgs, msg(req, strcmp(r, "a") == 0 ? "assistant" : "user",
			                       cb_json_get_str(t, "c")));
	}
	cb_json_push(msgs, msg(req, "user", message));
	cb_json_set(body, "messages", msgs);
	cb_json_set_int(body, "max_tokens", 300);
	cb_json_set_num(body, "temperature", 0.3);

	headers[0] = "Content-Type: application/json";
	headers[1] = chat_cf.llm_api_key && *chat_cf.llm_api_key
	                 ? cb_sprintf(req, "Authorization: Bearer %s", chat_cf.llm_api_key)
	                 : NULL;
	headers[2] = NULL;
	o.method = "POST";
	o.url = chat_cf.llm_url;
	o.headers = headers;
	o.body = cb_json_dump(req, body, &o.body_len);
	o.timeout_ms = (long)chat_cf.llm_timeout_ms;
	o.connect_timeout_ms =
	    (long)(chat_cf.llm_timeout_ms < 2000 ? chat_cf.llm_timeout_ms : 2000);
	o.max_bytes = 256 * 1024;
	rc = cb_fetch(req, &o, &res);
	if (rc != CB_OK || res.status != 200) {
		cb_log(req, CB_LOG_WARN, "llm: %s (status %ld); the built-in engine answers",
		       rc != CB_OK ? cb_strerror(rc) : "refused", res.status);
		return NULL;
	}
	answer = cb_json_parse(req, res.body, res.body_len, NULL, 0);
	text = cb_json_get_str(
	    cb_json_get(cb_json_at(cb_json_get(answer, "choices"), 0), "message"), "content");
	len = text ? strlen(text) : 0;
	while (len && strchr(" \t\r\n", text[len - 1]))
		len--;
	while (len && strchr(" \t\r\n", *text)) {
		text++;
		len--;
	}
	if (!len || utf8_chars(text, len) > ANSWER_MAX) {
		cb_log(req, CB_LOG_WARN, "llm: unusable answer; the built-in engine answers");
		return NULL;
	}
	return cb_strndup(req, text, len);
}
