/* host.c — fuzzes the landing plugin's Host normaliser and the choice of
 * page it names (request_host, host_kind in plugins/landing): a normalised
 * host is lower-case letters, digits, '-' and '.', at most 253 bytes, and a
 * subdomain it names is a single DNS label. Input: a Host header value. */
#include "fuzz.h"
#include "landing.h"

struct landing_conf lp_cf;
const struct templates_api *lp_tpl; /* not used: nothing here renders */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lp_cf.base_domain = "carbot.localhost";
	lp_cf.site_url = "https://{host}";
	cb_req *req = req_new();
	struct kv h = {NULL, "Host", fuzz_str(req, data, size)};
	req->is_http = 1;
	req->headers = &h;
	const char *host = request_host(req);
	if (host) {
		size_t n = strlen(host);
		FUZZ_ASSERT(n > 0 && n <= 253);
		for (const char *p = host; *p; p++)
			FUZZ_ASSERT((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			            *p == '-' || *p == '.');
		const char *name = NULL;
		char k = host_kind(req, host, &name);
		FUZZ_ASSERT(k == 0 || k == 's' || k == 'd' || k == 'n');
		if (k == 's')
			FUZZ_ASSERT(name && !strchr(name, '.') && strlen(name) <= 63);
		if (k == 'd')
			FUZZ_ASSERT(name && strchr(name, '.'));
		char *url = site_url_for(req, host);
		FUZZ_ASSERT(url && strstr(url, host));
	}
	req_free(req);
	return 0;
}
