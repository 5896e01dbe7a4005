/* auth.h — what the auth plugin's files share.
 *
 * The plugin is built with -fvisibility=hidden: nothing declared here leaves
 * the shared object. Only carbot_plugin() (CB_PLUGIN in plugin.c) is exported.
 */
#ifndef AUTH_AUTH_H
#define AUTH_AUTH_H

#include <stddef.h>

#include <carbot/sdk.h>

/* ---- settings (plugin.c) ---- */

struct auth_conf {
	const char *jwt_secret; /* >= 32 bytes, checked at init */
	size_t jwt_secret_len;
	const char *issuer;
	long long access_ttl, refresh_ttl, remember_ttl;
	/* seconds a just-rotated refresh token may be presented once more (a
	 * reload that lost the answer); 0 = never */
	long long refresh_reuse_grace;
	int bcrypt_cost;
	long long login_max_failures, login_window, login_block;
	long long register_per_ip, register_window;
	long long rate_basic, rate_premium, rate_enterprise, rate_window;
};
extern struct auth_conf auth_cf;

/* ---- passwords.c ---- */

#define PASSWORD_MIN 8
#define PASSWORD_MAX 72 /* bcrypt reads no further: longer ones are refused */

/* Prepares the dummy hash used to spend the same time on unknown emails.
 * CB_OK, or CB_ERR when libcrypt cannot hash at the configured cost. */
int passwords_init(void);

/* bcrypt hash ("$2b$NN$...") of password at the configured cost, in req's
 * arena; NULL when libcrypt fails. Slow on purpose (~250 ms at cost 12). */
char *password_hash(cb_req *req, const char *password);

/* 1 when password matches hash. A NULL hash (unknown user) is checked
 * against a dummy hash so the call costs the same, and answers 0. */
int password_verify(const char *password, const char *hash);

/* Cost of a bcrypt hash, or -1 when hash is not one. */
int password_cost(const char *hash);

/* Records in c every rule password (field name field) breaks: length 8..72
 * bytes, not the email, not a common password. */
void password_check_rules(cb_check *c, const char *field, const char *password, const char *email);

/* 1 when password (compared case-insensitively) is on the shipped list of
 * common passwords (common_passwords.c). */
int password_is_common(const char *password);

/* ---- tokens.c ---- */

/* Signs an access token for the user (claims sub, email, tier, permissions,
 * iat, exp, type "access", iss, and sv: the user's session version, read on
 * req's connection, so inside the caller's transaction). Returns it in req's
 * arena, or NULL. */
char *token_access_issue(cb_req *req, const char *user_id, const char *email, const char *tier,
                         const char *role);

/* A verified access token's claims. Strings live in req's arena. sv is the
 * session version (-1 in tokens from before it existed). */
struct access_claims {
	const char *sub, *email, *tier;
	long long iat, exp, sv;
};

/* Verifies token: HS256 only, signature, iss, type "access", exp in the
 * future, nbf (when present) not in the future, sub a UUID. CB_OK and *out
 * filled, or CB_EINVAL. */
int token_access_verify(cb_req *req, const char *token, struct access_claims *out);

/* A new refresh token (43 characters of base64url, 256 random bits) and the
 * hex of its SHA-256; both in req's arena. CB_OK or CB_ERR. */
int token_refresh_new(cb_req *req, char **token, char **hash_hex);

/* ---- sessions.c: refresh tokens in the database ---- */

/* Stores a refresh token for user_id in family (NULL: a new family), child of
 * parent_id (may be NULL). On success returns the {access_token,
 * refresh_token, expires_in} object and, when new_id is not NULL, the new
 * row's id; NULL on a database failure. Runs on req's connection. */
cb_json *session_issue(cb_req *req, const char *user_id, const char *email, const char *tier,
                       const char *role, const char *family_id, const char *parent_id, int remember,
                       const char **new_id);

/* Revokes every live refresh token of user_id; CB_OK or CB_EDB. */
int session_revoke_user(cb_req *req, const char *user_id);

/* ---- rbac.c ---- */

/* JSON array of the permissions tier grants (declared by the enabled
 * plugins); ["*:*"] for role "admin". */
cb_json *rbac_permissions(cb_req *req, const char *tier, const char *role);

/* 1 when a user of tier and role holds permission (NULL: any user). */
int rbac_allows(const char *tier, const char *role, const char *permission);

/* Declares the operator-only permissions (admin:users, admin:system). */
int rbac_declare(cb_plugin *p);

/* ---- users_service.c ---- */

/* Publishes users.v1 (carbot/services/users_api.h). */
int users_service_provide(cb_plugin *p);

/* ---- users.c ---- */

/* Column list (with aliases) every user query selects. */
#define USER_COLS                                                                                  \
	"id, email, first_name, last_name, company_name, phone, subscription_tier, "               \
	"subscription_status, role, password_hash, " CB_SQL_TS("created_at") " AS created_at, " \
	CB_SQL_TS("last_login_at") " AS last_login_at, "                                           \
	"COALESCE(floor(extract(epoch FROM sessions_valid_after))::bigint, 0) AS valid_after, "    \
	SESSION_VERSION_SQL " AS sv"

/* The session version: sessions_valid_after in microseconds (0 when never
 * set). An access token carries the version current when it was issued (claim
 * "sv") and is refused once the version moved on, however soon after. */
#define SESSION_VERSION_SQL                                                                        \
	"COALESCE(floor(extract(epoch FROM sessions_valid_after) * 1000000)::bigint, 0)"

/* The public view of row of res (never the hash). */
cb_json *user_json(cb_req *req, const cb_res *res, int row);

/* The live (not deleted) user by id or by lower-cased email; the result has
 * USER_COLS, 0 rows when none; NULL on a database failure. */
cb_res *user_by_id(cb_req *req, const char *id);
cb_res *user_by_email(cb_req *req, const char *email);

/* Lower-cases and checks an email address; returns it in req's arena, or
 * NULL (then a detail is recorded in c under field). */
char *email_normalize(cb_req *req, cb_check *c, const char *field, const char *email);

/* Emits event with {"user_id", "email"}. */
void user_emit(cb_req *req, const char *event, const char *user_id, const char *email);

/* {"user": ..., "tokens": ...} */
int reply_user_tokens(cb_req *req, int status, const cb_res *user, cb_json *tokens);

/* The SDK's one database-error reply; the old name stays for code written
 * before it moved to the core (SDK 1.6). */
#define reply_db_error cb_reply_db_error

/* ---- profile.c: the fields a user may set ---- */

enum { PF_FIRST_NAME, PF_LAST_NAME, PF_COMPANY_NAME, PF_PHONE, PF_N };

struct profile {
	int set[PF_N];         /* 1 when the body names the field */
	const char *val[PF_N]; /* its value; NULL clears it */
};

/* Reads and checks the profile fields of body (firstName or first_name, ...)
 * into *pf, recording problems in c. */
void profile_read(cb_check *c, const cb_json *body, struct profile *pf);

/* ---- limits.c: abuse protection in Redis ---- */

/* Login brute force, keyed by a hash of email + client IP. login_blocked
 * answers 1 (and sets a 429 too_many_attempts response with Retry-After) when
 * the key is locked out; login_failed counts one failure. */
int login_blocked(cb_req *req, const char *email);
void login_failed(cb_req *req, const char *email);

/* Registration throttle per client IP: 1 (with a 429 response set) when over. */
int register_throttled(cb_req *req);

/* The bearer authenticator's per-user, per-tier rate limit: 1 (with a 429 or
 * 503 response set) when the request must stop. Sets RateLimit-* headers. */
int tier_rate_limited(cb_req *req, const char *user_id, const char *tier);

/* Hook for http.response: gives back the count of a successful request for
 * tiers with skipSuccessfulRequests. */
int tier_rate_on_response(cb_req *req, const char *event, const cb_json *data, void *udata);

/* ---- authn.c ---- */

int auth_bearer(cb_req *req, const char *permission);

/* ---- handlers ---- */

int h_register(cb_req *req);
int h_login(cb_req *req);
int h_refresh(cb_req *req);
int h_logout(cb_req *req);
int h_me_get(cb_req *req);
int h_me_patch(cb_req *req);
int h_password(cb_req *req);

/* ---- cookie.c: the dashboard's refresh token as an HttpOnly cookie ---- */

/* 1 when the request asks for cookie mode (X-CarBot-Session: cookie). */
int cookie_mode(cb_req *req);

/* The carbot_refresh cookie's value (in req's arena), or NULL. */
const char *cookie_token(cb_req *req);

/* 1 (with a 403 csrf_failed set) unless Origin names the request's Host. */
int cookie_csrf_refused(cb_req *req);

/* In cookie mode: moves tokens.refresh_token into Set-Cookie headers. */
void cookie_take_refresh(cb_req *req, cb_json *tokens);

/* Routes of /refresh and /logout: cookie mode around h_refresh/h_logout. */
int h_refresh_cookie(cb_req *req);
int h_logout_cookie(cb_req *req);
/* handlers_session.c: every session of user_id ends (users row first). NULL
 * on a database failure. */
cb_res *revoke_all(cb_req *req, const char *user_id);

/* gdpr.c: the auth section of the data-subject contract. */
int gdpr_register(cb_plugin *p);

#endif
