/* tokens.c — access tokens (JWT, HS256, libjwt 1.x) and opaque refresh tokens.
 *
 * Access token claims are the spec's JWTPayload (sub, email, tier,
 * permissions, iat, exp, type) plus iss. Verification pins HS256: libjwt
 * follows whatever algorithm a token's header names, so the header must say
 * HS256 before libjwt sees the token, and the decoded algorithm is checked
 * again after. (libjwt 1.10 already refuses "none" when given a key; the
 * checks do not rely on it.) libjwt 1.x checks no claims: exp, nbf, iss and
 * type are checked here.
 *
 * Claim sv, the session version (users.sessions_valid_after in microseconds
 * when the token was issued), lets the bearer authenticator refuse every token
 * issued before a logout of all sessions or a password change, even one issued
 * in the same second: iat has whole seconds only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth.h"

char *token_access_issue(cb_req *req, const char *user_id, const char *email, const char *tier,
                         const char *role)
{
	long long now = (long long)time(NULL);
	cb_json *claims = cb_json_new_object(req);
	jwt_t *jwt = NULL;
	char *enc, *out = NULL;
	cb_res *v =
	    cb_db_q(req, "SELECT " SESSION_VERSION_SQL " AS sv FROM users WHERE id = $1", user_id);

	if (!v || cb_res_rows(v) != 1)
		return NULL;
	cb_json_set_str(claims, "sub", user_id);
	cb_json_set_str(claims, "email", email);
	cb_json_set_str(claims, "tier", tier);
	cb_json_set(claims, "permissions", rbac_permissions(req, tier, role));
	cb_json_set_int(claims, "iat", now);
	cb_json_set_int(claims, "exp", now + auth_cf.access_ttl);
	cb_json_set_str(claims, "type", "access");
	cb_json_set_str(claims, "iss", auth_cf.issuer);
	cb_json_set_int(claims, "sv", cb_res_int(v, 0, "sv"));

	if (jwt_new(&jwt) != 0)
		return NULL;
	if (jwt_add_grants_json(jwt, cb_json_dump(req, claims, NULL)) == 0 &&
	    jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)auth_cf.jwt_secret,
	                (int)auth_cf.jwt_secret_len) == 0) {
		enc = jwt_encode_str(jwt);
		if (enc) {
			out = cb_strdup(req, enc);
			free(enc);
		}
	}
	jwt_free(jwt);
	return out;
}

/* A non-negative integer claim, or -1 when absent or anything else. Read as
 * JSON text: libjwt 1.10's jwt_get_grant_int answers 0 for a string. */
static long long int_claim(jwt_t *jwt, const char *name)
{
	char *j = jwt_get_grants_json(jwt, name), *end;
	long long v = -1;

	if (j && j[0] >= '0' && j[0] <= '9') {
		errno = 0;
		v = strtoll(j, &end, 10);
		if (errno || *end)
			v = -1;
	}
	free(j);
	return v;
}

/* 1 when the token names the claim at all (whatever its type). */
static int has_claim(jwt_t *jwt, const char *name)
{
	char *j = jwt_get_grants_json(jwt, name);

	free(j);
	return j != NULL;
}

static int check_claims(cb_req *req, jwt_t *jwt, struct access_claims *out)
{
	long long now = (long long)time(NULL);
	const char *iss = jwt_get_grant(jwt, "iss");
	const char *type = jwt_get_grant(jwt, "type");

	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		return CB_EINVAL;
	if (!iss || strcmp(iss, auth_cf.issuer) != 0)
		return CB_EINVAL;
	if (!type || strcmp(type, "access") != 0)
		return CB_EINVAL;
	out->iat = int_claim(jwt, "iat");
	out->exp = int_claim(jwt, "exp");
	if (out->exp < 0 || out->iat < 0 || now >= out->exp)
		return CB_EINVAL;
	/* A token from the future is forged or from a clock gone wrong. */
	if (out->iat > now + 60)
		return CB_EINVAL;
	/* nbf (RFC 7519 4.1.5): optional, but when present an integer not in
	 * the future (the same minute of leeway as iat). */
	if (has_claim(jwt, "nbf")) {
		long long nbf = int_claim(jwt, "nbf");
		if (nbf < 0 || nbf > now + 60)
			return CB_EINVAL;
	}
	out->sv = has_claim(jwt, "sv") ? int_claim(jwt, "sv") : -1;
	if (has_claim(jwt, "sv") && out->sv < 0)
		return CB_EINVAL;
	out->sub = cb_strdup(req, jwt_get_grant(jwt, "sub"));
	out->email = cb_strdup(req, jwt_get_grant(jwt, "email"));
	out->tier = cb_strdup(req, jwt_get_grant(jwt, "tier"));
	if (!cb_is_uuid(out->sub) || !out->email || !out->tier)
		return CB_EINVAL;
	return CB_OK;
}

/* Decodes n characters of unpadded base64url; NULL when malformed. */
static char *b64url_decode(cb_req *req, const char *s, size_t n, size_t *outlen)
{
	char *out = cb_alloc(req, n * 3 / 4 + 3);
	unsigned v = 0;
	size_t o = 0;
	int bits = 0;

	if (n % 4 == 1)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char c = s[i];
		int d;

		if (c >= 'A' && c <= 'Z')
			d = c - 'A';
		else if (c >= 'a' && c <= 'z')
			d = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			d = c - '0' + 52;
		else if (c == '-')
			d = 62;
		else if (c == '_')
			d = 63;
		else
			return NULL;
		v = (v << 6 | (unsigned)d) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(v >> bits & 0xff);
		}
	}
	*outlen = o;
	return out;
}

/* 1 when the token's header says {"alg":"HS256"}: checked before libjwt sees
 * the token, so "none" or another algorithm never reaches its code paths. */
static int header_is_hs256(cb_req *req, const char *token)
{
	const char *dot = strchr(token, '.');
	size_t len = 0;
	char *text;

	if (!dot || dot == token)
		return 0;
	text = b64url_decode(req, token, (size_t)(dot - token), &len);
	if (!text)
		return 0;
	const char *alg = cb_json_get_str(cb_json_parse(req, text, len, NULL, 0), "alg");
	return alg && strcmp(alg, "HS256") == 0;
}

int token_access_verify(cb_req *req, const char *token, struct access_claims *out)
{
	jwt_t *jwt = NULL;
	int rc;

	if (!token || strlen(token) > 8192 || !header_is_hs256(req, token))
		return CB_EINVAL;
	if (jwt_decode(&jwt, token, (const unsigned char *)auth_cf.jwt_secret,
	               (int)auth_cf.jwt_secret_len) != 0 ||
	    !jwt)
		return CB_EINVAL;
	rc = check_claims(req, jwt, out);
	jwt_free(jwt);
	return rc;
}

/* base64url without padding: 32 bytes give 43 characters. */
static char *b64url(cb_req *req, const unsigned char *b, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *s = cb_alloc(req, (n * 4) / 3 + 4);
	size_t o = 0, i = 0;

	for (; i + 2 < n; i += 3) {
		unsigned v = (unsigned)b[i] << 16 | (unsigned)b[i + 1] << 8 | b[i + 2];
		s[o++] = tab[v >> 18 & 63];
		s[o++] = tab[v >> 12 & 63];
		s[o++] = tab[v >> 6 & 63];
		s[o++] = tab[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)b[i] << 16;
		s[o++] = tab[v >> 18 & 63];
		s[o++] = tab[v >> 12 & 63];
	} else if (n - i == 2) {
		unsigned v = (unsigned)b[i] << 16 | (unsigned)b[i + 1] << 8;
		s[o++] = tab[v >> 18 & 63];
		s[o++] = tab[v >> 12 & 63];
		s[o++] = tab[v >> 6 & 63];
	}
	s[o] = '\0';
	return s;
}

int token_refresh_new(cb_req *req, char **token, char **hash_hex)
{
	unsigned char rnd[32];

	if (RAND_bytes(rnd, (int)sizeof(rnd)) != 1)
		return CB_ERR;
	*token = b64url(req, rnd, sizeof(rnd));
	*hash_hex = cb_sha256_hex(req, *token, strlen(*token));
	return *hash_hex ? CB_OK : CB_ERR;
}
