/* validate.c — checking user input field by field. Problems are recorded
 * with cb_check_fail under dotted paths ("configuration.contact_info.phone"),
 * so one 400 lists everything that is wrong. */
#include <math.h>
#include <string.h>

#include "landing.h"

const char *vpath(struct vctx *v, const char *prefix, const char *key)
{
	if (!prefix || !*prefix)
		return key;
	return cb_sprintf(v->req, "%s.%s", prefix, key);
}

/* The member, or NULL when absent or JSON null. */
static const cb_json *member(const cb_json *obj, const char *key)
{
	const cb_json *m = cb_json_get(obj, key);
	int t = cb_json_type(m);
	return t == CB_JSON_NONE || t == CB_JSON_NULL ? NULL : m;
}

/* 1 when s has no control characters (line breaks and tabs allowed when
 * multiline). The parser already guarantees valid UTF-8. */
static int clean_text(const char *s, int multiline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == 0x7f)
			return 0;
		if (*p < 0x20 && !(multiline && (*p == '\n' || *p == '\r' || *p == '\t')))
			return 0;
	}
	return 1;
}

int v_text(struct vctx *v, const cb_json *obj, const char *prefix, const char *key, int required,
           size_t min, size_t max, int multiline, const char **out)
{
	const cb_json *m = member(obj, key);
	const char *f = vpath(v, prefix, key);
	size_t n;

	if (!m) {
		if (required)
			cb_check_fail(v->c, f, "missing", "%s is required", f);
		return 0;
	}
	if (cb_json_type(m) != CB_JSON_STRING) {
		cb_check_fail(v->c, f, "type", "%s must be a string", f);
		return -1;
	}
	n = cb_json_strlen(m);
	if (n < min) {
		cb_check_fail(v->c, f, "too_short", "%s must be at least %zu bytes", f, min);
		return -1;
	}
	if (n > max) {
		cb_check_fail(v->c, f, "too_long", "%s must be at most %zu bytes", f, max);
		return -1;
	}
	if (!clean_text(cb_json_str(m), multiline)) {
		cb_check_fail(v->c, f, "invalid", "%s must not contain control characters", f);
		return -1;
	}
	*out = cb_json_str(m);
	return 1;
}

int v_num(struct vctx *v, const cb_json *obj, const char *prefix, const char *key, double min,
          double max, double *out)
{
	const cb_json *m = member(obj, key);
	const char *f = vpath(v, prefix, key);
	double x;

	if (!m)
		return 0;
	if (cb_json_num(m, &x) != CB_OK || !isfinite(x)) {
		cb_check_fail(v->c, f, "type", "%s must be a number", f);
		return -1;
	}
	if (x < min || x > max) {
		cb_check_fail(v->c, f, "range", "%s must be between %g and %g", f, min, max);
		return -1;
	}
	*out = x;
	return 1;
}

const cb_json *v_object(struct vctx *v, const cb_json *obj, const char *prefix, const char *key,
                        int required)
{
	const cb_json *m = member(obj, key);
	const char *f = vpath(v, prefix, key);

	if (!m) {
		if (required)
			cb_check_fail(v->c, f, "missing", "%s is required", f);
		return NULL;
	}
	if (cb_json_type(m) != CB_JSON_OBJECT) {
		cb_check_fail(v->c, f, "type", "%s must be an object", f);
		return NULL;
	}
	return m;
}

const cb_json *v_array(struct vctx *v, const cb_json *obj, const char *prefix, const char *key,
                       size_t max)
{
	const cb_json *m = member(obj, key);
	const char *f = vpath(v, prefix, key);

	if (!m)
		return NULL;
	if (cb_json_type(m) != CB_JSON_ARRAY) {
		cb_check_fail(v->c, f, "type", "%s must be an array", f);
		return NULL;
	}
	if (cb_json_len(m) > max) {
		cb_check_fail(v->c, f, "too_long", "%s may have at most %zu entries", f, max);
		return NULL;
	}
	return m;
}

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int is_dns_label(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int subdomain_reserved(const char *s)
{
	/* names of CarBot's own hosts, of mail and infrastructure, and ones
	 * that look official to visitors */
	static const char *const reserved[] = {
	    "www",          "api",       "admin",    "app",      "mail",      "login",
	    "auth",         "account",   "accounts", "billing",  "dashboard", "static",
	    "assets",       "cdn",       "media",    "img",      "images",    "docs",
	    "help",         "support",   "status",   "blog",     "dev",       "staging",
	    "test",         "demo",      "carbot",   "widget",   "chat",      "smtp",
	    "imap",         "pop",       "pop3",     "ftp",      "sftp",      "ns1",
	    "ns2",          "ns3",       "mx",       "email",    "webmail",   "signup",
	    "register",     "secure",    "internal", "root",     "localhost", "autoconfig",
	    "autodiscover", "portal",    "about",    "security", "abuse",     "postmaster",
	    "hostmaster",   "webmaster", "info",     NULL};
	for (const char *const *r = reserved; *r; r++)
		if (strcmp(s, *r) == 0)
			return 1;
	return 0;
}

static int hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int is_color(const char *s)
{
	if (strlen(s) != 7 || s[0] != '#')
		return 0;
	for (int i = 1; i < 7; i++)
		if (!hexdigit(s[i]))
			return 0;
	return 1;
}

int is_http_url(const char *s)
{
	const char *host;
	size_t n;

	if (strncmp(s, "https://", 8) == 0)
		host = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		host = s + 7;
	else
		return 0;
	n = strcspn(host, "/?#");
	if (n == 0 || memchr(host, '@', n)) /* no credentials in links */
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\' ||
		    *p == '`')
			return 0;
	return 1;
}

int is_email(const char *s)
{
	const char *at = strchr(s, '@');
	const char *dot;

	if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254)
		return 0;
	dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || !dot[1] || !dot[2])
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '(' ||
		    *p == ')' || *p == ',' || *p == ';' || *p == ':' || *p == '\\' || *p == '[' ||
		    *p == ']')
			return 0;
	return 1;
}

int is_phone(const char *s)
{
	int digits = 0;

	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (!strchr(" +()/.-", *p) || (*p == '+' && p != s))
			return 0;
	}
	return digits >= 3 && digits <= 20;
}

int is_hhmm(const char *s, int allow_24)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return 0;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	return h < 24 || (allow_24 && h == 24 && m == 0);
}

static int all_digits_or_dots(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == '.'))
			return 0;
	return 1;
}

const char *domain_check(struct vctx *v, const char *field, const char *domain)
{
	char *d = lower_dup(v->req, domain);
	size_t n = strlen(d), base = strlen(lp_cf.base_domain);
	int labels = 0;

	if (n && d[n - 1] == '.')
		d[--n] = '\0';
	if (n < 4 || n > 253 || all_digits_or_dots(d) || strcmp(d, "localhost") == 0)
		goto bad;
	for (char *p = d; *p;) {
		size_t k = strcspn(p, ".");
		char *label = cb_strndup(v->req, p, k);
		if (!is_dns_label(label, 1, 63))
			goto bad;
		labels++;
		p += k;
		if (*p == '.')
			p++;
	}
	if (labels < 2)
		goto bad;
	/* the last label is a TLD: letters, or an IDN in punycode */
	{
		const char *tld = strrchr(d, '.') + 1;
		if (strncmp(tld, "xn--", 4) != 0)
			for (const char *p = tld; *p; p++)
				if (*p < 'a' || *p > 'z')
					goto bad;
	}
	if (base &&
	    (strcmp(d, lp_cf.base_domain) == 0 || (n > base && d[n - base - 1] == '.' &&
	                                           strcmp(d + n - base, lp_cf.base_domain) == 0))) {
		cb_check_fail(v->c, field, "invalid",
		              "%s must be a domain of your own, not one under %s", field,
		              lp_cf.base_domain);
		return NULL;
	}
	return d;
bad:
	cb_check_fail(v->c, field, "invalid", "%s must be a domain name such as www.example.de",
	              field);
	return NULL;
}
