/* knowledge.c — GET/PUT /api/v1/client-keys/{id}/knowledge: what the owner
 * teaches the bot for one key, {faq:[{q,a}], prices:[{service,price,note}]}.
 * PUT replaces both lists (an absent list is emptied). Bounded: 100 FAQ
 * entries (question 300, answer 2000 characters), 200 prices (service 200,
 * price 100, note 300 characters); unknown fields are refused. */
#include <string.h>

#include "chat.h"

#define FAQ_MAX    100
#define PRICES_MAX 200

struct field {
	const char *name;
	size_t max; /* characters */
	int required;
};

/* Checks list (an array of objects with exactly these fields) under name;
 * returns the cleaned array. */
static cb_json *check_list(cb_req *req, cb_check *c, const cb_json *list, const char *name,
                           size_t max_items, const struct field *fields, size_t nf)
{
	cb_json *out = cb_json_new_array(req);

	if (!list || cb_json_type(list) == CB_JSON_NULL)
		return out;
	if (cb_json_type(list) != CB_JSON_ARRAY) {
		cb_check_fail(c, name, "type", "%s must be an array", name);
		return out;
	}
	if (cb_json_len(list) > max_items) {
		cb_check_fail(c, name, "too_long", "%s holds at most %zu entries", name, max_items);
		return out;
	}
	for (size_t i = 0; i < cb_json_len(list); i++) {
		const cb_json *e = cb_json_at(list, i);
		cb_json *o = cb_json_new_object(req);
		if (cb_json_type(e) != CB_JSON_OBJECT) {
			cb_check_fail(c, cb_sprintf(req, "%s[%zu]", name, i), "type",
			              "each entry is an object");
			continue;
		}
		for (size_t k = 0; k < cb_json_len(e); k++) {
			const char *key = cb_json_key_at(e, k);
			int known = 0;
			for (size_t f = 0; f < nf; f++)
				known |= strcmp(key, fields[f].name) == 0;
			if (!known)
				cb_check_fail(c, cb_sprintf(req, "%s[%zu].%s", name, i, key),
				              "invalid", "unknown field");
		}
		for (size_t f = 0; f < nf; f++) {
			const cb_json *v = cb_json_get(e, fields[f].name);
			const char *s = cb_json_str(v);
			const char *path = cb_sprintf(req, "%s[%zu].%s", name, i, fields[f].name);
			size_t chars;
			if (!v || cb_json_type(v) == CB_JSON_NULL) {
				if (fields[f].required)
					cb_check_fail(c, path, "missing", "required");
				continue;
			}
			if (!s) {
				cb_check_fail(c, path, "type", "must be a string");
				continue;
			}
			chars = utf8_chars(s, cb_json_strlen(v));
			if (fields[f].required && chars == 0)
				cb_check_fail(c, path, "too_short", "must not be empty");
			else if (chars > fields[f].max)
				cb_check_fail(c, path, "too_long", "at most %zu characters",
				              fields[f].max);
			else
				cb_json_set_str(o, fields[f].name, s);
		}
		cb_json_push(out, o);
	}
	return out;
}

static int reply_knowledge(cb_req *req, const char *id)
{
	cb_res *r = cb_db_q(req,
	                    "SELECT faq::text AS faq, prices::text AS prices, " TS_UTC(
	                        "updated_at") " AS updated_at FROM chat_knowledge WHERE "
	                                      "client_key_id = $1",
	                    id);
	cb_json *out = cb_json_new_object(req);

	if (!r)
		return db_failed(req, "load knowledge");
	cb_json_set(out, "faq",
	            cb_res_rows(r) ? json_text(req, cb_res_val(r, 0, "faq"))
	                           : cb_json_new_array(req));
	cb_json_set(out, "prices",
	            cb_res_rows(r) ? json_text(req, cb_res_val(r, 0, "prices"))
	                           : cb_json_new_array(req));
	cb_json_set_str(out, "updated_at", cb_res_rows(r) ? cb_res_val(r, 0, "updated_at") : NULL);
	return cb_reply_json(req, 200, out);
}

int h_knowledge_get(cb_req *req)
{
	const char *id = cb_req_param(req, "id");

	if (own_key(req, id) != CB_OK)
		return CB_OK;
	return reply_knowledge(req, id);
}

int h_knowledge_put(cb_req *req)
{
	static const struct field faq_f[] = {{"q", 300, 1}, {"a", 2000, 1}};
	static const struct field price_f[] = {
	    {"service", 200, 1}, {"price", 100, 1}, {"note", 300, 0}};
	const char *id = cb_req_param(req, "id");
	cb_json *body, *faq, *prices;
	cb_check *c;

	if (own_key(req, id) != CB_OK)
		return CB_OK;
	body = cb_req_json(req);
	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	for (size_t k = 0; k < cb_json_len(body); k++)
		if (strcmp(cb_json_key_at(body, k), "faq") &&
		    strcmp(cb_json_key_at(body, k), "prices"))
			cb_check_fail(c, cb_json_key_at(body, k), "invalid",
			              "only faq and prices can be set");
	faq = check_list(req, c, cb_json_get(body, "faq"), "faq", FAQ_MAX, faq_f, 2);
	prices = check_list(req, c, cb_json_get(body, "prices"), "prices", PRICES_MAX, price_f, 3);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (!cb_db_q(
	        req,
	        "INSERT INTO chat_knowledge (client_key_id, faq, prices) VALUES ($1, $2::jsonb, "
	        "$3::jsonb) ON CONFLICT (client_key_id) DO UPDATE SET faq = EXCLUDED.faq, "
	        "prices = EXCLUDED.prices, updated_at = now()",
	        id, cb_json_dump(req, faq, NULL), cb_json_dump(req, prices, NULL)))
		return db_failed(req, "store knowledge");
	business_forget(id);
	return reply_knowledge(req, id);
}
