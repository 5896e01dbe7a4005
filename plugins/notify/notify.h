/* notify.h — what the notify plugin's files share.
 *
 * E-mail: messages are rendered (mails/NAME.LANG.hbs, templates.v1's renderer) and
 * built as MIME (mime.c) inside the request or job that causes them, kept in
 * notify_mails (the outbox) and sent by the job notify.send over SMTP
 * (smtp.c, libcurl). Webhooks: endpoints per owner (webhooks.c), one
 * notify_deliveries row per event and endpoint, POSTed by the job
 * notify.webhook (deliver.c) with its own backoff schedule.
 */
#ifndef NOTIFY_NOTIFY_H
#define NOTIFY_NOTIFY_H

#include <stddef.h>

#include <carbot/sdk.h>

/* ---- settings (plugin.c) ---- */

struct notify_conf {
	const char *smtp_url, *smtp_tls, *smtp_user, *smtp_password;
	/* PEM CA bundle for the server's certificate; "" = the system's */
	const char *smtp_ca_file;
	const char *mail_from, *mail_from_name, *public_url;
	const char *secret; /* >= 32 bytes: HMAC key of unsubscribe links */
	size_t secret_len;
	long long smtp_timeout_ms, smtp_connect_timeout_ms, mail_max_attempts;
	long long webhook_retry_base, webhook_timeout_ms, webhook_max_attempts;
	long long digest_hour; /* UTC */
	int webhook_allow_loopback;
};
extern struct notify_conf notify_cf;

/* ---- mime.c ---- */

/* text as an RFC 2047 encoded-word sequence when it is not plain ASCII,
 * else text itself; in req's arena. */
const char *mime_header_word(cb_req *req, const char *text);

/* "Name <addr>" with the name quoted or encoded as needed (addr alone when
 * name is NULL or empty). */
const char *mime_address(cb_req *req, const char *name, const char *addr);

/* A whole message (CRLF line ends): From, To, Subject, Date, Message-ID,
 * MIME-Version, extra header lines (each ending in CRLF, may be NULL) and a
 * multipart/alternative body of text and html (base64, UTF-8). */
char *mime_message(cb_req *req, const char *to, const char *subject, const char *text,
                   const char *html, const char *extra_headers);

/* ---- smtp.c ---- */

/* Sends message to rcpt through the configured SMTP server. CB_OK, or
 * CB_EFETCH with a reason in err (never a password). */
int smtp_send(const char *rcpt, const char *message, char *err, size_t errlen);

/* ---- render.c: mails/NAME.LANG.hbs ---- */

struct rendered_mail {
	const char *subject, *text, *html;
};

/* Renders mail name ("lead", "verify_email", ...) in lang ("de"/"en";
 * anything else is "de") with data. CB_OK or CB_ENOTFOUND / CB_ERR. */
int mail_render(cb_req *req, const char *name, const char *lang, const cb_json *data,
                struct rendered_mail *out);

/* Called once from init: finds the templates.v1 service. */
int render_init(cb_plugin *p);

/* ---- mails.c: the outbox ---- */

enum { MAIL_PLAIN = 0, MAIL_SECRET = 1, MAIL_OPTIONAL = 2 };

/* Renders mail name for user_id (its language, or lang when not NULL) to
 * address rcpt and queues it: one notify_mails row plus a notify.send job,
 * on req's connection (so inside the caller's transaction). flags:
 * MAIL_SECRET (the message is wiped once sent: it carries a token),
 * MAIL_OPTIONAL (List-Unsubscribe for setting optional). CB_OK, CB_EDB, or
 * CB_ERR when the mail cannot be rendered. */
int mail_queue(cb_req *req, const char *user_id, const char *rcpt, const char *name,
               const char *lang, cb_json *data, int flags, const char *optional);

/* The job notify.send {mail_id}. */
int job_send(cb_req *req, const cb_json *payload);

/* The language of user_id's mails ("de" by default). */
const char *user_lang(cb_req *req, const char *user_id);

/* HMAC token of an unsubscribe link for (user_id, what). */
const char *unsubscribe_token(cb_req *req, const char *user_id, const char *what);

/* ---- events.c: hooks that send mails ---- */

int events_init(cb_plugin *p);

/* ---- digest.c ---- */

/* Plans user_id's next daily digest unless one is planned (settings say
 * daily_digest = true), not before a day after epoch after (may be NULL).
 * CB_OK or CB_EDB. */
int digest_plan(cb_req *req, const char *user_id, const char *after);
int digest_init(cb_plugin *p);

/* ---- settings_api.c ---- */

int h_settings_get(cb_req *req);
int h_settings_put(cb_req *req);
int h_unsubscribe(cb_req *req);

/* ---- webhooks.c / deliver.c ---- */

int h_webhook_create(cb_req *req);
int h_webhook_list(cb_req *req);
int h_webhook_get(cb_req *req);
int h_webhook_patch(cb_req *req);
int h_webhook_delete(cb_req *req);
int h_webhook_test(cb_req *req);
int h_webhook_deliveries(cb_req *req);

/* Queues a delivery of event (with data) to every active endpoint of
 * user_id subscribed to it. CB_OK or CB_EDB. */
int webhooks_fanout(cb_req *req, const char *user_id, const char *event, const cb_json *data);

/* Queues one delivery to endpoint_id; its id in *delivery_id when not NULL. */
int webhook_queue(cb_req *req, const char *endpoint_id, const char *event, const cb_json *data,
                  const char **delivery_id);

/* The job notify.webhook {delivery_id}. */
int job_webhook(cb_req *req, const cb_json *payload);

/* 1 when url's host is a literal non-public address (loopback only allowed
 * with webhook_allow_loopback). */
int url_is_private_literal(const char *url, int *is_loopback);

/* The events a webhook may subscribe to, NULL-terminated. */
extern const char *const webhook_events[];

/* gdpr.c: this plugin's part of the data-subject contract. */
int gdpr_register(cb_plugin *p);

#endif
