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

int cb_emit(cb_req *req, const char *event, const cb_json *data)
{
	if (!event)
		return CB_EINVAL;
	int vetoable = is_before(event);
	const char *saved = req->plugin;
	int rc = CB_OK;
	for (const struct hook_sub *h = hooks_all; h; h = h->next) {
		if (strcmp(h->event, event) != 0)
			continue;
		req->plugin = h->owner->name;
		int r = h->fn(req, event, data, h->udata);
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
