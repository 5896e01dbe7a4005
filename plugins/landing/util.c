/* util.c — small helpers the landing plugin's files share. */
#include <openssl/sha.h>
#include <string.h>
#include <sys/random.h>

#include "landing.h"

int is_uuid(const char *s)
{
	if (!s || strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		char c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return 0;
		}
	}
	return 1;
}

int reply_db_error(cb_req *req, const char *what)
{
	cb_log(req, CB_LOG_ERROR, "landing: %s failed: sqlstate %s: %s", what, cb_db_sqlstate(req),
	       cb_db_errmsg(req));
	/* an unreachable database is the core's 503, anything else a 500 */
	return CB_EDB;
}

static void to_hex(char *out, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * n] = '\0';
}

char *random_hex(cb_req *req, size_t nbytes)
{
	unsigned char raw[64];
	char *out = cb_alloc(req, 2 * nbytes + 1);
	size_t got = 0;

	if (nbytes > sizeof raw)
		nbytes = sizeof raw;
	while (got < nbytes) {
		ssize_t n = getrandom(raw + got, nbytes - got, 0);
		if (n > 0)
			got += (size_t)n;
	}
	to_hex(out, raw, nbytes);
	return out;
}

char *sha256_hex(cb_req *req, const void *p, size_t len)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char *out = cb_alloc(req, 2 * sizeof md + 1);

	SHA256(p, len, md);
	to_hex(out, md, sizeof md);
	return out;
}

char *lower_dup(cb_req *req, const char *s)
{
	char *d = cb_strdup(req, s);
	for (char *c = d; c && *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return d;
}

const char *request_host(cb_req *req)
{
	const char *h = cb_req_header(req, "Host");
	size_t n;
	char *host;

	if (!h || !*h || h[0] == '[')
		return NULL; /* no IPv6 literal names a landing page */
	n = strcspn(h, ":");
	if (n == 0 || n > 253)
		return NULL;
	host = lower_dup(req, cb_strndup(req, h, n));
	if (host[n - 1] == '.')
		host[--n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!((host[i] >= 'a' && host[i] <= 'z') || (host[i] >= '0' && host[i] <= '9') ||
		      host[i] == '-' || host[i] == '.'))
			return NULL;
	return n ? host : NULL;
}

char *site_url_for(cb_req *req, const char *host)
{
	const char *t = lp_cf.site_url;
	const char *at = strstr(t, "{host}");
	char *url;
	size_t n;

	if (at)
		url = cb_sprintf(req, "%.*s%s%s", (int)(at - t), t, host, at + 6);
	else
		url = cb_strdup(req, t);
	n = strlen(url);
	while (n && url[n - 1] == '/')
		url[--n] = '\0';
	return url;
}
