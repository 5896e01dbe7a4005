/* smtp.c — one message to one recipient through libcurl's SMTP client:
 * smtp:// (STARTTLS by smtp_tls = try | on) or smtps://, AUTH when smtp_user
 * is set, connect and total timeouts. Runs on a job thread only. */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "notify.h"

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t room = size * nitems, left = u->len - u->off;
	size_t n = left < room ? left : room;

	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return n;
}

static long tls_mode(void)
{
	if (strcmp(notify_cf.smtp_tls, "on") == 0)
		return (long)CURLUSESSL_ALL;
	if (strcmp(notify_cf.smtp_tls, "try") == 0)
		return (long)CURLUSESSL_TRY;
	return (long)CURLUSESSL_NONE;
}

int smtp_send(const char *rcpt, const char *message, char *err, size_t errlen)
{
	char curl_err[CURL_ERROR_SIZE] = "";
	struct upload u = {message, strlen(message), 0};
	struct curl_slist *to = NULL;
	CURL *c = curl_easy_init();
	CURLcode rc;
	char angle[512];

	if (!c) {
		snprintf(err, errlen, "curl_easy_init failed");
		return CB_EFETCH;
	}
	snprintf(angle, sizeof angle, "<%s>", rcpt);
	to = curl_slist_append(NULL, angle);
	curl_easy_setopt(c, CURLOPT_URL, notify_cf.smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, tls_mode());
	if (*notify_cf.smtp_ca_file) /* a private CA (a company relay); the name is still checked */
		curl_easy_setopt(c, CURLOPT_CAINFO, notify_cf.smtp_ca_file);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, notify_cf.mail_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)notify_cf.smtp_timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)notify_cf.smtp_connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	if (*notify_cf.smtp_user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, notify_cf.smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, notify_cf.smtp_password);
	}
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		long code = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		/* curl's messages name the server and the SMTP reply, never the password */
		snprintf(err, errlen, "%s (SMTP %ld)",
		         *curl_err ? curl_err : curl_easy_strerror(rc), code);
	}
	curl_slist_free_all(to);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? CB_OK : CB_EFETCH;
}
