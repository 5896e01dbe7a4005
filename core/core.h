/* core.h — what the core's files share: the registries plugins fill at init,
 * the running server's state, and the internal entry points between files. */
#ifndef CB_CORE_CORE_H
#define CB_CORE_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "conf.h"
#include "req.h"

#define CB_VERSION "1.0.0"

/* ---- plugins (plugin.c) ---- */

struct setting {
	struct setting *next;
	char *name;
	int type;
	char *value;
	long long ival;
};

struct plugin {
	struct plugin *next; /* load order */
	char *name, *file, *version;
	const struct cb_plugin_desc *desc;
	void *dl;
	struct conf_section *section;
	struct setting *settings;
	char *fail; /* reason given to cb_plugin_fail */
	int initialised;
};

/* The core's own registrations carry this pseudo-plugin. */
extern struct plugin core_plugin;

int plugins_load(char *err, size_t n);
void plugins_fini(void);
void plugins_free(void); /* frees the plugin records; shared objects stay mapped */

/* ---- routes (router.c) ---- */

#define ROUTE_MAX_SEGS 16

struct route {
	struct route *next;
	const struct plugin *owner;
	char *method, *pattern, *label; /* label: "GET /x/{id}" */
	char *segs[ROUTE_MAX_SEGS];     /* literal text, or NULL for a parameter */
	char *params[ROUTE_MAX_SEGS];   /* parameter name at that segment */
	int nsegs;
	int rest; /* the last segment is {name*}: one or more path segments */
	int auth;
	char *permission;
	cb_handler handler;
	cb_handler fast; /* cb_route_fast: tried on the I/O thread first */
	size_t max_body;
	int inline_io; /* answered on the I/O thread (core only) */
	/* metrics, updated atomically */
	_Atomic unsigned long long by_status[600]; /* responses by status code */
	_Atomic unsigned long long latency_buckets[12];
	_Atomic unsigned long long latency_sum_us;
};

/* Adds a route; CB_EEXIST (and *clash set) when method+pattern exists. */
int router_add(struct route *r, const struct route **clash);

/* Parses pattern into r's segments; CB_EINVAL when malformed. */
int router_compile(struct route *r, const char *pattern);

/* Finds the route for method and raw path. On a match fills req's params and
 * returns it. Otherwise returns NULL and writes into allow (size n) the methods
 * that do match the path ("" when none: 404). */
const struct route *router_match(cb_req *req, const char *method, const char *path, char *allow,
                                 size_t n);

struct route *router_first(void);
void route_free(struct route *r);
void router_free_all(void);
size_t router_largest_body(void);

/* ---- hooks, jobs, authenticators, services (registry.c) ---- */

struct hook_sub {
	struct hook_sub *next;
	char *event;
	int priority;
	unsigned seq;
	const struct plugin *owner;
	cb_hook_fn fn;
	void *udata;
};
struct job_handler {
	struct job_handler *next;
	char *name;
	int max_attempts;
	cb_job_fn fn;
	const struct plugin *owner;
};
struct migration {
	struct migration *next;
	const struct plugin *owner;
	char *version, *sql;
};

extern struct hook_sub *hooks_all; /* sorted by priority, then seq */
extern struct job_handler *job_handlers;
extern struct migration *migrations_all; /* core first, then plugins in load order */
extern cb_authenticator_fn authenticators[4];
extern const struct plugin *authenticator_owner[4];

/* Frees hooks, job handlers, migrations and services (at exit). */
void registry_free(void);

/* ---- the running process (main.c) ---- */

struct core {
	struct conf *conf;
	struct plugin *plugins;
	int registering;        /* 1 while plugin inits run */
	struct plugin *current; /* plugin whose init runs */
	atomic_int stopping;
	atomic_int migrations_ok;
	atomic_long inflight;
	char secret_salt[33];
};
extern struct core core;

/* ---- logs (log.c) ---- */
void log_init(int level);
void log_access(cb_req *req, double ms);
/* Writes one JSON log line with msg (no request). */
void log_core(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- database (db.c, migrate.c) ---- */
/* prepare: cb_db_q* statements are prepared per connection (db_prepare). */
int db_init(const char *dsn, const char *ro_dsn, int pool_size, int prepare, char *err,
            size_t errlen);
void db_shutdown(void);
void db_release(cb_req *req); /* gives back req's connections */
int db_ping(cb_req *req);     /* CB_OK when a query round trip works */
void db_pool_stats(int *total, int *busy, int *waiting);
int migrate_all(char *err, size_t errlen);
int migrate_check(cb_req *req); /* CB_OK when every registered migration is recorded */

/* ---- Redis (redis.c) ---- */
void redis_configure(const char *addr);
int redis_ping(cb_req *req);
void redis_thread_cleanup(void);

/* ---- Rate-limit commands (ratelimit.c), shared with pipelines ---- */
#define RL_ARGC 9
struct rl_cmd {
	char k1[600], k2[600], a1[24], a2[24], a3[24], a4[24];
	const char *argv[RL_ARGC]; /* EVALSHA sha 2 k1 k2 a1..a4, pointing into this */
	long long limit;
};
/* Fills c for one cb_ratelimit check; CB_OK or CB_EINVAL. */
int ratelimit_cmd(struct rl_cmd *c, const char *key, long long limit, long long window_s,
                  long long block_s, long long cost);
/* 1 when r says Redis does not know the script (then ratelimit_eval). */
int ratelimit_noscript(const cb_redis_reply *r);
/* Runs c with EVAL (loading the script). */
cb_redis_reply *ratelimit_eval(cb_req *req, struct rl_cmd *c);
/* out from the script's reply r; CB_EREDIS (out per the fail mode) if r is
 * not one. */
int ratelimit_outcome(const cb_redis_reply *r, long long limit, cb_rate *out);

/* ---- jobs (jobs.c) ---- */
int jobs_start(int nthreads);
void jobs_stop(void);
void jobs_stats(cb_req *req, long long *pending, long long *running, long long *failed);

/* ---- handler threads (pool.c) and HTTP (server.c, dispatch.c) ---- */
int pool_start(int nthreads);
void pool_push(cb_req *req);
void pool_stop(void);
int server_listen(char *err, size_t errlen); /* binds; before any thread starts */
int server_start(char *err, size_t errlen);  /* runs the I/O threads */
void server_stop_accepting(void);
void server_join(void);
void server_done(cb_req *req);  /* from a handler thread: the reply is ready */
void dispatch_run(cb_req *req); /* on a handler thread */
void reply_security_headers(cb_req *req);
int reply_error_plain(cb_req *req, int status, const char *code, const char *message);

/* ---- metrics (metrics.c) and built-in routes (builtin.c) ---- */
void metrics_observe(cb_req *req, double ms);
char *metrics_render(cb_req *req, size_t *len);
/* The lines of the metrics plugins registered with cb_metric (metrics_plugin.c). */
char *metrics_plugin_lines(cb_req *req);
int builtin_register(void);

/* ---- the OpenAPI document (openapi.c; core/openapi.json is the core's part) ---- */
extern const char cb_core_openapi_json[];
int openapi_register(void);       /* GET /api/v1/openapi.json */
void openapi_check_routes(void); /* warns about undescribed /api/ and /internal/ routes */
void openapi_free(void);

/* ---- checks (check.c, query.c) ---- */
struct cb_check {
	cb_req *req;
	const cb_json *obj;
	cb_json *details;
};

/* ---- since 1.6 (perm.c, dispatch.c, db.c) ---- */
/* After every init: CB_OK, or a bearer route names an undeclared permission
 * (err says which). */
int perm_check_routes(char *err, size_t n);
void perm_free(void);
/* 1 for SQLSTATEs that mean "unreachable or exhausted": worth a retry. */
int db_unreachable(const char *sqlstate);
unsigned db_res_type(const cb_res *res, int col); /* the column's type OID, 0 if none */
const char *db_res_name(const cb_res *res, int col);
/* Runs sql (no parameters, never prepared: SAVEPOINT and the like). */
int db_simple(cb_req *req, const char *sql);
/* Warns (log) about literal routes of one plugin shadowing another's
 * parameter route. */
void router_warn_shadows(void);

/* ---- misc ---- */
/* Percent-decodes n bytes of s into req's arena ("+" is a space when
 * plus_is_space); NULL when an escape is malformed or decodes to NUL. */
char *pct_decode(cb_req *req, const char *s, size_t n, int plus_is_space);
double now_ms(void);
void random_hex(char *out, size_t nbytes); /* writes 2*nbytes hex chars + NUL */

#endif
