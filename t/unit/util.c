/* util: hashes against published test vectors, randomness, UUID syntax. */
#include <string.h>

#include "req.h"
#include "tap.h"

static int all_hex(const char *s)
{
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return 0;
	return 1;
}

int main(void)
{
	cb_req *req = req_new();

	is_str(cb_sha256_hex(req, "abc", 3),
	       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	       "SHA-256 of \"abc\" (FIPS 180-2 vector)");
	is_str(cb_sha256_hex(req, "", 0),
	       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "SHA-256 of nothing");
	is_str(cb_hmac_sha256_hex(req, "Jefe", 4, "what do ya want for nothing?", 28),
	       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	       "HMAC-SHA-256 (RFC 4231 test case 2)");

	char *a = cb_random_hex(req, 16), *b = cb_random_hex(req, 16);
	is_int(strlen(a), 32, "16 random bytes give 32 hex characters");
	ok(all_hex(a) && all_hex(b), "lower-case hex only");
	ok(strcmp(a, b) != 0, "two draws differ");
	is_int(strlen(cb_random_hex(req, 0)), 2, "0 bytes is raised to 1");
	is_int(strlen(cb_random_hex(req, 1000)), 128, "more than 64 is capped at 64");

	ok(cb_is_uuid("e5fd4fa6-170d-4853-b99d-f23ddab2d7a2"), "a UUID");
	ok(cb_is_uuid("E5FD4FA6-170D-4853-B99D-F23DDAB2D7A2"), "upper case too");
	ok(!cb_is_uuid("e5fd4fa6170d4853b99df23ddab2d7a2"), "no dashes: no");
	ok(!cb_is_uuid("e5fd4fa6-170d-4853-b99d-f23ddab2d7a"), "one short: no");
	ok(!cb_is_uuid("g5fd4fa6-170d-4853-b99d-f23ddab2d7a2"), "a non-hex digit: no");
	ok(!cb_is_uuid("e5fd4fa6-170d-4853-b99d-f23ddab2d7a2 "), "trailing space: no");
	ok(!cb_is_uuid("x' OR '1'='1"), "an injection attempt: no");
	ok(!cb_is_uuid(NULL), "NULL: no");

	req_free(req);
	return done_testing();
}
