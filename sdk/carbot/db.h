/* carbot/db.h — PostgreSQL, parameterised queries only.
 *
 * There is deliberately no way to run SQL built from strings with values in
 * it: values always travel as parameters ($1, $2, ...), as text.
 *
 * A request takes a connection from carbotd's pool on its first query and
 * gives it back when it ends (rolling back a transaction left open). A
 * connection broken by a database restart is re-established transparently on
 * the next query; a query that fails because the connection broke outside a
 * transaction is retried once on a fresh connection.
 *
 * Each statement is prepared on a connection the first time that connection
 * runs its text and executed by name afterwards (the core setting db_prepare,
 * on by default), so keep values out of the SQL text: besides being unsafe,
 * they would make every statement new. Set db_prepare = off behind a
 * connection pooler in transaction mode.
 *
 * Results are owned by the request and freed when it ends.
 */
#ifndef CARBOT_DB_H
#define CARBOT_DB_H

#include <stddef.h>

typedef struct cb_req cb_req;
typedef struct cb_res cb_res;
typedef struct cb_json cb_json;

/* Runs sql with n text parameters (a NULL element is SQL NULL). Returns the
 * result (rows or none), or NULL on failure: then cb_db_sqlstate and
 * cb_db_errmsg tell why. Failure codes: CB_EDB. */
cb_res *cb_db_query(cb_req *req, const char *sql, int n, const char *const *params);

/* Same, on the read-only connection (read_only_database_url) when configured,
 * else on the primary. Meant for analytics reads; never inside a transaction
 * of the primary. */
cb_res *cb_db_query_ro(cb_req *req, const char *sql, int n, const char *const *params);

/* Convenience: cb_db_q(req, "SELECT ... $1 ... $2", a, b) with 1..16 params;
 * cb_db_q0(req, sql) for none. */
#define CB__NARG(...)                                                                              \
	CB__NARG_(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define CB__NARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, N, ...) N
#define cb_db_q(req, sql, ...)                                                                     \
	cb_db_query((req), (sql), CB__NARG(__VA_ARGS__), CB__STRV(__VA_ARGS__))
#define cb_db_q0(req, sql) cb_db_query((req), (sql), 0, NULL)

/* Transactions on the request's connection. Returns CB_OK, CB_EDB, or
 * CB_ESTATE (begin inside a transaction, commit or rollback outside one). A
 * request that ends with a transaction open has it rolled back. */
int cb_db_begin(cb_req *req);
int cb_db_commit(cb_req *req);
int cb_db_rollback(cb_req *req);

/* SQLSTATE of the last failed query of req ("23505" for a unique violation),
 * or "" when the last query succeeded. "08006" when the database is
 * unreachable. Never NULL. */
const char *cb_db_sqlstate(cb_req *req);

/* Server's message for the last failed query (for logs, not for clients);
 * "" when none. */
const char *cb_db_errmsg(cb_req *req);

/* Rows and columns of a result; 0 for a NULL result. */
int cb_res_rows(const cb_res *res);
int cb_res_cols(const cb_res *res);

/* Rows affected by INSERT/UPDATE/DELETE; 0 otherwise. */
long long cb_res_affected(const cb_res *res);

/* Since 1.6. Runs the n statements of sql in order on req's connection, each
 * with the one parameter $1 = param (an eraser's "DELETE ... WHERE user_id =
 * $1" list), and adds the rows each affected to *rows (may be NULL). The
 * results are freed as it goes. Returns CB_OK, or CB_EDB at the first
 * statement that fails (the ones before it have run: call it inside a
 * transaction to make the list all or nothing). */
int cb_db_exec_each(cb_req *req, const char *const *sql, size_t n, const char *param,
                    long long *rows);

/* Column index of name, or -1. */
int cb_res_col(const cb_res *res, const char *name);

/* Text value of (row, col); NULL for SQL NULL or out of range. Borrowed,
 * valid until the request ends. */
const char *cb_res_get(const cb_res *res, int row, int col);

/* Text value by column name; NULL as above or when there is no such column. */
const char *cb_res_val(const cb_res *res, int row, const char *name);

/* Value as integer (0 when NULL or not a number) and as boolean ("t" is 1). */
long long cb_res_int(const cb_res *res, int row, const char *name);
int cb_res_bool(const cb_res *res, int row, const char *name);

/* ---- since 1.6 ----
 *
 * Timestamps: the API writes every instant as ISO 8601 in UTC with seconds,
 * "2026-12-04T09:30:00Z". cb_res_json converts timestamptz columns itself;
 * for a value built in SQL use CB_SQL_TS, never a to_char format of your own:
 *   "SELECT " CB_SQL_TS("created_at") " AS created_at FROM ..." */
#define CB_SQL_TS(expr) "to_char((" expr ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Row row of res as a JSON object, one member per column (in column order):
 * SQL NULL -> null, boolean -> true/false, int2/int4/int8 -> integer,
 * float4/float8/numeric -> number, json/jsonb -> parsed JSON, timestamptz
 * -> ISO 8601 UTC ("...Z"), everything else -> string. NULL when row is out
 * of range. */
cb_json *cb_res_json(cb_req *req, const cb_res *res, int row);

/* Integer / number value of (row, name) that tells a NULL from a 0: CB_OK
 * with *out set, CB_ENOTFOUND for SQL NULL, a missing column or row, and
 * CB_EINVAL when the text is not a number (*out untouched). */
int cb_res_int_ok(const cb_res *res, int row, const char *name, long long *out);
int cb_res_num_ok(const cb_res *res, int row, const char *name, double *out);

/* Frees a result before the request ends (since 1.6), so a handler or job
 * that reads many batches (an export streaming 100,000 rows) keeps its memory
 * flat. Afterwards res reads as empty (0 rows, NULL values); never use
 * strings borrowed from it again. NULL is a no-op. */
void cb_res_free(cb_res *res);

#endif
