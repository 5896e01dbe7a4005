/* util.c — hashes as hex, randomness and UUID syntax for plugins (util.h). */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static char *to_hex(cb_req *req, const unsigned char *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = cb_alloc(req, 2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[b[i] >> 4];
		s[2 * i + 1] = digits[b[i] & 15];
	}
	return s;
}

static void no_crypto(const char *what)
{
	fprintf(stderr, "carbotd: %s failed\n", what);
	abort();
}

char *cb_sha256_hex(cb_req *req, const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1)
		no_crypto("SHA-256");
	return to_hex(req, md, n);
}

char *cb_hmac_sha256_hex(cb_req *req, const void *key, size_t keylen, const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!HMAC(EVP_sha256(), key, (int)keylen, data, len, md, &n))
		no_crypto("HMAC-SHA-256");
	return to_hex(req, md, n);
}

char *cb_random_hex(cb_req *req, size_t nbytes)
{
	if (nbytes < 1 || nbytes > 64)
		nbytes = nbytes < 1 ? 1 : 64;
	char *s = cb_alloc(req, 2 * nbytes + 1);
	random_hex(s, nbytes);
	return s;
}

int cb_is_uuid(const char *s)
{
	if (!s || strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		             (c >= 'A' && c <= 'F'))) {
			return 0;
		}
	}
	return 1;
}
