/* sessions.c — refresh tokens at rest.
 *
 * A session is a family of refresh tokens: login starts one, every refresh
 * replaces the presented token by a child in the same family. Only the
 * SHA-256 of a token is stored; the token itself is shown once.
 */
#include "auth.h"

cb_json *session_issue(cb_req *req, const char *user_id, const char *email, const char *tier,
                       const char *role, const char *family_id, const char *parent_id, int remember,
                       const char **new_id)
{
	char *refresh = NULL, *hash = NULL, *access;
	const char *ttl;
	cb_json *tokens;
	cb_res *res;

	if (token_refresh_new(req, &refresh, &hash) != CB_OK)
		return NULL;
	access = token_access_issue(req, user_id, email, tier, role);
	if (!access)
		return NULL;
	ttl = cb_sprintf(req, "%lld", remember ? auth_cf.remember_ttl : auth_cf.refresh_ttl);
	res = cb_db_q(req,
	              "INSERT INTO refresh_tokens (user_id, family_id, token_hash, parent_id, "
	              "  expires_at, remember) "
	              "VALUES ($1, COALESCE($2::uuid, gen_random_uuid()), decode($3, 'hex'), $4, "
	              "  now() + make_interval(secs => $5::bigint), $6::boolean) "
	              "RETURNING id",
	              user_id, family_id, hash, parent_id, ttl, remember ? "true" : "false");
	if (!res || cb_res_rows(res) != 1)
		return NULL;
	if (new_id)
		*new_id = cb_res_get(res, 0, 0);

	tokens = cb_json_new_object(req);
	cb_json_set_str(tokens, "access_token", access);
	cb_json_set_str(tokens, "refresh_token", refresh);
	cb_json_set_int(tokens, "expires_in", auth_cf.access_ttl);
	return tokens;
}

int session_revoke_user(cb_req *req, const char *user_id)
{
	cb_res *res = cb_db_q(req,
	                      "UPDATE refresh_tokens SET revoked_at = now() "
	                      "WHERE user_id = $1 AND revoked_at IS NULL",
	                      user_id);
	return res ? CB_OK : CB_EDB;
}
