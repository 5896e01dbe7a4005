/* handlers_session.c — POST /api/v1/auth/refresh and /logout.
 *
 * Refresh rotates: the presented token is marked replaced and a child in the
 * same family is issued. Presenting a token that was already replaced means
 * two parties hold it (one of them stole it): the whole family is revoked,
 * so both have to sign in again. One exception, refresh_reuse_grace (10 s):
 * a token rotated that recently into one child that is neither used nor
 * revoked may be presented once more and gets a second child: a page
 * reload that aborted the refresh in flight lost the answer (and its
 * cookie), and two tabs refreshing at the same moment look the same. A
 * third presentation, or one after the grace, is reuse.
 *
 * Logout of one session revokes its refresh tokens; its access token, being
 * stateless, lives until it expires (access_ttl, 15 minutes by default).
 * Logout with {"all": true} also voids every access token issued so far
 * (users.sessions_valid_after, checked by the bearer authenticator).
 */
#include <string.h>

#include "auth.h"

static int bad_refresh(cb_req *req, const char *why)
{
	cb_db_rollback(req);
	return cb_reply_error(req, 401, "unauthorized", "%s", why);
}

/* Reuse of a rotated token: revoke the family and commit that. */
static int reuse_detected(cb_req *req, const cb_res *t)
{
	if (!cb_db_q(req,
	             "UPDATE refresh_tokens SET revoked_at = now() "
	             "WHERE family_id = $1 AND revoked_at IS NULL",
	             cb_res_val(t, 0, "family_id")) ||
	    cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "refresh: revoke family");
	cb_log(req, CB_LOG_WARN,
	       "refresh token reuse detected for user %s: session family %s revoked",
	       cb_res_val(t, 0, "user_id"), cb_res_val(t, 0, "family_id"));
	return cb_reply_error(req, 401, "unauthorized",
	                      "This refresh token was already used; sign in again");
}

/* 1 when the rotated token id may be presented once more: rotated within
 * refresh_reuse_grace seconds, into exactly one child that is neither
 * used (rotated itself) nor revoked.
 * The token row is locked (FOR UPDATE), so two late presentations cannot
 * both see one child. */
static int in_grace(cb_req *req, const char *id)
{
	if (auth_cf.refresh_reuse_grace <= 0)
		return 0;
	cb_res *k =
	    cb_db_q(req,
	            "SELECT count(*) AS n, bool_and(revoked_at IS NULL AND replaced_by IS NULL AND "
	            "  created_at > "
	            "  now() - make_interval(secs => $2::int)) AS fresh "
	            "FROM refresh_tokens WHERE parent_id = $1",
	            id, cb_sprintf(req, "%lld", auth_cf.refresh_reuse_grace));
	return k && cb_res_int(k, 0, "n") == 1 && cb_res_bool(k, 0, "fresh");
}

int h_refresh(cb_req *req)
{
	cb_json *body = cb_req_json(req), *tokens;
	const char *token, *new_id = NULL, *hash;
	cb_check *c;
	cb_res *t, *u;
	int regrace = 0;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	token = cb_check_str(c, "refresh_token", CB_REQUIRED, 1, 512);
	if (!cb_check_ok(c))
		return cb_check_reply(c);

	hash = cb_sha256_hex(req, token, strlen(token));
	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "refresh: begin");
	/* The user row first, FOR SHARE: a logout of all sessions or a password
	 * change updates it, so it waits for this rotation to commit and then
	 * revokes the child too, or this rotation waits for it and finds the
	 * token revoked. Without it, a child inserted meanwhile escapes the
	 * revoking UPDATE (its snapshot predates the child). Always user, then
	 * token: the order revoke_all and the password change take too. */
	u = cb_db_q(req,
	            "SELECT " USER_COLS " FROM users WHERE deleted_at IS NULL AND id = "
	            "  (SELECT user_id FROM refresh_tokens WHERE token_hash = decode($1, 'hex')) "
	            "FOR SHARE",
	            hash);
	if (!u)
		return cb_reply_db_error(req, "refresh: load user");
	if (cb_res_rows(u) != 1)
		return bad_refresh(req, "The refresh token is invalid");
	/* FOR UPDATE: two concurrent uses of one token are serialised, and the
	 * second sees the first's rotation. */
	t = cb_db_q(req,
	            "SELECT id, user_id, family_id, remember, replaced_by IS NOT NULL AS rotated, "
	            "  revoked_at IS NOT NULL AS revoked, expires_at <= now() AS expired, "
	            "  COALESCE(created_at < (SELECT sessions_valid_after FROM users u "
	            "    WHERE u.id = refresh_tokens.user_id), false) AS stale "
	            "FROM refresh_tokens WHERE token_hash = decode($1, 'hex') FOR UPDATE",
	            hash);
	if (!t)
		return cb_reply_db_error(req, "refresh: load token");
	if (cb_res_rows(t) != 1)
		return bad_refresh(req, "The refresh token is invalid");
	if (cb_res_bool(t, 0, "rotated")) {
		if (cb_res_bool(t, 0, "revoked") || cb_res_bool(t, 0, "expired") ||
		    cb_res_bool(t, 0, "stale") || !in_grace(req, cb_res_val(t, 0, "id")))
			return reuse_detected(req, t);
		regrace = 1; /* a second child; replaced_by keeps the first */
		cb_log(req, CB_LOG_INFO,
		       "refresh token of user %s presented again within the reuse grace: a second "
		       "child issued",
		       cb_res_val(t, 0, "user_id"));
	}
	/* stale: issued before the last logout of all sessions or password
	 * change; revoked by it too, unless a path forgot to: refused either way */
	if (cb_res_bool(t, 0, "revoked") || cb_res_bool(t, 0, "expired") ||
	    cb_res_bool(t, 0, "stale"))
		return bad_refresh(req, "The refresh token has expired or was revoked");

	tokens = session_issue(req, cb_res_val(u, 0, "id"), cb_res_val(u, 0, "email"),
	                       cb_res_val(u, 0, "subscription_tier"), cb_res_val(u, 0, "role"),
	                       cb_res_val(t, 0, "family_id"), cb_res_val(t, 0, "id"),
	                       cb_res_bool(t, 0, "remember"), &new_id);
	if (!tokens)
		return cb_reply_db_error(req, "refresh: issue");
	if ((!regrace && !cb_db_q(req, "UPDATE refresh_tokens SET replaced_by = $2 WHERE id = $1",
	                          cb_res_val(t, 0, "id"), new_id)) ||
	    cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "refresh: rotate");
	return reply_user_tokens(req, 200, u, tokens);
}

/* Revokes the session (family) of token, when it belongs to user_id. */
static cb_res *revoke_one(cb_req *req, const char *user_id, const char *token)
{
	return cb_db_q(req,
	               "WITH r AS (UPDATE refresh_tokens SET revoked_at = now() "
	               "  WHERE revoked_at IS NULL AND user_id = $1 AND family_id = "
	               "    (SELECT family_id FROM refresh_tokens "
	               "     WHERE token_hash = decode($2, 'hex') AND user_id = $1) "
	               "  RETURNING family_id) "
	               "SELECT count(DISTINCT family_id) AS n FROM r",
	               user_id, cb_sha256_hex(req, token, strlen(token)));
}

/* Revokes every session of user_id and every access token issued so far.
 * The user row is updated first: that waits for refreshes holding it FOR
 * SHARE, so the token UPDATE after it sees every child they inserted. */
cb_res *revoke_all(cb_req *req, const char *user_id)
{
	if (!cb_db_q(req, "UPDATE users SET sessions_valid_after = now() WHERE id = $1", user_id))
		return NULL;
	return cb_db_q(req,
	               "WITH r AS (UPDATE refresh_tokens SET revoked_at = now() "
	               "  WHERE revoked_at IS NULL AND user_id = $1 AND expires_at > now() "
	               "  RETURNING family_id) "
	               "SELECT count(DISTINCT family_id) AS n FROM r",
	               user_id);
}

int h_logout(cb_req *req)
{
	cb_json *body = cb_req_json(req), *out;
	const char *user_id = cb_req_get(req, "user.id"), *token;
	int all = 0;
	cb_check *c;
	cb_res *r;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	cb_check_bool(c, "all", CB_OPTIONAL, &all);
	token = cb_check_str(c, "refresh_token", all ? CB_OPTIONAL : CB_REQUIRED, 1, 512);
	if (!cb_check_ok(c))
		return cb_check_reply(c);

	/* A refresh token of another user revokes nothing: it is matched only
	 * among the caller's own. */
	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "logout: begin");
	r = all ? revoke_all(req, user_id) : revoke_one(req, user_id, token);
	if (!r || cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "logout");
	out = cb_json_new_object(req);
	cb_json_set_int(out, "revoked", cb_res_int(r, 0, "n"));
	return cb_reply_json(req, 200, out);
}
