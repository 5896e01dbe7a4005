/* util.c — small helpers the landing plugin's files share. */
#include <openssl/sha.h>
#include <string.h>
#include <sys/random.h>

#include "landing.h"

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
