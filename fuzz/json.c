/* json.c — fuzzes the core's JSON parser (cb_json_parse, on yajl) and its
 * writer: whatever parses dumps to text that parses again to the same dump. */
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
		const char *b = cb_json_dump(req, w, NULL);
		FUZZ_ASSERT(b && strcmp(a, b) == 0);
	} else {
		FUZZ_ASSERT(err[0] != '\0');
	}
	req_free(req);
	return 0;
}
