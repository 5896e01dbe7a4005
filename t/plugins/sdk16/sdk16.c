/* sdk16 — a test plugin over the SDK 1.6 helpers; t/sdk-helpers.t drives it. */
#include <carbot/sdk.h>
#include <carbot/services/users_api.h>
#include <string.h>

static cb_cache *cache;

static const char migration[] =
    "CREATE TABLE sdk16_rows (id bigserial PRIMARY KEY, what text NOT NULL);\n"
    "CREATE TABLE sdk16_events (id bigserial PRIMARY KEY, payload jsonb NOT NULL);\n";

/* GET /s16/query: every query check at once; echoes what passed. */
static int query(cb_req *req)
{
	static const char *const colours[] = {"red", "green", NULL};
	cb_check *c = cb_check_new(req, NULL);
	cb_page pg = CB_PAGE_INIT;
	long long n = -1, total = 0;
	int b = -1, e = -1;
	cb_page_read(c, 10, 50, &pg);
	cb_query_int(c, "n", CB_OPTIONAL, -5, 5, &n);
	cb_query_int(c, "total", CB_OPTIONAL, 0, 1000, &total);
	const char *s = cb_query_str(c, "s", CB_OPTIONAL, 1, 3);
	cb_query_bool(c, "b", CB_OPTIONAL, &b);
	cb_query_enum(c, "colour", CB_OPTIONAL, colours, &e);
	const char *u = cb_query_uuid(c, "u", CB_OPTIONAL);
	cb_query_str(c, "need", strcmp(cb_req_query(req, "strict") ? "y" : "n", "y") == 0, 0, 10);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	cb_json *o = cb_json_new_object(req);
	cb_json_set_int(o, "n", n);
	cb_json_set_str(o, "s", s);
	cb_json_set_int(o, "b", b);
	cb_json_set_int(o, "colour", e);
	cb_json_set_str(o, "u", u);
	cb_json_set_int(o, "offset", pg.offset);
	long long rows = total - pg.offset < pg.limit ? total - pg.offset : pg.limit;
	cb_json_set(o, "pagination", cb_page_json(req, &pg, total, rows < 0 ? 0 : rows));
	return cb_reply_json(req, 200, o);
}

/* POST /s16/text {"t": 2..5 characters} */
static int text(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	cb_check *c = cb_check_new(req, body);
	const char *t = cb_check_text(c, "t", CB_REQUIRED, 2, 5, 0);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	cb_json *o = cb_json_new_object(req);
	cb_json_set_int(o, "chars", (long long)cb_utf8_len(t));
	cb_json_set_int(o, "bytes", (long long)strlen(t));
	return cb_reply_json(req, 200, o);
}

/* GET /s16/row: one row of every kind as JSON, and the numeric getters. */
static int row(cb_req *req)
{
	cb_res *r = cb_db_q0(
	    req,
	    "SELECT 7::int4 AS i, 9000000000::int8 AS big, 2.5::float8 AS f, "
	    "1.25::numeric AS num, true AS yes, NULL::text AS nothing, "
	    "'{\"a\": [1]}'::jsonb AS j, "
	    "'2026-12-04 10:30:00.5+01'::timestamptz AS ts, "
	    " " CB_SQL_TS("'2026-12-04 10:30:00+01'::timestamptz") " AS ts_sql, "
	                                                           "'x'::text AS s, NULL::int AS "
	                                                           "null_int, 'abc'::text AS word, "
	                                                           "0::int AS zero");
	if (!r)
		return CB_EDB;
	cb_json *o = cb_json_new_object(req);
	cb_json_set(o, "row", cb_res_json(req, r, 0));
	cb_json_set_bool(o, "past_end_is_null", cb_res_json(req, r, 1) == NULL);
	long long v = 42;
	double d = 0;
	cb_json_set_str(o, "null_int", cb_strerror(cb_res_int_ok(r, 0, "null_int", &v)));
	cb_json_set_str(o, "word", cb_strerror(cb_res_int_ok(r, 0, "word", &v)));
	cb_json_set_str(o, "missing", cb_strerror(cb_res_int_ok(r, 0, "nope", &v)));
	cb_json_set_int(o, "untouched", v);
	cb_json_set_str(o, "zero", cb_strerror(cb_res_int_ok(r, 0, "zero", &v)));
	cb_json_set_int(o, "zero_value", v);
	cb_json_set_str(o, "num", cb_strerror(cb_res_num_ok(r, 0, "num", &d)));
	cb_json_set_num(o, "num_value", d);
	return cb_reply_json(req, 200, o);
}

/* GET /s16/dberr: a failing query answered by the one db-error reply. */
static int dberr(cb_req *req)
{
	if (!cb_db_q0(req, "SELECT 1 FROM sdk16_rows WHERE id = 1"))
		return cb_reply_db_error(req, "sdk16 read");
	if (!cb_db_q0(req, "SELECT no_such_column FROM sdk16_rows"))
		return cb_reply_db_error(req, "sdk16 bad column");
	return cb_reply_error(req, 500, "unexpected", "the bad query worked");
}

static int cache_op(cb_req *req)
{
	const char *k = cb_req_param(req, "k"), *m = cb_req_method(req);
	size_t len = 0;
	if (strcmp(m, "PUT") == 0) {
		const char *v = cb_req_body(req, &len);
		int rc = cb_cache_put(cache, k, v, len);
		return cb_reply_error(req, rc == CB_OK ? 201 : 400, cb_strerror(rc), "put");
	}
	if (strcmp(m, "DELETE") == 0)
		return cb_reply_error(req, cb_cache_del(cache, k) == CB_OK ? 200 : 404, "del",
		                      "del");
	char *v = cb_cache_get(cache, req, k, &len);
	if (!v)
		return cb_reply_error(req, 404, "miss", "not cached");
	return cb_reply(req, 200, "text/plain", v, len);
}

static int on_event(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	(void)data;
	(void)udata;
	if (strcmp(event, CB_EV_SUBSCRIPTION_CHANGED) == 0) {
		size_t n = 0;
		const char *j = cb_json_dump(req, data, &n);
		return cb_db_q(req, "INSERT INTO sdk16_events (payload) VALUES ($1::jsonb)", j)
		           ? CB_OK
		           : CB_EDB;
	}
	/* s16.event: try what a subscriber may not do, then write and fail */
	cb_req_set(req, "s16.commit", cb_strerror(cb_db_commit(req)));
	cb_req_set(req, "s16.rollback", cb_strerror(cb_db_rollback(req)));
	cb_req_set(req, "s16.begin", cb_strerror(cb_db_begin(req)));
	cb_req_set(req, "s16.reply", cb_strerror(cb_reply_error(req, 418, "hijack", "hijacked")));
	cb_set_header(req, "X-S16-Subscriber", "ran");
	if (!cb_db_q(req, "INSERT INTO sdk16_rows (what) VALUES ($1)", "subscriber"))
		return CB_EDB;
	if (udata == NULL && !cb_db_q0(req, "SELECT no_such_column FROM sdk16_rows"))
		return CB_EDB; /* leaves the transaction aborted: the savepoint undoes it */
	return CB_OK;
}

/* POST /s16/emit: a transaction around an event whose subscriber misbehaves. */
static int emit(cb_req *req)
{
	if (cb_db_begin(req) != CB_OK ||
	    !cb_db_q(req, "INSERT INTO sdk16_rows (what) VALUES ($1)", "before"))
		return CB_EDB;
	cb_emit(req, "s16.event", NULL);
	if (!cb_db_q(req, "INSERT INTO sdk16_rows (what) VALUES ($1)", "after") ||
	    cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "sdk16 emit");
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "commit", cb_req_get(req, "s16.commit"));
	cb_json_set_str(o, "rollback", cb_req_get(req, "s16.rollback"));
	cb_json_set_str(o, "begin", cb_req_get(req, "s16.begin"));
	cb_json_set_str(o, "reply", cb_req_get(req, "s16.reply"));
	return cb_reply_json(req, 201, o);
}

/* GET /s16/user/{id} and POST /s16/tier/{id} {tier, status}: users.v1. */
static int user(cb_req *req)
{
	const struct cb_users_v1 *users = cb_service(CB_USERS_V1);
	cb_user u = CB_USER_INIT;
	if (!users)
		return cb_reply_error(req, 501, "no_users", "auth is not enabled");
	int rc = users->get(req, cb_req_param(req, "id"), &u);
	if (rc != CB_OK)
		return rc == CB_EDB ? CB_EDB
		                    : cb_reply_error(req, 404, "not_found", "%s", cb_strerror(rc));
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "id", u.id);
	cb_json_set_str(o, "email", u.email);
	cb_json_set_str(o, "tier", u.tier);
	cb_json_set_str(o, "status", u.status);
	cb_json_set_str(o, "role", u.role);
	cb_json_set_str(o, "language", u.language);
	return cb_reply_json(req, 200, o);
}

static int tier(cb_req *req)
{
	const struct cb_users_v1 *users = cb_service(CB_USERS_V1);
	cb_json *body = cb_req_json(req);
	const char *id = cb_req_param(req, "id"), *old = NULL;
	if (!body)
		return CB_OK;
	const char *t = cb_json_get_str(body, "tier"), *s = cb_json_get_str(body, "status");
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	int rc = users->set_tier(req, id, t, s, &old);
	if (rc != CB_OK)
		return rc == CB_EDB ? CB_EDB
		                    : cb_reply_error(req, 400, cb_strerror(rc), "set_tier");
	users->announce_tier(req, id, old, t, s);
	if (cb_db_commit(req) != CB_OK)
		return CB_EDB;
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "old_tier", old);
	return cb_reply_json(req, 200, o);
}

static int init(cb_plugin *p)
{
	cb_setting(p, "shadow", CB_SET_BOOL, "off", 0, 0);
	cb_setting(p, "users", CB_SET_BOOL, "off", 0, 0);
	cache = cb_cache_new(2, 1);
	if (!cache || cb_migration(p, "001_sdk16", migration) != CB_OK)
		return cb_plugin_fail(p, "cache or migration");
	cb_route(p, "GET", "/s16/query", CB_AUTH_PUBLIC, NULL, query);
	cb_route(p, "POST", "/s16/text", CB_AUTH_PUBLIC, NULL, text);
	cb_route(p, "GET", "/s16/row", CB_AUTH_PUBLIC, NULL, row);
	cb_route(p, "GET", "/s16/dberr", CB_AUTH_PUBLIC, NULL, dberr);
	cb_route(p, "GET", "/s16/cache/{k}", CB_AUTH_PUBLIC, NULL, cache_op);
	cb_route(p, "PUT", "/s16/cache/{k}", CB_AUTH_PUBLIC, NULL, cache_op);
	cb_route(p, "DELETE", "/s16/cache/{k}", CB_AUTH_PUBLIC, NULL, cache_op);
	cb_route(p, "POST", "/s16/emit", CB_AUTH_PUBLIC, NULL, emit);
	cb_hook(p, "s16.event", CB_HOOK_MIDDLE, on_event, NULL);
	if (cb_conf_bool(p, "users")) {
		cb_route(p, "GET", "/s16/user/{id}", CB_AUTH_PUBLIC, NULL, user);
		cb_route(p, "POST", "/s16/tier/{id}", CB_AUTH_PUBLIC, NULL, tier);
		cb_hook(p, CB_EV_SUBSCRIPTION_CHANGED, CB_HOOK_LAST, on_event, NULL);
	}
	if (cb_conf_bool(p, "shadow"))
		cb_route(p, "GET", "/t/echo/literal", CB_AUTH_PUBLIC, NULL, query);
	return CB_OK;
}

static void fini(void)
{
	cb_cache_free(cache);
}

CB_PLUGIN("sdk16", "1.0.0", NULL, init, fini)
