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

char *key_generate(cb_req *req, const char *env)
{
	char *rnd = cb_random_hex(req, KEY_RANDOM_HEX / 2);

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
	return cb_hmac_sha256_hex(req, keys_cf.secret, keys_cf.secret_len, key, strlen(key));
}

char *key_mask(cb_req *req, const char *env, const char *last4)
{
	/* U+2026: plainly not part of a key, so a mask is never mistaken for one */
	return cb_sprintf(req, "cb_%s_\xe2\x80\xa6%s", env, last4);
}

int same_secret(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}
