/* json.c — fuzzes the core's JSON parser (cb_json_parse, on yajl) and its
 * writer: whatever parses dumps to text that parses again, and dumping
 * settles after one round trip. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cb_req *req = req_new();
	char err[128];
	cb_json *v = cb_json_parse(req, (const char *)data, size, err, sizeof err);
	if (v) {
		const char *a = cb_json_dump(req, v, NULL);
		FUZZ_ASSERT(a);
		cb_json *w = cb_json_parse(req, a, strlen(a), err, sizeof err);
		FUZZ_ASSERT(w);
		/* the second dump is a fixed point (not the first: -0.0 dumps as
		 * "-0", which parses as the integer 0) */
		const char *b = cb_json_dump(req, w, NULL);
		FUZZ_ASSERT(b);
		cb_json *x = cb_json_parse(req, b, strlen(b), err, sizeof err);
		FUZZ_ASSERT(x);
		const char *c = cb_json_dump(req, x, NULL);
		FUZZ_ASSERT(c && strcmp(b, c) == 0);
	} else {
		FUZZ_ASSERT(err[0] != '\0');
	}
	req_free(req);
	return 0;
}
