/* stripe.c — Stripe's REST API through cb_fetch: form-encoded requests
 * (a[b][0]=v, as Stripe expects), the secret key as a bearer token (never
 * logged), an Idempotency-Key where a retry must not create twice, and one
 * mapping of failures: no answer, a timeout, 429 or 5xx is "Stripe is
 * unavailable" (502 payment_provider_unavailable for a client; a retry for a
 * job), a 4xx is a refusal with Stripe's error object. */
#include <string.h>

#include "billing.h"

#define STRIPE_VERSION "2024-06-20"

struct form {
	cb_req *req;
	char *buf;
	size_t len, cap;
};

struct form *form_new(cb_req *req)
{
	struct form *f = cb_alloc(req, sizeof *f);
	f->req = req;
	f->cap = 256;
	f->buf = cb_alloc(req, f->cap);
	return f;
}

static void put(struct form *f, const char *s, size_t n)
{
	if (f->len + n + 1 > f->cap) {
		size_t cap = (f->len + n + 1) * 2;
		char *b = cb_alloc(f->req, cap);
		memcpy(b, f->buf, f->len);
		f->buf = b;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	f->buf[f->len] = 0;
}

/* Percent-encodes everything but unreserved characters; brackets in keys are
 * kept as Stripe's own libraries send them. */
static void put_enc(struct form *f, const char *s, int key)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' ||
		    (key && (c == '[' || c == ']'))) {
			put(f, (const char *)&c, 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			put(f, e, 3);
		}
	}
}

void form_add(struct form *f, const char *key, const char *value)
{
	if (!value)
		return;
	if (f->len)
		put(f, "&", 1);
	put_enc(f, key, 1);
	put(f, "=", 1);
	put_enc(f, value, 0);
}

int stripe_call(cb_req *req, const char *method, const char *path, struct form *f,
                const char *idempotency_key, cb_json **out)
{
	cb_fetch_opts o = CB_FETCH_INIT;
	cb_fetch_res res = CB_FETCH_RES_INIT;
	const char *headers[5];
	int h = 0, get = strcmp(method, "GET") == 0;
	cb_json *j;

	*out = NULL;
	if (!*bl_cf.api_key || !*bl_cf.api_base)
		return STRIPE_UNCONFIGURED;
	headers[h++] = cb_sprintf(req, "Authorization: Bearer %s", bl_cf.api_key);
	headers[h++] = "Stripe-Version: " STRIPE_VERSION;
	if (!get)
		headers[h++] = "Content-Type: application/x-www-form-urlencoded";
	if (idempotency_key && !get)
		headers[h++] = cb_sprintf(req, "Idempotency-Key: %s", idempotency_key);
	headers[h] = NULL;
	o.method = method;
	o.url = get && f && f->len ? cb_sprintf(req, "%s%s?%s", bl_cf.api_base, path, f->buf)
	                           : cb_sprintf(req, "%s%s", bl_cf.api_base, path);
	o.headers = headers;
	if (!get) {
		o.body = f && f->len ? f->buf : "";
		o.body_len = f ? f->len : 0;
	}
	o.timeout_ms = (long)bl_cf.timeout_ms;
	o.connect_timeout_ms = (long)bl_cf.connect_timeout_ms;
	o.max_bytes = 2 * 1024 * 1024;

	int rc = cb_fetch(req, &o, &res);
	if (rc != CB_OK) {
		cb_log(req, CB_LOG_WARN, "stripe %s %s: no answer (%s)", method, path,
		       cb_strerror(rc));
		return STRIPE_DOWN;
	}
	j = cb_json_parse(req, res.body, res.body_len, NULL, 0);
	if (res.status == 429 || res.status >= 500 || cb_json_type(j) != CB_JSON_OBJECT) {
		cb_log(req, CB_LOG_WARN, "stripe %s %s: status %ld", method, path, res.status);
		return STRIPE_DOWN;
	}
	if (res.status >= 400 || res.status < 200) {
		cb_json *e = cb_json_get(j, "error");
		cb_log(req, CB_LOG_WARN, "stripe %s %s: status %ld, %s: %s", method, path,
		       res.status, cb_json_get_str(e, "type") ? cb_json_get_str(e, "type") : "?",
		       cb_json_get_str(e, "code") ? cb_json_get_str(e, "code") : "-");
		*out = e;
		return STRIPE_REFUSED;
	}
	*out = j;
	return STRIPE_OK;
}

int stripe_reply_error(cb_req *req, int rc)
{
	if (rc == STRIPE_UNCONFIGURED)
		return cb_reply_error(req, 503, "payment_provider_unconfigured",
		                      "Payments are not set up on this server");
	if (rc == STRIPE_REFUSED)
		return cb_reply_error(req, 502, "payment_provider_error",
		                      "The payment provider refused the request");
	if (rc == CB_EDB)
		return CB_EDB;
	return cb_reply_error(req, 502, "payment_provider_unavailable",
	                      "The payment provider cannot be reached; nothing was changed, "
	                      "try again shortly");
}
