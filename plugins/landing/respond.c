/* respond.c — the HTTP side of serving a page: the page's own Content
 * Security Policy (inline styles and the widget script allowed, nothing
 * else), ETag and 304, gzip when the client takes it, caching headers, and
 * the HTML 404 page. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "landing.h"

static char csp[1024];

void respond_init(void)
{
	/* the widget's origin when it is served from elsewhere */
	char origin[300] = "";
	const char *w = lp_cf.widget_url;

	if (strncmp(w, "https://", 8) == 0 || strncmp(w, "http://", 7) == 0) {
		const char *host = strstr(w, "//") + 2;
		size_t n = (size_t)(host - w) + strcspn(host, "/?#");
		if (n < sizeof origin - 1)
			snprintf(origin, sizeof origin, " %.*s", (int)n, w);
	}
	snprintf(csp, sizeof csp,
	         "default-src 'self'; script-src 'self'%s; connect-src 'self'%s; "
	         "style-src 'self' 'unsafe-inline'; img-src 'self' https: http: data:; "
	         "font-src 'self' data:; frame-src https:; frame-ancestors 'self'; "
	         "base-uri 'none'; form-action 'self'; object-src 'none'",
	         origin, origin);
}

void set_page_headers(cb_req *req)
{
	cb_set_header(req, "Content-Security-Policy", csp);
	cb_set_header(req, "X-Frame-Options", "SAMEORIGIN");
}

/* 1 when Accept-Encoding takes gzip (token gzip or *, q not 0). */
static int accepts_gzip(cb_req *req)
{
	const char *h = cb_req_header(req, "Accept-Encoding");

	while (h && *h) {
		size_t n = strcspn(h, ","), t;
		const char *item = h, *q;
		while (*item == ' ' || *item == '\t')
			item++;
		t = strcspn(item, " \t;,");
		if ((t == 4 && strncasecmp(item, "gzip", 4) == 0) || (t == 1 && item[0] == '*')) {
			q = item + t;
			while (*q == ' ' || *q == ';' || *q == '\t')
				q++;
			if (strncasecmp(q, "q=", 2) != 0)
				return 1;
			/* q=0, q=0.0, q=0.000 refuse it; anything else takes it */
			q += 2;
			if (*q != '0')
				return 1;
			for (q++; *q == '.' || *q == '0'; q++)
				;
			if (*q >= '1' && *q <= '9')
				return 1;
		}
		h += n;
		if (*h == ',')
			h++;
	}
	return 0;
}

/* 1 when If-None-Match names one of the entry's ETags (weak comparison). */
static int not_modified(cb_req *req, const struct cache_entry *e)
{
	const char *h = cb_req_header(req, "If-None-Match");

	while (h && *h) {
		size_t n;
		while (*h == ' ' || *h == ',')
			h++;
		if (h[0] == '*')
			return 1;
		if (strncmp(h, "W/", 2) == 0)
			h += 2;
		n = strcspn(h, ", ");
		if ((n == strlen(cache_etag(e, 0)) && strncmp(h, cache_etag(e, 0), n) == 0) ||
		    (n == strlen(cache_etag(e, 1)) && strncmp(h, cache_etag(e, 1), n) == 0))
			return 1;
		h += n;
	}
	return 0;
}

int respond_page(cb_req *req, struct cache_entry *e)
{
	int gz = cache_has_gzip(e) && accepts_gzip(req);
	size_t len;
	const char *body;

	set_page_headers(req);
	cb_set_header(req, "Vary", "Accept-Encoding");
	/* browsers ask again each time (a cheap 304); shared caches may keep
	 * the page a minute */
	cb_set_header(req, "Cache-Control", "public, no-cache, s-maxage=60");
	cb_set_header(req, "ETag", cache_etag(e, gz));
	if (not_modified(req, e))
		return cb_reply(req, 304, NULL, NULL, 0);
	if (gz)
		cb_set_header(req, "Content-Encoding", "gzip");
	body = cache_body(e, gz, &len);
	return cb_reply(req, 200, "text/html; charset=utf-8", body, len);
}

int respond_html_nocache(cb_req *req, int status, const char *html, size_t len)
{
	set_page_headers(req);
	cb_set_header(req, "Cache-Control", "private, no-store");
	cb_set_header(req, "X-Robots-Tag", "noindex");
	return cb_reply(req, status, "text/html; charset=utf-8", html, len);
}

int respond_not_found(cb_req *req)
{
	static const char page[] =
	    "<!DOCTYPE html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"robots\" content=\"noindex\">\n"
	    "<title>Seite nicht gefunden · Page not found</title>\n"
	    "<style>body{font-family:system-ui,sans-serif;margin:0;display:flex;"
	    "min-height:100vh;align-items:center;justify-content:center;background:#f6f7f9;"
	    "color:#222}main{text-align:center;padding:2rem}h1{font-size:1.6rem}"
	    "p{color:#555}</style>\n</head>\n<body>\n<main>\n"
	    "<h1>Seite nicht gefunden</h1>\n"
	    "<p>Diese Seite gibt es nicht oder sie ist nicht veröffentlicht.</p>\n"
	    "<p lang=\"en\">This page does not exist or is not published.</p>\n"
	    "</main>\n</body>\n</html>\n";

	set_page_headers(req);
	cb_set_header(req, "Cache-Control", "no-cache");
	return cb_reply(req, 404, "text/html; charset=utf-8", page, sizeof page - 1);
}
