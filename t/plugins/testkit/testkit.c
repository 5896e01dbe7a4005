/* testkit — routes that exercise each SDK area, for the core's own tests.
 * Not for production: it is built only under t/. */
#include <carbot/embed.h>
#include <carbot/sdk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testkit.h"

static long long limit_per_minute;
static cb_plugin *self;

static int echo(cb_req *req)
{
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "id", cb_req_param(req, "id"));
	cb_json_set_str(o, "q", cb_req_query(req, "q"));
	cb_json_set_str(o, "path", cb_req_path(req));
	cb_json_set_str(o, "method", cb_req_method(req));
	cb_json_set_str(o, "header", cb_req_header(req, "X-Test"));
	cb_json_set_str(o, "client_ip", cb_req_client_ip(req));
	cb_json_set_str(o, "request_id", cb_req_id(req));
	cb_json_set_str(o, "route", cb_req_route(req));
	return cb_reply_json(req, 200, o);
}

static int json_in(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK; /* the core has answered 400/415 */
	cb_check *c = cb_check_new(req, body);
	const char *name = cb_check_str(c, "name", CB_REQUIRED, 1, 10);
	long long age = -1;
	cb_check_int(c, "age", CB_OPTIONAL, 0, 150, &age);
	int flag = 0;
	cb_check_bool(c, "flag", CB_OPTIONAL, &flag);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "name", name);
	cb_json_set_int(o, "age", age);
	cb_json_set_bool(o, "flag", flag);
	cb_json_set(o, "echo", body);
	return cb_reply_json(req, 201, o);
}

/* Burns about ms of CPU, as bcrypt at cost 12 does. */
static int slow_cpu(cb_req *req)
{
	const char *q = cb_req_query(req, "ms");
	long ms = q ? atol(q) : 200;
	struct timespec t0, t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i * 2654435761u;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
	return cb_reply(req, 200, "text/plain", "done", 4);
}

/* Waits on the network: fetches url (a slow loopback server in tests). */
static int fetch(cb_req *req)
{
	cb_fetch_opts o = CB_FETCH_INIT;
	cb_fetch_res r = CB_FETCH_RES_INIT;
	o.url = cb_req_query(req, "url");
	const char *t = cb_req_query(req, "timeout_ms"), *m = cb_req_query(req, "max");
	o.timeout_ms = t ? atol(t) : 0;
	o.max_bytes = m ? (size_t)atol(m) : 0;
	o.follow_redirects = cb_req_query(req, "follow") != NULL;
	o.public_only = cb_req_query(req, "public") != NULL;
	int rc = cb_fetch(req, &o, &r);
	cb_json *j = cb_json_new_object(req);
	cb_json_set_str(j, "rc", cb_strerror(rc));
	cb_json_set_int(j, "status", r.status);
	cb_json_set_int(j, "length", (long long)r.body_len);
	cb_json_set(j, "body", cb_json_new_strn(req, r.body, r.body_len));
	cb_json_set_str(j, "error", r.error);
	return cb_reply_json(req, 200, j);
}

static int db_get(cb_req *req)
{
	const char *v = cb_req_query(req, "v");
	cb_res *r = cb_db_q(req, "SELECT $1::text || '!' AS v, count(*) AS n FROM testkit_items",
	                    v ? v : "none");
	if (!r)
		return CB_EDB;
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "v", cb_res_val(r, 0, "v"));
	cb_json_set_int(o, "items", cb_res_int(r, 0, "n"));
	return cb_reply_json(req, 200, o);
}

/* Every column of the first item: SELECT * changes its result's shape when
 * the table gains a column, which a prepared statement must survive. */
static int db_star(cb_req *req)
{
	cb_res *r = cb_db_q0(req, "SELECT * FROM testkit_items ORDER BY id LIMIT 1");
	if (!r)
		return CB_EDB;
	cb_json *o = cb_json_new_object(req);
	cb_json_set_int(o, "columns", cb_res_cols(r));
	cb_json_set_int(o, "rows", cb_res_rows(r));
	return cb_reply_json(req, 200, o);
}

/* Runs ?n distinct statements on one connection (more than the cache
 * keeps), then the first again; answers how many are prepared now and
 * whether every statement answered right. */
static int db_many(cb_req *req)
{
	const char *q = cb_req_query(req, "n");
	int n = q ? atoi(q) : 0, ok = 1;
	for (int i = 0; i <= n; i++) {
		int k = i < n ? i : 0;
		cb_res *r = cb_db_q(req, cb_sprintf(req, "SELECT $1::int + %d AS v", k), "1");
		if (!r || cb_res_int(r, 0, "v") != k + 1)
			ok = 0;
	}
	cb_res *r = cb_db_q0(req, "SELECT count(*) AS n FROM pg_prepared_statements");
	if (!r)
		return CB_EDB;
	cb_json *o = cb_json_new_object(req);
	cb_json_set_bool(o, "ok", ok);
	cb_json_set_int(o, "prepared", cb_res_int(r, 0, "n"));
	return cb_reply_json(req, 200, o);
}

/* The statements prepared on this request's connection (db_prepare), after
 * ?run=N runs of db_get's statement on it (a request keeps its connection). */
static int db_prepared(cb_req *req)
{
	const char *run = cb_req_query(req, "run");
	for (int i = 0, n = run ? atoi(run) : 0; i < n && i < 10; i++)
		if (!cb_db_q(req, "SELECT $1::text || '!' AS v, count(*) AS n FROM testkit_items",
		             cb_sprintf(req, "%d", i)))
			return CB_EDB;
	cb_res *r = cb_db_q0(req, "SELECT statement FROM pg_prepared_statements ORDER BY name");
	if (!r)
		return CB_EDB;
	cb_json *a = cb_json_new_array(req);
	for (int i = 0; i < cb_res_rows(r); i++)
		cb_json_push(a, cb_json_new_str(req, cb_res_val(r, i, "statement")));
	return cb_reply_json(req, 200, a);
}

/* Inserts two rows in one transaction; ?fail=1 fails between them, and the
 * request's end must roll the first one back. */
static int tx(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	const char *name = cb_json_get_str(body, "name");
	if (!name)
		return cb_reply_error(req, 400, "validation_failed", "name is required");
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	if (!cb_db_q(req, "INSERT INTO testkit_items (name) VALUES ($1)", name))
		return CB_EDB;
	if (cb_req_query(req, "fail"))
		return CB_ERR;
	char *second = cb_sprintf(req, "%s-2", name);
	if (!cb_db_q(req, "INSERT INTO testkit_items (name) VALUES ($1)", second)) {
		if (strcmp(cb_db_sqlstate(req), "23505") == 0)
			return cb_reply_error(req, 409, "exists", "%s exists", second);
		return CB_EDB;
	}
	if (cb_db_commit(req) != CB_OK)
		return CB_EDB;
	return cb_reply(req, 201, NULL, NULL, 0);
}

static int redis_incr(cb_req *req)
{
	cb_redis_reply *r = cb_redis_c(req, "INCR", "testkit:counter");
	if (!r)
		return CB_EREDIS;
	cb_json *o = cb_json_new_object(req);
	cb_json_set_int(o, "counter", cb_redis_int(r));
	return cb_reply_json(req, 200, o);
}

static int limited(cb_req *req)
{
	cb_rate rate = CB_RATE_INIT;
	char *key = cb_sprintf(req, "testkit:%s", cb_req_client_ip(req));
	long long cost = cb_req_query(req, "peek") ? 0 : 1;
	cb_ratelimit(req, key, limit_per_minute, 60, 0, cost, &rate);
	if (!rate.allowed)
		return cb_ratelimit_reply(req, &rate);
	cb_ratelimit_headers(req, &rate);
	cb_json *o = cb_json_new_object(req);
	cb_json_set_bool(o, "unavailable", rate.unavailable);
	cb_json_set_int(o, "remaining", rate.remaining);
	return cb_reply_json(req, 200, o);
}

/* One pipeline: SET, a rate limit (limit 2 a minute per ?name), GET, an
 * unknown command (an error reply in the middle), INCR. */
static int pipe_run(cb_req *req)
{
	const char *name = cb_req_query(req, "name");
	cb_redis_pipe *p = cb_redis_pipe_new(req);
	cb_rate rate = CB_RATE_INIT;
	char *k = cb_sprintf(req, "testkit:pipe:%s", name ? name : "-");

	int set = cb_redis_pipe_c(p, "SET", k, "v1", "EX", "60");
	int lim = cb_redis_pipe_ratelimit(p, k, 2, 60, 0, 1);
	int get = cb_redis_pipe_c(p, "GET", k);
	int bad = cb_redis_pipe_c(p, "NOSUCHCOMMAND");
	int inc = cb_redis_pipe_c(p, "INCR", cb_sprintf(req, "%s:n", k));
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "run", cb_strerror(cb_redis_pipe_run(p)));
	cb_json_set_str(o, "set", cb_redis_str(cb_redis_pipe_reply(p, set), NULL));
	cb_json_set_str(o, "rate", cb_strerror(cb_redis_pipe_rate(p, lim, &rate)));
	cb_json_set_bool(o, "allowed", rate.allowed);
	cb_json_set_bool(o, "unavailable", rate.unavailable);
	cb_json_set_int(o, "remaining", rate.remaining);
	cb_json_set_str(o, "get", cb_redis_str(cb_redis_pipe_reply(p, get), NULL));
	cb_json_set_bool(o, "bad_is_error",
	                 cb_redis_type(cb_redis_pipe_reply(p, bad)) == CB_REDIS_ERROR);
	cb_json_set_int(o, "incr", cb_redis_int(cb_redis_pipe_reply(p, inc)));
	cb_json_set_str(o, "rate_of_get", cb_strerror(cb_redis_pipe_rate(p, get, &rate)));
	cb_json_set_str(o, "add_after_run", cb_strerror(cb_redis_pipe_c(p, "PING")));
	cb_redis_pipe *full = cb_redis_pipe_new(req);
	int last = 0;
	for (int i = 0; i <= CB_REDIS_PIPE_MAX; i++)
		last = cb_redis_pipe_c(full, "PING");
	cb_json_set_str(o, "add_when_full", cb_strerror(last));
	cb_json_set_str(o, "full_runs", cb_strerror(cb_redis_pipe_run(full)));
	cb_json_set_str(o, "last_of_full",
	                cb_redis_str(cb_redis_pipe_reply(full, CB_REDIS_PIPE_MAX - 1), NULL));
	return cb_reply_json(req, 200, o);
}

/* ?name&n: n SETs sent without waiting (cb_redis_send), with ?bad=1 one
 * that fails in the middle, then a GET of the last one and an INCR, waited
 * for: their replies must be their own. ?wait=0 leaves the sent replies
 * unread for the thread's next request. */
static int send_run(cb_req *req)
{
	const char *name = cb_req_query(req, "name"), *n_s = cb_req_query(req, "n");
	const char *bad = cb_req_query(req, "bad"), *wait = cb_req_query(req, "wait");
	long long n = n_s ? atoll(n_s) : 1;
	char *k = cb_sprintf(req, "testkit:send:%s", name ? name : "-");
	int rc = CB_OK;
	cb_json *o = cb_json_new_object(req);

	if (bad && cb_redis_c(req, "SET", cb_sprintf(req, "%s:s", k), "text") == NULL)
		return CB_EREDIS;
	for (long long i = 0; i < n && rc == CB_OK; i++) {
		rc = cb_redis_send_c(req, "SET", cb_sprintf(req, "%s:%lld", k, i),
		                     cb_sprintf(req, "v%lld", i), "EX", "60");
		if (bad && i == n / 2 && rc == CB_OK)
			rc = cb_redis_send_c(req, "INCR", cb_sprintf(req, "%s:s", k));
	}
	cb_json_set_str(o, "sent", cb_strerror(rc));
	if (wait && strcmp(wait, "0") == 0)
		return cb_reply_json(req, 200, o);
	cb_json_set_str(
	    o, "last",
	    cb_redis_str(cb_redis_c(req, "GET", cb_sprintf(req, "%s:%lld", k, n - 1)), NULL));
	cb_json_set_int(o, "incr",
	                cb_redis_int(cb_redis_c(req, "INCR", cb_sprintf(req, "%s:n", k))));
	return cb_reply_json(req, 200, o);
}

/* A plugin script counting a limit (2 a minute per ?name) with the core's
 * limiter (cb_ratelimit_lua), doing its own work (an INCR) only when the
 * limit allows; then cb_ratelimit looks at the same count. */
static int rl_script(cb_req *req)
{
	const char *name = cb_req_query(req, "name");
	const char *lim = cb_sprintf(req, "testkit:rls:%s", name ? name : "-"), *k1, *k2;
	const char *script =
	    cb_sprintf(req,
	               "%slocal r = cb_ratelimit(KEYS[1], KEYS[2], 2, 60000, 0, 1)\n"
	               "if r[1] == 0 then return {r, redis.call('GET', KEYS[3]) or '0'} end\n"
	               "return {r, tostring(redis.call('INCR', KEYS[3]))}\n",
	               cb_ratelimit_lua());
	cb_rate rate = CB_RATE_INIT, look = CB_RATE_INIT;
	cb_json *o = cb_json_new_object(req);

	if (cb_ratelimit_keys(req, lim, &k1, &k2) != CB_OK)
		return CB_ENOMEM;
	cb_redis_reply *r =
	    cb_redis_c(req, "EVAL", script, "3", k1, k2, cb_sprintf(req, "%s:work", lim));
	cb_json_set_str(o, "result", cb_strerror(cb_ratelimit_result(cb_redis_at(r, 0), 2, &rate)));
	cb_json_set_bool(o, "allowed", rate.allowed);
	cb_json_set_int(o, "remaining", rate.remaining);
	cb_json_set_bool(o, "reset_set", rate.reset_ms > 0 && rate.reset_ms <= 60000);
	cb_json_set_str(o, "work", cb_redis_str(cb_redis_at(r, 1), NULL));
	cb_ratelimit(req, lim, 2, 60, 0, 0, &look);
	cb_json_set_bool(o, "core_allows_one_more", look.allowed);
	cb_json_set_str(o, "malformed", cb_strerror(cb_ratelimit_result(r, 2, &look)));
	cb_json_set_bool(o, "malformed_unavailable", look.unavailable);
	return cb_reply_json(req, 200, o);
}

/* hooks: three subscribers record their order; "veto" is vetoed */
static int sub(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	(void)event;
	const char *seen = cb_req_get(req, "order");
	cb_req_set(req, "order", cb_sprintf(req, "%s%s", seen ? seen : "", (const char *)udata));
	const char *name = cb_json_get_str(data, "name");
	if (strcmp(udata, "B") == 0 && name && strcmp(name, "veto") == 0)
		return cb_veto(req, "not_allowed", "the name %s is vetoed", name);
	return CB_OK;
}

static int hook(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	int rc = cb_emit(req, "testkit.thing.before", body);
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "order", cb_req_get(req, "order"));
	if (rc == CB_EVETO) {
		const char *msg = NULL;
		const char *code = cb_veto_reason(req, &msg);
		return cb_reply_error(req, 409, code, "%s (order %s)", msg,
		                      cb_req_get(req, "order"));
	}
	cb_emit(req, "testkit.thing", body); /* not vetoable: everyone runs */
	cb_json_set_str(o, "after", cb_req_get(req, "order"));
	return cb_reply_json(req, 200, o);
}

/* a job that fails `fail` times before it succeeds */
static int job_record(cb_req *req, const cb_json *payload)
{
	const char *tag = cb_json_get_str(payload, "tag");
	long long fail = 0;
	cb_json_int(cb_json_get(payload, "fail"), &fail);
	cb_res *r = cb_db_q(req, "SELECT count(*) AS n FROM testkit_job_runs WHERE tag = $1",
	                    tag ? tag : "");
	if (!r)
		return CB_EDB;
	int failing = cb_res_int(r, 0, "n") < fail;
	cb_db_q(req, "INSERT INTO testkit_job_runs (tag, ok) VALUES ($1, $2)", tag ? tag : "",
	        failing ? "f" : "t");
	if (failing) {
		cb_job_error(req, "planned failure for %s", tag ? tag : "");
		return CB_ERR;
	}
	return CB_OK;
}

static int job(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	long long id = 0;
	int rc = cb_job_enqueue(req, "testkit.record", body, 0, &id);
	if (rc != CB_OK)
		return rc;
	cb_json *o = cb_json_new_object(req);
	cb_json_set_int(o, "job_id", id);
	return cb_reply_json(req, 202, o);
}

static int internal(cb_req *req)
{
	return cb_reply(req, 200, "text/plain", "internal", 8);
}

static int big_body(cb_req *req)
{
	size_t n = 0;
	cb_req_body(req, &n);
	cb_json *o = cb_json_new_object(req);
	cb_json_set_int(o, "bytes", (long long)n);
	return cb_reply_json(req, 200, o);
}

static int setting(cb_req *req)
{
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "greeting", cb_conf_str(self, "greeting"));
	cb_json_set_int(o, "limit", limit_per_minute);
	cb_json_set_str(o, "core_log_level", cb_core_setting("log_level"));
	cb_json_set_bool(o, "has_fetch", CB_HAS(cb_fetch));
	return cb_reply_json(req, 200, o);
}

/* GET /t/perm/N needs the N-th permission of the setting `permissions`:
 * how the auth plugin's bearer authenticator is tested on another plugin's
 * routes. */
static int perm(cb_req *req)
{
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "user_id", cb_req_get(req, "user.id"));
	cb_json_set_str(o, "tier", cb_req_get(req, "user.tier"));
	cb_json_set_str(o, "role", cb_req_get(req, "user.role"));
	cb_json_set_str(o, "route", cb_req_route(req));
	return cb_reply_json(req, 200, o);
}

/* Records each event named in `record_events` with its data, so tests can
 * see what other plugins emit. */
static int record(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	(void)udata;
	const char *text = data ? cb_json_dump(req, data, NULL) : "null";
	return cb_db_q(req, "INSERT INTO testkit_events (event, data) VALUES ($1, $2::jsonb)",
	               event, text)
	           ? CB_OK
	           : CB_EDB;
}

/* Calls fn(p, item) for each item of a comma-separated list. */
static int each_item(cb_plugin *p, const char *list, int (*fn)(cb_plugin *, const char *, int))
{
	char item[128];
	int n = 0;
	while (list && *list) {
		size_t len = strcspn(list, ",");
		if (len > 0 && len < sizeof item) {
			memcpy(item, list, len);
			item[len] = '\0';
			if (fn(p, item, ++n) != CB_OK)
				return CB_ERR;
		}
		list += len;
		if (*list == ',')
			list++;
	}
	return CB_OK;
}

static int add_perm_route(cb_plugin *p, const char *permission, int n)
{
	char pattern[64];
	snprintf(pattern, sizeof pattern, "/t/perm/%d", n);
	return cb_route(p, "GET", pattern, CB_AUTH_BEARER, permission, perm);
}

/* "name=tier tier" (tiers may be empty: operators only). */
static int add_declared(cb_plugin *p, const char *item, int n)
{
	char name[128];
	const char *eq = strchr(item, '=');
	size_t len = eq ? (size_t)(eq - item) : strlen(item);
	(void)n;
	if (len >= sizeof name)
		return CB_EINVAL;
	memcpy(name, item, len);
	name[len] = '\0';
	return cb_permission(p, name, eq ? eq + 1 : NULL);
}

static int add_recorder(cb_plugin *p, const char *event, int n)
{
	(void)n;
	return cb_hook(p, event, CB_HOOK_LAST, record, NULL);
}

/* GET /t/fast/{n}: even n answered on the I/O thread, odd n deferred to the
 * pool, which says where it ran. */
static int fast_try(cb_req *req)
{
	const char *n = cb_req_param(req, "n");
	if ((atoi(n) & 1) == 1)
		return CB_DEFER;
	return cb_reply(req, 200, "text/plain", "fast", 4);
}

static int fast_slow(cb_req *req)
{
	return cb_reply(req, 200, "text/plain", "pool", 4);
}

/* POST /t/emit/{event}: emits event with the body as data, so tests can
 * drive other plugins' subscribers. */
static int emit_any(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	int rc = cb_emit(req, cb_req_param(req, "event"), body);
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "result", cb_strerror(rc));
	return cb_reply_json(req, 200, o);
}

static int init(cb_plugin *p)
{
	self = p;
	cb_setting(p, "limit", CB_SET_INT, "3", 1, 1000000);
	cb_setting(p, "greeting", CB_SET_STR, "hallo", 0, 0);
	cb_setting(p, "fail_init", CB_SET_BOOL, "off", 0, 0);
	cb_setting(p, "bearer_route", CB_SET_BOOL, "off", 0, 0);
	cb_setting(p, "steal_healthz", CB_SET_BOOL, "off", 0, 0);
	cb_setting(p, "permissions", CB_SET_STR, "", 0, 0);
	cb_setting(p, "record_events", CB_SET_STR, "", 0, 0);
	cb_setting(p, "declare", CB_SET_STR, "", 0, 0);
	limit_per_minute = cb_conf_int(p, "limit");
	if (cb_conf_bool(p, "fail_init"))
		return cb_plugin_fail(p, "fail_init is on, as the test asked");
	for (size_t i = 0; i < cb_embedded_n; i++)
		cb_migration(p, cb_embedded[i].name, cb_embedded[i].text);
	cb_route(p, "GET", "/t/echo/{id}", CB_AUTH_PUBLIC, NULL, echo);
	cb_route(p, "POST", "/t/echo/{id}", CB_AUTH_PUBLIC, NULL, echo);
	cb_route(p, "POST", "/t/json", CB_AUTH_PUBLIC, NULL, json_in);
	cb_route(p, "GET", "/t/slow-cpu", CB_AUTH_PUBLIC, NULL, slow_cpu);
	cb_route(p, "GET", "/t/fetch", CB_AUTH_PUBLIC, NULL, fetch);
	cb_route(p, "GET", "/t/db", CB_AUTH_PUBLIC, NULL, db_get);
	cb_route(p, "POST", "/t/tx", CB_AUTH_PUBLIC, NULL, tx);
	cb_route(p, "GET", "/t/db/star", CB_AUTH_PUBLIC, NULL, db_star);
	cb_route(p, "GET", "/t/db/prepared", CB_AUTH_PUBLIC, NULL, db_prepared);
	cb_route(p, "GET", "/t/db/many", CB_AUTH_PUBLIC, NULL, db_many);
	cb_route(p, "GET", "/t/redis", CB_AUTH_PUBLIC, NULL, redis_incr);
	cb_route(p, "GET", "/t/limited", CB_AUTH_PUBLIC, NULL, limited);
	cb_route(p, "GET", "/t/pipe", CB_AUTH_PUBLIC, NULL, pipe_run);
	cb_route(p, "GET", "/t/send", CB_AUTH_PUBLIC, NULL, send_run);
	cb_route(p, "GET", "/t/rl-script", CB_AUTH_PUBLIC, NULL, rl_script);
	testkit_chat_floor(p);
	cb_route(p, "POST", "/t/hook", CB_AUTH_PUBLIC, NULL, hook);
	cb_route(p, "POST", "/t/job", CB_AUTH_PUBLIC, NULL, job);
	cb_route(p, "GET", "/t/internal", CB_AUTH_INTERNAL, NULL, internal);
	cb_route(p, "GET", "/t/setting", CB_AUTH_PUBLIC, NULL, setting);
	cb_route_fast(p, "GET", "/t/fast/{n}", fast_try, fast_slow);
	cb_route(p, "POST", "/t/emit/{event}", CB_AUTH_PUBLIC, NULL, emit_any);
	cb_route_body(p, "POST", "/t/upload", CB_AUTH_PUBLIC, NULL, big_body, 2 << 20);
	cb_hook(p, "testkit.thing.before", CB_HOOK_LAST, sub, "C");
	cb_hook(p, "testkit.thing.before", CB_HOOK_FIRST, sub, "A");
	cb_hook(p, "testkit.thing.before", CB_HOOK_MIDDLE, sub, "B");
	cb_hook(p, "testkit.thing", CB_HOOK_MIDDLE, sub, "D");
	cb_job_handler(p, "testkit.record", 3, job_record);
	if (cb_conf_bool(p, "bearer_route"))
		cb_route(p, "GET", "/t/private", CB_AUTH_BEARER, "read:things", echo);
	if (each_item(p, cb_conf_str(p, "declare"), add_declared) != CB_OK ||
	    each_item(p, cb_conf_str(p, "permissions"), add_perm_route) != CB_OK ||
	    each_item(p, cb_conf_str(p, "record_events"), add_recorder) != CB_OK)
		return CB_ERR;
	if (cb_conf_bool(p, "steal_healthz"))
		cb_route(p, "GET", "/healthz", CB_AUTH_PUBLIC, NULL, echo);
	return CB_OK;
}

CB_PLUGIN("testkit", "1.0.0", NULL, init, NULL)
