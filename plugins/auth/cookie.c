/* cookie.c — the dashboard's refresh token as an HttpOnly cookie.
 *
 * The owner's dashboard (admin-ui, served at /admin/) keeps its access token
 * in memory only; the refresh token must never be readable by JavaScript.
 * A request that carries `X-CarBot-Session: cookie` asks for that mode:
 *
 * - login, register, refresh and a password change answer as usual but
 *   without `tokens.refresh_token`; it goes into the cookie `carbot_refresh`
 *   (HttpOnly, SameSite=Strict, Secure unless the Host is a loopback name),
 *   set twice: scoped to /api/v1/auth/refresh and to /api/v1/auth/logout,
 *   the only two paths that read it;
 * - refresh and logout then take the token from that cookie. Because a
 *   cookie is sent by the browser on its own, these two requests are
 *   checked against CSRF: they must carry the custom header (no other site
 *   can send it without a CORS preflight, which carbotd never grants) and
 *   an Origin (or Sec-Fetch-Site) naming this very host. SameSite=Strict is
 *   a second wall, not the only one;
 * - logout clears both cookies.
 *
 * Without the header nothing changes: the JSON API for other clients keeps
 * sending and taking refresh tokens in bodies. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"

#define COOKIE      "carbot_refresh"
#define MODE_HEADER "X-CarBot-Session"

static const char *const cookie_paths[] = {"/api/v1/auth/refresh", "/api/v1/auth/logout"};

int cookie_mode(cb_req *req)
{
	const char *h = cb_req_header(req, MODE_HEADER);
	return h && strcasecmp(h, "cookie") == 0;
}

/* The host part of a Host header value ("localhost:8080" -> "localhost",
 * "[::1]:80" -> "[::1]"), copied into buf. */
static const char *host_only(const char *host, char *buf, size_t n)
{
	const char *end;
	size_t len;

	if (host[0] == '[') {
		end = strchr(host, ']');
		len = end ? (size_t)(end - host) + 1 : strlen(host);
	} else {
		end = strchr(host, ':');
		len = end ? (size_t)(end - host) : strlen(host);
	}
	if (len >= n)
		len = n - 1;
	memcpy(buf, host, len);
	buf[len] = '\0';
	return buf;
}

/* Plain-HTTP development on this machine: no Secure flag (a browser would
 * not send a Secure cookie over http://127.0.0.1). */
static int loopback_host(cb_req *req)
{
	const char *host = cb_req_header(req, "Host");
	char buf[256];
	size_t n;

	if (!host)
		return 0;
	host_only(host, buf, sizeof(buf));
	n = strlen(buf);
	return strcasecmp(buf, "localhost") == 0 || strcmp(buf, "127.0.0.1") == 0 ||
	       strcmp(buf, "[::1]") == 0 || (n > 10 && strcasecmp(buf + n - 10, ".localhost") == 0);
}

/* 1 when Origin is scheme://<the request's Host>. */
static int same_origin(cb_req *req)
{
	const char *origin = cb_req_header(req, "Origin"), *host = cb_req_header(req, "Host");
	const char *site = cb_req_header(req, "Sec-Fetch-Site"), *rest;

	if (site && strcmp(site, "same-origin") != 0)
		return 0;
	if (!origin || !host || !*host)
		return 0;
	rest = strstr(origin, "://");
	if (!rest || (strncmp(origin, "http://", 7) != 0 && strncmp(origin, "https://", 8) != 0))
		return 0;
	return strcasecmp(rest + 3, host) == 0;
}

int cookie_csrf_refused(cb_req *req)
{
	if (same_origin(req))
		return 0;
	cb_reply_error(req, 403, "csrf_failed",
	               "This request must come from the dashboard's own origin");
	return 1;
}

const char *cookie_token(cb_req *req)
{
	const char *h = cb_req_header(req, "Cookie"), *p;
	size_t n = strlen(COOKIE);

	for (p = h; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, COOKIE, n) == 0 && p[n] == '=') {
			const char *v = p + n + 1, *end = strchr(v, ';');
			size_t len = end ? (size_t)(end - v) : strlen(v);
			char *out;

			while (len && isspace((unsigned char)v[len - 1]))
				len--;
			if (len == 0 || len > 512)
				return NULL;
			out = cb_alloc(req, len + 1);
			memcpy(out, v, len);
			out[len] = '\0';
			return out;
		}
		p = strchr(p, ';');
	}
	return NULL;
}

static void set_cookies(cb_req *req, const char *value, long long max_age)
{
	int secure = !loopback_host(req);

	for (size_t i = 0; i < sizeof(cookie_paths) / sizeof(cookie_paths[0]); i++) {
		char *line =
		    cb_sprintf(req, "%s=%s; Path=%s; Max-Age=%lld; HttpOnly; SameSite=Strict%s",
		               COOKIE, value, cookie_paths[i], max_age, secure ? "; Secure" : "");
		cb_add_header(req, "Set-Cookie", line);
	}
	cb_set_header(req, "Cache-Control", "no-store");
}

void cookie_take_refresh(cb_req *req, cb_json *tokens)
{
	const char *token;
	const cb_json *body;
	int remember = 0;

	if (!tokens || !cookie_mode(req))
		return;
	token = cb_json_get_str(tokens, "refresh_token");
	if (!token)
		return;
	/* A refresh keeps the longer lifetime: the server's expiry of the
	 * token decides in any case, the cookie only must not die first. */
	body = cb_req_json(req);
	if (body && cb_json_get(body, "remember"))
		cb_json_bool(cb_json_get(body, "remember"), &remember);
	if (strcmp(cb_req_route(req), "POST /api/v1/auth/refresh") == 0)
		remember = 1;
	set_cookies(req, token, remember ? auth_cf.remember_ttl : auth_cf.refresh_ttl);
	cb_json_del(tokens, "refresh_token");
}

/* Puts the cookie's token into the parsed body, so the handler below reads
 * it as if the client had sent it. 1 when the request may go on (a reply
 * has been set otherwise). */
static int cookie_into_body(cb_req *req, int required)
{
	cb_json *body;
	const char *token;

	if (cookie_csrf_refused(req))
		return 0;
	body = cb_req_json(req);
	if (!body)
		return 0;
	if (cb_json_get(body, "refresh_token")) {
		cb_reply_error(req, 400, "validation_failed",
		               "In cookie mode the refresh token comes from the cookie only");
		return 0;
	}
	token = cookie_token(req);
	if (!token) {
		if (!required)
			return 1;
		cb_reply_error(req, 401, "unauthorized", "No session cookie; sign in again");
		return 0;
	}
	cb_json_set_str(body, "refresh_token", token);
	return 1;
}

int h_refresh_cookie(cb_req *req)
{
	if (!cookie_mode(req))
		return h_refresh(req);
	if (!cookie_into_body(req, 1))
		return CB_OK;
	return h_refresh(req);
}

int h_logout_cookie(cb_req *req)
{
	int rc, all = 0;
	const cb_json *body;

	if (!cookie_mode(req))
		return h_logout(req);
	body = cb_req_json(req);
	if (body && cb_json_get(body, "all"))
		cb_json_bool(cb_json_get(body, "all"), &all);
	if (!cookie_into_body(req, !all))
		return CB_OK;
	rc = h_logout(req);
	set_cookies(req, "", 0);
	return rc;
}
