/* chat.c — fuzzes the intent engine's normaliser and classifier
 * (plugins/chat/normalise.c, intents.c): any bytes, valid UTF-8 or not,
 * normalise to ASCII words within the documented buffer sizes, tokenise, and
 * classify to a known intent and language; the edit distance is symmetric
 * within its limit. */
#include "chat.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cb_req *req = req_new();
	char *text = fuzz_str(req, data, size);
	size_t n = strlen(text);
	char *spelled = NULL, *base = NULL;
	norm_forms(req, text, &spelled, &base);
	FUZZ_ASSERT(spelled && base);
	FUZZ_ASSERT(strlen(spelled) <= 2 * n + 1 && strlen(base) <= 2 * n + 1);
	for (const char *p = spelled; *p; p++)
		FUZZ_ASSERT((unsigned char)*p < 0x80);
	char *tok[64];
	size_t nt = tokenise(spelled, tok, 64);
	FUZZ_ASSERT(nt <= 64);
	if (nt >= 2) {
		size_t a = strlen(tok[0]), b = strlen(tok[1]);
		int d1 = dl_distance(tok[0], a, tok[1], b, 2);
		int d2 = dl_distance(tok[1], b, tok[0], a, 2);
		/* above the limit either answer (limit + 1 or the exact distance) says "too far" */
		FUZZ_ASSERT(d1 >= 0 && d2 >= 0 && (d1 <= 2) == (d2 <= 2));
		FUZZ_ASSERT(d1 > 2 || d1 == d2);
		/* words longer than 48 bytes are never near anything (DL_MAX) */
		FUZZ_ASSERT(a > 48 || dl_distance(tok[0], a, tok[0], a, 2) == 0);
	}
	struct analysis an;
	analyse(req, text, size % 2 ? "en" : "de-DE", &an);
	FUZZ_ASSERT(an.lang && (strcmp(an.lang, "de") == 0 || strcmp(an.lang, "en") == 0));
	FUZZ_ASSERT(intent_name(an.intent) != NULL);
	FUZZ_ASSERT(an.service == S_NONE || service_id(an.service) != NULL);
	req_free(req);
	return 0;
}
