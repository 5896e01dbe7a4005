/* carbot/http.h — the request a handler serves and the response it gives.
 *
 * A handler runs on one of carbotd's handler threads, never on an event loop,
 * so it may block on the database, Redis or outbound HTTP. Everything it reads
 * from the request is borrowed and valid until the request ends; everything it
 * passes to a reply function is copied.
 *
 * A handler sets exactly one response (cb_reply*, cb_reply_json,
 * cb_reply_error, ...) and returns CB_OK. Returning a negative code without a
 * response makes the core answer 500 internal_error. A second reply replaces
 * the first.
 */
#ifndef CARBOT_HTTP_H
#define CARBOT_HTTP_H

#include <stddef.h>

typedef struct cb_req cb_req;
typedef struct cb_json cb_json;

/* ---- the request ---- */

/* Request method in upper case ("GET", "POST", ...). HEAD requests reach GET
 * routes and report "HEAD" here. */
const char *cb_req_method(cb_req *req);

/* Request path without the query string, percent-decoded. */
const char *cb_req_path(cb_req *req);

/* Value of the path parameter {name} of the matched route, percent-decoded;
 * NULL when the route has no such parameter. */
const char *cb_req_param(cb_req *req, const char *name);

/* First value of query parameter name, percent-decoded ("+" is a space);
 * NULL when absent. */
const char *cb_req_query(cb_req *req, const char *name);

/* First value of request header name (case-insensitive); NULL when absent. */
const char *cb_req_header(cb_req *req, const char *name);

/* Raw request body and its length (the body is also NUL-terminated, so text
 * can be read as a C string). Never NULL: an empty body is "". */
const char *cb_req_body(cb_req *req, size_t *len);

/* The body parsed as a JSON object. When the body is not a JSON object (wrong
 * Content-Type, malformed, too deep, not an object) the core has already set a
 * 400 or 415 error response and NULL is returned: the handler then just
 * returns CB_OK. Parsed once; later calls return the same tree. */
cb_json *cb_req_json(cb_req *req);

/* The request id (from a well-formed X-Request-Id header, or generated). It is
 * echoed in the response and appears in every log line of the request. */
const char *cb_req_id(cb_req *req);

/* The client's IP address as text. Behind a proxy listed in trusted_proxies,
 * taken from X-Forwarded-For. Never store it raw (GDPR): hash it. */
const char *cb_req_client_ip(cb_req *req);

/* The route pattern that matched ("GET /api/v1/client-keys/{id}"). */
const char *cb_req_route(cb_req *req);

/* Request-scoped attributes: authenticators set them (e.g. "user.id",
 * "user.tier", "key.id") and handlers read them. Both name and value are
 * copied. cb_req_get returns NULL when unset. */
int cb_req_set(cb_req *req, const char *name, const char *value);
const char *cb_req_get(cb_req *req, const char *name);

/* ---- the response ---- */

/* Sets the response: status, Content-Type (NULL for none) and body (copied;
 * body may be NULL when len is 0). Returns CB_OK. */
int cb_reply(cb_req *req, int status, const char *content_type, const void *body, size_t len);

/* Sets a JSON response (application/json; charset=utf-8). Returns CB_OK. */
int cb_reply_json(cb_req *req, int status, const cb_json *body);

/* Sets the one error shape:
 *   {"error":{"code":code,"message":message,"details":[]}}
 * code is a short machine word ("not_found"), the message is printf-formatted
 * for people. Returns CB_OK so a handler may `return cb_reply_error(...)`. */
int cb_reply_error(cb_req *req, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* As cb_reply_error, with details (a JSON array, may be NULL). */
int cb_reply_error_details(cb_req *req, int status, const char *code, const char *message,
			   cb_json *details);

/* Sets response header name to value, replacing an earlier value of the same
 * name. Security headers the core adds by default (X-Frame-Options,
 * Content-Security-Policy, Referrer-Policy, X-Content-Type-Options) may be
 * replaced this way. Returns CB_OK, or CB_EINVAL when the name is empty or
 * holds a ':', or name or value holds a CR or LF. */
int cb_set_header(cb_req *req, const char *name, const char *value);

/* Adds a header line even if one of that name exists (e.g. Set-Cookie, Vary).
 * Returns as cb_set_header. */
int cb_add_header(cb_req *req, const char *name, const char *value);

/* 1 when a response has been set, else 0. */
int cb_replied(cb_req *req);

/* ---- input checks that collect field-level details ----
 *
 * A cb_check gathers every problem of a JSON object at once, so one 400 tells
 * the client all that is wrong:
 *
 *   cb_check *c = cb_check_new(req, body);
 *   const char *domain = cb_check_str(c, "domain", CB_REQUIRED, 3, 255);
 *   long long limit = 0;
 *   cb_check_int(c, "usage_limit", CB_OPTIONAL, 100, 1000000, &limit);
 *   if (!cb_check_ok(c)) return cb_check_reply(c);
 *
 * Each detail is {"field":..., "issue":"missing"|"type"|"too_short"|
 * "too_long"|"range"|"invalid", "message":...}.
 */
typedef struct cb_check cb_check;

#define CB_OPTIONAL 0
#define CB_REQUIRED 1

/* Starts checking obj (may be NULL, then every required field is missing). */
cb_check *cb_check_new(cb_req *req, const cb_json *obj);

/* String field of min..max bytes (UTF-8 length in bytes). Returns the value,
 * or NULL when absent (recorded as missing if required) or invalid (recorded).
 * A JSON null counts as absent. */
const char *cb_check_str(cb_check *c, const char *field, int required, size_t min, size_t max);

/* Integer field within min..max. On success stores it in *out and returns 1;
 * returns 0 when absent (*out untouched) and -1 when invalid (recorded). */
int cb_check_int(cb_check *c, const char *field, int required, long long min, long long max,
		 long long *out);

/* Number field within min..max; returns as cb_check_int. */
int cb_check_num(cb_check *c, const char *field, int required, double min, double max,
		 double *out);

/* Boolean field; returns as cb_check_int. */
int cb_check_bool(cb_check *c, const char *field, int required, int *out);

/* Records a problem of the plugin's own finding (e.g. a regex miss). field may
 * name a nested path ("contact_info.phone"); issue is one of the words above. */
void cb_check_fail(cb_check *c, const char *field, const char *issue, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* 1 when nothing was recorded, else 0. */
int cb_check_ok(const cb_check *c);

/* Sets 400 validation_failed with all recorded details; returns CB_OK. */
int cb_check_reply(cb_check *c);

/* ---- since 1.6: query strings, pagination, text in characters ----
 *
 * The query checks read cb_req_query of the check's request and record their
 * problems in the same cb_check (and the same details shape) as the JSON
 * checks, so one 400 validation_failed names every bad parameter and field:
 *
 *   cb_check *c = cb_check_new(req, NULL);
 *   cb_page pg = CB_PAGE_INIT;
 *   cb_page_read(c, 20, 100, &pg);            // ?page=1..  &limit=1..100
 *   const char *k = cb_query_uuid(c, "key_id", CB_OPTIONAL);
 *   if (!cb_check_ok(c)) return cb_check_reply(c);
 *
 * A parameter given empty ("?active=") counts as given (and is invalid
 * unless a string of min 0). Each returns as cb_check_int (1 set, 0 absent,
 * -1 invalid) unless it says otherwise. */

/* Whole number (optional leading '-', at most 18 digits) within min..max. */
int cb_query_int(cb_check *c, const char *name, int required, long long min, long long max,
                 long long *out);

/* String of min..max characters (valid UTF-8); the value, or NULL when absent
 * or invalid. */
const char *cb_query_str(cb_check *c, const char *name, int required, size_t min, size_t max);

/* Exactly "true" or "false". */
int cb_query_bool(cb_check *c, const char *name, int required, int *out);

/* One of the NULL-terminated allowed words; stores the index. */
int cb_query_enum(cb_check *c, const char *name, int required, const char *const *allowed,
                  int *out);

/* A UUID in text form (lower-cased); the value, or NULL. */
const char *cb_query_uuid(cb_check *c, const char *name, int required);

/* Page-number pagination: ?page (1.., default 1) and ?limit (1..max_limit,
 * default def_limit, at most max_limit) into *out, with offset = (page - 1) * limit for SQL's
 * OFFSET. Grows at its end: initialise with CB_PAGE_INIT. Returns CB_OK or
 * CB_EINVAL (recorded in c). */
typedef struct cb_page {
	size_t size;
	long long page, limit, offset;
} cb_page;
#define CB_PAGE_INIT                                                                               \
	{                                                                                          \
		sizeof(cb_page), 1, 0, 0                                                           \
	}
int cb_page_read(cb_check *c, long long def_limit, long long max_limit, cb_page *out);

/* The spec's pagination object {"page", "limit", "total", "has_more"} for a
 * page of rows items out of total. */
cb_json *cb_page_json(cb_req *req, const cb_page *pg, long long total, long long rows);

/* String field of min..max characters (Unicode code points) and at most
 * max_bytes bytes (0: 4 * max); messages to end users say "characters".
 * Returns as cb_check_str. */
const char *cb_check_text(cb_check *c, const char *field, int required, size_t min, size_t max,
                          size_t max_bytes);

/* Characters (code points) of the NUL-terminated UTF-8 string s, or
 * (size_t)-1 when s is not valid UTF-8 (overlong forms and surrogates are
 * invalid). */
size_t cb_utf8_len(const char *s);

/* The one database-error reply: logs "WHAT: database error SQLSTATE: message"
 * and sets 503 unavailable with Retry-After: 1 when the database is
 * unreachable or exhausted (SQLSTATE classes 08, 53, 57P), else 500
 * internal_error. Returns CB_EDB with the reply set, so `return
 * cb_reply_db_error(req, "list keys");` works from a handler (the reply
 * stands), an authenticator (it refuses) and a helper (its caller sees the
 * failure). Returning CB_EDB from a handler without a reply answers the
 * same. */
int cb_reply_db_error(cb_req *req, const char *what);

#endif
