/* db_stmt.c — per-connection cache of prepared statements (db_stmt.h).
 *
 * Every cb_db_q* statement is prepared on its connection the first time that
 * connection sees its text and executed by name afterwards, so PostgreSQL
 * parses and plans it once per connection instead of once per request. For
 * the chat path's one statement (bench/chat.pl), planning alone cost about
 * 3 ms of the server's CPU per message: more than executing it.
 *
 * Keyed by the SQL text itself (FNV-1a hash, then the full text compared), so
 * statements built at run time with cb_sprintf are cached too; at most
 * STMT_CAP per connection, the least recently used one DEALLOCATEd to make
 * room. The cache dies with its connection (a reset connection has lost its
 * statements on the server too).
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_stmt.h"

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void stmt_cache_clear(struct stmt_cache *c)
{
	for (int i = 0; i < c->n; i++)
		free(c->e[i].sql);
	c->n = 0;
}

static struct stmt *find(struct stmt_cache *c, const char *sql, uint64_t h)
{
	for (int i = 0; i < c->n; i++)
		if (c->e[i].hash == h && strcmp(c->e[i].sql, sql) == 0)
			return &c->e[i];
	return NULL;
}

/* DEALLOCATE cannot run in a failed transaction; a name left behind is
 * harmless (names are never reused on a connection). */
static void deallocate(PGconn *pg, const char *name)
{
	char sql[32];

	snprintf(sql, sizeof(sql), "DEALLOCATE %s", name);
	PQclear(PQexec(pg, sql));
}

/* A free entry, making one by deallocating the least recently used. */
static struct stmt *room(struct stmt_cache *c, PGconn *pg)
{
	struct stmt *old;

	if (c->n < STMT_CAP)
		return &c->e[c->n++];
	old = &c->e[0];
	for (int i = 1; i < c->n; i++)
		if (c->e[i].used < old->used)
			old = &c->e[i];
	deallocate(pg, old->name);
	free(old->sql);
	return old;
}

const char *stmt_prepared(struct stmt_cache *c, PGconn *pg, const char *sql, int n, PGresult **err)
{
	uint64_t h = fnv1a(sql);
	struct stmt *s = find(c, sql, h);
	PGresult *r;

	*err = NULL;
	if (s) {
		s->used = ++c->clock;
		return s->name;
	}
	char *copy = strdup(sql);
	if (!copy) /* out of memory: run it unprepared */
		return NULL;
	char name[sizeof(s->name)];
	snprintf(name, sizeof(name), "cb%u", ++c->seq);
	r = PQprepare(pg, name, sql, n, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		free(copy);
		*err = r;
		return NULL;
	}
	PQclear(r);
	s = room(c, pg);
	s->hash = h;
	s->sql = copy;
	s->used = ++c->clock;
	memcpy(s->name, name, sizeof(name));
	return s->name;
}

void stmt_forget(struct stmt_cache *c, PGconn *pg, const char *sql)
{
	struct stmt *s = find(c, sql, fnv1a(sql));

	if (!s)
		return;
	deallocate(pg, s->name);
	free(s->sql);
	*s = c->e[--c->n];
}
