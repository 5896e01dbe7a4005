/* dns.c — TXT look-ups with c-ares, for the DNS method of domain checks.
 *
 * One channel per look-up, driven with poll() on the calling handler thread
 * until the answer or the deadline: nothing else waits on it. The resolver is
 * the system's (/etc/resolv.conf) unless dns_server names one ("IP:PORT"),
 * which is how the tests point it at a local dnsmasq. */
#include <ares.h>
#include <arpa/nameser.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "landing.h"

struct txt_state {
	cb_req *req;
	cb_json *records;
	int status;
	int done;
};

int dns_global_init(void)
{
	return ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS ? CB_OK : CB_ERR;
}

void dns_global_cleanup(void)
{
	ares_library_cleanup();
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct txt_state *st = arg;
	struct ares_txt_ext *txt = NULL;
	struct buf rec;
	int open = 0;

	(void)timeouts;
	st->done = 1;
	st->status = status;
	if (status != ARES_SUCCESS)
		return;
	st->status = ares_parse_txt_reply_ext(abuf, alen, &txt);
	if (st->status != ARES_SUCCESS)
		return;
	/* a record longer than 255 bytes arrives as several strings: join them */
	for (struct ares_txt_ext *t = txt; t; t = t->next) {
		if (t->record_start) {
			if (open)
				cb_json_push(st->records,
				             cb_json_new_strn(st->req, rec.p, rec.len));
			buf_init(&rec, st->req);
			open = 1;
		}
		if (open)
			buf_add(&rec, (const char *)t->txt, t->length);
	}
	if (open)
		cb_json_push(st->records, cb_json_new_strn(st->req, rec.p, rec.len));
	ares_free_data(txt);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the channel until the query is answered or the deadline passes. */
static void drive(ares_channel ch, struct txt_state *st, long long deadline)
{
	while (!st->done) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd pfd[ARES_GETSOCK_MAXNUM];
		struct timeval maxtv, tv, *tvp;
		/* read as unsigned: c-ares' ARES_GETSOCK_WRITABLE shifts 1 into the
		 * sign bit of an int for the 16th socket */
		unsigned bits = (unsigned)ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
		int n = 0;
		long long left = deadline - now_ms(), wait;

		if (left <= 0)
			return;
		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			short ev = 0;
			if ((bits >> i) & 1u)
				ev |= POLLIN;
			if ((bits >> (i + ARES_GETSOCK_MAXNUM)) & 1u)
				ev |= POLLOUT;
			if (!ev)
				continue;
			pfd[n].fd = socks[i];
			pfd[n].events = ev;
			pfd[n].revents = 0;
			n++;
		}
		maxtv.tv_sec = left / 1000;
		maxtv.tv_usec = (left % 1000) * 1000;
		tvp = ares_timeout(ch, &maxtv, &tv);
		wait = (long long)tvp->tv_sec * 1000 + tvp->tv_usec / 1000;
		if (poll(pfd, (nfds_t)n, (int)(wait > 0 ? wait : 1)) <= 0) {
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
			continue;
		}
		for (int i = 0; i < n; i++)
			ares_process_fd(ch,
			                pfd[i].revents & (POLLIN | POLLERR | POLLHUP)
			                    ? pfd[i].fd
			                    : ARES_SOCKET_BAD,
			                pfd[i].revents & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
	}
}

int dns_txt(cb_req *req, const char *name, long timeout_ms, cb_json **txt, const char **why)
{
	struct txt_state st = {req, cb_json_new_array(req), ARES_ETIMEOUT, 0};
	struct ares_options opts;
	ares_channel ch;
	int rc;

	memset(&opts, 0, sizeof opts);
	opts.timeout = (int)(timeout_ms / 2 > 0 ? timeout_ms / 2 : 1); /* per try */
	opts.tries = 2;
	if (ares_init_options(&ch, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES) != ARES_SUCCESS) {
		*why = "the resolver could not be set up";
		return CB_ERR;
	}
	if (lp_cf.dns_server[0] &&
	    ares_set_servers_ports_csv(ch, lp_cf.dns_server) != ARES_SUCCESS) {
		ares_destroy(ch);
		*why = "the configured dns_server is not usable";
		return CB_ERR;
	}
	ares_query(ch, name, ns_c_in, ns_t_txt, on_answer, &st);
	drive(ch, &st, now_ms() + timeout_ms);
	rc = st.done ? st.status : ARES_ETIMEOUT;
	ares_destroy(ch); /* answers a pending query with ARES_EDESTRUCTION: ignored */
	switch (rc) {
	case ARES_SUCCESS:
		*txt = st.records;
		return CB_OK;
	case ARES_ENODATA:
	case ARES_ENOTFOUND:
		*txt = st.records;
		*why = cb_sprintf(req, "%s has no TXT record", name);
		return CB_ENOTFOUND;
	case ARES_ETIMEOUT:
		*why = "the DNS query timed out";
		return CB_ETIMEOUT;
	default:
		*why = cb_sprintf(req, "DNS look-up failed: %s", ares_strerror(rc));
		return CB_ERR;
	}
}
