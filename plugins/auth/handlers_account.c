/* handlers_account.c — POST /api/v1/auth/register and /login. */
#include <stdint.h>
#include <string.h>

#include "auth.h"

/* Starts a session for user row 0 of u inside the open transaction, emits
 * event, commits and replies {user, tokens} with status. */
static int finish_sign_in(cb_req *req, const cb_res *u, int remember, const char *event, int status)
{
	const char *id = cb_res_val(u, 0, "id"), *email = cb_res_val(u, 0, "email");
	cb_json *tokens;
	int registered = strcmp(event, "user.registered") == 0;

	if (registered) {
		/* subscribers may set the new account's tier in this transaction
		 * (billing starts a premium trial): the response and the access
		 * token show the row as they left it */
		user_emit(req, event, id, email);
		u = user_by_id(req, id);
		if (!u || cb_res_rows(u) != 1)
			return cb_reply_db_error(req, "register: reload user");
	}
	tokens = session_issue(req, id, email, cb_res_val(u, 0, "subscription_tier"),
	                       cb_res_val(u, 0, "role"), NULL, NULL, remember, NULL);
	if (!tokens)
		return cb_reply_db_error(req, "issue session");
	if (!registered)
		user_emit(req, event, id, email);
	if (cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "commit");
	return reply_user_tokens(req, status, u, tokens);
}

int h_register(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	struct profile pf;
	const char *email_in, *password;
	char *email = NULL, *hash;
	cb_check *c;
	cb_res *u;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	email_in = cb_check_str(c, "email", CB_REQUIRED, 3, 254);
	password = cb_check_str(c, "password", CB_REQUIRED, 0, SIZE_MAX);
	if (email_in)
		email = email_normalize(req, c, "email", email_in);
	if (password)
		password_check_rules(c, "password", password, email ? email : email_in);
	profile_read(c, body, &pf);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (register_throttled(req))
		return CB_OK;

	hash = password_hash(req, password);
	if (!hash) {
		cb_log(req, CB_LOG_ERROR, "register: bcrypt failed");
		return cb_reply_error(req, 500, "internal_error", "Something went wrong");
	}
	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "register: begin");
	u = cb_db_q(req,
	            "INSERT INTO users (email, password_hash, first_name, last_name, "
	            "  company_name, phone) VALUES ($1, $2, $3, $4, $5, $6) "
	            "RETURNING " USER_COLS,
	            email, hash, pf.val[PF_FIRST_NAME], pf.val[PF_LAST_NAME],
	            pf.val[PF_COMPANY_NAME], pf.val[PF_PHONE]);
	if (!u) {
		if (strcmp(cb_db_sqlstate(req), "23505") == 0) {
			cb_db_rollback(req);
			return cb_reply_error(req, 409, "email_taken",
			                      "An account with this email already exists");
		}
		return cb_reply_db_error(req, "register: insert user");
	}
	cb_log(req, CB_LOG_INFO, "user %s registered", cb_res_val(u, 0, "id"));
	return finish_sign_in(req, u, 0, "user.registered", 201);
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* Re-hashes at the configured cost when the stored hash is cheaper (the
 * cost was raised since). Best effort: failing keeps the old hash. */
static void maybe_rehash(cb_req *req, const cb_res *u, const char *password)
{
	const char *old = cb_res_val(u, 0, "password_hash");
	char *hash;

	if (password_cost(old) >= auth_cf.bcrypt_cost)
		return;
	hash = password_hash(req, password);
	if (!hash || !cb_db_q(req, "UPDATE users SET password_hash = $2 WHERE id = $1",
	                      cb_res_val(u, 0, "id"), hash))
		cb_log(req, CB_LOG_WARN, "login: could not re-hash password of user %s",
		       cb_res_val(u, 0, "id"));
	else
		cb_log(req, CB_LOG_INFO, "login: re-hashed password of user %s at cost %d",
		       cb_res_val(u, 0, "id"), auth_cf.bcrypt_cost);
}

/* The hash of the account with this address that an erasure switched off
 * (deleted_at set by gdpr's suspend, until the erasure or its
 * cancellation), or NULL. *failed is set on a database error. */
static const char *suspended_hash(cb_req *req, const char *email, int *failed)
{
	cb_res *r = cb_db_q(req,
	                    "SELECT password_hash FROM users WHERE lower(email) = $1 "
	                    "AND deleted_at IS NOT NULL",
	                    email);
	*failed = r == NULL;
	return r && cb_res_rows(r) == 1 ? cb_res_val(r, 0, "password_hash") : NULL;
}

int h_login(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	const char *password, *hash = NULL;
	char *email;
	int remember = 0, suspended = 0, failed = 0;
	cb_check *c;
	cb_res *u;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	email = (char *)cb_check_str(c, "email", CB_REQUIRED, 1, 1024);
	password = cb_check_str(c, "password", CB_REQUIRED, 1, SIZE_MAX);
	cb_check_bool(c, "remember", CB_OPTIONAL, &remember);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	email = cb_strdup(req, email);
	lower_ascii(email);

	if (login_blocked(req, email))
		return CB_OK;
	u = user_by_email(req, email);
	if (!u)
		return cb_reply_db_error(req, "login: load user");
	if (cb_res_rows(u) == 1)
		hash = cb_res_val(u, 0, "password_hash");
	else if ((hash = suspended_hash(req, email, &failed)) != NULL)
		suspended = 1;
	else if (failed)
		return cb_reply_db_error(req, "login: load suspended user");
	/* Unknown email and wrong password: same work, same answer. */
	if (!password_verify(password, hash)) {
		login_failed(req, email);
		cb_log(req, CB_LOG_INFO, "login failed");
		return cb_reply_error(req, 401, "invalid_credentials",
		                      "The email or the password is wrong");
	}
	/* The owner, during an erasure's grace period: no session (the account
	 * is switched off), but told why, so the dashboard offers the cancel
	 * (POST /api/v1/gdpr/erasure/cancel). Only the right password learns it. */
	if (suspended) {
		cb_log(req, CB_LOG_INFO, "login refused: the account awaits its erasure");
		return cb_reply_error(req, 403, "account_pending_erasure",
		                      "This account is switched off until its deletion; "
		                      "cancel the deletion to sign in again");
	}
	maybe_rehash(req, u, password);

	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "login: begin");
	u = cb_db_q(req,
	            "UPDATE users SET last_login_at = now() WHERE id = $1 AND deleted_at IS NULL "
	            "RETURNING " USER_COLS,
	            cb_res_val(u, 0, "id"));
	if (!u)
		return cb_reply_db_error(req, "login: update user");
	if (cb_res_rows(u) != 1) { /* deleted in the meantime */
		cb_db_rollback(req);
		return cb_reply_error(req, 401, "invalid_credentials",
		                      "The email or the password is wrong");
	}
	/* Expired sessions of this user are of no use any more. */
	if (!cb_db_q(req,
	             "DELETE FROM refresh_tokens WHERE user_id = $1 "
	             "AND expires_at < now() - interval '1 day'",
	             cb_res_val(u, 0, "id")))
		return cb_reply_db_error(req, "login: purge sessions");
	return finish_sign_in(req, u, remember, "user.login", 200);
}
