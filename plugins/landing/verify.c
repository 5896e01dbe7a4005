/* verify.c — proving control of a custom domain by one of three methods:
 *
 *   dns   a TXT record _carbot-verification.{domain} holding the token
 *   file  https://{domain}/.well-known/carbot-verification.txt holding it
 *   meta  <meta name="carbot-verification" content="{token}"> on https://{domain}/
 *
 * Every check has a deadline (verify_timeout_ms) and a size cap; HTTP checks
 * go through cb_fetch with public_only set, so a user's domain that resolves
 * into the operator's network is refused (SSRF). The scheme and port of the
 * HTTP checks come from verify_url ("https://{domain}"); tests point it at a
 * loopback server, and then the domain travels in the Host header. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "landing.h"

#define FILE_MAX 4096
#define PAGE_MAX (512u << 10)

/* s without leading and trailing white space, in req's arena. */
static const char *trim(cb_req *req, const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return cb_strndup(req, s, n);
}

static int token_matches(cb_req *req, const char *value, size_t n, const char *token)
{
	const char *v = trim(req, value, n);

	if (strncmp(v, "carbot-verification=", 20) == 0)
		v += 20;
	return strcmp(v, token) == 0;
}

static int check_dns(cb_req *req, const char *domain, const char *token, const char **reason,
                     const char **why)
{
	const char *name = cb_sprintf(req, "_carbot-verification.%s", domain);
	cb_json *txt = NULL;
	int rc = dns_txt(req, name, (long)lp_cf.verify_timeout_ms, &txt, why);

	if (rc == CB_ETIMEOUT) {
		*reason = "timeout";
		return rc;
	}
	if (rc == CB_ENOTFOUND) {
		*reason = "no_record";
		return rc;
	}
	if (rc != CB_OK) {
		*reason = "dns_error";
		return rc;
	}
	for (size_t i = 0; i < cb_json_len(txt); i++) {
		const cb_json *r = cb_json_at(txt, i);
		if (token_matches(req, cb_json_str(r), cb_json_strlen(r), token))
			return CB_OK;
	}
	*reason = "token_not_found";
	*why = cb_sprintf(req, "No TXT record of %s holds the token", name);
	return CB_ERR;
}

/* GETs path on the domain; CB_OK with a 200 answer in *res. */
static int fetch(cb_req *req, const char *domain, const char *path, size_t max, cb_fetch_res *res,
                 const char **reason, const char **why)
{
	const char *t = lp_cf.verify_url, *at = strstr(t, "{domain}");
	const char *base = at ? cb_sprintf(req, "%.*s%s%s", (int)(at - t), t, domain, at + 8) : t;
	const char *headers[] = {cb_sprintf(req, "Host: %s", domain), NULL};
	cb_fetch_opts o = CB_FETCH_INIT;
	int rc;

	o.url = cb_sprintf(req, "%s%s", base, path);
	o.headers = at ? NULL : headers;
	o.timeout_ms = (long)lp_cf.verify_timeout_ms;
	o.connect_timeout_ms = o.timeout_ms < 2000 ? o.timeout_ms : 2000;
	o.max_bytes = max;
	o.follow_redirects = 1; /* same host only: http -> https and the like */
	o.public_only = 1;      /* the domain is the user's: no SSRF into our network */
	rc = cb_fetch(req, &o, res);
	if (rc == CB_ETIMEOUT) {
		*reason = "timeout";
		*why = cb_sprintf(req, "%s did not answer in time", o.url);
		return rc;
	}
	if (rc == CB_ETOOBIG) {
		*reason = "too_large";
		*why = cb_sprintf(req, "%s answered with more than %zu bytes", o.url, max);
		return rc;
	}
	if (rc != CB_OK) {
		*reason = "unreachable";
		*why = cb_sprintf(req, "%s could not be fetched: %s", o.url,
		                  res->error ? res->error : cb_strerror(rc));
		return rc;
	}
	if (res->status != 200) {
		*reason = "bad_status";
		*why = cb_sprintf(req, "%s answered %ld, not 200", o.url, res->status);
		return CB_ERR;
	}
	return CB_OK;
}

int verify_domain(cb_req *req, const char *domain, const char *method, const char *token,
                  const char **reason, const char **why)
{
	cb_fetch_res res = CB_FETCH_RES_INIT;
	int rc;

	*reason = "token_not_found";
	*why = "";
	if (strcmp(method, "dns") == 0)
		return check_dns(req, domain, token, reason, why);
	if (strcmp(method, "file") == 0) {
		rc = fetch(req, domain, "/.well-known/carbot-verification.txt", FILE_MAX, &res,
		           reason, why);
		if (rc != CB_OK)
			return rc;
		if (token_matches(req, res.body, strcspn(res.body, "\r\n"), token))
			return CB_OK;
		*why = "The verification file does not hold the token";
		return CB_ERR;
	}
	rc = fetch(req, domain, "/", PAGE_MAX, &res, reason, why);
	if (rc != CB_OK)
		return rc;
	if (html_has_meta_token(res.body, res.body_len, token))
		return CB_OK;
	*why = "The home page has no <meta name=\"carbot-verification\"> tag with the token";
	return CB_ERR;
}

/* ---- a tolerant scan of <meta> tags ---- */

struct attr {
	const char *name, *value;
	size_t nlen, vlen;
};

/* Reads one attribute at *p (inside a tag); 0 at the tag's end. */
static int next_attr(const char **pp, const char *end, struct attr *a)
{
	const char *p = *pp;

	while (p < end && (isspace((unsigned char)*p) || *p == '/'))
		p++;
	if (p >= end || *p == '>')
		return 0;
	a->name = p;
	while (p < end && !isspace((unsigned char)*p) && *p != '=' && *p != '>' && *p != '/')
		p++;
	a->nlen = (size_t)(p - a->name);
	a->value = "";
	a->vlen = 0;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p < end && *p == '=') {
		p++;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p < end && (*p == '"' || *p == '\'')) {
			char q = *p++;
			a->value = p;
			while (p < end && *p != q)
				p++;
			a->vlen = (size_t)(p - a->value);
			if (p < end)
				p++;
		} else {
			a->value = p;
			while (p < end && !isspace((unsigned char)*p) && *p != '>')
				p++;
			a->vlen = (size_t)(p - a->value);
		}
	}
	*pp = p;
	return 1;
}

static int is(const struct attr *a, const char *name)
{
	return a->nlen == strlen(name) && strncasecmp(a->name, name, a->nlen) == 0;
}

int html_has_meta_token(const char *html, size_t len, const char *token)
{
	const char *end = html + len, *p = html;
	size_t tlen = strlen(token);

	while (p + 5 < end) {
		const char *tag = memchr(p, '<', (size_t)(end - p));
		int named = 0, has = 0;
		struct attr a;
		if (!tag || tag + 5 >= end)
			return 0;
		p = tag + 1;
		if (strncasecmp(p, "meta", 4) != 0 ||
		    !(isspace((unsigned char)p[4]) || p[4] == '/'))
			continue;
		p += 4;
		while (next_attr(&p, end, &a)) {
			if (is(&a, "name") && a.vlen == 19 &&
			    strncasecmp(a.value, "carbot-verification", 19) == 0)
				named = 1;
			if (is(&a, "content")) {
				const char *v = a.value;
				size_t n = a.vlen;
				while (n && isspace((unsigned char)*v)) {
					v++;
					n--;
				}
				while (n && isspace((unsigned char)v[n - 1]))
					n--;
				has = n == tlen && memcmp(v, token, n) == 0;
			}
		}
		if (named && has)
			return 1;
	}
	return 0;
}
