/* hooks.c — running the subscribers of an event (hooks.h). The list is
 * sorted at registration and read-only afterwards, so emitting takes no lock. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

static int is_before(const char *event)
{
	size_t n = strlen(event);
	return n > 7 && strcmp(event + n - 7, ".before") == 0;
}

/* Runs one subscriber isolated from the emitter (events.h): inside a
 * savepoint when the emitter's transaction is open, unable to end that
 * transaction or to set the reply. */
static int run_one(cb_req *req, const struct hook_sub *h, const char *event, const cb_json *data)
{
	int tx = req->in_tx, r;
	/* an aborted transaction takes no savepoint: the subscriber still runs
	 * (its queries fail like the emitter's would) */
	if (tx && db_simple(req, "SAVEPOINT cb_hook") != CB_OK)
		tx = 0;
	req->in_hook++;
	req->plugin = h->owner->name;
	r = h->fn(req, event, data, h->udata);
	req->in_hook--;
	if (!tx || !req->in_tx)
		return r;
	/* a failed query inside leaves the transaction aborted: undo the
	 * subscriber's part, keep the emitter's */
	if (r != CB_OK || db_simple(req, "RELEASE SAVEPOINT cb_hook") != CB_OK) {
		if (db_simple(req, "ROLLBACK TO SAVEPOINT cb_hook") != CB_OK ||
		    db_simple(req, "RELEASE SAVEPOINT cb_hook") != CB_OK)
			return r != CB_OK ? r : CB_EDB;
	}
	return r;
}

int cb_emit(cb_req *req, const char *event, const cb_json *data)
{
	if (!event)
		return CB_EINVAL;
	int vetoable = is_before(event);
	const char *saved = req->plugin;
	char state[6];
	const char *errmsg = req->db_errmsg;
	int rc = CB_OK;
	memcpy(state, req->sqlstate, sizeof state);
	for (const struct hook_sub *h = hooks_all; h; h = h->next) {
		if (strcmp(h->event, event) != 0)
			continue;
		int r = run_one(req, h, event, data);
		req->plugin = saved;
		if (r == CB_OK)
			continue;
		if (vetoable) {
			if (!req->veto_code)
				cb_veto(req, "vetoed", "plugin '%s' vetoed %s", h->owner->name, event);
			rc = CB_EVETO;
			break;
		}
		cb_log(req, CB_LOG_WARN, "hook %s of plugin '%s' failed: %s", event, h->owner->name,
		       cb_strerror(r));
	}
	/* the emitter's last query result stays what it was */
	memcpy(req->sqlstate, state, sizeof state);
	req->db_errmsg = errmsg;
	return rc;
}

int cb_veto(cb_req *req, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	req->veto_code = cb_strdup(req, code ? code : "vetoed");
	req->veto_msg = cb_strdup(req, msg);
	return CB_EVETO;
}

const char *cb_veto_reason(cb_req *req, const char **message)
{
	if (message)
		*message = req->veto_msg;
	return req->veto_code;
}
