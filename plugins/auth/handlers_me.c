/* handlers_me.c — GET and PATCH /api/v1/auth/me, POST /api/v1/auth/password.
 *
 * These act only on the user the access token names (its sub, set by the
 * bearer authenticator as "user.id"): there is no way to name another.
 */
#include <stdint.h>
#include <string.h>

#include "auth.h"

static int reply_user(cb_req *req, const cb_res *u)
{
	cb_json *body = cb_json_new_object(req);

	cb_json_set(body, "user", user_json(req, u, 0));
	return cb_reply_json(req, 200, body);
}

static int gone(cb_req *req)
{
	cb_db_rollback(req);
	return cb_reply_error(req, 401, "unauthorized", "This account no longer exists");
}

int h_me_get(cb_req *req)
{
	cb_res *u = user_by_id(req, cb_req_get(req, "user.id"));

	if (!u)
		return cb_reply_db_error(req, "me: load user");
	if (cb_res_rows(u) != 1)
		return gone(req);
	return reply_user(req, u);
}

int h_me_patch(cb_req *req)
{
	/* Not changeable here: email needs a confirmation flow, the tier is
	 * billing's, the role an operator's, the password has its endpoint. */
	static const char *const fixed[] = {
	    "email", "password", "tier", "subscription_tier", "role", "id", "subscription_status"};
	cb_json *body = cb_req_json(req);
	struct profile pf;
	cb_check *c;
	cb_res *u;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (cb_json_get(body, fixed[i]))
			cb_check_fail(c, fixed[i], "invalid", "%s cannot be changed with PATCH /me",
			              fixed[i]);
	profile_read(c, body, &pf);
	if (!cb_check_ok(c))
		return cb_check_reply(c);

	u = cb_db_q(req,
	            "UPDATE users SET "
	            "  first_name = CASE WHEN $2::boolean THEN $3 ELSE first_name END, "
	            "  last_name = CASE WHEN $4::boolean THEN $5 ELSE last_name END, "
	            "  company_name = CASE WHEN $6::boolean THEN $7 ELSE company_name END, "
	            "  phone = CASE WHEN $8::boolean THEN $9 ELSE phone END, "
	            "  updated_at = now() "
	            "WHERE id = $1 AND deleted_at IS NULL RETURNING " USER_COLS,
	            cb_req_get(req, "user.id"), pf.set[PF_FIRST_NAME] ? "t" : "f",
	            pf.val[PF_FIRST_NAME], pf.set[PF_LAST_NAME] ? "t" : "f", pf.val[PF_LAST_NAME],
	            pf.set[PF_COMPANY_NAME] ? "t" : "f", pf.val[PF_COMPANY_NAME],
	            pf.set[PF_PHONE] ? "t" : "f", pf.val[PF_PHONE]);
	if (!u)
		return cb_reply_db_error(req, "me: update");
	if (cb_res_rows(u) != 1)
		return gone(req);
	return reply_user(req, u);
}

int h_password(cb_req *req)
{
	cb_json *body = cb_req_json(req), *tokens;
	const char *user_id = cb_req_get(req, "user.id"), *email = cb_req_get(req, "user.email");
	const char *current, *next;
	char *hash;
	cb_check *c;
	cb_res *u;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	current = cb_check_str(c, "current_password", CB_REQUIRED, 1, SIZE_MAX);
	next = cb_check_str(c, "new_password", CB_REQUIRED, 0, SIZE_MAX);
	if (next)
		password_check_rules(c, "new_password", next, email);
	if (current && next && strcmp(current, next) == 0)
		cb_check_fail(c, "new_password", "invalid",
		              "The new password must differ from the current one");
	if (!cb_check_ok(c))
		return cb_check_reply(c);

	/* A stolen access token must not become a way to guess the password:
	 * failures count like failed logins. */
	if (login_blocked(req, email))
		return CB_OK;
	u = user_by_id(req, user_id);
	if (!u)
		return cb_reply_db_error(req, "password: load user");
	if (cb_res_rows(u) != 1)
		return gone(req);
	if (!password_verify(current, cb_res_val(u, 0, "password_hash"))) {
		login_failed(req, email);
		return cb_reply_error(req, 401, "invalid_credentials",
		                      "The current password is wrong");
	}
	hash = password_hash(req, next);
	if (!hash)
		return cb_reply_error(req, 500, "internal_error", "Something went wrong");

	/* Every other session ends: refresh tokens revoked, access tokens issued
	 * until now refused (sessions_valid_after). The caller gets a new pair. */
	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "password: begin");
	u = cb_db_q(
	    req,
	    "UPDATE users SET password_hash = $2, sessions_valid_after = now(), "
	    "  updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING " USER_COLS,
	    user_id, hash);
	if (!u)
		return cb_reply_db_error(req, "password: update");
	if (cb_res_rows(u) != 1)
		return gone(req);
	if (session_revoke_user(req, user_id) != CB_OK)
		return cb_reply_db_error(req, "password: revoke sessions");
	tokens = session_issue(req, user_id, email, cb_res_val(u, 0, "subscription_tier"),
	                       cb_res_val(u, 0, "role"), NULL, NULL, 0, NULL);
	if (!tokens)
		return cb_reply_db_error(req, "password: issue");
	user_emit(req, "user.password_changed", user_id, email);
	if (cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "password: commit");
	cb_log(req, CB_LOG_INFO, "user %s changed the password; other sessions revoked", user_id);
	return reply_user_tokens(req, 200, u, tokens);
}
