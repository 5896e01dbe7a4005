/* redis.c — one hiredis connection per thread (handler and job threads), so
 * commands need no lock. After a failure a thread waits a second before it
 * dials again: an unreachable Redis then costs a request one fast failure. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "core.h"

static char *host; /* NULL when unix socket */
static char *unix_path;
static int port;

static __thread redisContext *ctx;
static __thread double last_failure_ms;
static __thread int unread;          /* replies to cb_redis_send not read yet */
static atomic_int warned_at;         /* seconds, to log unreachability once a second */
static _Atomic long long last_up_ms; /* when some thread last dialled successfully */

void redis_configure(const char *addr)
{
	free(host);
	free(unix_path);
	host = unix_path = NULL;
	if (strncmp(addr, "unix:", 5) == 0) {
		unix_path = strdup(addr + 5);
		return;
	}
	const char *colon = strrchr(addr, ':');
	host = colon ? strndup(addr, (size_t)(colon - addr)) : strdup(addr);
	port = colon ? atoi(colon + 1) : 6379;
}

static void warn_down(const char *why)
{
	int now = (int)(now_ms() / 1000);
	int last = atomic_load(&warned_at);
	if (now != last && atomic_compare_exchange_strong(&warned_at, &last, now))
		log_core(CB_LOG_WARN, "redis unreachable: %s", why);
}

/* Reads and drops the replies to this thread's earlier cb_redis_send
 * commands, which come before any other reply on the connection; an error
 * reply is logged (the server's text, never the command's arguments).
 * 0, or -1 when the connection failed. */
static int drain(redisContext *c)
{
	while (unread > 0) {
		redisReply *r = NULL;
		if (redisGetReply(c, (void **)&r) != REDIS_OK || !r)
			return -1;
		unread--;
		if (r->type == REDIS_REPLY_ERROR)
			log_core(CB_LOG_WARN, "redis: a command sent without waiting failed: %s",
			         r->str);
		freeReplyObject(r);
	}
	return 0;
}

static redisContext *conn(void)
{
	if (ctx && drain(ctx) == 0)
		return ctx;
	if (ctx) {
		warn_down(ctx->errstr[0] ? ctx->errstr : "reading sent replies failed");
		redis_thread_cleanup();
	}
	double t = now_ms();
	/* back off for a second after a failed dial, unless another thread has
	 * got through since: then Redis is back and waiting helps nobody */
	if (last_failure_ms && t - last_failure_ms < 1000 &&
	    (double)atomic_load(&last_up_ms) < last_failure_ms)
		return NULL;
	struct timeval tv = {1, 0};
	ctx = unix_path ? redisConnectUnixWithTimeout(unix_path, tv)
	                : redisConnectWithTimeout(host ? host : "127.0.0.1", port, tv);
	if (!ctx || ctx->err) {
		warn_down(ctx ? ctx->errstr : "cannot allocate a context");
		if (ctx)
			redisFree(ctx);
		ctx = NULL;
		last_failure_ms = t;
		return NULL;
	}
	struct timeval cmd = {2, 0};
	redisSetTimeout(ctx, cmd);
	last_failure_ms = 0;
	atomic_store(&last_up_ms, (long long)t);
	return ctx;
}

void redis_thread_cleanup(void)
{
	if (ctx)
		redisFree(ctx);
	ctx = NULL;
	unread = 0;
}

static void free_reply(void *r)
{
	freeReplyObject(r);
}

/* Runs exchange(c, arg) on this thread's connection. A connection that
 * worked before and broke (Redis restarted) is redialled at once, once, so
 * every thread's stale connection recovers on its next command; only a
 * failed dial waits before the next one. 0, or -1 (logged, recorded). */
static int with_conn(int (*exchange)(redisContext *, void *), void *arg, const char *what)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int fresh = ctx == NULL;
		redisContext *c = conn();
		if (!c)
			return -1;
		if (exchange(c, arg) == 0)
			return 0;
		warn_down(c->errstr[0] ? c->errstr : what);
		redis_thread_cleanup();
		if (fresh)
			break;
	}
	last_failure_ms = now_ms();
	return -1;
}

struct command {
	int argc;
	const char **argv;
	size_t lens[64];
	redisReply *reply;
};

/* cmd's argument lengths; 0, or -1 for a bad argument list. */
static int command_init(struct command *cmd, int argc, const char *const *argv, const size_t *lens)
{
	if (argc < 1 || argc > 64 || !argv)
		return -1;
	cmd->argc = argc;
	cmd->argv = (const char **)argv;
	for (int i = 0; i < argc; i++)
		cmd->lens[i] = lens ? lens[i] : strlen(argv[i]);
	cmd->reply = NULL;
	return 0;
}

static int run_command(redisContext *c, void *arg)
{
	struct command *cmd = arg;

	cmd->reply = redisCommandArgv(c, cmd->argc, cmd->argv, cmd->lens);
	return cmd->reply ? 0 : -1;
}

cb_redis_reply *cb_redis(cb_req *req, int argc, const char *const *argv, const size_t *lens)
{
	struct command cmd;

	if (command_init(&cmd, argc, argv, lens) != 0 ||
	    with_conn(run_command, &cmd, "command failed") != 0)
		return NULL;
	cb_cleanup(req, free_reply, cmd.reply);
	return (cb_redis_reply *)cmd.reply;
}

/* Writes everything appended to c. 0, or -1 when the connection failed. */
static int write_out(redisContext *c)
{
	int done = 0;

	while (!done)
		if (redisBufferWrite(c, &done) != REDIS_OK)
			return -1;
	return 0;
}

#define UNREAD_MAX 64 /* then the sender reads them: bounded buffers */

/* Writes cmd without reading its reply (read by drain, later). */
static int send_command(redisContext *c, void *arg)
{
	struct command *cmd = arg;

	if (redisAppendCommandArgv(c, cmd->argc, cmd->argv, cmd->lens) != REDIS_OK ||
	    write_out(c) != 0)
		return -1;
	if (++unread >= UNREAD_MAX && drain(c) != 0) {
		warn_down(c->errstr[0] ? c->errstr : "reading sent replies failed");
		redis_thread_cleanup();
	}
	return 0;
}

int cb_redis_send(cb_req *req, int argc, const char *const *argv, const size_t *lens)
{
	struct command cmd;

	(void)req;
	if (command_init(&cmd, argc, argv, lens) != 0)
		return CB_EINVAL;
	return with_conn(send_command, &cmd, "send failed") == 0 ? CB_OK : CB_EREDIS;
}

int cb_redis_type(const cb_redis_reply *rr)
{
	const redisReply *r = (const redisReply *)rr;
	if (!r)
		return CB_REDIS_NIL;
	switch (r->type) {
	case REDIS_REPLY_STRING:
	case REDIS_REPLY_STATUS:
		return CB_REDIS_STRING;
	case REDIS_REPLY_INTEGER:
		return CB_REDIS_INTEGER;
	case REDIS_REPLY_ARRAY:
		return CB_REDIS_ARRAY;
	case REDIS_REPLY_ERROR:
		return CB_REDIS_ERROR;
	default:
		return CB_REDIS_NIL;
	}
}

long long cb_redis_int(const cb_redis_reply *rr)
{
	const redisReply *r = (const redisReply *)rr;
	if (!r)
		return 0;
	if (r->type == REDIS_REPLY_INTEGER)
		return r->integer;
	if (r->type == REDIS_REPLY_STRING)
		return atoll(r->str);
	return 0;
}

const char *cb_redis_str(const cb_redis_reply *rr, size_t *len)
{
	const redisReply *r = (const redisReply *)rr;
	int has = r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
	                r->type == REDIS_REPLY_ERROR);
	if (len)
		*len = has ? r->len : 0;
	return has ? r->str : NULL;
}

size_t cb_redis_len(const cb_redis_reply *rr)
{
	const redisReply *r = (const redisReply *)rr;
	return r && r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
}

const cb_redis_reply *cb_redis_at(const cb_redis_reply *rr, size_t i)
{
	const redisReply *r = (const redisReply *)rr;
	if (!r || r->type != REDIS_REPLY_ARRAY || i >= r->elements)
		return NULL;
	return (const cb_redis_reply *)r->element[i];
}

int redis_ping(cb_req *req)
{
	cb_redis_reply *r = cb_redis_c(req, "PING");
	return r && cb_redis_type(r) == CB_REDIS_STRING ? CB_OK : CB_EREDIS;
}

/* ---- Pipelines: several commands, one round trip ---- */

struct pipe_cmd {
	int argc;
	const char **argv;
	size_t *lens;
	struct rl_cmd *rate; /* set for a rate-limit check */
	redisReply *reply;
};

struct cb_redis_pipe {
	cb_req *req;
	int n, ran;
	struct pipe_cmd cmd[CB_REDIS_PIPE_MAX];
};

cb_redis_pipe *cb_redis_pipe_new(cb_req *req)
{
	cb_redis_pipe *p = cb_alloc(req, sizeof *p);

	if (p) {
		memset(p, 0, sizeof *p);
		p->req = req;
	}
	return p;
}

static int pipe_slot(cb_redis_pipe *p)
{
	return p && !p->ran && p->n < CB_REDIS_PIPE_MAX ? p->n : CB_EINVAL;
}

int cb_redis_pipe_add(cb_redis_pipe *p, int argc, const char *const *argv, const size_t *lens)
{
	int i = pipe_slot(p);

	if (i < 0 || argc < 1 || argc > 64 || !argv)
		return CB_EINVAL;
	struct pipe_cmd *c = &p->cmd[i];
	c->argv = cb_alloc(p->req, sizeof(char *) * (size_t)argc);
	c->lens = cb_alloc(p->req, sizeof(size_t) * (size_t)argc);
	for (int a = 0; a < argc; a++) {
		c->lens[a] = lens ? lens[a] : strlen(argv[a]);
		c->argv[a] = cb_strndup(p->req, argv[a], c->lens[a]);
	}
	c->argc = argc;
	return p->n++;
}

int cb_redis_pipe_ratelimit(cb_redis_pipe *p, const char *key, long long limit, long long window_s,
                            long long block_s, long long cost)
{
	int i = pipe_slot(p);

	if (i < 0)
		return CB_EINVAL;
	struct rl_cmd *rc = cb_alloc(p->req, sizeof *rc);
	if (ratelimit_cmd(rc, key, limit, window_s, block_s, cost) != CB_OK)
		return CB_EINVAL;
	i = cb_redis_pipe_add(p, RL_ARGC, rc->argv, NULL);
	if (i >= 0)
		p->cmd[i].rate = rc;
	return i;
}

/* One attempt on c: append everything, read everything. 0, or -1 with the
 * replies read so far freed. */
static int pipe_exchange(redisContext *c, void *arg)
{
	cb_redis_pipe *p = arg;

	for (int i = 0; i < p->n; i++)
		if (redisAppendCommandArgv(c, p->cmd[i].argc, p->cmd[i].argv, p->cmd[i].lens) !=
		    REDIS_OK)
			return -1;
	for (int i = 0; i < p->n; i++) {
		void *r = NULL;
		if (redisGetReply(c, &r) != REDIS_OK || !r) {
			for (int j = 0; j < i; j++) {
				freeReplyObject(p->cmd[j].reply);
				p->cmd[j].reply = NULL;
			}
			return -1;
		}
		p->cmd[i].reply = r;
	}
	return 0;
}

int cb_redis_pipe_run(cb_redis_pipe *p)
{
	if (!p || p->ran)
		return CB_EINVAL;
	p->ran = 1;
	if (p->n && with_conn(pipe_exchange, p, "pipeline failed") != 0)
		return CB_EREDIS;
	for (int i = 0; i < p->n; i++) {
		cb_cleanup(p->req, free_reply, p->cmd[i].reply);
		/* Redis restarted and forgot the script: load it on this one */
		if (p->cmd[i].rate && ratelimit_noscript((cb_redis_reply *)p->cmd[i].reply))
			p->cmd[i].reply = (redisReply *)ratelimit_eval(p->req, p->cmd[i].rate);
	}
	return CB_OK;
}

cb_redis_reply *cb_redis_pipe_reply(cb_redis_pipe *p, int i)
{
	if (!p || !p->ran || i < 0 || i >= p->n)
		return NULL;
	return (cb_redis_reply *)p->cmd[i].reply;
}

int cb_redis_pipe_rate(cb_redis_pipe *p, int i, cb_rate *out)
{
	if (!p || !out || i < 0 || i >= p->n || !p->cmd[i].rate)
		return CB_EINVAL;
	return ratelimit_outcome(cb_redis_pipe_reply(p, i), p->cmd[i].rate->limit, out);
}
