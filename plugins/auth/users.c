/* users.c — the users table: lookups, the public view of a user, emails. */
#include <string.h>

#include "auth.h"

cb_json *user_json(cb_req *req, const cb_res *res, int row)
{
	/* Only these columns leave the server: never password_hash. */
	static const char *const cols[] = {"id",           "email", "first_name", "last_name",
	                                   "company_name", "phone", "created_at", "last_login_at"};
	cb_json *u = cb_json_new_object(req);

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		cb_json_set_str(u, cols[i], cb_res_val(res, row, cols[i]));
	cb_json_set_str(u, "tier", cb_res_val(res, row, "subscription_tier"));
	cb_json_set_str(u, "subscription_status", cb_res_val(res, row, "subscription_status"));
	cb_json_set_str(u, "role", cb_res_val(res, row, "role"));
	return u;
}

cb_res *user_by_id(cb_req *req, const char *id)
{
	return cb_db_q(req, "SELECT " USER_COLS " FROM users WHERE id = $1 AND deleted_at IS NULL",
	               id);
}

cb_res *user_by_email(cb_req *req, const char *email)
{
	return cb_db_q(req,
	               "SELECT " USER_COLS " FROM users WHERE lower(email) = $1 "
	               "AND deleted_at IS NULL",
	               email);
}

/* A deliberately plain check: one "@", a local part, a dotted domain, no
 * spaces or control characters. Deliverability is for a confirmation mail. */
static int email_ok(const char *e, size_t n)
{
	const char *at = strchr(e, '@');
	const char *dom;

	if (n < 3 || n > 254 || !at || at == e || strchr(at + 1, '@') || at - e > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)e[i];
		if (c <= ' ' || c == 0x7f || c == '"' || c == '(' || c == ')' || c == ',' ||
		    c == ':' || c == ';' || c == '<' || c == '>' || c == '[' || c == ']' ||
		    c == '\\')
			return 0;
	}
	dom = at + 1;
	if (!*dom || dom[0] == '.' || dom[strlen(dom) - 1] == '.' || !strchr(dom, '.') ||
	    strstr(dom, "..") || dom[0] == '-')
		return 0;
	return e[0] != '.' && at[-1] != '.' && !strstr(e, "..");
}

char *email_normalize(cb_req *req, cb_check *c, const char *field, const char *email)
{
	size_t n = strlen(email);
	char *out;

	if (!email_ok(email, n)) {
		cb_check_fail(c, field, "invalid", "Not a valid email address");
		return NULL;
	}
	out = cb_strndup(req, email, n);
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return out;
}

void user_emit(cb_req *req, const char *event, const char *user_id, const char *email)
{
	cb_json *data = cb_json_new_object(req);

	cb_json_set_str(data, "user_id", user_id);
	cb_json_set_str(data, "email", email);
	cb_emit(req, event, data);
}

int reply_user_tokens(cb_req *req, int status, const cb_res *user, cb_json *tokens)
{
	cb_json *body = cb_json_new_object(req);

	cookie_take_refresh(req, tokens); /* the dashboard's cookie mode (cookie.c) */
	cb_json_set(body, "user", user_json(req, user, 0));
	cb_json_set(body, "tokens", tokens);
	return cb_reply_json(req, status, body);
}
