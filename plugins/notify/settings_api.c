/* settings_api.c — GET/PUT /api/v1/notifications/settings (the owner's
 * language of mails, optional mails on or off, extra lead recipients) and
 * the one-click unsubscribe link of optional mails (RFC 8058). */
#include <string.h>

#include <openssl/crypto.h>

#include "notify.h"

#define MAX_RECIPIENTS 10

static int reply_settings(cb_req *req, const char *user_id)
{
	cb_res *r = cb_db_q(req,
	                    "SELECT COALESCE(s.language, 'de') AS language, "
	                    "COALESCE(s.lead_alerts, true) AS lead_alerts, "
	                    "COALESCE(s.daily_digest, false) AS daily_digest, "
	                    "array_to_json(COALESCE(s.lead_recipients, '{}'))::text AS recipients "
	                    "FROM (SELECT $1::uuid AS id) u "
	                    "LEFT JOIN notify_settings s ON s.user_id = u.id",
	                    user_id);
	if (!r || cb_res_rows(r) != 1)
		return CB_EDB;
	const char *rc = cb_res_val(r, 0, "recipients");
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "language", cb_res_val(r, 0, "language"));
	cb_json_set_bool(o, "lead_alerts", cb_res_bool(r, 0, "lead_alerts"));
	cb_json_set_bool(o, "daily_digest", cb_res_bool(r, 0, "daily_digest"));
	cb_json_set(o, "lead_recipients", cb_json_parse(req, rc, strlen(rc), NULL, 0));
	return cb_reply_json(req, 200, o);
}

int h_settings_get(cb_req *req)
{
	return reply_settings(req, cb_req_get(req, "user.id"));
}

/* A plain address: one '@', a dot in the domain, printable ASCII without
 * spaces, quotes, angle brackets or commas (it goes into SMTP and headers). */
static int email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);
	if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.'))
		return 0;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"<>,;()[]\\", *p))
			return 0;
	return s[n - 1] != '.';
}

/* The lead_recipients field as a PostgreSQL array literal source (a JSON
 * array of strings, which the query turns into text[]); NULL after
 * recording a problem in c. */
static const char *recipients(cb_req *req, cb_check *c, const cb_json *v)
{
	if (cb_json_type(v) != CB_JSON_ARRAY) {
		cb_check_fail(c, "lead_recipients", "invalid", "An array of e-mail addresses");
		return NULL;
	}
	if (cb_json_len(v) > MAX_RECIPIENTS) {
		cb_check_fail(c, "lead_recipients", "too_many", "At most %d addresses",
		              MAX_RECIPIENTS);
		return NULL;
	}
	cb_json *out = cb_json_new_array(req);
	for (size_t i = 0; i < cb_json_len(v); i++) {
		const char *s = cb_json_str(cb_json_at(v, i));
		if (!s || !email_ok(s)) {
			cb_check_fail(c, "lead_recipients", "invalid",
			              "Not an e-mail address: #%zu", i + 1);
			return NULL;
		}
		char *low = cb_strdup(req, s);
		for (char *p = low; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
		cb_json_push(out, cb_json_new_str(req, low));
	}
	return cb_json_dump(req, out, NULL);
}

int h_settings_put(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	const char *user_id = cb_req_get(req, "user.id"), *lang, *rcpt = NULL;
	int alerts = -1, digest = -1;
	cb_check *c;

	if (!body)
		return CB_OK;
	c = cb_check_new(req, body);
	lang = cb_check_str(c, "language", CB_OPTIONAL, 2, 2);
	if (lang && strcmp(lang, "de") != 0 && strcmp(lang, "en") != 0)
		cb_check_fail(c, "language", "invalid", "de or en");
	cb_check_bool(c, "lead_alerts", CB_OPTIONAL, &alerts);
	cb_check_bool(c, "daily_digest", CB_OPTIONAL, &digest);
	if (cb_json_get(body, "lead_recipients"))
		rcpt = recipients(req, c, cb_json_get(body, "lead_recipients"));
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	if (!cb_db_q(
	        req,
	        "INSERT INTO notify_settings AS s (user_id, language, lead_alerts, daily_digest, "
	        "  lead_recipients) VALUES ($1, COALESCE($2, 'de'), COALESCE($3::boolean, true), "
	        "  COALESCE($4::boolean, false), "
	        "  COALESCE(ARRAY(SELECT json_array_elements_text($5::json)), '{}')) "
	        "ON CONFLICT (user_id) DO UPDATE SET "
	        "  language = COALESCE($2, s.language), "
	        "  lead_alerts = COALESCE($3::boolean, s.lead_alerts), "
	        "  daily_digest = COALESCE($4::boolean, s.daily_digest), "
	        "  lead_recipients = CASE WHEN $5::json IS NULL THEN s.lead_recipients "
	        "    ELSE ARRAY(SELECT json_array_elements_text($5::json)) END, "
	        "  updated_at = now()",
	        user_id, lang,
	        alerts < 0 ? NULL
	        : alerts   ? "true"
	                   : "false",
	        digest < 0 ? NULL
	        : digest   ? "true"
	                   : "false",
	        rcpt))
		return CB_EDB;
	/* off drops the planned digest (its job finds no match); on plans one */
	if (digest == 0 &&
	    !cb_db_q(req, "UPDATE notify_settings SET digest_next_at = NULL WHERE user_id = $1",
	             user_id))
		return CB_EDB;
	if (digest == 1 && digest_plan(req, user_id, NULL) != CB_OK)
		return CB_EDB;
	return reply_settings(req, user_id);
}

/* POST (one-click, RFC 8058) with u, m and k from the List-Unsubscribe
 * header: turns optional mail m off for user u. GET shows a button for it. */
int h_unsubscribe(cb_req *req)
{
	const char *u = cb_req_query(req, "u"), *m = cb_req_query(req, "m"),
	           *k = cb_req_query(req, "k");
	const char *col = NULL;

	if (m && strcmp(m, "lead_alerts") == 0)
		col = "lead_alerts";
	else if (m && strcmp(m, "daily_digest") == 0)
		col = "daily_digest";
	if (!u || !cb_is_uuid(u) || !col || !k || strlen(k) != 64 ||
	    CRYPTO_memcmp(k, unsubscribe_token(req, u, m), 64) != 0)
		return cb_reply_error(req, 404, "not_found", "No such subscription");
	/* A GET (a click, or a mail scanner fetching links) changes nothing: it
	 * shows a button that POSTs to the same URL. */
	if (strcmp(cb_req_method(req), "POST") != 0) {
		const char *form = cb_sprintf(
		    req,
		    "<!doctype html><html lang=\"de\"><meta charset=\"utf-8\"><title>CarBot</title>"
		    "<form method=\"post\" action=\"/api/v1/notifications/unsubscribe?u=%s&amp;m=%s"
		    "&amp;k=%s\"><button>Abmelden / Unsubscribe</button></form></html>",
		    u, col, k);
		return cb_reply(req, 200, "text/html; charset=utf-8", form, strlen(form));
	}
	if (!cb_db_q(
	        req,
	        strcmp(col, "lead_alerts") == 0
	            ? "INSERT INTO notify_settings AS s (user_id, lead_alerts) "
	              "SELECT id, false FROM users WHERE id = $1 ON CONFLICT (user_id) DO "
	              "UPDATE SET lead_alerts = false, updated_at = now()"
	            : "INSERT INTO notify_settings AS s (user_id, daily_digest) "
	              "SELECT id, false FROM users WHERE id = $1 ON CONFLICT (user_id) DO "
	              "UPDATE SET daily_digest = false, digest_next_at = NULL, updated_at = now()",
	        u))
		return CB_EDB;
	const char *page = "<!doctype html><html lang=\"de\"><meta charset=\"utf-8\">"
	                   "<title>CarBot</title><p>Abgemeldet. / Unsubscribed.</p></html>";
	return cb_reply(req, 200, "text/html; charset=utf-8", page, strlen(page));
}
