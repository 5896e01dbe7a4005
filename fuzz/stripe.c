/* stripe.c — fuzzes billing's Stripe-Signature check (sig_verify). Input:
 * "header\nbody". Properties: any header gets one of the documented results
 * and a reason; the body signed as Stripe signs it verifies, with the fuzzed
 * header's elements around it and with a second (rolled) secret; the same
 * signature under another secret, or for a changed body, or outside the
 * tolerance, does not. */
#include "fuzz.h"
#include "billing.h"

#define NOW 1700000000LL
#define TOL 300

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cb_req *req = req_new();
	char *s = fuzz_str(req, data, size);
	size_t bn = 0;
	char *body = fuzz_split(s, size, '\n', &bn);
	if (!body) {
		body = "";
		bn = 0;
	}
	static const char *const secrets[] = {"whsec_fuzz_current", "", NULL};
	static const char *const rolled[] = {"whsec_fuzz_old", "whsec_fuzz_current", NULL};
	static const char *const other[] = {"whsec_fuzz_other", NULL};

	int r = sig_verify(req, s, body, bn, secrets, TOL, NOW);
	FUZZ_ASSERT(r >= SIG_OK && r <= SIG_MISMATCH);
	FUZZ_ASSERT(sig_reason(r) && *sig_reason(r));
	FUZZ_ASSERT((r == SIG_MISSING) == (*s == '\0'));

	/* what Stripe sends: t=NOW,v1=HMAC("NOW.body") */
	const char *t = "1700000000";
	char *payload = cb_alloc(req, 11 + bn + 1);
	memcpy(payload, t, 10);
	payload[10] = '.';
	memcpy(payload + 11, body, bn);
	const char *mac = cb_hmac_sha256_hex(req, secrets[0], strlen(secrets[0]), payload, 11 + bn);
	const char *good = cb_sprintf(req, "t=%s,v1=%s", t, mac);
	FUZZ_ASSERT(sig_verify(req, good, body, bn, secrets, TOL, NOW) == SIG_OK);
	FUZZ_ASSERT(sig_verify(req, good, body, bn, rolled, TOL, NOW) == SIG_OK);
	FUZZ_ASSERT(sig_verify(req, good, body, bn, other, TOL, NOW) == SIG_MISMATCH);
	FUZZ_ASSERT(sig_verify(req, good, body, bn, secrets, TOL, NOW + TOL + 1) == SIG_STALE);
	FUZZ_ASSERT(sig_verify(req, good, body, bn, secrets, TOL, NOW - TOL - 1) == SIG_STALE);
	if (bn > 0) { /* one byte of the body changed */
		char *changed = cb_alloc(req, bn);
		memcpy(changed, body, bn);
		changed[bn - 1] = (char)(changed[bn - 1] ^ 1);
		FUZZ_ASSERT(sig_verify(req, good, changed, bn, secrets, TOL, NOW) == SIG_MISMATCH);
	}
	/* a v0 and the fuzzed header's own elements (when well-formed) before it
	 * change nothing: any v1 matching is enough */
	if (*s && r != SIG_MALFORMED && r != SIG_MISSING && strlen(s) < 2048) {
		int ok = sig_verify(req, cb_sprintf(req, "%s,v1=%s,v0=abc", good, mac), body, bn,
		                    secrets, TOL, NOW);
		FUZZ_ASSERT(ok == SIG_OK);
	}
	req_free(req);
	return 0;
}
