/* server.c — the I/O threads: one libevent loop each, on its own
 * SO_REUSEPORT socket. They parse requests, route them, answer what needs no
 * handler (404, 405, 413, /healthz) and hand the rest to the handler pool;
 * handlers never run here, so nothing slow can stall a loop. Replies come
 * back through a per-thread queue and an event the handler thread activates. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "core.h"

struct io_thread {
	pthread_t tid;
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct event *done_ev, *stop_ev;
	pthread_mutex_t mu;
	cb_req *done_head, *done_tail;
	int fd;
};

static struct io_thread *ios;
static int nio;

static const char *method_name(enum evhttp_cmd_type t)
{
	switch (t) {
	case EVHTTP_REQ_GET: return "GET";
	case EVHTTP_REQ_POST: return "POST";
	case EVHTTP_REQ_HEAD: return "HEAD";
	case EVHTTP_REQ_PUT: return "PUT";
	case EVHTTP_REQ_DELETE: return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_PATCH: return "PATCH";
	default: return NULL;
	}
}

static int valid_request_id(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!(s[n] == '-' || s[n] == '_' || s[n] == '.' || (s[n] >= '0' && s[n] <= '9') ||
		      (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z')))
			return 0;
	return n >= 1 && n <= 64;
}

static int trusted_proxy(const char *ip)
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

/* A proxy in front of carbotd that is not in trusted_proxies makes every
 * client look like the proxy: one client's failed logins, rate limits and
 * registrations then count for all. Said once per process, at the first
 * request that shows it. */
static void warn_untrusted_forwarder(const char *ip)
{
	static atomic_int warned;

	if (atomic_exchange(&warned, 1))
		return;
	log_core(LOG_WARN_,
	         "a request from %s carries forwarding headers (X-Forwarded-For, Forwarded or "
	         "X-Real-IP) but %s is not in trusted_proxies: every client behind it is seen as "
	         "%s, so rate limits and lock-outs hit them all; add it to trusted_proxies if it "
	         "is your reverse proxy",
	         ip, ip, ip);
}

/* RFC 9110 5.1: a field name is a token. */
static int field_name_ok(const char *s)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";

	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s && strchr(extra, *s))))
			return 0;
	return 1;
}

/* Why the parsed head must be refused with 400, or NULL: RFC 9112 and 9110
 * ask for it, and two Host headers let a proxy and carbotd disagree on the
 * tenant a request is for. */
static const char *bad_head(cb_req *req, struct conn *cn)
{
	const char *why = conn_bad_head(cn);
	int hosts = 0;

	if (why)
		return why;
	for (struct kv *h = req->headers; h; h = h->next) {
		if (!field_name_ok(h->name))
			return "a header name that is not a token";
		if (strcasecmp(h->name, "Host") == 0 && ++hosts > 1)
			return "more than one Host header";
	}
	return NULL;
}

/* The peer, or behind a trusted proxy the right-most X-Forwarded-For hop that
 * is not itself a trusted proxy (left-most entries are client-supplied). */
static const char *client_ip(cb_req *req, struct evhttp_connection *evcon)
{
	char *addr = NULL;
	ev_uint16_t port = 0;
	evhttp_connection_get_peer(evcon, &addr, &port);
	const char *ip = cb_strdup(req, addr ? addr : "");
	const char *xff = cb_req_header(req, "X-Forwarded-For");
	if ((xff || cb_req_header(req, "Forwarded") || cb_req_header(req, "X-Real-IP")) &&
	    !trusted_proxy(ip))
		warn_untrusted_forwarder(ip);
	while (xff && trusted_proxy(ip)) {
		const char *comma = strrchr(xff, ',');
		const char *hop = comma ? comma + 1 : xff;
		while (*hop == ' ')
			hop++;
		ip = cb_strdup(req, hop);
		if (!comma)
			break;
		xff = cb_strndup(req, xff, (size_t)(comma - xff));
	}
	return ip;
}

/* libevent knows no phrase for some codes we use */
static const char *reason(int status)
{
	switch (status) {
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 451: return "Unavailable For Legal Reasons";
	default: return NULL;
	}
}

static void send_reply(cb_req *req)
{
	struct evhttp_request *ev = req->evreq;
	if (!req->conn_closed) {
		conn_idle(conn_of(evhttp_request_get_connection(ev)));
		if (!req->replied)
			reply_error_plain(req, 500, "internal_error", "No response was produced");
		reply_security_headers(req);
		if (atomic_load(&core.stopping))
			cb_set_header(req, "Connection", "close");
		struct evkeyvalq *out = evhttp_request_get_output_headers(ev);
		for (struct kv *h = req->out_headers; h; h = h->next)
			evhttp_add_header(out, h->name, h->value);
		if (req->ctype)
			evhttp_add_header(out, "Content-Type", req->ctype);
		int head = evhttp_request_get_command(ev) == EVHTTP_REQ_HEAD;
		if (head) {
			/* a HEAD answer announces the GET body's length but sends no
			 * body: libevent would write one given, breaking the framing
			 * of the next response on a kept-alive connection */
			char n[24];
			snprintf(n, sizeof n, "%zu", req->out_len);
			evhttp_add_header(out, "Content-Length", n);
		}
		struct evbuffer *b = evbuffer_new();
		if (!head)
			evbuffer_add(b, req->out_body, req->out_len);
		evhttp_send_reply(ev, req->status, reason(req->status), b);
		evbuffer_free(b);
	}
	double ms = now_ms() - req->t_start;
	metrics_observe(req, ms);
	log_access(req, ms);
	req_free(req);
	atomic_fetch_sub(&core.inflight, 1);
}

static void on_request(struct evhttp_request *ev, void *arg)
{
	struct io_thread *io = arg;
	cb_req *req = req_new();
	atomic_fetch_add(&core.inflight, 1);
	req->io = io;
	req->evreq = ev;
	req->is_http = 1;
	req->method = method_name(evhttp_request_get_command(ev));
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	req->path = cb_strdup(req, path && *path ? path : "/");
	req->query = uri ? cb_strdup(req, evhttp_uri_get_query(uri)) : NULL;

	struct kv **tail = &req->headers;
	struct evkeyvalq *in = evhttp_request_get_input_headers(ev);
	for (struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next) {
		struct kv *k = cb_alloc(req, sizeof *k);
		k->name = cb_strdup(req, h->key);
		k->value = cb_strdup(req, h->value);
		*tail = k;
		tail = &k->next;
	}
	const char *rid = cb_req_header(req, "X-Request-Id");
	if (rid && valid_request_id(rid)) {
		req->id = rid;
	} else {
		char hex[33];
		random_hex(hex, 16);
		req->id = cb_strdup(req, hex);
	}
	struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
	struct conn *cn = conn_of(evcon);
	/* the request is read: no deadline until its reply is sent, and
	 * req->conn_closed tells when the client goes away meanwhile */
	conn_busy(cn, req);
	req->client_ip = client_ip(req, evcon);

	struct evbuffer *body = evhttp_request_get_input_buffer(ev);
	req->body_len = evbuffer_get_length(body);
	char *b = cb_alloc(req, req->body_len + 1);
	evbuffer_copyout(body, b, req->body_len);
	req->body = b;

	const char *bad = bad_head(req, cn);
	if (bad) {
		cb_set_header(req, "Connection", "close");
		cb_reply_error(req, 400, "bad_request", "The request is malformed: %s", bad);
		send_reply(req);
		return;
	}

	char allow[64];
	const struct route *r =
		req->method ? router_match(req, req->method, req->path, allow, sizeof allow) : NULL;
	if (!r) {
		if (req->method && allow[0]) {
			cb_set_header(req, "Allow", allow);
			cb_reply_error(req, 405, "method_not_allowed", "%s is not allowed here; use %s",
				       req->method, allow);
		} else {
			reply_error_plain(req, 404, "not_found", "No such resource");
		}
		send_reply(req);
		return;
	}
	req->route = r;
	req->plugin = r->owner == &core_plugin ? NULL : r->owner->name;
	if (req->body_len > r->max_body) {
		cb_reply_error(req, 413, "payload_too_large",
			       "The body is %zu bytes; at most %zu are accepted here", req->body_len,
			       r->max_body);
		send_reply(req);
		return;
	}
	if (r->inline_io) {
		dispatch_run(req);
		send_reply(req);
		return;
	}
	if (r->fast) {
		/* from memory, on this thread: a miss (CB_DEFER) goes to the pool */
		int rc = r->fast(req);
		if (req->replied && rc != CB_DEFER) {
			send_reply(req);
			return;
		}
		req->replied = 0;
	}
	pool_push(req);
}

void server_done(cb_req *req)
{
	struct io_thread *io = req->io;
	req->next_done = NULL;
	pthread_mutex_lock(&io->mu);
	if (io->done_tail)
		io->done_tail->next_done = req;
	else
		io->done_head = req;
	io->done_tail = req;
	pthread_mutex_unlock(&io->mu);
	event_active(io->done_ev, EV_READ, 0);
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct io_thread *io = arg;
	pthread_mutex_lock(&io->mu);
	cb_req *req = io->done_head;
	io->done_head = io->done_tail = NULL;
	pthread_mutex_unlock(&io->mu);
	while (req) {
		cb_req *next = req->next_done;
		send_reply(req);
		req = next;
	}
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct io_thread *io = arg;
	if (io->bound) {
		evhttp_del_accept_socket(io->http, io->bound);
		io->bound = NULL;
	}
}

static void *io_main(void *arg)
{
	struct io_thread *io = arg;
	/* keep running after the listener goes: replies still come back */
	event_base_loop(io->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

static int listen_socket(const char *host, int port, int reuseport, char *err, size_t errlen)
{
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	char ps[16];
	snprintf(ps, sizeof ps, "%d", port);
	int g = getaddrinfo(host, ps, &hints, &res);
	if (g != 0) {
		snprintf(err, errlen, "listen %s:%d: %s", host, port, gai_strerror(g));
		return -1;
	}
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (reuseport)
			setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	}
	if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
		snprintf(err, errlen, "listen %s:%d: %s", host, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int server_listen(char *err, size_t errlen)
{
	const struct core_settings *cs = &core.conf->core;
	nio = cs->io_threads;
	ios = calloc((size_t)nio, sizeof *ios);
	/* SO_REUSEPORT would let a second carbotd silently share the port: bind
	 * once without it first, so a port in use is refused */
	int probe = listen_socket(cs->listen_host, cs->listen_port, 0, err, errlen);
	if (probe < 0)
		return -1;
	close(probe);
	/* all sockets first, so a busy port fails before any thread runs */
	for (int i = 0; i < nio; i++) {
		ios[i].fd = listen_socket(cs->listen_host, cs->listen_port, 1, err, errlen);
		if (ios[i].fd < 0)
			return -1;
	}
	return 0;
}

int server_start(char *err, size_t errlen)
{
	const struct core_settings *cs = &core.conf->core;
	size_t largest = router_largest_body();
	/* libevent answers bodies over its own cap with an HTML 413; keep that cap
	 * well above every route's limit so clients nearly always get ours */
	size_t cap = largest * 4 > ((size_t)4 << 20) ? largest * 4 : ((size_t)4 << 20);
	for (int i = 0; i < nio; i++) {
		struct io_thread *io = &ios[i];
		pthread_mutex_init(&io->mu, NULL);
		io->base = event_base_new();
		io->http = evhttp_new(io->base);
		evhttp_set_timeout(io->http, cs->request_timeout);
		evhttp_set_max_body_size(io->http, (ev_ssize_t)cap);
		evhttp_set_max_headers_size(io->http, 32 * 1024);
		evhttp_set_default_content_type(io->http, NULL);
		evhttp_set_allowed_methods(io->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
							     EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
							     EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
							     EVHTTP_REQ_PATCH);
		evhttp_set_gencb(io->http, on_request, io);
		evhttp_set_bevcb(io->http, conn_bevcb, NULL);
		io->bound = evhttp_accept_socket_with_handle(io->http, io->fd);
		io->done_ev = event_new(io->base, -1, EV_PERSIST, on_done, io);
		io->stop_ev = event_new(io->base, -1, 0, on_stop, io);
		event_add(io->done_ev, NULL);
		if (!io->bound || pthread_create(&io->tid, NULL, io_main, io) != 0) {
			snprintf(err, errlen, "cannot start I/O thread %d", i);
			return -1;
		}
	}
	return 0;
}

void server_stop_accepting(void)
{
	for (int i = 0; i < nio; i++)
		event_active(ios[i].stop_ev, EV_READ, 0);
}

void server_join(void)
{
	/* a moment for replies already handed to libevent to reach the wire */
	struct timeval flush = {0, 200 * 1000};
	for (int i = 0; i < nio; i++)
		event_base_loopexit(ios[i].base, &flush);
	for (int i = 0; i < nio; i++) {
		pthread_join(ios[i].tid, NULL);
		event_free(ios[i].done_ev);
		event_free(ios[i].stop_ev);
		evhttp_free(ios[i].http);
		event_base_free(ios[i].base);
		pthread_mutex_destroy(&ios[i].mu);
	}
	free(ios);
	ios = NULL;
	nio = 0;
}
