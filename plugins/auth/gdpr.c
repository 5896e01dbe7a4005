/* gdpr.c — auth's part of the data-subject contract (carbot/datasubject.h):
 * the profile in the export, the password check before an erasure, the
 * account disabled while the erasure waits (soft-deleted: login refused,
 * every session revoked) and restored on cancellation, and, last of all
 * erasers, the users row with its tokens. */
#include <string.h>

#include "auth.h"

static int export_profile(cb_req *req, const char *uid, cb_export *out)
{
	cb_res *r =
	    cb_db_q(req,
	            "SELECT json_build_object('id', id, 'email', email, "
	            "'first_name', first_name, 'last_name', last_name, "
	            "'company_name', company_name, 'phone', phone, "
	            "'tier', subscription_tier, 'subscription_status', subscription_status, "
	            "'role', role, 'created_at', " CB_SQL_TS(
	                "created_at") ", "
	                              "'last_login_at', " CB_SQL_TS(
	                                  "last_login_at") ", "
	                                                   "'email_verified_at', " CB_SQL_TS(
	                                                       "email_verified_at") ")::text AS j "
	                                                                            "FROM users "
	                                                                            "WHERE id = $1",
	            uid);
	if (!r)
		return CB_EDB;
	if (cb_export_file(out, "auth/profile.json") != CB_OK)
		return CB_ERR;
	const char *j = cb_res_rows(r) == 1 ? cb_res_val(r, 0, "j") : "null";
	cb_export_count(out, cb_res_rows(r));
	if (cb_export_write(out, j, strlen(j)) != CB_OK)
		return CB_ERR;
	/* sessions: when and for how long, never a token or its hash */
	return cb_export_ndjson(
	    req, out, "auth/sessions.ndjson",
	    "SELECT json_build_object('created_at', " CB_SQL_TS(
	        "created_at") ", "
	                      "'expires_at', " CB_SQL_TS(
	                          "expires_at") ", "
	                                        "'revoked_at', " CB_SQL_TS(
	                                            "revoked_at") ", 'remember', remember)"
	                                                          "::text AS j, id::text AS k FROM "
	                                                          "refresh_tokens "
	                                                          "WHERE user_id = $1 AND id::text "
	                                                          "> $2 ORDER BY id::text LIMIT "
	                                                          "1000",
	    uid);
}

static int confirm(cb_req *req, const char *uid, const char *password)
{
	cb_res *r = cb_db_q(req, "SELECT password_hash FROM users WHERE id = $1", uid);
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) != 1)
		return CB_ENOTFOUND;
	return password_verify(password, cb_res_val(r, 0, "password_hash")) ? CB_OK : CB_EINVAL;
}

static int suspend(cb_req *req, const char *uid)
{
	if (!cb_db_q(req, "UPDATE users SET deleted_at = now(), updated_at = now() WHERE id = $1",
	             uid))
		return CB_EDB;
	return revoke_all(req, uid) ? CB_OK : CB_EDB;
}

static int restore(cb_req *req, const char *uid)
{
	return cb_db_q(req, "UPDATE users SET deleted_at = NULL, updated_at = now() WHERE id = $1",
	               uid)
	           ? CB_OK
	           : CB_EDB;
}

static int erase(cb_req *req, const char *uid, long long *rows)
{
	cb_res *t = cb_db_q(req, "DELETE FROM refresh_tokens WHERE user_id = $1", uid);
	cb_res *a = cb_db_q(req, "DELETE FROM auth_account_tokens WHERE user_id = $1", uid);
	cb_res *u = cb_db_q(req, "DELETE FROM users WHERE id = $1", uid);
	if (!t || !a || !u)
		return CB_EDB;
	*rows += cb_res_affected(t) + cb_res_affected(a) + cb_res_affected(u);
	return CB_OK;
}

static const cb_datasubject ds = {CB_DATASUBJECT_SIZE,
                                  "auth",
                                  export_profile,
                                  erase,
                                  suspend,
                                  restore,
                                  NULL,
                                  NULL,
                                  confirm,
                                  NULL};

int gdpr_register(cb_plugin *p)
{
	return cb_datasubject_register(p, &ds);
}
