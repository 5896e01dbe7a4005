/* authn.c — the core's bearer authenticator: every CB_AUTH_BEARER route of
 * every plugin passes through auth_bearer before its handler runs.
 *
 * Decision: the access token carries tier and permissions (for clients to
 * show), but the check here re-derives them from the user row, loaded by
 * primary key on every request. That costs one indexed query and buys
 * immediacy: a tier changed by billing, a deleted user, a password change or
 * "log out everywhere" (users.sessions_valid_after, compared as the token's
 * session version "sv") take effect on the very next request instead of when
 * the token expires.
 */
#include <strings.h>

#include "auth.h"

static int unauthorized(cb_req *req, const char *why)
{
	cb_set_header(req, "WWW-Authenticate", "Bearer realm=\"carbot\", error=\"invalid_token\"");
	return cb_reply_error(req, 401, "unauthorized", "%s", why);
}

/* The token of "Authorization: Bearer <token>", or NULL. */
static const char *bearer_token(cb_req *req)
{
	const char *h = cb_req_header(req, "Authorization");

	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

int auth_bearer(cb_req *req, const char *permission)
{
	struct access_claims cl;
	const char *token = bearer_token(req);
	const char *tier, *role;
	cb_res *u;

	if (!token) {
		cb_set_header(req, "WWW-Authenticate", "Bearer realm=\"carbot\"");
		cb_reply_error(req, 401, "unauthorized",
		               "Sign in first: an access token is needed");
		return CB_ERR;
	}
	if (token_access_verify(req, token, &cl) != CB_OK) {
		unauthorized(req, "The access token is invalid or has expired");
		return CB_ERR;
	}
	u = user_by_id(req, cl.sub);
	if (!u) {
		return cb_reply_db_error(req, "bearer: load user");
	}
	/* Deleted, or the token predates a password change / logout of all:
	 * its session version is not the user's any more. A token without sv
	 * (issued before it existed) falls back to whole seconds, and is refused
	 * in the cut-off's own second too. */
	if (cb_res_rows(u) != 1 || (cl.sv >= 0 ? cl.sv != cb_res_int(u, 0, "sv")
	                                       : cl.iat <= cb_res_int(u, 0, "valid_after"))) {
		unauthorized(req, "The access token is no longer valid");
		return CB_ERR;
	}
	tier = cb_res_val(u, 0, "subscription_tier");
	role = cb_res_val(u, 0, "role");

	if (tier_rate_limited(req, cl.sub, tier))
		return CB_ERR;
	if (!rbac_allows(tier, role, permission)) {
		cb_reply_error(req, 403, "forbidden",
		               "Your plan (%s) does not include this (needs %s)", tier, permission);
		return CB_ERR;
	}
	cb_req_set(req, "user.id", cl.sub);
	cb_req_set(req, "user.email", cb_res_val(u, 0, "email"));
	cb_req_set(req, "user.tier", tier);
	cb_req_set(req, "user.role", role);
	return CB_OK;
}
