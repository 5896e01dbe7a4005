/* req.h — the core's view of a cb_req: one unit of work (an HTTP request, a
 * job run, or a plugin's init) with its arena, database connection and reply. */
#ifndef CB_CORE_REQ_H
#define CB_CORE_REQ_H

#include <stddef.h>

#include "arena.h"
#include "carbot/sdk.h"

struct route;
struct db_conn;
struct io_thread;

struct kv {
	struct kv *next;
	const char *name;
	const char *value;
};

struct cb_req {
	cb_arena *arena;
	const char *plugin; /* name for log lines, or NULL for the core */

	/* the HTTP request (unset for jobs and init) */
	int is_http;
	const char *method, *path, *query, *id, *client_ip;
	struct kv *headers; /* request headers, in order */
	const char *body;
	size_t body_len;
	const struct route *route;
	const char *param_names[16], *param_values[16];
	int nparams;
	cb_json *json;     /* parsed body, once */
	struct kv *attrs;  /* cb_req_set / cb_req_get */

	/* the response */
	int status;
	const char *ctype;
	const char *out_body;
	size_t out_len;
	struct kv *out_headers;
	int replied;

	/* PostgreSQL */
	struct db_conn *conn, *conn_ro;
	int in_tx;
	char sqlstate[6];
	const char *db_errmsg;

	/* hooks and jobs */
	const char *veto_code, *veto_msg;
	int in_hook; /* > 0 while a subscriber runs (events.h: what it may not do) */
	const char *job_error;

	/* where it came from, for the I/O thread; opaque to everything else */
	struct io_thread *io;
	void *evreq;
	int conn_closed;
	double t_start;
	struct cb_req *next_done;
};

/* A request with nothing but an arena (for jobs, init and tests). */
cb_req *req_new(void);

/* Gives back the database connection(s), runs cleanups, frees everything. */
void req_free(cb_req *req);

#endif
