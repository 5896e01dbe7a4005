/* domain.c — the domain a key is bound to, the operator's blocklist, and the
 * Origin check of the widget API.
 *
 * The spec's regex /^[a-zA-Z0-9][a-zA-Z0-9-]{0,61}[a-zA-Z0-9]\.[a-zA-Z]{2,}$/
 * admits only second-level names; here it is generalised to any number of
 * labels (shop.example.de): each label 1..63 of [a-z0-9-], not starting or
 * ending with "-", at most 253 characters in all, and a top-level label of
 * letters (2+) or an IDN one (xn--). Internationalised names are converted
 * with libidn2 (IDNA2008, UTS #46 non-transitional mapping, which also
 * lower-cases), so "müller-kfz.de" is stored as "xn--mller-kfz-q9a.de", the
 * form browsers send in Origin. "localhost" and "127.0.0.1" are allowed for
 * test keys only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "keys.h"

static char **blocked;
static size_t blocked_n;
static char bad_entry[256]; /* the entry blocklist_load refused, for its message */

static int is_local(const char *d)
{
	return strcmp(d, "localhost") == 0 || strcmp(d, "127.0.0.1") == 0;
}

static void lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

static int needs_idna(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return 1;
	/* an A-label given as such is checked too: "xn--zz" is no name */
	for (const char *p = s; (p = strstr(p, "xn--")) != NULL; p++)
		if (p == s || p[-1] == '.')
			return 1;
	return 0;
}

static int is_letters(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 'a' || s[i] > 'z')
			return 0;
	return 1;
}

/* NULL when d (lower-case ASCII, no trailing dot) is a well-formed host
 * name of two or more labels, else why not. */
static const char *check_labels(const char *d)
{
	size_t len = strlen(d), labels = 0;
	const char *p = d;

	if (len > 253)
		return "A domain name has at most 253 characters";
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);

		if (n == 0)
			return "A domain name has no empty labels (\"..\", or a leading dot)";
		if (n > 63)
			return "Each label of a domain name has at most 63 characters";
		if (p[0] == '-' || p[n - 1] == '-')
			return "A label of a domain name does not start or end with \"-\"";
		for (size_t i = 0; i < n; i++)
			if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
			      p[i] == '-'))
				return "A domain name has only letters, digits, \"-\" and dots";
		labels++;
		if (!dot) {
			if (labels < 2)
				return "Give a full domain name such as example.de";
			if (!(n >= 2 && is_letters(p, n)) && strncmp(p, "xn--", 4) != 0)
				return "The last part of a domain name is a top-level domain "
				       "such as .de";
			return NULL;
		}
		p = dot + 1;
	}
}

/* d itself or one of its parent domains is on the blocklist. */
static int is_blocked(const char *d)
{
	size_t dn = strlen(d);

	for (size_t i = 0; i < blocked_n; i++) {
		size_t bn = strlen(blocked[i]);

		if (strcmp(d, blocked[i]) == 0 ||
		    (dn > bn && d[dn - bn - 1] == '.' && strcmp(d + dn - bn, blocked[i]) == 0))
			return 1;
	}
	return 0;
}

/* in as lower-case ASCII (punycode for IDN) without one trailing dot;
 * malloc'ed, or NULL with *why. */
static char *to_ascii(const char *in, const char **why)
{
	size_t n = strlen(in);
	char *s, *out = NULL;

	if (n == 0) {
		*why = "The domain must not be empty";
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)in[i] <= ' ' || in[i] == 0x7f) {
			*why = "A domain name has no spaces or control characters";
			return NULL;
		}
	if (strpbrk(in, "/:@?#\\[]")) {
		*why = "Give the domain name only, without scheme, port or path (e.g. "
		       "shop.example.de)";
		return NULL;
	}
	s = strdup(in);
	if (!s)
		return NULL;
	if (n > 1 && s[n - 1] == '.')
		s[n - 1] = '\0'; /* "example.de." is the same name, fully qualified */
	/* first: "Xn--" is an A-label too, and must be checked as one */
	lower_ascii(s);
	if (!needs_idna(s))
		return s;
	if (idn2_to_ascii_8z(s, &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) != IDN2_OK) {
		free(s);
		*why = "Not a valid internationalised domain name";
		return NULL;
	}
	free(s);
	s = strdup(out);
	idn2_free(out);
	if (s)
		lower_ascii(s);
	return s;
}

char *domain_normalize(cb_req *req, const char *in, const char *env, const char **why)
{
	char *a = to_ascii(in, why), *d;

	if (!a) {
		if (!*why)
			*why = "Not a valid domain name";
		return NULL;
	}
	d = cb_strdup(req, a);
	free(a);
	if (is_local(d)) {
		if (strcmp(env, "test") != 0) {
			*why = "localhost and 127.0.0.1 are allowed for test keys only "
			       "(environment \"test\")";
			return NULL;
		}
		return d;
	}
	*why = check_labels(d);
	if (*why)
		return NULL;
	if (is_blocked(d)) {
		*why = "This domain is not allowed";
		return NULL;
	}
	return d;
}

int blocklist_load(const char *list, const char **bad)
{
	const char *p = list ? list : "";

	blocklist_free();
	while (*p) {
		size_t n = strcspn(p, ",");
		char *entry = strndup(p, n), *start = entry, *a;
		const char *why = NULL;
		char **grown;

		p += n;
		if (*p == ',')
			p++;
		if (!entry)
			return CB_ENOMEM;
		while (*start == ' ' || *start == '\t')
			start++;
		for (size_t k = strlen(start);
		     k > 0 && (start[k - 1] == ' ' || start[k - 1] == '\t'); k--)
			start[k - 1] = '\0';
		if (strncmp(start, "*.", 2) == 0)
			start += 2;
		if (!*start) {
			free(entry);
			continue;
		}
		a = to_ascii(start, &why);
		if (!a || (!is_local(a) && check_labels(a))) {
			snprintf(bad_entry, sizeof(bad_entry), "%s", start);
			*bad = bad_entry;
			free(a);
			free(entry);
			blocklist_free();
			return CB_EINVAL;
		}
		free(entry);
		grown = realloc(blocked, (blocked_n + 1) * sizeof(*blocked));
		if (!grown) {
			free(a);
			return CB_ENOMEM;
		}
		blocked = grown;
		blocked[blocked_n++] = a;
	}
	return CB_OK;
}

void blocklist_free(void)
{
	for (size_t i = 0; i < blocked_n; i++)
		free(blocked[i]);
	free(blocked);
	blocked = NULL;
	blocked_n = 0;
}

/* Parses "scheme://host[:port]" into host (lower-cased, at most cap-1
 * bytes) and *port (0 when absent); *https set for https. 0 when malformed. */
static int parse_origin(const char *o, char *host, size_t cap, long *port, int *https)
{
	const char *h, *colon;
	size_t n;

	if (strncasecmp(o, "https://", 8) == 0) {
		*https = 1;
		h = o + 8;
	} else if (strncasecmp(o, "http://", 7) == 0) {
		*https = 0;
		h = o + 7;
	} else {
		return 0;
	}
	colon = strchr(h, ':');
	n = colon ? (size_t)(colon - h) : strlen(h);
	if (n == 0 || n >= cap || strpbrk(h, "/@?#[]\\ "))
		return 0;
	memcpy(host, h, n);
	host[n] = '\0';
	lower_ascii(host);
	*port = 0;
	if (colon) {
		const char *d = colon + 1;

		if (!*d || strlen(d) > 5)
			return 0;
		for (; *d; d++) {
			if (*d < '0' || *d > '9')
				return 0;
			*port = *port * 10 + (*d - '0');
		}
		if (*port < 1 || *port > 65535)
			return 0;
	}
	return 1;
}

int origin_allowed(const char *origin, const char *domain, const char *env)
{
	char host[256];
	long port = 0;
	int https = 0;
	size_t hn, dn = strlen(domain);

	if (!origin || !parse_origin(origin, host, sizeof(host), &port, &https))
		return 0;
	if (strcmp(env, "test") == 0 && is_local(domain) && is_local(host))
		return 1; /* a developer's machine: any port, localhost or 127.0.0.1 alike */
	if (port && port != (https ? 443 : 80))
		return 0;
	if (strcmp(host, domain) == 0)
		return 1;
	hn = strlen(host);
	return !is_local(domain) && hn > dn + 1 && host[hn - dn - 1] == '.' &&
	       strcmp(host + hn - dn, domain) == 0;
}
