/* fetch.c — outbound HTTP with libcurl on the calling handler thread (fetch.h).
 * Redirects are followed by hand so that each hop can be checked against the
 * original host.
 *
 * With public_only, the host is resolved here once, every address is checked
 * against netguard.c's special-purpose ranges, and curl is handed the public
 * ones (CURLOPT_RESOLVE), so it connects to an address that was checked and
 * never looks the name up again: a DNS answer that changes between the check
 * and the connect (rebinding) cannot slip a private address in. The socket
 * callback checks the address once more as it is opened. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core.h"
#include "netguard.h"

struct sink {
	cb_req *req;
	char *buf;
	size_t len, cap, max;
	int overflow;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;
	if (s->len + n > s->max) {
		s->overflow = 1;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *nb = cb_alloc(s->req, cap);
		if (s->len)
			memcpy(nb, s->buf, s->len);
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

/* "scheme://host:port" of url (lower-cased, default port filled in, in the
 * arena), or NULL: a redirect must keep all three, or it could move a check
 * from https to http or onto another service of the same host. */
static char *origin_of(cb_req *req, const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *h = NULL, *port = NULL, *out = NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		out = cb_sprintf(req, "%s://%s:%s", scheme, h, port);
		for (char *c = out; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
	}
	curl_free(scheme);
	curl_free(h);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

struct guard {
	int refused;
};

/* "host:port:addr,addr" for CURLOPT_RESOLVE: the public addresses of url's
 * host, resolved once. NULL with *refused set when it has none (every
 * address is special-purpose), NULL alone when it does not resolve or is an
 * IP literal (curl does no lookup for one; the socket callback judges it). */
static char *pinned_addresses(cb_req *req, const char *url, int *refused)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *out = NULL;
	struct addrinfo hints = {0}, *res = NULL;
	unsigned char tmp[16];

	*refused = 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK)
		goto done;
	if (host[0] == '[' || inet_pton(AF_INET, host, tmp) == 1)
		goto done;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = AF_UNSPEC;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		goto done;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		char text[INET6_ADDRSTRLEN];
		const void *a =
		    ai->ai_family == AF_INET
		        ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
		        : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    netguard_non_public(ai->ai_addr) ||
		    !inet_ntop(ai->ai_family, a, text, sizeof text))
			continue;
		if (out && strstr(out, text))
			continue;
		out = out ? cb_sprintf(req, "%s,%s%s%s", out, ai->ai_family == AF_INET6 ? "[" : "",
		                       text, ai->ai_family == AF_INET6 ? "]" : "")
		          : cb_sprintf(req, "%s:%s:%s%s%s", host, port,
		                       ai->ai_family == AF_INET6 ? "[" : "", text,
		                       ai->ai_family == AF_INET6 ? "]" : "");
	}
	if (!out)
		*refused = 1;
	freeaddrinfo(res);
done:
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

static curl_socket_t open_public(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct guard *g = arg;
	(void)purpose;
	if (netguard_non_public(&addr->addr)) {
		g->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype, addr->protocol);
}

static int fail(cb_fetch_res *out, int code, const char *why)
{
	out->error = why;
	return code;
}

int cb_fetch(cb_req *req, const cb_fetch_opts *o, cb_fetch_res *out)
{
	out->status = 0;
	out->body = "";
	out->body_len = 0;
	out->content_type = NULL;
	out->error = NULL;
	if (!o || !o->url || (strncasecmp(o->url, "http://", 7) != 0 &&
			      strncasecmp(o->url, "https://", 8) != 0))
		return fail(out, CB_EINVAL, "only http and https URLs can be fetched");
	const char *origin = origin_of(req, o->url);
	if (!origin)
		return fail(out, CB_EINVAL, "malformed URL");
	const char *url = o->url;
	struct curl_slist *hdrs = NULL;
	for (const char *const *h = o->headers; h && *h; h++)
		hdrs = curl_slist_append(hdrs, *h);
	int rc = CB_OK;
	/* public_only exists from SDK 1.1: older plugins' smaller struct lacks it */
	int public_only = o->size >= offsetof(cb_fetch_opts, public_only) + sizeof(int) &&
			  o->public_only && !core.conf->core.fetch_private_ok;
	struct guard guard = {0};
	/* one time budget for the whole call, redirects included */
	long budget = o->timeout_ms ? o->timeout_ms : 5000L;
	double deadline = now_ms() + (double)budget;
	for (int hop = 0; hop < 4; hop++) {
		long left = (long)(deadline - now_ms());
		if (left <= 0) {
			rc = fail(out, CB_ETIMEOUT, "timed out");
			break;
		}
		struct sink s = {req, NULL, 0, 0, o->max_bytes ? o->max_bytes : 1 << 20, 0};
		CURL *c = curl_easy_init();
		char errbuf[CURL_ERROR_SIZE] = "";
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, left);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
				 o->connect_timeout_ms ? o->connect_timeout_ms : 2000L);
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s.max);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "carbotd/" CB_VERSION);
		if (hdrs)
			curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
		struct curl_slist *pin = NULL;
		if (public_only) {
			int refused = 0;
			char *pinned = pinned_addresses(req, url, &refused);
			if (refused) {
		curl_easy_cleanup(c);
			rc = fail(out, CB_EFETCH, "the address is not public (refused)");
			break;
	}
			if (pinned) {
				pin = curl_slist_append(NULL, pinned);
				curl_easy_setopt(c, CURLOPT_RESOLVE, pin);
	}
			/* through a proxy the guard would see the proxy, not the target */
			curl_easy_setopt(c, CURLOPT_PROXY, "");
			curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_public);
			curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
		}
		if (o->body && hop == 0) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, o->body);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)o->body_len);
		}
		if (o->method && hop == 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, o->method);
		CURLcode cc = curl_easy_perform(c);
		long status = 0;
		char *ct = NULL, *next = NULL;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
		curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &next);
		out->status = status;
		out->content_type = ct ? cb_strdup(req, ct) : NULL;
		char *next_copy = next ? cb_strdup(req, next) : NULL;
		curl_easy_cleanup(c);
		curl_slist_free_all(pin);
		if (cc == CURLE_OPERATION_TIMEDOUT) {
			rc = fail(out, CB_ETIMEOUT, "timed out");
			break;
		}
		if (s.overflow || cc == CURLE_FILESIZE_EXCEEDED) {
			rc = fail(out, CB_ETOOBIG, "response larger than the size cap");
			break;
		}
		if (cc != CURLE_OK && guard.refused) {
			rc = fail(out, CB_EFETCH, "the address is not public (refused)");
			break;
		}
		if (cc != CURLE_OK) {
			rc = fail(out, CB_EFETCH,
				  cb_strdup(req, errbuf[0] ? errbuf : curl_easy_strerror(cc)));
			break;
		}
		out->body = s.buf ? s.buf : "";
		out->body_len = s.len;
		if (!(status >= 300 && status < 400 && next_copy && o->follow_redirects))
			break;
		const char *h = origin_of(req, next_copy);
		if (!h || strcmp(h, origin) != 0) {
			rc = fail(out, CB_EFETCH, "redirect to another host, port or scheme refused");
			break;
		}
		if (hop == 3) {
			rc = fail(out, CB_EFETCH, "too many redirects");
			break;
		}
		url = next_copy;
	}
	curl_slist_free_all(hdrs);
	if (rc != CB_OK) {
		out->body = "";
		out->body_len = 0;
	}
	return rc;
}
