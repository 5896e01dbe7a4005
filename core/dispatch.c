/* dispatch.c — running a routed request on a handler thread: the route's
 * auth policy, the handler, the http.response event, and a fitting error when
 * the handler produced none. */
#include <string.h>

#include "core.h"

static int loopback(const char *ip)
{
	return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0 ||
	       strncmp(ip, "::ffff:127.", 11) == 0;
}

/* Connection failures, shutdown and exhausted resources are worth retrying;
 * any other SQL error is a bug behind a 500. */
int db_unreachable(const char *sqlstate)
{
	return strncmp(sqlstate, "08", 2) == 0 || strncmp(sqlstate, "57P", 3) == 0 ||
	       strncmp(sqlstate, "53", 2) == 0;
}

static void answer_failure(cb_req *req, int rc)
{
	if ((rc == CB_EDB && db_unreachable(req->sqlstate)) || rc == CB_EREDIS) {
		cb_set_header(req, "Retry-After", "1");
		reply_error_plain(req, 503, "unavailable",
				  rc == CB_EDB ? "The database is unavailable; try again shortly"
					       : "A backing service is unavailable; try again shortly");
	} else {
		reply_error_plain(req, 500, "internal_error", "Something went wrong on our side");
	}
	cb_log(req, CB_LOG_ERROR, "handler of %s failed: %s%s%s", req->route->label,
	       cb_strerror(rc), req->sqlstate[0] ? " sqlstate " : "", req->sqlstate);
}

static int authorize(cb_req *req, const struct route *r)
{
	if (r->auth == CB_AUTH_PUBLIC)
		return CB_OK;
	if (r->auth == CB_AUTH_INTERNAL) {
		if (loopback(cb_req_client_ip(req)))
			return CB_OK;
		/* operators' endpoints do not exist for the outside world */
		reply_error_plain(req, 404, "not_found", "No such resource");
		return CB_ERR;
	}
	int rc = authenticators[r->auth](req, r->permission);
	if (rc != CB_OK && !req->replied) {
		if (rc == CB_EDB || rc == CB_EREDIS)
			answer_failure(req, rc); /* could not check: not the client's fault */
		else
			reply_error_plain(req, 401, "unauthorized", "Authentication required");
	}
	return rc == CB_OK ? CB_OK : CB_ERR;
}

void dispatch_run(cb_req *req)
{
	const struct route *r = req->route;
	if (authorize(req, r) == CB_OK) {
		req->replied = 0;
		int rc = r->handler(req);
		if (rc != CB_OK && !req->replied)
			answer_failure(req, rc);
		else if (!req->replied)
			answer_failure(req, CB_ERR);
		/* inline routes run on an I/O thread, where subscribers (which may
		 * block) must never run */
		if (hooks_all && !r->inline_io) {
			cb_json *d = cb_json_new_object(req);
			cb_json_set_int(d, "status", req->status);
			cb_json_set_str(d, "route", r->label);
			cb_emit(req, "http.response", d);
		}
	}
	db_release(req);
}

int cb_reply_db_error(cb_req *req, const char *what)
{
	const char *state = req->sqlstate[0] ? req->sqlstate : "-";
	cb_log(req, CB_LOG_ERROR, "%s: database error %s: %s", what ? what : "query", state,
	       cb_db_errmsg(req));
	if (db_unreachable(state)) {
		cb_set_header(req, "Retry-After", "1");
		return reply_error_plain(req, 503, "unavailable",
		                         "The database is unavailable; try again shortly");
	}
	return reply_error_plain(req, 500, "internal_error", "Something went wrong on our side");
}
