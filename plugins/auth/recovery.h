/* recovery.h — account e-mails of the auth plugin: address verification
 * and password reset (handlers_recovery.c, recovery_tokens.c).
 *
 * The auth plugin mails nothing itself. It emits, inside the transaction
 * that stores a token,
 *
 *   auth.email_verification  {user_id, email, token, ttl_s}
 *   auth.password_reset      {user_id, email, token, ttl_s}
 *
 * and a mailing plugin (notify) turns them into mails. token is the only
 * clear copy of the secret; auth keeps its SHA-256.
 */
#ifndef AUTH_RECOVERY_H
#define AUTH_RECOVERY_H

#include <carbot/sdk.h>

/* Declares the settings, the user.registered and page.publish.before hooks
 * and the auth.forgot job. Called from auth_init. */
int recovery_init(cb_plugin *p);

int h_verify_email(cb_req *req);
int h_verify_status(cb_req *req);
int h_verify_resend(cb_req *req);
int h_forgot_password(cb_req *req);
int h_reset_password(cb_req *req);

/* ---- recovery_tokens.c ---- */

enum { TOKEN_VERIFY, TOKEN_RESET };

struct recovery_conf {
	long long verify_ttl, reset_ttl, forgot_per_ip, forgot_per_email, forgot_window,
	    resend_per_user;
	int unverified_may_publish;
};
extern struct recovery_conf recovery_cf;

/* Stores a new token of purpose for user_id (to address email), retiring
 * the user's earlier unused ones of that purpose, and emits its event.
 * Runs on req's connection; call inside a transaction. CB_OK or CB_EDB. */
int recovery_token_issue(cb_req *req, int purpose, const char *user_id, const char *email);

/* Consumes a live token of purpose: marks it used and returns its row
 * (user_id, email, user_email), 0 rows when the token is unknown, used,
 * expired or its user gone; NULL on a database failure. With lock_only the
 * token is only locked (FOR UPDATE), not yet used. */
cb_res *recovery_token_take(cb_req *req, int purpose, const char *token, int lock_only);

#endif
