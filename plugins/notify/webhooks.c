/* webhooks.c — the owner's endpoints: /api/v1/webhooks CRUD, the test
 * event, and the delivery log. The signing secret is returned once, by the
 * create call. */
#include <arpa/inet.h>
#include <string.h>

#include "notify.h"

#define MAX_WEBHOOKS 20

const char *const webhook_events[] = {"lead.created",         "lead.updated",
                                      "conversation.ended",   "page.published",
                                      "subscription.changed", NULL};

#define HOOK_COLS                                                                                  \
	"id, url, array_to_json(events)::text AS events, active, "                                 \
	"to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at, " \
	"to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS updated_at"

#define UTC_TS(c)      "to_char(" c " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS " c
#define DELIVERY_TIMES UTC_TS("next_retry_at") ", " UTC_TS("created_at") ", " UTC_TS("delivered_at")

static cb_json *hook_json(cb_req *req, const cb_res *r, int i)
{
	const char *ev = cb_res_val(r, i, "events");
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "id", cb_res_val(r, i, "id"));
	cb_json_set_str(o, "url", cb_res_val(r, i, "url"));
	cb_json_set(o, "events", cb_json_parse(req, ev, strlen(ev), NULL, 0));
	cb_json_set_bool(o, "active", cb_res_bool(r, i, "active"));
	cb_json_set_str(o, "created_at", cb_res_val(r, i, "created_at"));
	cb_json_set_str(o, "updated_at", cb_res_val(r, i, "updated_at"));
	return o;
}

static int v4_private(const unsigned char *a)
{
	return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
	       (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
	       (a[0] == 100 && (a[1] & 0xc0) == 64) || a[0] >= 224;
}

int url_is_private_literal(const char *url, int *is_loopback)
{
	const char *h = strstr(url, "://");
	char host[256];
	size_t n;
	unsigned char a[16];

	*is_loopback = 0;
	if (!h)
		return 0;
	h += 3;
	if (*h == '[') {
		const char *e = strchr(h, ']');
		n = e ? (size_t)(e - h - 1) : 0;
		if (!n || n >= sizeof host)
			return 0;
		memcpy(host, h + 1, n);
		host[n] = '\0';
		if (inet_pton(AF_INET6, host, a) != 1)
			return 0;
		static const unsigned char lo[16] = {[15] = 1};
		if (memcmp(a, lo, 16) == 0) {
			*is_loopback = 1;
			return 1;
		}
		static const unsigned char v4map[12] = {[10] = 0xff, [11] = 0xff};
		if (memcmp(a, v4map, 12) == 0) {
			*is_loopback = a[12] == 127;
			return v4_private(a + 12);
		}
		return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
		       a[0] == 0xff || memcmp(a, (const unsigned char[16]){0}, 16) == 0;
	}
	n = strcspn(h, ":/?#");
	if (n >= sizeof host)
		return 0;
	memcpy(host, h, n);
	host[n] = '\0';
	if (strcmp(host, "localhost") == 0)
		return 1; /* a name, not a literal: never allowed */
	if (inet_pton(AF_INET, host, a) != 1)
		return 0;
	*is_loopback = a[0] == 127;
	return v4_private(a);
}

/* Checks url (scheme, host, no credentials, public) into c. */
static void check_url(cb_check *c, const char *url)
{
	int lo = 0;
	const char *h;

	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) {
		cb_check_fail(c, "url", "invalid", "An http:// or https:// URL");
		return;
	}
	h = strstr(url, "://") + 3;
	size_t hn = strcspn(h, "/?#");
	if (hn == 0 || memchr(h, '@', hn) || strpbrk(url, " \t\r\n\"<>\\")) {
		cb_check_fail(c, "url", "invalid", "A URL with a host and without credentials");
		return;
	}
	if (url_is_private_literal(url, &lo) && !(lo && notify_cf.webhook_allow_loopback))
		cb_check_fail(c, "url", "not_public",
		              "Webhooks go to public addresses only, not to private networks");
}

/* The events field: a non-empty array of known events without repeats, as
 * JSON text; NULL after recording a problem. */
static const char *check_events(cb_req *req, cb_check *c, const cb_json *v)
{
	if (cb_json_type(v) != CB_JSON_ARRAY || cb_json_len(v) == 0) {
		cb_check_fail(c, "events", "invalid", "A non-empty array of event names");
		return NULL;
	}
	cb_json *out = cb_json_new_array(req);
	for (size_t i = 0; i < cb_json_len(v); i++) {
		const char *e = cb_json_str(cb_json_at(v, i));
		int known = 0;
		for (size_t k = 0; e && webhook_events[k]; k++)
			known |= strcmp(e, webhook_events[k]) == 0;
		for (size_t k = 0; known && k < i; k++)
			if (strcmp(e, cb_json_str(cb_json_at(v, k))) == 0)
				known = 0;
		if (!known) {
			cb_check_fail(c, "events", "invalid", "Unknown or repeated event #%zu",
			              i + 1);
			return NULL;
		}
		cb_json_push(out, cb_json_new_str(req, e));
	}
	return cb_json_dump(req, out, NULL);
}

static cb_res *own_hook(cb_req *req)
{
	const char *id = cb_req_param(req, "id");
	if (!cb_is_uuid(id)) {
		cb_reply_error(req, 404, "not_found", "No such webhook");
		return NULL;
	}
	cb_res *r = cb_db_q(req,
	                    "SELECT " HOOK_COLS " FROM notify_webhooks WHERE id = $1 "
	                    "AND user_id = $2",
	                    id, cb_req_get(req, "user.id"));
	if (r && cb_res_rows(r) != 1) {
		cb_reply_error(req, 404, "not_found", "No such webhook");
		return NULL;
	}
	return r;
}

int h_webhook_create(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	const char *user_id = cb_req_get(req, "user.id"), *url, *events = NULL;
	int active = 1;
	cb_check *c;
	cb_res *r;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	url = cb_check_str(c, "url", CB_REQUIRED, 10, 2048);
	if (url)
		check_url(c, url);
	if (!cb_json_get(body, "events"))
		cb_check_fail(c, "events", "missing", "events is required");
	else
		events = check_events(req, c, cb_json_get(body, "events"));
	cb_check_bool(c, "active", CB_OPTIONAL, &active);
	if (!cb_check_ok(c))
		return cb_check_reply(c);

	const char *secret = cb_sprintf(req, "whsec_%s", cb_random_hex(req, 24));
	/* the count and the insert in one statement, serialised per owner */
	if (cb_db_begin(req) != CB_OK ||
	    !cb_db_q(req, "SELECT pg_advisory_xact_lock(hashtext('notify_webhooks:' || $1))",
	             user_id))
		return CB_EDB;
	r = cb_db_q(
	    req,
	    "INSERT INTO notify_webhooks (user_id, url, events, active, secret) "
	    "SELECT $1, $2, ARRAY(SELECT json_array_elements_text($3::json)), $4::boolean, $5 "
	    "WHERE (SELECT count(*) FROM notify_webhooks WHERE user_id = $1) < $6::int "
	    "RETURNING " HOOK_COLS,
	    user_id, url, events, active ? "true" : "false", secret,
	    cb_sprintf(req, "%d", MAX_WEBHOOKS));
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) != 1) {
		cb_db_rollback(req);
		return cb_reply_error(req, 409, "too_many_webhooks", "At most %d webhooks",
		                      MAX_WEBHOOKS);
	}
	if (cb_db_commit(req) != CB_OK)
		return CB_EDB;
	cb_json *o = hook_json(req, r, 0);
	cb_json_set_str(o, "secret", secret); /* shown this once */
	return cb_reply_json(req, 201, o);
}

int h_webhook_list(cb_req *req)
{
	cb_res *r = cb_db_q(req,
	                    "SELECT " HOOK_COLS " FROM notify_webhooks WHERE user_id = $1 "
	                    "ORDER BY created_at, id",
	                    cb_req_get(req, "user.id"));
	if (!r)
		return CB_EDB;
	cb_json *arr = cb_json_new_array(req), *o = cb_json_new_object(req);
	for (int i = 0; i < cb_res_rows(r); i++)
		cb_json_push(arr, hook_json(req, r, i));
	cb_json_set(o, "webhooks", arr);
	return cb_reply_json(req, 200, o);
}

int h_webhook_get(cb_req *req)
{
	cb_res *r = own_hook(req);
	if (!r)
		return cb_replied(req) ? CB_OK : CB_EDB;
	return cb_reply_json(req, 200, hook_json(req, r, 0));
}

int h_webhook_patch(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	const char *url, *events = NULL;
	int active = -1;
	cb_check *c;
	cb_res *r;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	url = cb_check_str(c, "url", CB_OPTIONAL, 10, 2048);
	if (url)
		check_url(c, url);
	if (cb_json_get(body, "events"))
		events = check_events(req, c, cb_json_get(body, "events"));
	cb_check_bool(c, "active", CB_OPTIONAL, &active);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (!cb_is_uuid(cb_req_param(req, "id")))
		return cb_reply_error(req, 404, "not_found", "No such webhook");
	r = cb_db_q(req,
	            "UPDATE notify_webhooks SET url = COALESCE($3, url), "
	            "events = CASE WHEN $4::json IS NULL THEN events "
	            "  ELSE ARRAY(SELECT json_array_elements_text($4::json)) END, "
	            "active = COALESCE($5::boolean, active), updated_at = now() "
	            "WHERE id = $1 AND user_id = $2 RETURNING " HOOK_COLS,
	            cb_req_param(req, "id"), cb_req_get(req, "user.id"), url, events,
	            active < 0 ? NULL
	            : active   ? "true"
	                       : "false");
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) != 1)
		return cb_reply_error(req, 404, "not_found", "No such webhook");
	return cb_reply_json(req, 200, hook_json(req, r, 0));
}

int h_webhook_delete(cb_req *req)
{
	if (!cb_is_uuid(cb_req_param(req, "id")))
		return cb_reply_error(req, 404, "not_found", "No such webhook");
	cb_res *r = cb_db_q(req, "DELETE FROM notify_webhooks WHERE id = $1 AND user_id = $2",
	                    cb_req_param(req, "id"), cb_req_get(req, "user.id"));
	if (!r)
		return CB_EDB;
	if (cb_res_affected(r) != 1)
		return cb_reply_error(req, 404, "not_found", "No such webhook");
	return cb_reply(req, 204, NULL, NULL, 0);
}

/* POST /api/v1/webhooks/{id}/test: a "webhook.test" delivery, whatever the
 * endpoint subscribed to. */
int h_webhook_test(cb_req *req)
{
	cb_res *r = own_hook(req);
	const char *delivery = NULL;
	if (!r)
		return cb_replied(req) ? CB_OK : CB_EDB;
	cb_json *d = cb_json_new_object(req);
	cb_json_set_str(d, "message", "A test event from CarBot");
	cb_json_set_str(d, "webhook_id", cb_res_val(r, 0, "id"));
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	int rc = webhook_queue(req, cb_res_val(r, 0, "id"), "webhook.test", d, &delivery);
	if (rc != CB_OK || cb_db_commit(req) != CB_OK)
		return CB_EDB;
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "delivery_id", delivery);
	return cb_reply_json(req, 202, o);
}

int h_webhook_deliveries(cb_req *req)
{
	cb_res *h = own_hook(req);
	if (!h)
		return cb_replied(req) ? CB_OK : CB_EDB;
	cb_res *r = cb_db_q(req,
	                    "SELECT id, event, status, attempts, response_code, duration_ms, "
	                    "last_error, " DELIVERY_TIMES " FROM notify_deliveries "
	                    "WHERE webhook_id = $1 ORDER BY created_at DESC, id LIMIT 100",
	                    cb_res_val(h, 0, "id"));
	if (!r)
		return CB_EDB;
	cb_json *arr = cb_json_new_array(req), *o = cb_json_new_object(req);
	for (int i = 0; i < cb_res_rows(r); i++) {
		cb_json *d = cb_json_new_object(req);
		static const char *const s[] = {"id",          "event",         "status",
		                                "last_error",  "next_retry_at", "created_at",
		                                "delivered_at"};
		for (size_t k = 0; k < CB_COUNT(s); k++)
			cb_json_set_str(d, s[k], cb_res_val(r, i, s[k]));
		cb_json_set_int(d, "attempts", cb_res_int(r, i, "attempts"));
		if (cb_res_val(r, i, "response_code"))
			cb_json_set_int(d, "response_code", cb_res_int(r, i, "response_code"));
		else
			cb_json_set_null(d, "response_code");
		if (cb_res_val(r, i, "duration_ms"))
			cb_json_set_int(d, "duration_ms", cb_res_int(r, i, "duration_ms"));
		else
			cb_json_set_null(d, "duration_ms");
		cb_json_push(arr, d);
	}
	cb_json_set(o, "deliveries", arr);
	return cb_reply_json(req, 200, o);
}
