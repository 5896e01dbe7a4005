/* passwords.c — bcrypt through the system's libcrypt, and the password rules.
 *
 * Hashing is slow on purpose (~250 ms at cost 12). It runs on carbotd's
 * handler threads, never on an event loop, so it stalls nobody else.
 */
#include <crypt.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "auth.h"

/* A hash of a random password at the configured cost: verifying against it
 * makes a login with an unknown email take as long as a wrong password. */
static char dummy_hash[CRYPT_OUTPUT_SIZE];

/* crypt_rn into out (size CRYPT_OUTPUT_SIZE); 0 on success. struct
 * crypt_data is ~32 KiB, too big for a handler thread's stack. */
static int bcrypt_run(const char *password, const char *setting, char *out)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *h;
	int rc = -1;

	if (!cd)
		return -1;
	h = crypt_rn(password, setting, cd, (int)sizeof(*cd));
	if (h && h[0] == '$' && strlen(h) < CRYPT_OUTPUT_SIZE) {
		strcpy(out, h);
		rc = 0;
	}
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return rc;
}

static int make_hash(const char *password, char *out)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];

	/* NULL random bytes: libcrypt takes them from the kernel. */
	if (!crypt_gensalt_rn("$2b$", (unsigned long)auth_cf.bcrypt_cost, NULL, 0, setting,
	                      (int)sizeof(setting)))
		return -1;
	return bcrypt_run(password, setting, out);
}

int passwords_init(void)
{
	unsigned char rnd[24];
	char pw[2 * sizeof(rnd) + 1];

	if (RAND_bytes(rnd, (int)sizeof(rnd)) != 1)
		return CB_ERR;
	for (size_t i = 0; i < sizeof(rnd); i++) {
		pw[2 * i] = "0123456789abcdef"[rnd[i] >> 4];
		pw[2 * i + 1] = "0123456789abcdef"[rnd[i] & 15];
	}
	pw[sizeof(pw) - 1] = '\0';
	return make_hash(pw, dummy_hash) == 0 ? CB_OK : CB_ERR;
}

char *password_hash(cb_req *req, const char *password)
{
	char out[CRYPT_OUTPUT_SIZE];

	if (strlen(password) > PASSWORD_MAX || make_hash(password, out) != 0)
		return NULL;
	return cb_strdup(req, out);
}

int password_verify(const char *password, const char *hash)
{
	char out[CRYPT_OUTPUT_SIZE];
	int known = hash != NULL && password_cost(hash) >= 0;
	size_t n;

	/* bcrypt ignores bytes past 72: such a password never matches, else
	 * "72 bytes of the real one + anything" would. The time is still spent. */
	if (strlen(password) > PASSWORD_MAX)
		known = 0;
	if (bcrypt_run(password, known ? hash : dummy_hash, out) != 0 || !known)
		return 0;
	n = strlen(hash);
	return strlen(out) == n && CRYPTO_memcmp(out, hash, n) == 0;
}

int password_cost(const char *hash)
{
	/* "$2b$12$" followed by 53 characters of salt and hash */
	if (strncmp(hash, "$2b$", 4) != 0 && strncmp(hash, "$2a$", 4) != 0 &&
	    strncmp(hash, "$2y$", 4) != 0)
		return -1;
	if (!isdigit((unsigned char)hash[4]) || !isdigit((unsigned char)hash[5]) ||
	    hash[6] != '$' || strlen(hash) != 60)
		return -1;
	return (hash[4] - '0') * 10 + (hash[5] - '0');
}

static int equal_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

void password_check_rules(cb_check *c, const char *field, const char *password, const char *email)
{
	size_t n = strlen(password);

	if (n < PASSWORD_MIN) {
		cb_check_fail(c, field, "too_short", "Password must be at least %d bytes long",
		              PASSWORD_MIN);
		return;
	}
	if (n > PASSWORD_MAX) {
		cb_check_fail(c, field, "too_long",
		              "Password must be at most %d bytes long (bcrypt reads no further; "
		              "it is never cut silently)",
		              PASSWORD_MAX);
		return;
	}
	if (email && equal_nocase(password, email)) {
		cb_check_fail(c, field, "invalid", "Password must not be the email address");
		return;
	}
	if (password_is_common(password))
		cb_check_fail(c, field, "invalid",
		              "This password is too common; choose one that is harder to guess");
}
