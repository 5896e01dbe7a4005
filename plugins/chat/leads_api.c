/* leads_api.c — the owner's leads: GET /api/v1/leads (filters status and
 * key, cursor pagination over (created_at, id), newest first) and
 * PATCH /api/v1/leads/{id} {status}. Another owner's lead is 404. */
#include <stdio.h>
#include <string.h>

#include "chat.h"

#define LEAD_COLS                                                                                  \
	"l.id, l.client_key_id, l.conversation_id, l.kind, l.name, l.contact, l.vehicle, "         \
	"l.service, l.preferred_day, l.status, " TS_UTC("l.created_at") " AS created_at, " TS_UTC( \
	    "l.updated_at") " AS updated_at, "                                                     \
	                    "(extract(epoch FROM l.created_at) * 1000000)::bigint AS us"

static int status_ok(const char *s)
{
	return s && (!strcmp(s, "new") || !strcmp(s, "contacted") || !strcmp(s, "booked") ||
	             !strcmp(s, "closed"));
}

static cb_json *lead_json(cb_req *req, const cb_res *r, int i)
{
	static const char *const cols[] = {
	    "id",      "client_key_id", "conversation_id", "kind",   "name",       "contact",
	    "vehicle", "service",       "preferred_day",   "status", "created_at", "updated_at"};
	cb_json *o = cb_json_new_object(req);

	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
		cb_json_set_str(o, cols[k], cb_res_val(r, i, cols[k]));
	return o;
}

int h_leads(cb_req *req)
{
	static const char *const states[] = {"new", "contacted", "booked", "closed", NULL};
	cb_check *c = cb_check_new(req, NULL);
	const char *status = NULL, *key = cb_req_query(req, "key");
	const char *cursor = cb_req_query(req, "cursor"), *us = NULL, *cid = NULL;
	long long limit = 20;
	int st = -1;
	char lim[24];
	cb_res *r;

	cb_query_int(c, "limit", CB_OPTIONAL, 1, 100, &limit);
	if (cb_query_enum(c, "status", CB_OPTIONAL, states, &st) == 1)
		status = states[st];
	if (cursor && cursor_decode(req, cursor, &us, &cid) != CB_OK)
		cb_check_fail(c, "cursor", "invalid", "The cursor is not valid");
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (key && own_key(req, key) != CB_OK)
		return CB_OK;
	snprintf(lim, sizeof(lim), "%lld", limit + 1);
	r = cb_db_q(req,
	            "SELECT " LEAD_COLS
	            " FROM leads l JOIN client_keys k ON k.id = l.client_key_id "
	            "WHERE k.user_id = $1 AND ($2::text IS NULL OR l.status = $2) "
	            "AND ($3::uuid IS NULL OR l.client_key_id = $3::uuid) "
	            "AND ($4::bigint IS NULL OR (l.created_at, l.id) < ('epoch'::timestamptz + "
	            "$4::bigint * interval '1 microsecond', $5::uuid)) "
	            "ORDER BY l.created_at DESC, l.id DESC LIMIT $6::int",
	            cb_req_get(req, "user.id"), status, key, us, cid, lim);
	if (!r)
		return db_failed(req, "list leads");
	return reply_page(req, r, limit, "leads", lead_json);
}

int h_lead_patch(cb_req *req)
{
	const char *id = cb_req_param(req, "id");
	cb_json *body, *out;
	cb_check *c;
	const char *status;
	cb_res *r;

	if (!cb_is_uuid(id))
		return reply_not_found(req);
	body = cb_req_json(req);
	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	status = cb_check_str(c, "status", CB_REQUIRED, 1, 20);
	if (status && !status_ok(status))
		cb_check_fail(c, "status", "invalid", "status is new, contacted, booked or closed");
	for (size_t k = 0; k < cb_json_len(body); k++)
		if (strcmp(cb_json_key_at(body, k), "status") != 0)
			cb_check_fail(c, cb_json_key_at(body, k), "invalid",
			              "only status can be changed");
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	r = cb_db_q(
	    req,
	    "WITH u AS (UPDATE leads l SET status = $3, updated_at = now() FROM client_keys k "
	    "WHERE l.id = $1 AND k.id = l.client_key_id AND k.user_id = $2 RETURNING l.*) "
	    "SELECT " LEAD_COLS " FROM u l",
	    id, cb_req_get(req, "user.id"), status);
	if (!r)
		return db_failed(req, "update lead");
	if (cb_res_rows(r) != 1)
		return reply_not_found(req);
	out = cb_json_new_object(req);
	cb_json_set(out, "lead", lead_json(req, r, 0));
	cb_json *ev = lead_json(req, r, 0); /* lead.updated: the lead, plus user_id and lead_id */
	cb_json_set_str(ev, "user_id", cb_req_get(req, "user.id"));
	cb_json_set_str(ev, "lead_id", id);
	cb_emit(req, CB_EV_LEAD_UPDATED, ev);
	return cb_reply_json(req, 200, out);
}
