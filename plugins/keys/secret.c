/* secret.c — client keys, their hashes at rest and their masks.
 *
 * A key is "cb_prod_" or "cb_test_" and 32 hex characters (128 bits) from
 * OpenSSL's CSPRNG. It is shown once; the database keeps HMAC-SHA-256 of it
 * under the key_secret setting. Unlike the spec's bcrypt, an HMAC is
 * deterministic, so a presented key is found by one indexed equality lookup;
 * the secret keeps a stolen database from confirming guessed keys offline,
 * and 128 random bits make brute force hopeless anyway.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "keys.h"

static char *to_hex(cb_req *req, const unsigned char *b, size_t n)
{
	char *s = cb_alloc(req, 2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		s[2 * i] = "0123456789abcdef"[b[i] >> 4];
		s[2 * i + 1] = "0123456789abcdef"[b[i] & 15];
	}
	return s;
}

char *random_hex(cb_req *req, size_t n)
{
	unsigned char buf[64];
	char *hex;

	if (n > sizeof(buf) || RAND_bytes(buf, (int)n) != 1)
		return NULL;
	hex = to_hex(req, buf, n);
	OPENSSL_cleanse(buf, sizeof(buf));
	return hex;
}

char *key_generate(cb_req *req, const char *env)
{
	char *rnd = random_hex(req, KEY_RANDOM_HEX / 2);

	if (!rnd)
		return NULL;
	return cb_sprintf(req, "cb_%s_%s", strcmp(env, "test") == 0 ? "test" : "prod", rnd);
}

int key_well_formed(const char *key)
{
	if (!key || strlen(key) != KEY_LEN ||
	    (strncmp(key, "cb_prod_", 8) != 0 && strncmp(key, "cb_test_", 8) != 0))
		return 0;
	for (const char *p = key + 8; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

char *key_hash_hex(cb_req *req, const char *key)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!HMAC(EVP_sha256(), keys_cf.secret, (int)keys_cf.secret_len, (const unsigned char *)key,
	          strlen(key), md, &mdlen))
		return NULL;
	return to_hex(req, md, mdlen);
}

char *key_mask(cb_req *req, const char *env, const char *last4)
{
	/* U+2026: plainly not part of a key, so a mask is never mistaken for one */
	return cb_sprintf(req, "cb_%s_\xe2\x80\xa6%s", env, last4);
}

char *sha256_hex(cb_req *req, const char *s)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL) != 1)
		return cb_strdup(req, "-");
	return to_hex(req, md, mdlen);
}

int same_secret(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}
