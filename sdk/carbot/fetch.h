/* carbot/fetch.h — outbound HTTP (libcurl).
 *
 * cb_fetch blocks the calling handler thread only: event loops and other
 * requests go on. Every call has a total timeout and a response size cap.
 * Redirects are followed only to the same scheme, host and port, and only
 * when asked.
 */
#ifndef CARBOT_FETCH_H
#define CARBOT_FETCH_H

#include <stddef.h>

typedef struct cb_req cb_req;

typedef struct cb_fetch_opts {
	size_t size;                /* sizeof(cb_fetch_opts); CB_FETCH_INIT sets it */
	const char *method;         /* NULL means GET (POST when body is set) */
	const char *url;            /* http:// or https:// only */
	const char *const *headers; /* NULL-terminated "Name: value" lines, or NULL */
	const char *body;           /* request body or NULL */
	size_t body_len;
	long timeout_ms;            /* whole call, redirects included; 0 means 5000 */
	long connect_timeout_ms;    /* 0 means 2000 */
	size_t max_bytes;           /* response body cap; 0 means 1 MiB */
	int follow_redirects;       /* 1: follow up to 3 redirects, same origin only */
	/* since SDK 1.1: 1 refuses to connect to loopback, private, link-local
	 * and other non-public addresses (for URLs built from user input, such
	 * as domain checks: no SSRF into the operator's network); such calls
	 * ignore proxy settings from the environment. The core setting
	 * fetch_private_ok = on lifts it (tests, development). */
	int public_only;
} cb_fetch_opts;
#define CB_FETCH_INIT {sizeof(cb_fetch_opts), NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0}

typedef struct cb_fetch_res {
	size_t size;                /* sizeof(cb_fetch_res); CB_FETCH_RES_INIT */
	long status;                /* HTTP status, 0 when none arrived */
	const char *body;           /* NUL-terminated, in req's arena; "" when none */
	size_t body_len;
	const char *content_type;   /* or NULL */
	const char *error;          /* why it failed, for logs; NULL on success */
} cb_fetch_res;
#define CB_FETCH_RES_INIT {sizeof(cb_fetch_res), 0, "", 0, NULL, NULL}

/* Performs the request. Returns CB_OK when a response arrived (whatever its
 * status); CB_ETIMEOUT, CB_ETOOBIG (body over max_bytes), CB_EINVAL (bad URL
 * or scheme) or CB_EFETCH (connection, TLS, redirect to another host)
 * otherwise, with out->error set. */
int cb_fetch(cb_req *req, const cb_fetch_opts *opts, cb_fetch_res *out);

#endif
