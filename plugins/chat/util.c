/* util.c — small helpers the owner APIs share: ids, ownership, cursors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"

int db_failed(cb_req *req, const char *what)
{
	cb_log(req, CB_LOG_ERROR, "%s failed: sqlstate %s", what, cb_db_sqlstate(req));
	return CB_EDB; /* the core answers 503 when the database is unreachable, else 500 */
}

int reply_not_found(cb_req *req)
{
	return cb_reply_error(req, 404, "not_found", "No such resource");
}

int own_key(cb_req *req, const char *id)
{
	cb_res *r;

	if (!cb_is_uuid(id)) {
		reply_not_found(req);
		return CB_ENOTFOUND;
	}
	r = cb_db_q(req, "SELECT 1 FROM client_keys WHERE id = $1 AND user_id = $2", id,
	            cb_req_get(req, "user.id"));
	if (!r) {
		cb_log(req, CB_LOG_ERROR, "load key failed: sqlstate %s", cb_db_sqlstate(req));
		return CB_EDB;
	}
	if (cb_res_rows(r) != 1) {
		reply_not_found(req);
		return CB_ENOTFOUND;
	}
	return CB_OK;
}

cb_json *json_text(cb_req *req, const char *text)
{
	cb_json *v = text ? cb_json_parse(req, text, strlen(text), NULL, 0) : NULL;

	return v ? v : cb_json_new_object(req);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The cursor is base64url of "<microseconds since epoch>.<uuid>". */
int reply_page(cb_req *req, const cb_res *r, long long limit, const char *name,
               cb_json *(*row)(cb_req *req, const cb_res *r, int i))
{
	cb_json *out = cb_json_new_object(req), *list = cb_json_new_array(req);
	int n = cb_res_rows(r);

	for (int i = 0; i < n && i < limit; i++)
		cb_json_push(list, row(req, r, i));
	cb_json_set(out, name, list);
	/* the query fetched limit + 1 rows: one more means there is a next page */
	if (n > limit)
		cb_json_set_str(out, "next_cursor",
		                cursor_encode(req, cb_res_val(r, (int)limit - 1, "us"),
		                              cb_res_val(r, (int)limit - 1, "id")));
	else
		cb_json_set_null(out, "next_cursor");
	return cb_reply_json(req, 200, out);
}

char *cursor_encode(cb_req *req, const char *us, const char *id)
{
	const char *raw = cb_sprintf(req, "%s.%s", us, id);
	size_t n = strlen(raw), o = 0;
	char *out = cb_alloc(req, n * 4 / 3 + 4);

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)raw[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)raw[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)raw[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = b64[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = b64[v & 63];
	}
	out[o] = '\0';
	return out;
}

int cursor_decode(cb_req *req, const char *cursor, const char **us, const char **id)
{
	size_t n = cursor ? strlen(cursor) : 0, o = 0;
	char *raw, *dot;
	unsigned v = 0;
	int bits = 0;

	if (n == 0 || n > 100)
		return CB_EINVAL;
	raw = cb_alloc(req, n + 1);
	for (size_t i = 0; i < n; i++) {
		const char *p = strchr(b64, cursor[i]);
		if (!p || !*p)
			return CB_EINVAL;
		v = (v << 6) | (unsigned)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			raw[o++] = (char)((v >> bits) & 0xFF);
		}
	}
	raw[o] = '\0';
	dot = strchr(raw, '.');
	if (!dot || dot == raw || dot - raw > 18 || !cb_is_uuid(dot + 1))
		return CB_EINVAL;
	for (char *p = raw; p < dot; p++)
		if (*p < '0' || *p > '9')
			return CB_EINVAL;
	*dot = '\0';
	*us = raw;
	*id = dot + 1;
	return CB_OK;
}

long long query_limit(cb_req *req, long long def)
{
	cb_check *c = cb_check_new(req, NULL); /* the SDK's parser; problems are dropped */
	long long v = def;

	return cb_query_int(c, "limit", CB_OPTIONAL, 1, 100, &v) < 0 ? -1 : v;
}
