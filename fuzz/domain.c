/* domain.c — fuzzes the keys plugin's domain normaliser (IDN via libidn2,
 * labels, blocklist) and its Origin check: an accepted domain is lower-case
 * ASCII, normalises to itself, and a key bound to it admits its own https
 * origin. Input: a domain, or "origin\ndomain". */
#include "fuzz.h"
#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *bad = NULL;
	if (!ready) {
		FUZZ_ASSERT(blocklist_load("carbot.localhost, blocked.example", &bad) == CB_OK);
		ready = 1;
	}
	cb_req *req = req_new();
	char *s = fuzz_str(req, data, size);
	size_t rn = 0;
	char *second = fuzz_split(s, size, '\n', &rn);
	for (int t = 0; t < 2; t++) {
		const char *env = t ? "test" : "prod";
		const char *in = second ? second : s;
		const char *why = NULL;
		char *d = domain_normalize(req, in, env, &why);
		if (!d) {
			FUZZ_ASSERT(why != NULL);
		} else {
			for (const char *p = d; *p; p++)
				FUZZ_ASSERT(!(*p >= 'A' && *p <= 'Z') && (unsigned char)*p < 0x80);
			FUZZ_ASSERT(strlen(d) <= 253);
			char *again = domain_normalize(req, d, env, &why);
			FUZZ_ASSERT(again && strcmp(again, d) == 0);
			FUZZ_ASSERT(origin_allowed(cb_sprintf(req, "https://%s", d), d, env));
		}
		if (second)
			(void)origin_allowed(s, d ? d : in, env);
	}
	req_free(req);
	return 0;
}
