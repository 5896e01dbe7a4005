/* carbot/hooks.h — named events between plugins.
 *
 * Subscribers are registered in init (cb_hook in plugin.h) with a priority:
 * lower runs first; equal priorities run in plugin load order, then
 * registration order. cb_emit runs them synchronously, inside the emitting
 * request, on its thread (they may use its database transaction).
 *
 * Events whose name ends in ".before" may be vetoed: a subscriber returning
 * non-zero (use cb_veto) stops the run and cb_emit returns CB_EVETO. For any
 * other event every subscriber runs; a failing one is logged and the rest go
 * on.
 */
#ifndef CARBOT_HOOKS_H
#define CARBOT_HOOKS_H

typedef struct cb_req cb_req;
typedef struct cb_json cb_json;

#define CB_HOOK_FIRST 10
#define CB_HOOK_MIDDLE 50
#define CB_HOOK_LAST 90

/* A subscriber. data is the emitter's payload (may be NULL), borrowed. */
typedef int (*cb_hook_fn)(cb_req *req, const char *event, const cb_json *data, void *udata);

/* Runs the subscribers of event with data. Returns CB_OK, or CB_EVETO when a
 * subscriber of a ".before" event vetoed (its reason via cb_veto_reason). */
int cb_emit(cb_req *req, const char *event, const cb_json *data);

/* For a subscriber: records why it vetoes and returns CB_EVETO, so it can
 * `return cb_veto(req, "plan_limit", "Premium needed for %s", what);`. */
int cb_veto(cb_req *req, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The code and message of the last veto in req (borrowed), or NULL. */
const char *cb_veto_reason(cb_req *req, const char **message);

#endif
