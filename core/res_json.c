/* res_json.c — result rows as JSON and numeric getters that tell NULL from
 * 0 (db.h, since 1.6). Instants become the API's one timestamp form,
 * ISO 8601 UTC with seconds, whatever the connection's TimeZone. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

enum {
	OID_BOOL = 16,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_JSON = 114,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_TIMESTAMP = 1114,
	OID_TIMESTAMPTZ = 1184,
	OID_NUMERIC = 1700,
	OID_JSONB = 3802,
};

/* "2026-12-04 10:30:00.123+01" (DateStyle ISO) -> "2026-12-04T09:30:00Z";
 * NULL when s has another form (infinity, BC dates): kept as text. */
static char *iso_utc(cb_req *req, const char *s)
{
	struct tm tm = {0};
	int used = 0;
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	           &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6 ||
	    used != 19)
		return NULL;
	const char *p = s + used;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	long off = 0;
	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, h = 0, m = 0, sec = 0;
		if (sscanf(p + 1, "%2d:%2d:%2d", &h, &m, &sec) < 1)
			return NULL;
		off = sign * (h * 3600L + m * 60L + sec);
	} else if (*p) {
		return NULL;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm) - off;
	struct tm u;
	char out[32];
	if (!gmtime_r(&t, &u) || !strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &u))
		return NULL;
	return cb_strdup(req, out);
}

static cb_json *value_json(cb_req *req, unsigned type, const char *v)
{
	long long i;
	double d;
	switch (type) {
	case OID_BOOL:
		return cb_json_new_bool(req, v[0] == 't');
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
		i = strtoll(v, NULL, 10);
		return cb_json_new_int(req, i);
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		d = strtod(v, NULL);
		return isfinite(d) ? cb_json_new_num(req, d) : cb_json_new_null(req);
	case OID_JSON:
	case OID_JSONB: {
		cb_json *j = cb_json_parse(req, v, strlen(v), NULL, 0);
		return j ? j : cb_json_new_str(req, v);
	}
	case OID_TIMESTAMP:
	case OID_TIMESTAMPTZ: {
		char *iso = iso_utc(req, v);
		return cb_json_new_str(req, iso ? iso : v);
	}
	default:
		return cb_json_new_str(req, v);
	}
}

cb_json *cb_res_json(cb_req *req, const cb_res *res, int row)
{
	if (!res || row < 0 || row >= cb_res_rows(res))
		return NULL;
	cb_json *o = cb_json_new_object(req);
	for (int c = 0; c < cb_res_cols(res); c++) {
		const char *v = cb_res_get(res, row, c);
		cb_json_set(o, db_res_name(res, c),
		            v ? value_json(req, db_res_type(res, c), v) : cb_json_new_null(req));
	}
	return o;
}

int cb_res_int_ok(const cb_res *res, int row, const char *name, long long *out)
{
	const char *v = cb_res_val(res, row, name);
	char *end;
	if (!v)
		return CB_ENOTFOUND;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (end == v || *end || errno == ERANGE)
		return CB_EINVAL;
	*out = x;
	return CB_OK;
}

int cb_res_num_ok(const cb_res *res, int row, const char *name, double *out)
{
	const char *v = cb_res_val(res, row, name);
	char *end;
	if (!v)
		return CB_ENOTFOUND;
	double x = strtod(v, &end);
	if (end == v || *end || !isfinite(x))
		return CB_EINVAL;
	*out = x;
	return CB_OK;
}
