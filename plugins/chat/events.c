/* events.c — POST /api/v1/widget/events: the widget's analytics events,
 * batched ({"events":[{"type":"opened","data":{...}}, ...]}, 1..50 a batch),
 * stored with the key, the session, the visitor's HMAC and the user agent —
 * never an IP. */
#include <string.h>

#include "chat.h"

#define EVENTS_MAX     50
#define EVENT_DATA_MAX 2048

static int type_ok(const char *s)
{
	size_t n = 0;

	if (!s || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_' ||
		      s[n] == '.'))
			return 0;
	return n <= 50;
}

/* What kind of event it is, for event_category. */
static const char *category(const char *type)
{
	static const char *const conv[] = {"message_sent", "message_received", "suggestion_clicked",
	                                   "lead_created", "lead_started",     NULL};

	for (const char *const *c = conv; *c; c++)
		if (strcmp(type, *c) == 0)
			return "conversation";
	return "widget";
}

int h_widget_events(cb_req *req)
{
	cb_json *body, *events, *rows, *out;
	cb_check *c;
	const char *key_id = cb_req_get(req, "key.id");
	const char *sid, *ua = cb_req_header(req, "User-Agent");
	size_t n;
	cb_res *r;

	cors_allow(req);
	body = cb_req_json(req);
	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	events = cb_json_get(body, "events");
	sid = cb_check_str(c, "session_id", CB_OPTIONAL, 8, 64);
	if (sid && !session_id_ok(sid))
		cb_check_fail(c, "session_id", "invalid", "Use the session_id from init");
	n = cb_json_len(events);
	if (!events)
		cb_check_fail(c, "events", "missing", "events is required");
	else if (cb_json_type(events) != CB_JSON_ARRAY)
		cb_check_fail(c, "events", "type", "events must be an array");
	else if (n == 0)
		cb_check_fail(c, "events", "too_short", "events must hold at least one event");
	else if (n > EVENTS_MAX)
		cb_check_fail(c, "events", "too_long", "at most %d events a batch (got %zu)",
		              EVENTS_MAX, n);
	rows = cb_json_new_array(req);
	for (size_t i = 0; cb_json_type(events) == CB_JSON_ARRAY && n <= EVENTS_MAX && i < n; i++) {
		const cb_json *e = cb_json_at(events, i);
		const char *type = cb_json_get_str(e, "type");
		const cb_json *data = cb_json_get(e, "data");
		size_t dlen = 0;
		if (cb_json_type(e) != CB_JSON_OBJECT || !type_ok(type)) {
			cb_check_fail(c, cb_sprintf(req, "events[%zu].type", i), "invalid",
			              "type is a word of a-z, 0-9, _ and . (at most 50)");
			continue;
		}
		if (data && cb_json_type(data) != CB_JSON_NULL) {
			if (cb_json_type(data) != CB_JSON_OBJECT ||
			    (cb_json_dump(req, data, &dlen), dlen > EVENT_DATA_MAX)) {
				cb_check_fail(c, cb_sprintf(req, "events[%zu].data", i), "invalid",
				              "data is an object of at most %d bytes as JSON",
				              EVENT_DATA_MAX);
				continue;
			}
		}
		cb_json *row = cb_json_new_object(req);
		cb_json_set_str(row, "t", type);
		cb_json_set_str(row, "c", category(type));
		cb_json_set(row, "d",
		            data && cb_json_type(data) == CB_JSON_OBJECT ? (cb_json *)data
		                                                         : cb_json_new_object(req));
		cb_json_push(rows, row);
	}
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (visitor_limited(req, cb_sprintf(req, "events:%s", visitor_id(req, key_id)), 120, 60))
		return CB_OK;
	r = cb_db_q(req,
	            "INSERT INTO analytics_events (client_key_id, event_type, event_category, "
	            "event_data, session_id, user_identifier, user_agent) "
	            "SELECT $1, e->>'t', e->>'c', e->'d', $3, $4, left($5, 256) "
	            "FROM jsonb_array_elements($2::jsonb) AS e",
	            key_id, cb_json_dump(req, rows, NULL), sid, visitor_id(req, key_id), ua);
	if (!r)
		return CB_EDB;
	out = cb_json_new_object(req);
	cb_json_set_int(out, "accepted", cb_res_affected(r));
	return cb_reply_json(req, 202, out);
}
