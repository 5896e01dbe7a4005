/* signature.c — the Stripe-Signature header, checked as Stripe documents it:
 *
 *   Stripe-Signature: t=1492774577,v1=5257a869...,v0=6ffbb59b...
 *
 * t is the signing time (unix seconds); each v1 is HMAC-SHA-256 of
 * "t.body" (the raw body bytes) under the endpoint's secret, in hex. v0 and
 * unknown schemes are ignored, several v1 may be present (Stripe sends one
 * per active secret while a secret is rolled), any match is enough, and the
 * timestamp must lie within the tolerance of now, in either direction.
 * Comparisons are constant-time. The test suite holds this against headers
 * made by Stripe's own library (t/billing-signature.t). */
#include <stdlib.h>
#include <string.h>

#include "billing.h"

#define HEX_LEN   64
#define MAX_V1    8
#define MAX_ELEMS 32

static int ct_equal_hex(const char *a, const char *b)
{
	unsigned char d = 0;

	for (size_t i = 0; i < HEX_LEN; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

static int all_digits(const char *s, size_t n)
{
	if (n == 0 || n > 12)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int is_lower_hex(const char *s, size_t n)
{
	if (n != HEX_LEN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int sig_verify(cb_req *req, const char *header, const char *body, size_t len,
               const char *const *secrets, long long tolerance, long long now)
{
	const char *v1[MAX_V1];
	const char *s = header, *t_val = NULL;
	size_t t_len = 0;
	int nv1 = 0, elems = 0, any_v1 = 0;

	if (!header || !*header)
		return SIG_MISSING;
	while (*s) {
		size_t n = strcspn(s, ",");
		const char *eq = memchr(s, '=', n);
		if (!eq || eq == s || ++elems > MAX_ELEMS)
			return SIG_MALFORMED;
		size_t kn = (size_t)(eq - s), vn = n - kn - 1;
		const char *v = eq + 1;
		if (kn == 1 && s[0] == 't') {
			if (!t_val) {
				t_val = v;
				t_len = vn;
			}
		} else if (kn == 2 && s[0] == 'v' && s[1] == '1') {
			any_v1 = 1;
			if (is_lower_hex(v, vn) && nv1 < MAX_V1)
				v1[nv1++] = v; /* not hex: cannot match, skipped */
		}
		s += n;
		if (*s == ',') {
			s++;
			if (!*s)
				return SIG_MALFORMED;
		}
	}
	if (!t_val || !all_digits(t_val, t_len))
		return SIG_MALFORMED;
	if (!any_v1)
		return SIG_NO_V1;
	long long t = strtoll(cb_strndup(req, t_val, t_len), NULL, 10);
	if (t < now - tolerance || t > now + tolerance)
		return SIG_STALE;

	/* "t.body", exactly the bytes received */
	char *signed_payload = cb_alloc(req, t_len + 1 + len + 1);
	memcpy(signed_payload, t_val, t_len);
	signed_payload[t_len] = '.';
	memcpy(signed_payload + t_len + 1, body, len);
	int match = 0;
	for (const char *const *sec = secrets; *sec; sec++) {
		if (!**sec)
			continue;
		const char *want =
		    cb_hmac_sha256_hex(req, *sec, strlen(*sec), signed_payload, t_len + 1 + len);
		for (int i = 0; i < nv1; i++)
			match |= ct_equal_hex(want, v1[i]); /* no early exit */
	}
	return match ? SIG_OK : SIG_MISMATCH;
}

const char *sig_reason(int result)
{
	switch (result) {
	case SIG_OK:
		return "ok";
	case SIG_MISSING:
		return "no Stripe-Signature header";
	case SIG_MALFORMED:
		return "the Stripe-Signature header is malformed";
	case SIG_NO_V1:
		return "the Stripe-Signature header has no v1 signature";
	case SIG_STALE:
		return "the signature's timestamp is outside the tolerance";
	default:
		return "no signature matches";
	}
}
