/* reply.c — setting the response: body, headers, the one error shape. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core.h"

int cb_reply(cb_req *req, int status, const char *content_type, const void *body, size_t len)
{
	if (req->in_hook)
		return CB_ESTATE; /* a subscriber never replaces the emitter's reply */
	req->status = status;
	req->ctype = cb_strdup(req, content_type);
	req->out_body = body && len ? cb_strndup(req, body, len) : NULL;
	req->out_len = body ? len : 0;
	req->replied = 1;
	return CB_OK;
}

int cb_reply_json(cb_req *req, int status, const cb_json *body)
{
	if (req->in_hook)
		return CB_ESTATE;
	size_t len = 0;
	char *text = cb_json_dump(req, body, &len);
	if (!text)
		return reply_error_plain(req, 500, "internal_error", "The handler built no JSON");
	req->status = status;
	req->ctype = "application/json; charset=utf-8";
	req->out_body = text; /* already in the arena: no copy */
	req->out_len = len;
	req->replied = 1;
	return CB_OK;
}

int cb_reply_error_details(cb_req *req, int status, const char *code, const char *message,
			   cb_json *details)
{
	cb_json *err = cb_json_new_object(req);
	cb_json_set_str(err, "code", code ? code : "error");
	cb_json_set_str(err, "message", message ? message : "");
	cb_json_set(err, "details",
		    cb_json_type(details) == CB_JSON_ARRAY ? details : cb_json_new_array(req));
	cb_json *root = cb_json_new_object(req);
	cb_json_set(root, "error", err);
	return cb_reply_json(req, status, root);
}

int reply_error_plain(cb_req *req, int status, const char *code, const char *message)
{
	return cb_reply_error_details(req, status, code, message, NULL);
}

int cb_reply_error(cb_req *req, int status, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cb_reply_error_details(req, status, code, msg, NULL);
}

static int header_ok(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

int cb_add_header(cb_req *req, const char *name, const char *value)
{
	if (!header_ok(name) || !header_ok(value) || !*name || strchr(name, ':'))
		return CB_EINVAL;
	struct kv *h = cb_alloc(req, sizeof *h), **tail = &req->out_headers;
	while (*tail)
		tail = &(*tail)->next;
	h->name = cb_strdup(req, name);
	h->value = cb_strdup(req, value);
	*tail = h;
	return CB_OK;
}

int cb_set_header(cb_req *req, const char *name, const char *value)
{
	if (!header_ok(name) || !header_ok(value) || !*name || strchr(name, ':'))
		return CB_EINVAL;
	int done = 0;
	for (struct kv **h = &req->out_headers; *h;) {
		if (strcasecmp((*h)->name, name) == 0) {
			if (done) { /* drop later duplicates */
				*h = (*h)->next;
				continue;
			}
			(*h)->value = cb_strdup(req, value);
			done = 1;
		}
		h = &(*h)->next;
	}
	return done ? CB_OK : cb_add_header(req, name, value);
}

int cb_replied(cb_req *req)
{
	return req->replied;
}

static int has_header(cb_req *req, const char *name)
{
	for (struct kv *h = req->out_headers; h; h = h->next)
		if (strcasecmp(h->name, name) == 0)
			return 1;
	return 0;
}

/* Added at the end, so a plugin's own value (e.g. a landing page's CSP)
 * wins over the strict default. */
void reply_security_headers(cb_req *req)
{
	static const char *const defaults[][2] = {
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
		{"Referrer-Policy", "strict-origin-when-cross-origin"},
	};
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		if (!has_header(req, defaults[i][0]))
			cb_add_header(req, defaults[i][0], defaults[i][1]);
	if (req->id && !has_header(req, "X-Request-Id"))
		cb_add_header(req, "X-Request-Id", req->id);
}
