/* kb_api.c — the owner's knowledge base (one per business = per owner user):
 * GET/PUT /api/v1/knowledge and the FAQ phrasings. A PUT replaces the
 * sections it holds and keeps the others; an optional version makes it a
 * compare-and-set in one statement (409 version_conflict). Until the first
 * PUT the GET shows a view derived from the landing page (version 0). */
#include <stdlib.h>
#include <string.h>

#include "chat.h"

static int reply_conflict(cb_req *req, long long current)
{
	cb_json *d = cb_json_new_array(req), *e = cb_json_new_object(req);

	cb_json_set_str(e, "field", "version");
	cb_json_set_str(e, "issue", "conflict");
	cb_json_set_int(e, "current", current);
	cb_json_push(d, e);
	return cb_reply_error_details(req, 409, "version_conflict",
	                              "the knowledge base was changed meanwhile", d);
}

/* The stored row of the caller (doc, version, updated_at) or none. NULL on a
 * database error (reply set). */
static cb_res *load_row(cb_req *req)
{
	cb_res *r = cb_db_q(req,
	                    "SELECT doc::text AS doc, version, " TS_UTC(
	                        "updated_at") " AS updated_at FROM chat_kb WHERE user_id = $1",
	                    cb_req_get(req, "user.id"));
	if (!r)
		db_failed(req, "load knowledge base");
	return r;
}

static const char *landing_of(cb_req *req)
{
	cb_res *r = cb_db_q0(req, "SELECT to_regclass('landing_pages') IS NOT NULL AS e");

	if (!r || !cb_res_bool(r, 0, "e"))
		return NULL;
	r = cb_db_q(req,
	            "SELECT configuration::text AS c FROM landing_pages WHERE user_id = $1 "
	            "ORDER BY is_published DESC, updated_at DESC LIMIT 1",
	            cb_req_get(req, "user.id"));
	return r && cb_res_rows(r) ? cb_res_val(r, 0, "c") : NULL;
}

/* The whole document for the answer: every section present. */
static cb_json *full(cb_req *req, cb_json *doc)
{
	static const char *const arrays[] = {"services", "faq"};
	cb_json *h = cb_json_get(doc, "hours");

	if (cb_json_type(h) != CB_JSON_OBJECT) {
		h = cb_json_new_object(req);
		cb_json_set(doc, "hours", h);
	}
	if (!cb_json_get(h, "weekly"))
		cb_json_set(h, "weekly", cb_json_new_object(req));
	if (!cb_json_get(h, "holidays"))
		cb_json_set(h, "holidays", cb_json_new_array(req));
	if (!cb_json_get(h, "closures"))
		cb_json_set(h, "closures", cb_json_new_array(req));
	for (size_t i = 0; i < 2; i++)
		if (cb_json_type(cb_json_get(doc, arrays[i])) != CB_JSON_ARRAY)
			cb_json_set(doc, arrays[i], cb_json_new_array(req));
	if (!cb_json_get(doc, "greeting"))
		cb_json_set(doc, "greeting", cb_json_new_object(req));
	if (!cb_json_get(doc, "quick_replies"))
		cb_json_set(doc, "quick_replies", cb_json_new_object(req));
	return doc;
}

static int reply_kb(cb_req *req, int status)
{
	cb_res *r = load_row(req);
	cb_json *doc;

	if (!r)
		return CB_OK;
	if (cb_res_rows(r)) {
		doc = json_text(req, cb_res_val(r, 0, "doc"));
		cb_json_set_int(doc, "version", cb_res_int(r, 0, "version"));
		cb_json_set_str(doc, "updated_at", cb_res_val(r, 0, "updated_at"));
		cb_json_set_str(doc, "source", "knowledge");
	} else {
		doc = kb_from_landing(req, landing_of(req));
		cb_json_set_int(doc, "version", 0);
		cb_json_set_null(doc, "updated_at");
		cb_json_set_str(doc, "source", "landing");
	}
	return cb_reply_json(req, status, full(req, doc));
}

int h_kb_get(cb_req *req)
{
	return reply_kb(req, 200);
}

/* The version the body asks for: 1 and *out set, 0 when absent, -1 when
 * malformed (recorded). */
static int want_version(cb_check *c, const cb_json *body, long long *out)
{
	const cb_json *v = cb_json_get(body, "version");

	if (!v || cb_json_type(v) == CB_JSON_NULL)
		return 0;
	if (cb_json_int(v, out) != CB_OK || *out < 0) {
		cb_check_fail(c, "version", "type", "a non-negative integer");
		return -1;
	}
	return 1;
}

static long long current_version(cb_req *req)
{
	cb_res *r = cb_db_q(req, "SELECT version FROM chat_kb WHERE user_id = $1",
	                    cb_req_get(req, "user.id"));

	return r && cb_res_rows(r) ? cb_res_int(r, 0, "version") : 0;
}

/* Stores the sections of doc (merged over the stored ones) when the stored
 * version is expect (or always when has_expect is 0). 1 stored, 0 conflict,
 * -1 database error (reply set). */
static int store(cb_req *req, const cb_json *doc, int has_expect, long long expect)
{
	const char *ver = has_expect ? cb_sprintf(req, "%lld", expect) : NULL;
	const char *doc_text = cb_json_dump(req, doc, NULL);
	cb_res *r;

	if (has_expect && expect > 0) /* only an existing row can have that version */
		r = cb_db_q(req,
		            "UPDATE chat_kb SET doc = doc || $2::jsonb, version = version + 1, "
		            "updated_at = now() WHERE user_id = $1 AND version = $3::bigint "
		            "RETURNING version",
		            cb_req_get(req, "user.id"), doc_text, ver);
	else /* none expected (or version 0: only when there is none yet) */
		r = cb_db_q(
		    req,
		    "INSERT INTO chat_kb (user_id, doc, version) VALUES ($1, $2::jsonb, 1) "
		    "ON CONFLICT (user_id) DO UPDATE SET doc = chat_kb.doc || EXCLUDED.doc, "
		    "version = chat_kb.version + 1, updated_at = now() "
		    "WHERE $3::bigint IS NULL RETURNING version",
		    cb_req_get(req, "user.id"), doc_text, ver);
	if (!r) {
		db_failed(req, "store knowledge base");
		return -1;
	}
	if (cb_res_rows(r) == 0)
		return 0;
	business_forget_user(cb_req_get(req, "user.id"));
	return 1;
}

int h_kb_put(cb_req *req)
{
	cb_json *body = cb_req_json(req), *doc;
	long long expect = 0;
	int has;
	cb_check *c;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	if (cb_json_type(body) != CB_JSON_OBJECT) {
		cb_check_fail(c, "", "type", "the body is an object");
		return cb_check_reply(c);
	}
	has = want_version(c, body, &expect);
	doc = kb_check(req, c, body);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	switch (store(req, doc, has == 1, expect)) {
	case -1:
		return CB_OK;
	case 0:
		return reply_conflict(req, current_version(req));
	}
	return reply_kb(req, 200);
}

static cb_json *faq_entry(cb_json *doc, const char *id, size_t *index)
{
	cb_json *faq = cb_json_get(doc, "faq");

	for (size_t i = 0; i < cb_json_len(faq); i++) {
		const char *x = cb_json_get_str(cb_json_at(faq, i), "id");
		if (x && strcmp(x, id) == 0) {
			*index = i;
			return cb_json_at(faq, i);
		}
	}
	return NULL;
}

/* Replaces the faq section after a phrasing change, guarded by the version
 * read: 1 stored, 0 conflict, -1 error (reply set). */
static int store_faq(cb_req *req, cb_json *doc, long long version)
{
	cb_json *only = cb_json_new_object(req);

	cb_json_set(only, "faq", cb_json_get(doc, "faq"));
	return store(req, only, 1, version);
}

static int reply_entry(cb_req *req, int status, const char *faq_id)
{
	cb_res *r = load_row(req);
	cb_json *out = cb_json_new_object(req), *doc;
	size_t idx;

	if (!r)
		return CB_OK;
	doc = json_text(req, cb_res_rows(r) ? cb_res_val(r, 0, "doc") : "{}");
	cb_json_set(out, "faq", faq_entry(doc, faq_id, &idx));
	cb_json_set_int(out, "version", cb_res_rows(r) ? cb_res_int(r, 0, "version") : 0);
	cb_json_set_str(out, "updated_at", cb_res_rows(r) ? cb_res_val(r, 0, "updated_at") : NULL);
	return cb_reply_json(req, status, out);
}

static int same_text(cb_req *req, const char *a, const char *b)
{
	char *x, *y, *u, *v;

	if (!a || !b)
		return 0;
	norm_forms(req, a, &x, &y);
	norm_forms(req, b, &u, &v);
	while (*y == ' ')
		y++;
	while (*v == ' ')
		v++;
	size_t n = strlen(y), m = strlen(v);
	while (n && y[n - 1] == ' ')
		n--;
	while (m && v[m - 1] == ' ')
		m--;
	return n == m && memcmp(y, v, n) == 0;
}

int h_kb_phrasing_add(cb_req *req)
{
	const char *faq_id = cb_req_param(req, "faq_id");
	cb_json *body = cb_req_json(req), *ph;
	long long expect = 0;
	int has;
	cb_check *c;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	if (cb_json_type(body) != CB_JSON_OBJECT) {
		cb_check_fail(c, "", "type", "the body is an object");
		return cb_check_reply(c);
	}
	has = want_version(c, body, &expect);
	{
		cb_json *copy = cb_json_new_object(req);
		for (size_t k = 0; k < cb_json_len(body); k++)
			if (strcmp(cb_json_key_at(body, k), "version"))
				cb_json_set(copy, cb_json_key_at(body, k), cb_json_at(body, k));
		ph = kb_check_phrasing(req, c, copy, "");
	}
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	for (int attempt = 0; attempt < 5; attempt++) {
		cb_res *r = load_row(req);
		cb_json *doc, *e, *list;
		size_t idx;
		if (!r)
			return CB_OK;
		if (!cb_res_rows(r))
			return reply_not_found(req);
		long long version = cb_res_int(r, 0, "version");
		if (has == 1 && version != expect)
			return reply_conflict(req, version);
		doc = json_text(req, cb_res_val(r, 0, "doc"));
		e = faq_entry(doc, faq_id, &idx);
		if (!e)
			return reply_not_found(req);
		list = cb_json_get(e, "phrasings");
		if (cb_json_type(list) != CB_JSON_ARRAY) {
			list = cb_json_new_array(req);
			cb_json_set(e, "phrasings", list);
		}
		const cb_json *q = cb_json_get(e, "question");
		int dup = same_text(req, cb_json_get_str(ph, "text"), cb_json_get_str(q, "de")) ||
		          same_text(req, cb_json_get_str(ph, "text"), cb_json_get_str(q, "en"));
		for (size_t i = 0; i < cb_json_len(list); i++)
			dup |= same_text(req, cb_json_get_str(ph, "text"),
			                 cb_json_get_str(cb_json_at(list, i), "text"));
		if (dup)
			return cb_reply_error(req, 409, "duplicate_phrasing",
			                      "the entry already holds this phrasing");
		if (cb_json_len(list) >= KB_PHRASINGS_MAX) {
			cb_check *full_c = cb_check_new(req, body);
			cb_check_fail(full_c, "text", "too_long",
			              "the entry holds %d phrasings already", KB_PHRASINGS_MAX);
			return cb_check_reply(full_c);
		}
		cb_json_push(list, ph);
		int rc = store_faq(req, doc, version);
		if (rc < 0)
			return CB_OK;
		if (rc == 1)
			return reply_entry(req, 201, faq_id);
		if (has == 1)
			return reply_conflict(req, current_version(req));
	}
	return reply_conflict(req, current_version(req));
}

int h_kb_phrasing_del(cb_req *req)
{
	const char *faq_id = cb_req_param(req, "faq_id");
	const char *is = cb_req_param(req, "index");
	char *end = NULL;
	long want = is && *is ? strtol(is, &end, 10) : -1;

	if (!end || *end || want < 0 || want >= KB_PHRASINGS_MAX)
		return reply_not_found(req);
	for (int attempt = 0; attempt < 5; attempt++) {
		cb_res *r = load_row(req);
		cb_json *doc, *e, *list, *kept = NULL;
		size_t idx;
		if (!r)
			return CB_OK;
		if (!cb_res_rows(r))
			return reply_not_found(req);
		doc = json_text(req, cb_res_val(r, 0, "doc"));
		e = faq_entry(doc, faq_id, &idx);
		list = cb_json_get(e, "phrasings");
		if (!e || (size_t)want >= cb_json_len(list))
			return reply_not_found(req);
		kept = cb_json_new_array(req);
		for (size_t i = 0; i < cb_json_len(list); i++)
			if (i != (size_t)want)
				cb_json_push(kept, cb_json_at(list, i));
		cb_json_set(e, "phrasings", kept);
		int rc = store_faq(req, doc, cb_res_int(r, 0, "version"));
		if (rc < 0)
			return CB_OK;
		if (rc == 1)
			return reply_entry(req, 200, faq_id);
	}
	return reply_conflict(req, current_version(req));
}
