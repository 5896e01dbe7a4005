/* conn.c — what libevent's HTTP server does not do for a client connection.
 *
 * evhttp's timeout counts only idle time between bytes: a client dribbling a
 * header line every few seconds holds a connection forever. Here each
 * request gets two total deadlines, from its first byte to the end of its
 * head (request_head_timeout) and from there to the end of its body
 * (request_body_timeout); a connection past one gets a 408 and is closed.
 * The number of open connections per client address is capped
 * (max_conns_per_ip; trusted proxies are exempt: they carry many clients).
 *
 * evhttp also accepts a NUL byte in a header value (it reads the value as a C
 * string, so the NUL is gone before any handler could see it) and white space
 * between a header's name and its colon, which RFC 9112 (5.1) says a server
 * must refuse with 400. The raw bytes of each request head are therefore
 * scanned as they arrive, through a callback on the connection's input
 * buffer, before evhttp parses them; on_request (server.c) answers 400.
 *
 * How the pieces find each other: evhttp asks conn_bevcb for each new
 * connection's bufferevent; a zero-delay event then runs before any byte of
 * that connection is read, finds the evhttp_connection (the bufferevent's
 * callback argument), registers the close callback and applies the cap.
 * Records are found again by bufferevent in a per-thread table: every call
 * happens on the connection's own I/O thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "conn.h"
#include "req.h"

enum phase { IDLE, HEAD, BODY, BUSY };

struct conn {
	struct bufferevent *bev;
	struct evhttp_connection *evcon;
	struct event *deadline;
	struct conn *next; /* in this thread's table */
	cb_req *req;       /* while BUSY */
	enum phase phase;
	char ip[INET6_ADDRSTRLEN];
	int counted;     /* holds one of ip's slots */
	int attached;    /* attach has run */
	const char *bad; /* RFC 9112 violation in the current head */
	int line_len, first_line, colon_seen, prev_ws;
};

#define TABLE_SIZE 1024
static _Thread_local struct conn *table[TABLE_SIZE];

static size_t slot_of(const void *bev)
{
	return ((uintptr_t)bev >> 4) % TABLE_SIZE;
}

/* ---- open connections per client address, shared by all I/O threads ---- */

struct ip_count {
	struct ip_count *next;
	int n;
	char ip[INET6_ADDRSTRLEN];
};

#define IP_BUCKETS 4096
static struct ip_count *ips[IP_BUCKETS];
static pthread_mutex_t ips_mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_llong n_capped, n_timed_out;

static size_t ip_bucket(const char *ip)
{
	size_t h = 5381;
	for (; *ip; ip++)
		h = h * 33 + (unsigned char)*ip;
	return h % IP_BUCKETS;
}

/* Takes one of ip's slots; 0 when it already holds max of them. */
static int ip_take(const char *ip, int max)
{
	size_t b = ip_bucket(ip);
	struct ip_count *e;
	int ok = 1;

	pthread_mutex_lock(&ips_mu);
	for (e = ips[b]; e && strcmp(e->ip, ip) != 0; e = e->next)
		;
	if (!e && (e = calloc(1, sizeof *e)) != NULL) {
		strcpy(e->ip, ip);
		e->next = ips[b];
		ips[b] = e;
	}
	if (!e || e->n >= max)
		ok = 0;
	else
		e->n++;
	pthread_mutex_unlock(&ips_mu);
	return ok;
}

static void ip_give(const char *ip)
{
	struct ip_count **p = &ips[ip_bucket(ip)];

	pthread_mutex_lock(&ips_mu);
	for (; *p && strcmp((*p)->ip, ip) != 0; p = &(*p)->next)
		;
	if (*p && --(*p)->n <= 0) {
		struct ip_count *e = *p;
		*p = e->next;
		free(e);
	}
	pthread_mutex_unlock(&ips_mu);
}

void conn_stats(long long *capped, long long *timed_out)
{
	*capped = atomic_load(&n_capped);
	*timed_out = atomic_load(&n_timed_out);
}

/* ---- the record's life ---- */

static void unlink_conn(struct conn *c)
{
	for (struct conn **p = &table[slot_of(c->bev)]; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			return;
		}
}

static void on_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg);

static void free_conn(struct conn *c)
{
	/* the buffer may outlive the record by a moment: never call back into it */
	evbuffer_remove_cb(bufferevent_get_input(c->bev), on_input, c);
	if (c->counted)
		ip_give(c->ip);
	if (c->deadline)
		event_free(c->deadline);
	free(c);
}

/* evhttp frees the connection: the bufferevent is still valid here. */
static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
	struct conn *c = arg;

	(void)evcon;
	if (c->req)
		c->req->conn_closed = 1;
	unlink_conn(c);
	free_conn(c);
}

/* A minimal answer written straight to the socket before closing it: the
 * connection is in no state for evhttp to send a reply. */
static void say_and_close(struct conn *c, const char *status_line)
{
	char msg[160];
	int fd = (int)bufferevent_getfd(c->bev);
	int n =
	    snprintf(msg, sizeof msg,
	             "HTTP/1.1 %s\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", status_line);

	if (fd >= 0 && n > 0)
		(void)send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	evhttp_connection_free(c->evcon); /* calls on_conn_close */
}

static int peer_trusted(const char *ip)
{
	const char *list = core.conf->core.trusted_proxies;
	size_t n = strlen(ip);

	for (const char *p = list; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t k = strcspn(p, ", ");
		if (k == n && strncmp(p, ip, n) == 0)
			return 1;
		p += k;
	}
	return 0;
}

static void peer_ip(struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int fd = (int)bufferevent_getfd(c->bev);

	c->ip[0] = '\0';
	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, c->ip, sizeof c->ip);
	else if (ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, c->ip, sizeof c->ip);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	(void)what;
	if (c->phase != HEAD && c->phase != BODY)
		return;
	atomic_fetch_add(&n_timed_out, 1);
	log_core(LOG_INFO_, "closing a connection from %s: its request %s took longer than %d s",
	         c->ip, c->phase == HEAD ? "head" : "body",
	         c->phase == HEAD ? core.conf->core.request_head_timeout
	                          : core.conf->core.request_body_timeout);
	say_and_close(c, "408 Request Timeout");
}

static void arm(struct conn *c, int seconds)
{
	struct timeval tv = {seconds, 0};

	if (c->deadline)
		event_add(c->deadline, &tv);
}

static void scan(struct conn *c, const unsigned char *p, size_t n);

/* Runs once, before any byte of the connection is read (see the top). */
static void attach(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	int max = core.conf->core.max_conns_per_ip;
	void *cbarg = NULL;

	(void)fd;
	(void)what;
	c->attached = 1;
	bufferevent_getcb(c->bev, NULL, NULL, NULL, &cbarg);
	c->evcon = cbarg;
	if (!c->evcon) { /* not evhttp's: nothing to watch */
		unlink_conn(c);
		free_conn(c);
		return;
	}
	evhttp_connection_set_closecb(c->evcon, on_conn_close, c);
	peer_ip(c);
	if (max > 0 && c->ip[0] && !peer_trusted(c->ip)) {
		if (!ip_take(c->ip, max)) {
			static _Atomic time_t last_warn;
			time_t now = time(NULL);
			atomic_fetch_add(&n_capped, 1);
			if (atomic_exchange(&last_warn, now) != now)
				log_core(LOG_WARN_,
				         "refusing a connection from %s: it has %d open already "
				         "(max_conns_per_ip)",
				         c->ip, max);
			say_and_close(c, "503 Service Unavailable");
			return;
		}
		c->counted = 1;
	}
}

/* ---- the request head scanner ---- */

static void start_head(struct conn *c)
{
	c->phase = HEAD;
	c->bad = NULL;
	c->line_len = 0;
	c->first_line = 1;
	c->colon_seen = 0;
	c->prev_ws = 0;
	arm(c, core.conf->core.request_head_timeout);
}

/* Follows the head byte by byte; at its empty line the body's deadline
 * starts and scanning stops until the next request. */
static void scan(struct conn *c, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n && c->phase != BODY && c->phase != BUSY; i++) {
		unsigned char ch = p[i];

		if (c->phase == IDLE)
			start_head(c);
		if (ch == '\n') {
			if (c->line_len == 0 && !c->first_line) {
				c->phase = BODY;
				arm(c, core.conf->core.request_body_timeout);
				return;
			}
			if (c->line_len > 0)
				c->first_line = 0;
			c->line_len = 0;
			c->colon_seen = 0;
			c->prev_ws = 0;
			continue;
		}
		if (ch == '\r')
			continue;
		if (ch == '\0' && !c->bad)
			c->bad = "a NUL byte in the request head";
		if (!c->first_line && !c->colon_seen) {
			if (ch == ':') {
				if (c->prev_ws && !c->bad)
					c->bad = "white space between a header name and its colon";
				c->colon_seen = 1;
			}
			/* a line starting with white space is obs-fold, not this */
			c->prev_ws = c->line_len > 0 && (ch == ' ' || ch == '\t');
		}
		c->line_len++;
	}
}

static void scan_buffer(struct conn *c, struct evbuffer *buf, size_t from)
{
	struct evbuffer_ptr pos;
	struct evbuffer_iovec v[8];

	if (evbuffer_ptr_set(buf, &pos, from, EVBUFFER_PTR_SET) != 0)
		return;
	while (c->phase == IDLE || c->phase == HEAD) {
		int k = evbuffer_peek(buf, -1, &pos, v, 8);
		size_t seen = 0;
		if (k <= 0)
			return;
		for (int i = 0; i < k && i < 8; i++) {
			scan(c, v[i].iov_base, v[i].iov_len);
			seen += v[i].iov_len;
		}
		if (k <= 8)
			return;
		if (evbuffer_ptr_set(buf, &pos, seen, EVBUFFER_PTR_ADD) != 0)
			return;
	}
}

/* Bytes added to the input buffer by the socket read, before evhttp sees
 * them: they sit at the buffer's end. */
static void on_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
	struct conn *c = arg;

	if (info->n_added == 0 || c->phase == BUSY || c->phase == BODY)
		return;
	scan_buffer(c, buf, info->orig_size - info->n_deleted);
}

struct bufferevent *conn_bevcb(struct event_base *base, void *arg)
{
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	struct conn *c;
	size_t s;

	(void)arg;
	if (!bev)
		return NULL;
	c = calloc(1, sizeof *c);
	if (!c)
		return bev;
	c->bev = bev;
	c->deadline = event_new(base, -1, 0, on_deadline, c);
	s = slot_of(bev);
	c->next = table[s];
	table[s] = c;
	evbuffer_add_cb(bufferevent_get_input(bev), on_input, c);
	/* no timeout: active at once, so it runs before this loop next polls */
	if (event_base_once(base, -1, EV_TIMEOUT, attach, c, NULL) != 0) {
		unlink_conn(c);
		free_conn(c);
	}
	return bev;
}

struct conn *conn_of(struct evhttp_connection *evcon)
{
	struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;

	for (struct conn *c = bev ? table[slot_of(bev)] : NULL; c; c = c->next)
		if (c->bev == bev)
			return c->attached ? c : NULL;
	return NULL;
}

const char *conn_bad_head(const struct conn *c)
{
	return c ? c->bad : NULL;
}

void conn_busy(struct conn *c, cb_req *req)
{
	if (!c)
		return;
	c->phase = BUSY;
	c->req = req;
	if (c->deadline)
		event_del(c->deadline);
}

void conn_idle(struct conn *c)
{
	if (!c)
		return;
	c->req = NULL;
	c->phase = IDLE;
	c->bad = NULL;
	/* what is left in the buffer is the start of the next request */
	scan_buffer(c, bufferevent_get_input(c->bev), 0);
}
