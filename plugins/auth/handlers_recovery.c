/* handlers_recovery.c — the account e-mail flows:
 *
 *   POST /api/v1/auth/verify-email          {token}            confirm the address
 *   GET  /api/v1/auth/verify-email          (bearer)           {email_verified, may_publish}
 *   POST /api/v1/auth/verify-email/resend   (bearer)           a new verification mail
 *   POST /api/v1/auth/forgot-password       {email}            202, whoever asks
 *   POST /api/v1/auth/reset-password        {token, password}  new password, every session ends
 *
 * The forgot endpoint does the same work for every address (two Redis
 * counts and one queued job): the job looks the address up, so neither the
 * answer nor its timing tells whether an account exists.
 */
#include <stdint.h>
#include <string.h>

#include "auth.h"
#include "recovery.h"

static int invalid_token(cb_req *req)
{
	return cb_reply_error(req, 400, "invalid_token",
	                      "This link is invalid, used or expired; ask for a new one");
}

static int reply_flag(cb_req *req, int status, const char *key, int val)
{
	cb_json *o = cb_json_new_object(req);
	cb_json_set_bool(o, key, val);
	return cb_reply_json(req, status, o);
}

int h_verify_email(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	const char *token;
	cb_check *c;
	cb_res *t, *u;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	token = cb_check_str(c, "token", CB_REQUIRED, 1, 128);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (cb_db_begin(req) != CB_OK)
		return reply_db_error(req, "verify: begin");
	t = recovery_token_take(req, TOKEN_VERIFY, token, 0);
	if (!t)
		return reply_db_error(req, "verify: take token");
	if (cb_res_rows(t) != 1) {
		cb_db_rollback(req);
		return invalid_token(req);
	}
	/* the account must still have the address the mail went to */
	u = cb_db_q(req,
	            "UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()), "
	            "updated_at = now() WHERE id = $1 AND email = $2 AND deleted_at IS NULL "
	            "RETURNING id",
	            cb_res_val(t, 0, "user_id"), cb_res_val(t, 0, "email"));
	if (!u)
		return reply_db_error(req, "verify: update user");
	if (cb_res_rows(u) != 1) {
		cb_db_rollback(req);
		return invalid_token(req);
	}
	user_emit(req, "user.email_verified", cb_res_val(t, 0, "user_id"),
	          cb_res_val(t, 0, "email"));
	if (cb_db_commit(req) != CB_OK)
		return reply_db_error(req, "verify: commit");
	cb_log(req, CB_LOG_INFO, "user %s verified the e-mail address",
	       cb_res_val(t, 0, "user_id"));
	return reply_flag(req, 200, "email_verified", 1);
}

int h_verify_status(cb_req *req)
{
	cb_res *r = cb_db_q(req,
	                    "SELECT email_verified_at IS NOT NULL AS v FROM users "
	                    "WHERE id = $1 AND deleted_at IS NULL",
	                    cb_req_get(req, "user.id"));
	if (!r)
		return reply_db_error(req, "verify status");
	if (cb_res_rows(r) != 1)
		return cb_reply_error(req, 401, "invalid_token", "The account no longer exists");
	int v = cb_res_bool(r, 0, "v");
	cb_json *o = cb_json_new_object(req);
	cb_json_set_bool(o, "email_verified", v);
	/* the dashboard shows a banner while this is true and v is false */
	cb_json_set_bool(o, "may_publish", v || recovery_cf.unverified_may_publish);
	return cb_reply_json(req, 200, o);
}

/* A fixed window per hashed key; 1 (with 429 set) when over the limit. */
static int limited(cb_req *req, const char *what, const char *who, long long limit, int reply)
{
	cb_rate r = CB_RATE_INIT;
	const char *key = cb_sprintf(req, "auth:%s:%s", what, cb_sha256_hex(req, who, strlen(who)));

	cb_ratelimit(req, key, limit, recovery_cf.forgot_window, 0, 1, &r);
	if (r.allowed)
		return 0;
	if (reply)
		cb_ratelimit_reply(req, &r);
	return 1;
}

int h_verify_resend(cb_req *req)
{
	const char *id = cb_req_get(req, "user.id");
	cb_res *u;

	u = cb_db_q(req,
	            "SELECT email, email_verified_at IS NOT NULL AS v FROM users "
	            "WHERE id = $1 AND deleted_at IS NULL",
	            id);
	if (!u)
		return reply_db_error(req, "resend: load user");
	if (cb_res_rows(u) != 1)
		return cb_reply_error(req, 401, "invalid_token", "The account no longer exists");
	if (cb_res_bool(u, 0, "v"))
		return cb_reply_error(req, 409, "already_verified",
		                      "The address is confirmed already");
	if (limited(req, "resend", id, recovery_cf.resend_per_user, 1))
		return CB_OK;
	if (cb_db_begin(req) != CB_OK ||
	    recovery_token_issue(req, TOKEN_VERIFY, id, cb_res_val(u, 0, "email")) != CB_OK ||
	    cb_db_commit(req) != CB_OK)
		return reply_db_error(req, "resend");
	return reply_flag(req, 202, "sent", 1);
}

int h_forgot_password(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	const char *email_in, *ip = cb_req_client_ip(req);
	char *email;
	cb_check *c;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	email_in = cb_check_str(c, "email", CB_REQUIRED, 3, 254);
	email = email_in ? email_normalize(req, c, "email", email_in) : NULL;
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (limited(req, "forgot:ip", ip ? ip : "", recovery_cf.forgot_per_ip, 1))
		return CB_OK;
	/* Over the per-address limit the answer stays the same; only no mail
	 * goes out (no mail bombing of one inbox). */
	if (!limited(req, "forgot:email", email, recovery_cf.forgot_per_email, 0)) {
		cb_json *p = cb_json_new_object(req);
		cb_json_set_str(p, "email", email);
		if (cb_job_enqueue(req, "auth.forgot", p, 0, NULL) != CB_OK)
			return reply_db_error(req, "forgot: enqueue");
	}
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(
	    o, "message",
	    "If an account uses this address, a link to reset its password is on its way");
	return cb_reply_json(req, 202, o);
}

int h_reset_password(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	const char *token, *password, *user_id;
	char *hash;
	cb_check *c;
	cb_res *t, *u;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	token = cb_check_str(c, "token", CB_REQUIRED, 1, 128);
	password = cb_check_str(c, "password", CB_REQUIRED, 0, SIZE_MAX);
	if (!cb_check_ok(c))
		return cb_check_reply(c);

	/* look first (no lock while bcrypt runs), consume below */
	t = recovery_token_take(req, TOKEN_RESET, token, 1);
	if (!t)
		return reply_db_error(req, "reset: look up token");
	if (cb_res_rows(t) != 1)
		return invalid_token(req);
	user_id = cb_res_val(t, 0, "user_id");
	c = cb_check_new(req, body);
	password_check_rules(c, "password", password, cb_res_val(t, 0, "user_email"));
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	hash = password_hash(req, password);
	if (!hash)
		return cb_reply_error(req, 500, "internal_error", "Something went wrong");

	if (cb_db_begin(req) != CB_OK)
		return reply_db_error(req, "reset: begin");
	t = recovery_token_take(req, TOKEN_RESET, token, 0);
	if (!t)
		return reply_db_error(req, "reset: take token");
	if (cb_res_rows(t) != 1) { /* used by a concurrent request meanwhile */
		cb_db_rollback(req);
		return invalid_token(req);
	}
	/* The mail reached the address: that confirms it too. Access tokens
	 * issued until now are refused (sessions_valid_after). */
	u = cb_db_q(req,
	            "UPDATE users SET password_hash = $2, sessions_valid_after = now(), "
	            "email_verified_at = CASE WHEN email = $3 "
	            "  THEN COALESCE(email_verified_at, now()) ELSE email_verified_at END, "
	            "updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING email",
	            user_id, hash, cb_res_val(t, 0, "email"));
	if (!u)
		return reply_db_error(req, "reset: update user");
	if (cb_res_rows(u) != 1) {
		cb_db_rollback(req);
		return invalid_token(req);
	}
	if (session_revoke_user(req, user_id) != CB_OK)
		return reply_db_error(req, "reset: revoke sessions");
	user_emit(req, "user.password_changed", user_id, cb_res_val(u, 0, "email"));
	if (cb_db_commit(req) != CB_OK)
		return reply_db_error(req, "reset: commit");
	cb_log(req, CB_LOG_INFO, "user %s reset the password; every session revoked", user_id);
	return reply_flag(req, 200, "password_reset", 1);
}
