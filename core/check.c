/* check.c — field checks that gather every problem of a JSON body, so one
 * 400 tells the client all that is wrong (http.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "core.h"

cb_check *cb_check_new(cb_req *req, const cb_json *obj)
{
	cb_check *c = cb_alloc(req, sizeof *c);
	c->req = req;
	c->obj = obj;
	c->details = cb_json_new_array(req);
	return c;
}

void cb_check_fail(cb_check *c, const char *field, const char *issue, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cb_json *d = cb_json_new_object(c->req);
	cb_json_set_str(d, "field", field);
	cb_json_set_str(d, "issue", issue);
	cb_json_set_str(d, "message", msg);
	cb_json_push(c->details, d);
}

/* The field's value, or NULL when absent or JSON null (recorded as missing
 * when required). */
static const cb_json *present(cb_check *c, const char *field, int required)
{
	const cb_json *v = cb_json_get(c->obj, field);
	if (cb_json_type(v) == CB_JSON_NONE || cb_json_type(v) == CB_JSON_NULL) {
		if (required)
			cb_check_fail(c, field, "missing", "%s is required", field);
		return NULL;
	}
	return v;
}

const char *cb_check_str(cb_check *c, const char *field, int required, size_t min, size_t max)
{
	const cb_json *v = present(c, field, required);
	if (!v)
		return NULL;
	if (cb_json_type(v) != CB_JSON_STRING) {
		cb_check_fail(c, field, "type", "%s must be a string", field);
		return NULL;
	}
	size_t n = cb_json_strlen(v);
	if (n < min) {
		cb_check_fail(c, field, "too_short", "%s must be at least %zu bytes", field, min);
		return NULL;
	}
	if (n > max) {
		cb_check_fail(c, field, "too_long", "%s must be at most %zu bytes", field, max);
		return NULL;
	}
	return cb_json_str(v);
}

int cb_check_int(cb_check *c, const char *field, int required, long long min, long long max,
		 long long *out)
{
	const cb_json *v = present(c, field, required);
	if (!v)
		return 0;
	long long x;
	if (cb_json_int(v, &x) != CB_OK) {
		cb_check_fail(c, field, "type", "%s must be an integer", field);
		return -1;
	}
	if (x < min || x > max) {
		cb_check_fail(c, field, "range", "%s must be between %lld and %lld", field, min, max);
		return -1;
	}
	*out = x;
	return 1;
}

int cb_check_num(cb_check *c, const char *field, int required, double min, double max,
		 double *out)
{
	const cb_json *v = present(c, field, required);
	if (!v)
		return 0;
	double x;
	if (cb_json_num(v, &x) != CB_OK || !isfinite(x)) {
		cb_check_fail(c, field, "type", "%s must be a number", field);
		return -1;
	}
	if (x < min || x > max) {
		cb_check_fail(c, field, "range", "%s must be between %g and %g", field, min, max);
		return -1;
	}
	*out = x;
	return 1;
}

int cb_check_bool(cb_check *c, const char *field, int required, int *out)
{
	const cb_json *v = present(c, field, required);
	if (!v)
		return 0;
	if (cb_json_bool(v, out) != CB_OK) {
		cb_check_fail(c, field, "type", "%s must be true or false", field);
		return -1;
	}
	return 1;
}

int cb_check_ok(const cb_check *c)
{
	return cb_json_len(c->details) == 0;
}

int cb_check_reply(cb_check *c)
{
	return cb_reply_error_details(c->req, 400, "validation_failed",
				      "Some fields are missing or invalid", c->details);
}
