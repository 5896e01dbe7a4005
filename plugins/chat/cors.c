/* cors.c — cross-origin rules of the widget API.
 *
 * The key check (the keys plugin's authenticator) has already refused an
 * Origin that is not the key's domain or one of its subdomains (test keys:
 * localhost too) before a widget handler runs, so a handler only echoes the
 * Origin it was given. Preflights carry neither the key nor the body, so
 * they cannot be checked against a key: they are answered for any
 * well-formed Origin, and the actual POST decides. */
#include <string.h>

#include "chat.h"

/* scheme://host[:port], nothing else; "null" (sandboxed frames) is not. */
static int origin_well_formed(const char *o)
{
	const char *h;

	if (!o)
		return 0;
	if (strncmp(o, "https://", 8) == 0)
		h = o + 8;
	else if (strncmp(o, "http://", 7) == 0)
		h = o + 7;
	else
		return 0;
	if (!*h || strlen(o) > 300)
		return 0;
	for (; *h; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		      (*h >= '0' && *h <= '9') || *h == '.' || *h == '-' || *h == ':' ||
		      *h == '[' || *h == ']'))
			return 0;
	return 1;
}

void cors_allow(cb_req *req)
{
	const char *origin = cb_req_header(req, "Origin");

	cb_add_header(req, "Vary", "Origin");
	if (!origin_well_formed(origin))
		return;
	cb_set_header(req, "Access-Control-Allow-Origin", origin);
	cb_set_header(req, "Access-Control-Expose-Headers",
	              "Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset");
}

int h_preflight(cb_req *req)
{
	const char *origin = cb_req_header(req, "Origin");

	cb_add_header(req, "Vary", "Origin");
	if (origin_well_formed(origin)) {
		cb_set_header(req, "Access-Control-Allow-Origin", origin);
		cb_set_header(req, "Access-Control-Allow-Methods", "POST");
		cb_set_header(req, "Access-Control-Allow-Headers",
		              "Content-Type, X-CarBot-Key, X-CarBot-Page");
		cb_set_header(req, "Access-Control-Max-Age", "600");
	}
	return cb_reply(req, 204, NULL, NULL, 0);
}
