/* conn.h — what the HTTP server keeps per client connection (conn.c). */
#ifndef CORE_CONN_H
#define CORE_CONN_H

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "core.h"

struct conn;

/* evhttp_set_bevcb callback: the bufferevent of a new connection, watched by
 * conn.c (request head checks, deadlines, the per-IP cap). I/O thread only. */
struct bufferevent *conn_bevcb(struct event_base *base, void *arg);

/* The connection record of evcon, or NULL (not made by conn_bevcb). */
struct conn *conn_of(struct evhttp_connection *evcon);

/* Why the head of the request just read breaks RFC 9112 (a NUL byte, white
 * space before a header's colon), or NULL when it does not. */
const char *conn_bad_head(const struct conn *c);

/* The request req was read whole: no deadline runs until conn_idle. When the
 * connection closes before that, req->conn_closed is set. */
void conn_busy(struct conn *c, cb_req *req);

/* The reply was handed to libevent: the next request's deadlines may start. */
void conn_idle(struct conn *c);

/* Connections refused for the per-IP cap and closed at a deadline, so far. */
void conn_stats(long long *capped, long long *timed_out);

#endif
