/* widget.c — POST /api/v1/widget/chat, the hottest path.
 *
 * Per message: the key check (keys plugin, before this handler: one Redis
 * round trip for a key seen before), the per-session rate limit with the
 * key's usage count behind it and the session context (one round trip;
 * a new conversation is counted in another), the business data (memory), the
 * answer (built-in engine, or the LLM), then ONE SQL statement that finds or
 * starts the conversation and stores both messages (bench/chat.pl runs the
 * very same statement under pgbench), and the context written back (sent
 * without waiting for the reply). Nothing on this path locks the
 * client_keys row: usage counters live in Redis (keys plugin). */
#include <stdio.h>
#include <string.h>

#include "chat.h"
#include "persist_sql.h"

struct chat_in {
	const char *session_id, *message, *page_url, *locale;
};

/* 1 when s holds nothing but white space. */
static int blank(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\r\n\f\v", *s))
			return 0;
	return 1;
}

/* Reads and checks the body; 0 with a 400 set when it is wrong. */
static int read_chat(cb_req *req, const cb_json *body, struct chat_in *in)
{
	cb_check *c = cb_check_new(req, body);
	const cb_json *msg = cb_json_get(body, "message");
	const cb_json *ctx = cb_json_get(body, "context");

	in->session_id = cb_check_str(c, "session_id", CB_REQUIRED, 8, 64);
	if (in->session_id && !session_id_ok(in->session_id))
		cb_check_fail(
		    c, "session_id", "invalid",
		    "Use the session_id from /api/v1/widget/init (8-64 of A-Z a-z 0-9 _ -)");
	in->message = cb_json_str(msg);
	if (!msg || cb_json_type(msg) == CB_JSON_NULL) {
		cb_check_fail(c, "message", "missing", "message is required");
	} else if (!in->message) {
		cb_check_fail(c, "message", "type", "message must be a string");
	} else if (blank(in->message)) {
		cb_check_fail(c, "message", "too_short", "message must not be empty");
	} else {
		size_t chars = utf8_chars(in->message, cb_json_strlen(msg));
		if (chars > MESSAGE_MAX_CHARS)
			cb_check_fail(c, "message", "too_long",
			              "message has %zu characters; at most %d are accepted", chars,
			              MESSAGE_MAX_CHARS);
	}
	in->page_url = in->locale = NULL;
	if (ctx && cb_json_type(ctx) != CB_JSON_NULL) {
		if (cb_json_type(ctx) != CB_JSON_OBJECT) {
			cb_check_fail(c, "context", "type", "context must be an object");
		} else {
			cb_check *cc = cb_check_new(req, ctx);
			in->page_url = cb_check_str(cc, "page_url", CB_OPTIONAL, 0, 2048);
			in->locale = cb_check_str(cc, "locale", CB_OPTIONAL, 0, 35);
			cb_check_str(cc, "user_agent", CB_OPTIONAL, 0, 1024);
			if (!cb_check_ok(cc))
				cb_check_fail(
				    c, "context", "invalid",
				    "context.page_url (<= 2048 bytes), context.locale (<= 35) "
				    "and context.user_agent (<= 1024) must be strings");
		}
	}
	if (cb_check_ok(c))
		return 1;
	cb_check_reply(c);
	return 0;
}

int visitor_limited(cb_req *req, const char *what, long long limit, long long window)
{
	cb_rate r = CB_RATE_INIT;
	const char *key = cb_sprintf(req, "chat:%s", what);

	cb_ratelimit(req, key, limit, window, 0, 1, &r);
	if (r.allowed)
		return 0;
	cb_ratelimit_reply(req, &r);
	return 1;
}

int usage_refused(cb_req *req, const char *kind)
{
	struct keys_usage u = KEYS_USAGE_INIT;
	int st = chat_keys->record_usage(req, cb_req_get(req, "key.id"), kind, &u);

	if (st == KEYS_OK)
		return 0;
	chat_keys->reply(req, st, st == KEYS_OVER_LIMIT ? &u.hit : NULL);
	return 1;
}

static long long typing_delay(const char *text)
{
	long long ms = 300 + 15 * (long long)utf8_chars(text, strlen(text));

	return ms < 300 ? 300 : ms > 1500 ? 1500 : ms;
}

static char *meta_json(cb_req *req, const char *k1, const char *v1, const char *k2, const char *v2)
{
	cb_json *m = cb_json_new_object(req);

	cb_json_set_str(m, k1, v1);
	if (k2)
		cb_json_set_str(m, k2, v2);
	return cb_json_dump(req, m, NULL);
}

/* The answer to in->message; sets *intent_out for the message's metadata. */
static void answer(cb_req *req, cb_json *ctx, const struct chat_in *in, const struct business *b,
                   struct reply *rep, const char **intent_out, const char **lang_out,
                   const char **source)
{
	struct analysis a;
	const char *key_id = cb_req_get(req, "key.id");
	const char *locale = in->locale ? in->locale : b->locale;
	int in_flow = cb_json_type(cb_json_get(ctx, "lead")) == CB_JSON_OBJECT;

	analyse(req, in->message, locale, &a);
	/* "what does that cost?" right after a service was named is that
	 * service's price: the previous turn's service is kept in ctx */
	long long prev = S_NONE;
	if (cb_json_int(cb_json_get(ctx, "svc"), &prev) != CB_OK || prev <= S_NONE || prev >= S_N)
		prev = S_NONE;
	if (a.service != S_NONE)
		cb_json_set_int(ctx, "svc", a.service);
	else
		cb_json_del(ctx, "svc");
	if (a.intent == I_PRICE && a.service == S_NONE && prev != S_NONE && !in_flow)
		a.service = (int)prev;
	/* a reply inside a lead flow keeps the flow's language */
	if (in_flow && cb_json_get_str(cb_json_get(ctx, "lead"), "lang"))
		a.lang = cb_json_get_str(cb_json_get(ctx, "lead"), "lang");
	/* the owner's FAQ before a guess of the classifier */
	if (a.from_model && !in_flow && faq_match(req, b, in->message, a.lang, 0)) {
		a.intent = I_FALLBACK;
		a.from_model = 0;
	}
	*intent_out = intent_name(a.intent);
	*lang_out = a.lang;
	*source = "builtin";
	if (lead_step(req, ctx, &a, b, in->message, key_id, cb_req_get(req, "key.user_id"), NULL,
	              rep)) {
		if (in_flow && a.intent != I_APPOINTMENT && a.intent != I_HUMAN)
			*intent_out = "lead_details";
		return;
	}
	if (a.intent != I_EMERGENCY) {
		const char *t = llm_answer(req, b, cb_json_get(ctx, "hist"), in->message, a.lang);
		if (t) {
			rep->text = t;
			rep->suggestions = suggestions_for(req, a.intent, a.lang);
			*source = "llm";
			if (lead_pending(req, ctx, a.lang))
				rep->text =
				    cb_sprintf(req, "%s\n\n%s", t, lead_pending(req, ctx, a.lang));
			return;
		}
	}
	reply_build(req, &a, b, in->message, rep);
	if (rep->faq)
		*intent_out = "faq"; /* answered: not a fallback turn */
	/* an interrupted lead flow asks its pending question again */
	const char *pending = lead_pending(req, ctx, a.lang);
	if (pending)
		rep->text = cb_sprintf(req, "%s\n\n%s", rep->text, pending);
}

static int persist(cb_req *req, cb_json *ctx, const struct chat_in *in, const struct reply *rep,
                   const char *intent, const char *lang, const char *source, const char **conv_id)
{
	const char *key_id = cb_req_get(req, "key.id");
	long long step = 0;
	int with_lead =
	    cb_json_int(cb_json_get(cb_json_get(ctx, "lead"), "step"), &step) == CB_OK &&
	    step == L_DONE;
	char idle[24];
	cb_json *cm = cb_json_new_object(req);
	cb_res *r;

	snprintf(idle, sizeof(idle), "%lld", chat_cf.idle_minutes);
	if (in->page_url)
		cb_json_set_str(cm, "page_url", in->page_url);
	cb_json_set_str(cm, "lang", lang);
	if (in->locale)
		cb_json_set_str(cm, "locale", in->locale);
	if (with_lead && cb_db_begin(req) != CB_OK)
		return CB_EDB;
	r = cb_db_q(req, persist_sql, key_id, in->session_id, visitor_id(req, key_id),
	            cb_json_dump(req, cm, NULL), in->message,
	            meta_json(req, "intent", intent, "lang", lang), rep->text,
	            meta_json(req, "source", source, NULL, NULL), idle);
	if (!r || cb_res_rows(r) != 1)
		return CB_EDB;
	*conv_id = cb_res_val(r, 0, "id");
	if (with_lead) {
		if (lead_store(req, ctx, key_id, cb_req_get(req, "key.user_id"), *conv_id) !=
		        CB_OK ||
		    cb_db_commit(req) != CB_OK)
			return CB_EDB;
	}
	return CB_OK;
}

int h_widget_chat(cb_req *req)
{
	cb_json *body, *ctx, *out;
	struct chat_in in;
	struct business b;
	struct reply rep = {NULL, NULL, 0};
	const char *key_id = cb_req_get(req, "key.id");
	const char *intent, *lang, *source, *conv_id = NULL;
	cb_redis_pipe *p;
	cb_rate rate = CB_RATE_INIT;
	struct keys_pending *counted;
	struct keys_usage u = KEYS_USAGE_INIT;
	int rc, st, gi;

	cors_allow(req);
	body = cb_req_json(req);
	if (!body)
		return CB_OK;
	if (!read_chat(req, body, &in))
		return CB_OK;
	/* one round trip: the message counted against the key's usage only if
	 * the session's rate limit allows it, and the session's context */
	p = cb_redis_pipe_new(req);
	st = chat_keys->usage_queue(req, p, key_id, "message",
	                            cb_sprintf(req, "chat:sess:%s:%s", key_id, in.session_id),
	                            chat_cf.session_limit, chat_cf.session_window, &counted);
	if (st != KEYS_OK)
		return chat_keys->reply(req, st, NULL);
	gi = cb_redis_pipe_c(p, "GET", ctx_key(req, key_id, in.session_id));
	cb_redis_pipe_run(p);
	st = chat_keys->usage_queued(req, p, counted, &rate, &u);
	if (st == KEYS_LIMITED)
		return cb_ratelimit_reply(req, &rate);
	if (st != KEYS_OK)
		return chat_keys->reply(req, st, st == KEYS_OVER_LIMIT ? &u.hit : NULL);
	ctx = ctx_load(req, cb_redis_pipe_reply(p, gi));
	if (!cb_json_get_str(ctx, "conv") && usage_refused(req, "conversation"))
		return CB_OK;
	if (business_load(req, key_id, cb_req_get(req, "key.user_id"), &b) != CB_OK)
		return CB_EDB;
	answer(req, ctx, &in, &b, &rep, &intent, &lang, &source);
	rc = persist(req, ctx, &in, &rep, intent, lang, source, &conv_id);
	if (rc != CB_OK)
		return rc;
	if (!cb_json_get_str(ctx, "conv") || strcmp(cb_json_get_str(ctx, "conv"), conv_id) != 0) {
		/* a new conversation: earlier turns belong to the old one */
		cb_json_set(ctx, "hist", cb_json_new_array(req));
		cb_json_set_str(ctx, "conv", conv_id);
	}
	ctx_push(req, ctx, "u", in.message);
	ctx_push(req, ctx, "a", rep.text);
	ctx_save(req, key_id, in.session_id, ctx);

	out = cb_json_new_object(req);
	cb_json_set_str(out, "response", rep.text);
	cb_json_set_str(out, "session_id", in.session_id);
	cb_json_set_str(out, "conversation_id", conv_id);
	cb_json_set(out, "suggestions", rep.suggestions ? rep.suggestions : cb_json_new_array(req));
	cb_json_set_int(out, "typing_delay", typing_delay(rep.text));
	cb_json_set_str(out, "intent", intent);
	cb_json_set_str(out, "lang", lang);
	return cb_reply_json(req, 200, out);
}
