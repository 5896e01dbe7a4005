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
#define CB__NARG(...) CB__NARG_(__VA_ARGS__, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define CB__NARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, N, ...) N
#define cb_db_q(req, sql, ...) \
	cb_db_query((req), (sql), CB__NARG(__VA_ARGS__), (const char *const[]){__VA_ARGS__})
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

#endif
