/* migrate.c — applies registered migrations once each, in order (the core's
 * first, then each plugin's in load order and version order), every one in
 * its own transaction, all under one advisory lock so that several carbotd
 * processes starting together apply each migration exactly once. */
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* "CarB" — the advisory lock key of migrations */
#define MIGRATION_LOCK "1130459714"

static void sha256_hex(const char *s, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int ok(PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static void first_line(char *dst, size_t n, const char *msg)
{
	size_t k = strcspn(msg, "\n");
	snprintf(dst, n, "%.*s", (int)k, msg);
}

static int cmp_version(const void *a, const void *b)
{
	const struct migration *x = *(const struct migration *const *)a;
	const struct migration *y = *(const struct migration *const *)b;
	return strcmp(x->version, y->version);
}

static int apply_one(PGconn *pg, const struct migration *m, char *err, size_t n)
{
	char sum[65];
	sha256_hex(m->sql, sum);
	const char *key[2] = {m->owner->name, m->version};
	PGresult *r = PQexecParams(pg,
				   "SELECT checksum FROM schema_migrations WHERE plugin = $1 AND "
				   "version = $2",
				   2, NULL, key, NULL, NULL, 0);
	if (!ok(r)) {
		first_line(err, n, PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	if (PQntuples(r) == 1) {
		int same = strcmp(PQgetvalue(r, 0, 0), sum) == 0;
		if (!same)
			snprintf(err, n,
				 "%s: migration %s of plugin '%s' changed after it was applied "
				 "(checksum %.12s in the database, %.12s now); add a new migration "
				 "instead",
				 m->owner->file, m->version, m->owner->name, PQgetvalue(r, 0, 0), sum);
		PQclear(r);
		return same ? 0 : -1;
	}
	PQclear(r);
	PQclear(PQexec(pg, "BEGIN"));
	r = PQexec(pg, m->sql);
	if (!ok(r)) {
		char why[512];
		first_line(why, sizeof why, PQresultErrorMessage(r));
		snprintf(err, n, "%s: migration %s of plugin '%s' failed: %s", m->owner->file,
			 m->version, m->owner->name, why);
		PQclear(r);
		PQclear(PQexec(pg, "ROLLBACK"));
		return -1;
	}
	PQclear(r);
	const char *rec[3] = {m->owner->name, m->version, sum};
	r = PQexecParams(pg,
			 "INSERT INTO schema_migrations (plugin, version, checksum) VALUES ($1, $2, "
			 "$3)",
			 3, NULL, rec, NULL, NULL, 0);
	int good = ok(r);
	if (!good)
		first_line(err, n, PQresultErrorMessage(r));
	PQclear(r);
	r = PQexec(pg, good ? "COMMIT" : "ROLLBACK");
	good = good && ok(r);
	PQclear(r);
	if (good)
		log_core(CB_LOG_INFO, "applied migration %s of plugin '%s'", m->version,
			 m->owner->name);
	return good ? 0 : -1;
}

int migrate_all(char *err, size_t n)
{
	PGconn *pg = PQconnectdb(core.conf->core.database_url);
	if (PQstatus(pg) != CONNECTION_OK) {
		snprintf(err, n, "database unreachable: ");
		first_line(err + strlen(err), n - strlen(err), PQerrorMessage(pg));
		PQfinish(pg);
		return -1;
	}
	PQclear(PQexec(pg, "SET client_min_messages = warning"));
	PGresult *r = PQexec(pg, "SELECT pg_advisory_lock(" MIGRATION_LOCK ")");
	int rc = ok(r) ? 0 : -1;
	PQclear(r);
	r = PQexec(pg, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		       " plugin text NOT NULL, version text NOT NULL, checksum text NOT NULL,"
		       " applied_at timestamptz NOT NULL DEFAULT now(),"
		       " PRIMARY KEY (plugin, version))");
	if (rc == 0 && !ok(r)) {
		first_line(err, n, PQresultErrorMessage(r));
		rc = -1;
	}
	PQclear(r);

	/* group by owner (registration order is load order), sort each by version */
	const struct plugin *owner = NULL;
	for (struct migration *m = migrations_all; m && rc == 0;) {
		owner = m->owner;
		struct migration *batch[512];
		int k = 0;
		for (; m && m->owner == owner && k < 512; m = m->next)
			batch[k++] = m;
		qsort(batch, (size_t)k, sizeof batch[0], cmp_version);
		for (int i = 0; i < k && rc == 0; i++)
			rc = apply_one(pg, batch[i], err, n);
	}
	PQclear(PQexec(pg, "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")"));
	PQfinish(pg);
	if (rc == 0)
		atomic_store(&core.migrations_ok, 1);
	return rc;
}

int migrate_check(cb_req *req)
{
	cb_res *r = cb_db_q0(req, "SELECT plugin, version FROM schema_migrations");
	if (!r)
		return CB_EDB;
	for (struct migration *m = migrations_all; m; m = m->next) {
		int found = 0;
		for (int i = 0; i < cb_res_rows(r) && !found; i++)
			found = strcmp(cb_res_get(r, i, 0), m->owner->name) == 0 &&
				strcmp(cb_res_get(r, i, 1), m->version) == 0;
		if (!found)
			return CB_ENOTFOUND;
	}
	return CB_OK;
}
