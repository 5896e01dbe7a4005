/* mime.c — one e-mail as RFC 5322 text: headers with RFC 2047 encoded words
 * for non-ASCII subjects and names, and a multipart/alternative body (plain
 * text and HTML, UTF-8, base64 in 76-column lines). */
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "notify.h"

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80 || (unsigned char)*s < 0x20)
			return 0;
	return 1;
}

static char *b64(cb_req *req, const unsigned char *data, size_t len)
{
	char *out = cb_alloc(req, 4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

/* Length of the UTF-8 sequence starting with byte c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

const char *mime_header_word(cb_req *req, const char *text)
{
	/* Encoded words are at most 75 characters: 45 bytes of UTF-8 give 60
	 * of base64, plus "=?UTF-8?B?" and "?=". Words never split a character. */
	size_t n = strlen(text), i = 0, cap = n * 2 + 64, used = 0;
	char *out;

	if (is_ascii(text))
		return text;
	out = cb_alloc(req, cap);
	while (i < n) {
		size_t j = i;
		while (j < n && j - i + utf8_len((unsigned char)text[j]) <= 45)
			j += utf8_len((unsigned char)text[j]);
		if (j > n)
			j = n;
		char *w = b64(req, (const unsigned char *)text + i, j - i);
		size_t wl = strlen(w) + 16;
		if (used + wl + 4 > cap) {
			char *bigger = cb_alloc(req, cap * 2 + wl);
			memcpy(bigger, out, used);
			out = bigger;
			cap = cap * 2 + wl;
		}
		used += (size_t)snprintf(out + used, cap - used,
		                         "%s=?UTF-8?B?%s?=", used ? "\r\n " : "", w);
		i = j;
	}
	return out;
}

const char *mime_address(cb_req *req, const char *name, const char *addr)
{
	if (!name || !*name)
		return addr;
	if (!is_ascii(name))
		return cb_sprintf(req, "%s <%s>", mime_header_word(req, name), addr);
	/* a quoted string: backslash-escape quotes and backslashes */
	size_t n = strlen(name);
	char *q = cb_alloc(req, 2 * n + 1), *p = q;
	for (const char *s = name; *s; s++) {
		if (*s == '"' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	return cb_sprintf(req, "\"%s\" <%s>", q, addr);
}

/* text in base64 lines of 76 characters, each ending in CRLF. */
static char *b64_lines(cb_req *req, const char *text)
{
	char *all = b64(req, (const unsigned char *)text, strlen(text));
	size_t n = strlen(all), lines = n / 76 + 1;
	char *out = cb_alloc(req, n + 2 * lines + 3), *p = out;

	for (size_t i = 0; i < n; i += 76) {
		size_t k = n - i < 76 ? n - i : 76;
		memcpy(p, all + i, k);
		p += k;
		*p++ = '\r';
		*p++ = '\n';
	}
	*p = '\0';
	return out;
}

static const char *domain_of(const char *addr)
{
	const char *at = strrchr(addr, '@');
	return at && at[1] ? at + 1 : "carbot.localhost";
}

/* A header value on one line: CR, LF and other controls become spaces, so
 * a lead's name in a subject cannot start a header of its own. */
static const char *one_line(cb_req *req, const char *s)
{
	char *out = cb_strdup(req, s);
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return out;
}

char *mime_message(cb_req *req, const char *to, const char *subject, const char *text,
                   const char *html, const char *extra_headers)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	const char *boundary = cb_sprintf(req, "=_carbot_%s", cb_random_hex(req, 12));

	gmtime_r(&now, &tm);
	/* RFC 5322 date; strftime's %a/%b follow the C locale carbotd runs in */
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	snprintf(date, sizeof date, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
	         tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	         tm.tm_sec);
	return cb_sprintf(req,
	                  "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n"
	                  "MIME-Version: 1.0\r\n%s"
	                  "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n"
	                  "--%s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	                  "Content-Transfer-Encoding: base64\r\n\r\n%s"
	                  "--%s\r\nContent-Type: text/html; charset=UTF-8\r\n"
	                  "Content-Transfer-Encoding: base64\r\n\r\n%s"
	                  "--%s--\r\n",
	                  mime_address(req, notify_cf.mail_from_name, notify_cf.mail_from), to,
	                  mime_header_word(req, one_line(req, subject)), date,
	                  cb_random_hex(req, 16), domain_of(notify_cf.mail_from),
	                  extra_headers ? extra_headers : "", boundary, boundary,
	                  b64_lines(req, text), boundary, b64_lines(req, html), boundary);
}
