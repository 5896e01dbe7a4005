/* keysprobe — test-only routes for the keys plugin (t/keys-*.t):
 *
 *   GET|POST /t/widget-probe   CB_AUTH_CLIENT_KEY: answers the key.* request
 *                              attributes; a JSON body {"record": KIND}
 *                              also counts one use through keys.v1
 *   POST /t/keys-validate      public: {"key", "origin"} runs validate(),
 *                              {"key_id", "record"} runs record_usage(),
 *                              with "guard" usage_queue() and _queued()
 *                              ("full": a full pipeline; "reply": refusals
 *                              answered by reply())
 */
#include <carbot/sdk.h>
#include <string.h>

#include <carbot/services/keys_api.h>

static const struct keys_api *keys;

static cb_json *limit_json(cb_req *req, const struct keys_limit *l)
{
	cb_json *o = cb_json_new_object(req);

	cb_json_set_str(o, "name", l->name);
	cb_json_set_int(o, "used", l->used);
	cb_json_set_int(o, "max", l->max);
	cb_json_set_int(o, "period_end", l->period_end);
	return o;
}

static int probe(cb_req *req)
{
	static const char *const attrs[] = {"key.id", "key.user_id", "key.tier", "key.environment",
	                                    "key.domain"};
	cb_json *out = cb_json_new_object(req), *body = NULL;
	const char *kind;

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		cb_json_set_str(out, attrs[i], cb_req_get(req, attrs[i]));
	if (strcmp(cb_req_method(req), "POST") == 0 && cb_req_header(req, "Content-Type"))
		body = cb_req_json(req);
	kind = cb_json_get_str(body, "record");
	if (kind) {
		struct keys_usage u = KEYS_USAGE_INIT;
		int st = keys->record_usage(req, cb_req_get(req, "key.id"), kind, &u);

		if (st != KEYS_OK)
			return keys->reply(req, st, &u.hit);
		cb_json_set_int(out, "remaining", u.remaining);
		cb_json_set(out, "counted", limit_json(req, &u.hit));
	}
	return cb_reply_json(req, 200, out);
}

/* {"key_id", "record", "guard": {"name", "limit", "window"}}: usage_queue
 * behind a rate limit, with a GET in the same pipeline, then usage_queued. */
static int guarded(cb_req *req, const cb_json *body, cb_json *out, const char *kind)
{
	const cb_json *g = cb_json_get(body, "guard");
	struct keys_usage u = KEYS_USAGE_INIT;
	struct keys_pending *pending = NULL;
	cb_rate rate = CB_RATE_INIT;
	cb_redis_pipe *p = cb_redis_pipe_new(req);
	long long limit = -1, window = 0;
	const char *name = cb_json_get_str(g, "name");
	int st, get;

	cb_json_int(cb_json_get(g, "limit"), &limit);
	cb_json_int(cb_json_get(g, "window"), &window);
	if (cb_json_get(body, "full")) /* no room left for the use */
		for (int i = 0; i < CB_REDIS_PIPE_MAX; i++)
			cb_redis_pipe_c(p, "PING");
	st = keys->usage_queue(req, p, cb_json_get_str(body, "key_id"), kind,
	                       name ? cb_sprintf(req, "keysprobe:%s", name) : NULL, limit, window,
	                       &pending);
	cb_json_set_str(out, "queued", keys->status_name(st));
	if (st != KEYS_OK)
		return cb_reply_json(req, 200, out);
	get = cb_redis_pipe_c(p, "GET", "keysprobe:neighbour");
	cb_redis_pipe_run(p);
	st = keys->usage_queued(req, p, pending, &rate, &u);
	if (st != KEYS_OK && cb_json_get(body, "reply"))
		return keys->reply(req, st, &u.hit);
	cb_json_set_str(out, "status", keys->status_name(st));
	cb_json_set_int(out, "allowed", rate.allowed);
	cb_json_set_int(out, "guard_remaining", rate.remaining);
	cb_json_set_int(out, "guard_unavailable", rate.unavailable);
	cb_json_set_str(out, "neighbour", cb_redis_str(cb_redis_pipe_reply(p, get), NULL));
	if (st == KEYS_OK || st == KEYS_OVER_LIMIT)
		cb_json_set(out, "limit", limit_json(req, &u.hit));
	return cb_reply_json(req, 200, out);
}

static int validate(cb_req *req)
{
	cb_json *body = cb_req_json(req), *out;
	const char *record;

	if (!body)
		return CB_OK;
	out = cb_json_new_object(req);
	record = cb_json_get_str(body, "record");
	if (record && cb_json_get(body, "guard"))
		return guarded(req, body, out, record);
	if (record) {
		struct keys_usage u = KEYS_USAGE_INIT;
		int st = keys->record_usage(req, cb_json_get_str(body, "key_id"), record, &u);

		cb_json_set_str(out, "status", keys->status_name(st));
		cb_json_set_int(out, "remaining", u.remaining);
		cb_json_set(out, "limit", limit_json(req, &u.hit));
	} else {
		struct keys_info in = KEYS_INFO_INIT;
		int st = keys->validate(req, cb_json_get_str(body, "key"),
		                        cb_json_get_str(body, "origin"), &in);

		cb_json_set_str(out, "status", keys->status_name(st));
		cb_json_set_str(out, "id", in.id);
		cb_json_set_str(out, "user_id", in.user_id);
		cb_json_set_str(out, "tier", in.tier);
		cb_json_set_str(out, "environment", in.environment);
		cb_json_set_str(out, "domain", in.domain);
		cb_json_set_int(out, "usage_limit", in.usage_limit);
		cb_json_set_int(out, "conversations_used", in.conversations_used);
		cb_json_set_int(out, "conversations_max", in.conversations_max);
		cb_json_set_int(out, "messages_used", in.messages_used);
		cb_json_set_int(out, "messages_max", in.messages_max);
		cb_json_set_int(out, "period_start", in.period_start);
		cb_json_set_int(out, "period_end", in.period_end);
		if (st == KEYS_OVER_LIMIT)
			cb_json_set(out, "hit", limit_json(req, &in.hit));
	}
	return cb_reply_json(req, 200, out);
}

static int probe_init(cb_plugin *p)
{
	keys = cb_service(KEYS_SERVICE);
	if (!keys || keys->size < KEYS_API_V2_SIZE)
		return cb_plugin_fail(p, "service " KEYS_SERVICE " is missing");
	if (cb_route(p, "POST", "/t/widget-probe", CB_AUTH_CLIENT_KEY, NULL, probe) != CB_OK ||
	    cb_route(p, "GET", "/t/widget-probe", CB_AUTH_CLIENT_KEY, NULL, probe) != CB_OK ||
	    cb_route(p, "POST", "/t/keys-validate", CB_AUTH_PUBLIC, NULL, validate) != CB_OK)
		return cb_plugin_fail(p, "routes");
	return CB_OK;
}

CB_PLUGIN("keysprobe", "1.0.0", CB_DEPS("keys"), probe_init, NULL)
