/* db.c — PostgreSQL through a pool of libpq connections (db.h).
 *
 * A request borrows a connection on its first query and returns it when it
 * ends. A connection broken by a server restart is reset on its next use;
 * a statement that failed only because the connection was broken is retried
 * once, unless it ran inside a transaction (whose earlier work is gone). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "db_stmt.h"

struct db_conn {
	struct db_conn *next;
	PGconn *pg;
	struct pool *pool;
	struct stmt_cache stmts; /* statements prepared on pg (db_stmt.c) */
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct db_conn *idle;
	int total, busy, waiting, max;
	char *dsn;
};

static struct pool primary = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
static struct pool replica = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
static int have_replica;
/* The replica is used while it answers and lags at most read_only_max_lag
 * seconds; that is checked at most once a second per process (one thread
 * checks, the others go by the last answer). Otherwise read-only queries go
 * to the primary, and the change either way is logged once. */
static _Atomic int replica_ok = 1;
static _Atomic long long replica_checked_ms;
static int prepare_statements = 1; /* the db_prepare setting */

struct cb_res {
	PGresult *pg;
};

static void set_error(cb_req *req, const char *state, const char *msg)
{
	memcpy(req->sqlstate, state, 5);
	req->sqlstate[5] = '\0';
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	req->db_errmsg = cb_strndup(req, msg, n);
}

static PGconn *connect_pg(const char *dsn)
{
	return PQconnectdb(dsn);
}

/* NOTICEs (e.g. "relation already exists, skipping") are not our log's
 * business. */
static void notice_sink(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static struct db_conn *acquire(cb_req *req, struct pool *p)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&p->mu);
	while (!p->idle && p->total >= p->max) {
		p->waiting++;
		int rc = pthread_cond_timedwait(&p->cv, &p->mu, &until);
		p->waiting--;
		if (rc != 0 && !p->idle && p->total >= p->max) {
			pthread_mutex_unlock(&p->mu);
			set_error(req, "53300", "all database connections are busy");
			return NULL;
		}
	}
	struct db_conn *c = p->idle;
	if (c)
		p->idle = c->next;
	else
		p->total++;
	p->busy++;
	pthread_mutex_unlock(&p->mu);
	if (!c) {
		c = calloc(1, sizeof *c);
		c->pool = p;
		c->pg = connect_pg(p->dsn);
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		stmt_cache_clear(&c->stmts); /* the server forgot them with the session */
		PQreset(c->pg);
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		set_error(req, "08006", PQerrorMessage(c->pg));
		stmt_cache_clear(&c->stmts);
		PQfinish(c->pg);
		free(c);
		pthread_mutex_lock(&p->mu);
		p->total--;
		p->busy--;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		return NULL;
	}
	PQsetNoticeProcessor(c->pg, notice_sink, NULL);
	return c;
}

static void give_back(struct db_conn *c)
{
	struct pool *p = c->pool;
	int healthy = PQstatus(c->pg) == CONNECTION_OK;
	if (healthy && PQtransactionStatus(c->pg) != PQTRANS_IDLE) {
		PQclear(PQexec(c->pg, "ROLLBACK"));
		healthy = PQtransactionStatus(c->pg) == PQTRANS_IDLE;
	}
	if (!healthy) {
		stmt_cache_clear(&c->stmts);
		PQfinish(c->pg);
		free(c);
	}
	pthread_mutex_lock(&p->mu);
	p->busy--;
	if (healthy) {
		c->next = p->idle;
		p->idle = c;
	} else {
		p->total--;
	}
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void db_release(cb_req *req)
{
	if (req->conn)
		give_back(req->conn);
	if (req->conn_ro)
		give_back(req->conn_ro);
	req->conn = req->conn_ro = NULL;
	req->in_tx = 0;
}

/* A connection found broken means its server went away: the pool's idle
 * connections went with it, though libpq cannot tell before using them. Drop
 * them, so the retry (and the requests after it) dial afresh instead of
 * drawing another dead one. */
static void drop_idle(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	struct db_conn *list = p->idle;
	p->idle = NULL;
	for (struct db_conn *c = list; c; c = c->next)
		p->total--;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	while (list) {
		struct db_conn *next = list->next;
		stmt_cache_clear(&list->stmts);
		PQfinish(list->pg);
		free(list);
		list = next;
	}
}

static void clear_res(void *r)
{
	PQclear(((cb_res *)r)->pg);
}

/* The cleanup registered for res stays; it then clears NULL, which libpq
 * allows, and every accessor reads an empty result. */
void cb_res_free(cb_res *res)
{
	if (!res)
		return;
	PQclear(res->pg);
	res->pg = NULL;
}

int cb_db_exec_each(cb_req *req, const char *const *sql, size_t n, const char *param,
                    long long *rows)
{
	for (size_t i = 0; i < n; i++) {
		cb_res *r = cb_db_q(req, sql[i], param);
		if (!r)
			return CB_EDB;
		if (rows)
			*rows += cb_res_affected(r);
		cb_res_free(r);
	}
	return CB_OK;
}

/* Runs sql on c: by the name it is prepared under (preparing it on first
 * use) when prepare is set, else parsed and planned afresh. A prepared
 * statement whose plan went stale (a table it reads changed its columns:
 * SQLSTATE 0A000) is dropped and, outside a transaction, run once unprepared. */
static PGresult *exec(cb_req *req, struct db_conn *c, const char *sql, int n,
                      const char *const *params, int prepare)
{
	PGresult *r = NULL;
	const char *name =
	    prepare && prepare_statements ? stmt_prepared(&c->stmts, c->pg, sql, n, &r) : NULL;

	if (!name)
		return r ? r : PQexecParams(c->pg, sql, n, NULL, params, NULL, NULL, 0);
	r = PQexecPrepared(c->pg, name, n, params, NULL, NULL, 0);
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (PQresultStatus(r) == PGRES_FATAL_ERROR && state && strcmp(state, "0A000") == 0) {
		stmt_forget(&c->stmts, c->pg, sql);
		if (!req->in_tx) {
			PQclear(r);
			r = PQexecParams(c->pg, sql, n, NULL, params, NULL, NULL, 0);
		}
	}
	return r;
}

static void replica_state(int ok, const char *why)
{
	if (atomic_exchange(&replica_ok, ok) == ok)
		return;
	if (ok)
		log_core(CB_LOG_INFO, "read replica usable again");
	else
		log_core(CB_LOG_WARN,
		         "read replica not used, read-only queries go to the primary: %s", why);
}

/* Lag of the replica on c in ms (0 when it has replayed all it received), or
 * -1 when it does not answer. */
static long long replica_lag_ms(struct db_conn *c)
{
	PGresult *r = PQexec(c->pg, "SELECT CASE WHEN NOT pg_is_in_recovery() OR "
	                            "pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
	                            "ELSE COALESCE((EXTRACT(EPOCH FROM now() - "
	                            "pg_last_xact_replay_timestamp()) * 1000)::bigint, 0) END");
	long long lag = -1;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		lag = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return lag;
}

/* Whether read-only queries of req may use the replica now. */
static int replica_usable(cb_req *req)
{
	long long now = (long long)now_ms(), last = atomic_load(&replica_checked_ms);
	if (now - last < 1000 || !atomic_compare_exchange_strong(&replica_checked_ms, &last, now))
		return atomic_load(&replica_ok);
	struct db_conn *c = req->conn_ro ? req->conn_ro : acquire(req, &replica);
	if (!c) {
		replica_state(0, "it is unreachable");
		return 0;
	}
	long long lag = replica_lag_ms(c),
	          max = (long long)core.conf->core.read_only_max_lag * 1000;
	if (lag < 0)
		replica_state(0, "it does not answer");
	else if (max > 0 && lag > max)
		replica_state(0, "it lags behind by more than read_only_max_lag");
	else
		replica_state(1, "");
	if (atomic_load(&replica_ok) && !req->conn_ro)
		req->conn_ro = c; /* the request's read-only queries go on on it */
	else if (c != req->conn_ro)
		give_back(c);
	return atomic_load(&replica_ok);
}

static cb_res *run(cb_req *req, int ro, const char *sql, int n, const char *const *params,
                   int prepare)
{
	if (ro && have_replica && !req->conn_ro && !replica_usable(req))
		ro = 0;
	struct pool *p = ro && have_replica ? &replica : &primary;
	struct db_conn **slot = ro && have_replica ? &req->conn_ro : &req->conn;
	req->sqlstate[0] = '\0';
	req->db_errmsg = "";
	if (!sql || n < 0) {
		set_error(req, "22023", "bad query arguments");
		return NULL;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!*slot && !(*slot = acquire(req, p)) && p == &replica) {
			replica_state(0, "it is unreachable");
			p = &primary;
			slot = &req->conn;
			if (!*slot && !(*slot = acquire(req, p)))
				return NULL;
		}
		if (!*slot)
			return NULL;
		PGresult *r = exec(req, *slot, sql, n, params, prepare);
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			cb_res *res = cb_alloc(req, sizeof *res);
			res->pg = r;
			cb_cleanup(req, clear_res, res);
			return res;
		}
		const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		int broken = PQstatus((*slot)->pg) != CONNECTION_OK;
		set_error(req, state ? state : "08006",
		          r && PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r)
		                                          : PQerrorMessage((*slot)->pg));
		PQclear(r);
		if (!broken)
			return NULL;
		/* the server went away: drop this connection; retry once on a
		 * fresh one unless a transaction's earlier work was lost with it */
		give_back(*slot);
		*slot = NULL;
		drop_idle(p);
		if (req->in_tx) {
			req->in_tx = 0;
			return NULL;
		}
	}
	return NULL;
}

cb_res *cb_db_query(cb_req *req, const char *sql, int n, const char *const *params)
{
	return run(req, 0, sql, n, params, 1);
}

cb_res *cb_db_query_ro(cb_req *req, const char *sql, int n, const char *const *params)
{
	return run(req, 1, sql, n, params, 1);
}

int cb_db_begin(cb_req *req)
{
	if (req->in_hook)
		return CB_ESTATE; /* a subscriber never ends or opens the emitter's transaction */
	if (req->in_tx)
		return CB_ESTATE;
	if (!run(req, 0, "BEGIN", 0, NULL, 0))
		return CB_EDB;
	req->in_tx = 1;
	return CB_OK;
}

int cb_db_commit(cb_req *req)
{
	if (req->in_hook)
		return CB_ESTATE; /* a subscriber never ends or opens the emitter's transaction */
	if (!req->in_tx)
		return CB_ESTATE;
	req->in_tx = 0;
	return run(req, 0, "COMMIT", 0, NULL, 0) ? CB_OK : CB_EDB;
}

int cb_db_rollback(cb_req *req)
{
	if (req->in_hook)
		return CB_ESTATE; /* a subscriber never ends or opens the emitter's transaction */
	if (!req->in_tx)
		return CB_ESTATE;
	req->in_tx = 0;
	return run(req, 0, "ROLLBACK", 0, NULL, 0) ? CB_OK : CB_EDB;
}

const char *cb_db_sqlstate(cb_req *req)
{
	return req->sqlstate;
}

const char *cb_db_errmsg(cb_req *req)
{
	return req->db_errmsg ? req->db_errmsg : "";
}

int cb_res_rows(const cb_res *res)
{
	return res ? PQntuples(res->pg) : 0;
}

int cb_res_cols(const cb_res *res)
{
	return res ? PQnfields(res->pg) : 0;
}

long long cb_res_affected(const cb_res *res)
{
	return res ? atoll(PQcmdTuples(res->pg)) : 0;
}

int cb_res_col(const cb_res *res, const char *name)
{
	return res && name ? PQfnumber(res->pg, name) : -1;
}

const char *cb_res_get(const cb_res *res, int row, int col)
{
	if (!res || row < 0 || col < 0 || row >= PQntuples(res->pg) || col >= PQnfields(res->pg))
		return NULL;
	if (PQgetisnull(res->pg, row, col))
		return NULL;
	return PQgetvalue(res->pg, row, col);
}

const char *cb_res_val(const cb_res *res, int row, const char *name)
{
	return cb_res_get(res, row, cb_res_col(res, name));
}

long long cb_res_int(const cb_res *res, int row, const char *name)
{
	const char *v = cb_res_val(res, row, name);
	return v ? atoll(v) : 0;
}

int cb_res_bool(const cb_res *res, int row, const char *name)
{
	const char *v = cb_res_val(res, row, name);
	return v && v[0] == 't';
}

int db_ping(cb_req *req)
{
	return cb_db_q0(req, "SELECT 1") ? CB_OK : CB_EDB;
}

void db_pool_stats(int *total, int *busy, int *waiting)
{
	pthread_mutex_lock(&primary.mu);
	*total = primary.total;
	*busy = primary.busy;
	*waiting = primary.waiting;
	pthread_mutex_unlock(&primary.mu);
}

/* Waits up to 10 s for the database, so carbotd can start right beside a
 * PostgreSQL that is still coming up. */
int db_init(const char *dsn, const char *ro_dsn, int pool_size, int prepare, char *err,
            size_t errlen)
{
	prepare_statements = prepare;
	primary.dsn = strdup(dsn);
	primary.max = pool_size;
	if (ro_dsn && *ro_dsn) {
		replica.dsn = strdup(ro_dsn);
		replica.max = pool_size;
		have_replica = 1;
	}
	for (int i = 0; i < 100; i++) {
		PGconn *pg = connect_pg(dsn);
		if (PQstatus(pg) == CONNECTION_OK) {
			PQfinish(pg);
			return 0;
		}
		if (i == 99) {
			char *m = PQerrorMessage(pg);
			size_t n = strcspn(m, "\n");
			snprintf(err, errlen, "database unreachable: %.*s", (int)n, m);
		}
		PQfinish(pg);
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void drain(struct pool *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->idle) {
		struct db_conn *c = p->idle;
		p->idle = c->next;
		stmt_cache_clear(&c->stmts);
		PQfinish(c->pg);
		free(c);
		p->total--;
	}
	pthread_mutex_unlock(&p->mu);
	free(p->dsn);
	p->dsn = NULL;
}

void db_shutdown(void)
{
	drain(&primary);
	drain(&replica);
}

unsigned db_res_type(const cb_res *res, int col)
{
	return res && col >= 0 && col < PQnfields(res->pg) ? (unsigned)PQftype(res->pg, col) : 0;
}

const char *db_res_name(const cb_res *res, int col)
{
	return res && col >= 0 && col < PQnfields(res->pg) ? PQfname(res->pg, col) : NULL;
}

int db_simple(cb_req *req, const char *sql)
{
	return run(req, 0, sql, 0, NULL, 0) ? CB_OK : CB_EDB;
}
