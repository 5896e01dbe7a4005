/* subdomain_check.c — GET /api/v1/landing-pages/subdomain-check?subdomain=
 *
 * The dashboard asks while the owner types a subdomain, so the answer for a
 * name that cannot be had is 200 with available = false and the reason (the
 * same rules h_create applies, in the same order); only a request that is
 * not a question at all (no parameter, or one far longer than any DNS
 * label) is a 400. Creating the page can still lose a race for the name
 * (409 subdomain_taken): this is advice, not a reservation. */
#include <string.h>

#include "landing.h"

/* Longest value looked at: a label is at most 63 bytes; anything up to this
 * is answered with a reason, beyond it the request is refused. */
#define MAX_ASKED 255

static int answer(cb_req *req, const char *sub, int available, const char *reason,
                  const char *message)
{
	cb_json *o = cb_json_new_object(req);

	cb_json_set_str(o, "subdomain", sub);
	cb_json_set_bool(o, "available", available);
	cb_json_set_str(o, "reason", reason);
	cb_json_set_str(o, "message", message);
	if (available || strcmp(reason, "taken") == 0)
		cb_json_set_str(o, "host", cb_sprintf(req, "%s.%s", sub, lp_cf.base_domain));
	return cb_reply_json(req, 200, o);
}

int h_subdomain_check(cb_req *req)
{
	cb_check *c = cb_check_new(req, NULL);
	const char *asked = cb_query_str(c, "subdomain", CB_REQUIRED, 0, MAX_ASKED), *sub;
	size_t n;
	cb_res *res;

	if (!cb_check_ok(c))
		return cb_check_reply(c);
	sub = lower_dup(req, asked);
	n = strlen(sub);
	if (n < 3)
		return answer(req, sub, 0, "too_short", "A subdomain has at least 3 characters");
	if (n > 63)
		return answer(req, sub, 0, "too_long", "A subdomain has at most 63 characters");
	if (!is_dns_label(sub, 3, 63))
		return answer(req, sub, 0, "invalid",
		              "A subdomain may hold a-z, 0-9 and hyphens (not first or last)");
	if (subdomain_reserved(sub))
		return answer(req, sub, 0, "reserved", "This subdomain is reserved");
	res = cb_db_q(req, "SELECT 1 FROM landing_pages WHERE subdomain = $1", sub);
	if (!res)
		return cb_reply_db_error(req, "subdomain check");
	if (cb_res_rows(res) > 0)
		return answer(req, sub, 0, "taken", "This subdomain is already taken");
	return answer(req, sub, 1, NULL, NULL);
}
