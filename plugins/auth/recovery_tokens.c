/* recovery_tokens.c — the single-use tokens of the account e-mails, the
 * settings and hooks of verification and reset, and the auth.forgot job.
 *
 * A token is 32 random bytes in hex, shown only in the mail; the table
 * keeps its SHA-256. Taking one marks it used in the same statement that
 * checks it (purpose, unused, unexpired, user alive), so it works once.
 */
#include <string.h>

#include "auth.h"
#include "recovery.h"

struct recovery_conf recovery_cf;

static const char *const purposes[] = {"verify_email", "reset_password"};
static const char *const events[] = {"auth.email_verification", "auth.password_reset"};

int recovery_token_issue(cb_req *req, int purpose, const char *user_id, const char *email)
{
	long long ttl = purpose == TOKEN_RESET ? recovery_cf.reset_ttl : recovery_cf.verify_ttl;
	char *token = cb_random_hex(req, 32);
	const char *hash = cb_sha256_hex(req, token, strlen(token));

	if (!cb_db_q(req,
	             "UPDATE auth_account_tokens SET used_at = now() WHERE user_id = $1 "
	             "AND purpose = $2 AND used_at IS NULL",
	             user_id, purposes[purpose]) ||
	    !cb_db_q(req,
	             "INSERT INTO auth_account_tokens (user_id, purpose, token_hash, email, "
	             "  expires_at) VALUES ($1, $2, decode($3, 'hex'), $4, "
	             "  now() + make_interval(secs => $5::bigint))",
	             user_id, purposes[purpose], hash, email, cb_sprintf(req, "%lld", ttl)))
		return CB_EDB;
	cb_json *d = cb_json_new_object(req);
	cb_json_set_str(d, "user_id", user_id);
	cb_json_set_str(d, "email", email);
	cb_json_set_str(d, "token", token);
	cb_json_set_int(d, "ttl_s", ttl);
	cb_emit(req, events[purpose], d);
	cb_log(req, CB_LOG_INFO, "auth: %s token issued for user %s", purposes[purpose], user_id);
	return CB_OK;
}

static int token_shape_ok(const char *t)
{
	if (!t || strlen(t) != 64)
		return 0;
	for (; *t; t++)
		if (!((*t >= '0' && *t <= '9') || (*t >= 'a' && *t <= 'f')))
			return 0;
	return 1;
}

cb_res *recovery_token_take(cb_req *req, int purpose, const char *token, int lock_only)
{
	if (!token_shape_ok(token)) /* a forged shape: same answer as unknown */
		return cb_db_q0(req, "SELECT NULL::uuid AS user_id WHERE false");
	const char *hash = cb_sha256_hex(req, token, strlen(token));
	return cb_db_q(req,
	               lock_only
	                   ? "SELECT t.id, t.user_id, t.email, u.email AS user_email "
	                     "FROM auth_account_tokens t JOIN users u ON u.id = t.user_id "
	                     "WHERE t.token_hash = decode($1, 'hex') AND t.purpose = $2 "
	                     "AND t.used_at IS NULL AND t.expires_at > now() "
	                     "AND u.deleted_at IS NULL FOR UPDATE OF t"
	                   : "UPDATE auth_account_tokens t SET used_at = now() FROM users u "
	                     "WHERE u.id = t.user_id AND t.token_hash = decode($1, 'hex') "
	                     "AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > now() "
	                     "AND u.deleted_at IS NULL "
	                     "RETURNING t.id, t.user_id, t.email, u.email AS user_email",
	               hash, purposes[purpose]);
}

/* user.registered, inside the registration's transaction. */
static int on_registered(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	(void)event, (void)udata;
	const char *id = cb_json_get_str(data, "user_id"), *email = cb_json_get_str(data, "email");
	if (!id || !email)
		return CB_OK;
	return recovery_token_issue(req, TOKEN_VERIFY, id, email);
}

/* page.publish.before {user_id}: with unverified_may_publish = off, an
 * account whose address is not confirmed may not put pages online. */
static int on_publish(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	(void)event, (void)udata;
	const char *id = cb_json_get_str(data, "user_id");
	if (recovery_cf.unverified_may_publish || !id)
		return CB_OK;
	cb_res *r =
	    cb_db_q(req, "SELECT 1 FROM users WHERE id = $1 AND email_verified_at IS NOT NULL", id);
	if (r && cb_res_rows(r) == 1)
		return CB_OK;
	return cb_veto(req, "email_unverified",
	               "Confirm your e-mail address before publishing (see the mail we sent)");
}

/* auth.forgot {email}: the forgot-password endpoint only queues this, for
 * known and unknown addresses alike; here the reset token is made. */
static int job_forgot(cb_req *req, const cb_json *payload)
{
	const char *email = cb_json_get_str(payload, "email");
	cb_res *u;

	if (!email)
		return CB_OK;
	u = user_by_email(req, email);
	if (!u)
		return CB_EDB;
	if (cb_res_rows(u) != 1)
		return CB_OK; /* nobody to mail */
	if (cb_db_begin(req) != CB_OK ||
	    recovery_token_issue(req, TOKEN_RESET, cb_res_val(u, 0, "id"),
	                         cb_res_val(u, 0, "email")) != CB_OK ||
	    cb_db_commit(req) != CB_OK)
		return CB_EDB;
	return CB_OK;
}

int recovery_init(cb_plugin *p)
{
	const cb_int_setting ints[] = {
	    {"verify_ttl", "172800", 60, 2592000, &recovery_cf.verify_ttl},
	    {"reset_ttl", "3600", 60, 86400, &recovery_cf.reset_ttl},
	    {"forgot_per_ip", "20", 1, 1000000, &recovery_cf.forgot_per_ip},
	    {"forgot_per_email", "3", 1, 1000, &recovery_cf.forgot_per_email},
	    {"forgot_window", "3600", 1, 86400, &recovery_cf.forgot_window},
	    {"resend_per_user", "3", 1, 1000, &recovery_cf.resend_per_user},
	};
	if (cb_settings_int(p, ints, CB_COUNT(ints)) != CB_OK ||
	    cb_setting(p, "unverified_may_publish", CB_SET_BOOL, "on", 0, 0) != CB_OK)
		return CB_ERR;
	recovery_cf.unverified_may_publish = cb_conf_bool(p, "unverified_may_publish");
	if (cb_hook(p, "user.registered", CB_HOOK_MIDDLE, on_registered, NULL) != CB_OK ||
	    cb_hook(p, "page.publish.before", CB_HOOK_MIDDLE, on_publish, NULL) != CB_OK)
		return cb_plugin_fail(p, "cannot register the recovery hooks");
	if (cb_job_handler(p, "auth.forgot", 5, job_forgot) != CB_OK)
		return CB_ERR;
	return CB_OK;
}
