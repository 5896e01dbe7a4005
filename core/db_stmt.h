/* db_stmt.h — per-connection cache of prepared statements (core only). */
#ifndef CB_DB_STMT_H
#define CB_DB_STMT_H

#include <libpq-fe.h>
#include <stdint.h>

#define STMT_CAP 128 /* statements kept prepared per connection */

struct stmt {
	uint64_t hash;
	char *sql; /* malloc'd copy of the text */
	unsigned used;
	char name[16];
};

struct stmt_cache {
	struct stmt e[STMT_CAP];
	int n;
	unsigned clock, seq;
};

/* The name under which sql (n parameters) is prepared on pg, preparing it
 * first if this connection has not yet. NULL when it could not be prepared:
 * *err then holds the server's answer (the caller PQclears it), or is NULL
 * when memory ran out and the statement should simply run unprepared. */
const char *stmt_prepared(struct stmt_cache *c, PGconn *pg, const char *sql, int n, PGresult **err);

/* Deallocates sql's statement if cached (its plan went stale). */
void stmt_forget(struct stmt_cache *c, PGconn *pg, const char *sql);

/* Forgets every statement (the connection was reset or closed). */
void stmt_cache_clear(struct stmt_cache *c);

#endif
