/* export.c — Art. 15/20: POST /api/v1/gdpr/export starts a job that writes one
 * owner's data into a ZIP (every plugin's exporter, one snapshot), GET
 * /api/v1/gdpr/exports/{id} tells its status and, when done, a signed
 * download URL valid for download_ttl seconds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gdpr.h"

const char *export_path(cb_req *req, const char *id)
{
	return cb_sprintf(req, "%s/export-%s.zip", gdpr_cf.export_dir, id);
}

static const char *sign(cb_req *req, const char *id, const char *user_id, const char *expires)
{
	const char *msg = cb_sprintf(req, "export|%s|%s|%s", id, user_id, expires);
	return cb_hmac_sha256_hex(req, gdpr_cf.secret, strlen(gdpr_cf.secret), msg, strlen(msg));
}

int h_export_start(cb_req *req)
{
	const char *uid = cb_req_get(req, "user.id");
	cb_res *r = cb_db_q(req,
	                    "INSERT INTO gdpr_exports (user_id) SELECT $1 WHERE NOT EXISTS "
	                    "(SELECT 1 FROM gdpr_exports WHERE user_id = $1 "
	                    " AND status IN ('pending', 'running')) "
	                    "RETURNING id, status, " CB_SQL_TS("created_at") " AS created_at",
	                    uid);
	if (!r)
		return cb_reply_db_error(req, "export: insert");
	if (cb_res_rows(r) != 1)
		return cb_reply_error(req, 409, "export_running",
		                      "An export of this account is being prepared already");
	const char *id = cb_res_val(r, 0, "id");
	cb_json *payload = cb_json_new_object(req);
	cb_json_set_str(payload, "export_id", id);
	if (cb_job_enqueue(req, GDPR_EXPORT_JOB, payload, 0, NULL) != CB_OK)
		return cb_reply_db_error(req, "export: enqueue");
	audit(req, uid, "export.requested", "owner", 0);
	cb_json *o = cb_res_json(req, r, 0);
	cb_set_header(req, "Location", cb_sprintf(req, "/api/v1/gdpr/exports/%s", id));
	return cb_reply_json(req, 202, o);
}

int h_export_get(cb_req *req)
{
	const char *uid = cb_req_get(req, "user.id"), *id = cb_req_param(req, "id");
	if (!cb_is_uuid(id))
		return cb_reply_error(req, 404, "not_found", "No such export");
	cb_res *r =
	    cb_db_q(req,
	            "SELECT id, status, bytes, created_at, finished_at, error FROM gdpr_exports "
	            "WHERE id = $1 AND user_id = $2",
	            id, uid);
	if (!r)
		return cb_reply_db_error(req, "export: read");
	if (cb_res_rows(r) != 1)
		return cb_reply_error(req, 404, "not_found", "No such export");
	cb_json *o = cb_res_json(req, r, 0);
	const char *st = cb_res_val(r, 0, "status");
	if (strcmp(st, "failed") != 0)
		cb_json_del(o, "error");
	else
		cb_json_set_str(o, "error", "The export failed; start a new one");
	if (strcmp(st, "done") == 0) {
		long long exp = (long long)time(NULL) + gdpr_cf.download_ttl;
		const char *e = cb_sprintf(req, "%lld", exp);
		cb_json_set_str(o, "download_url",
		                cb_sprintf(req,
		                           "/api/v1/gdpr/exports/%s/download?expires=%s&sig=%s", id,
		                           e, sign(req, id, uid, e)));
		cb_res *t =
		    cb_db_q(req, "SELECT " CB_SQL_TS("to_timestamp($1::bigint)") " AS t", e);
		cb_json_set_str(o, "download_expires_at", t ? cb_res_val(t, 0, "t") : NULL);
	}
	return cb_reply_json(req, 200, o);
}

static int read_file(cb_req *req, const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	if (!f)
		return CB_ENOTFOUND;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
		fclose(f);
		return CB_ERR;
	}
	*len = (size_t)st.st_size;
	*out = cb_alloc(req, *len + 1);
	size_t got = fread(*out, 1, *len, f);
	fclose(f);
	return got == *len ? CB_OK : CB_ERR;
}

/* Public: the signature is the credential (an <a href> cannot send a bearer
 * token). It binds export id, owner and expiry; a deleted owner's exports are
 * gone with the account. */
int h_export_download(cb_req *req)
{
	const char *id = cb_req_param(req, "id"), *e = cb_req_query(req, "expires"),
	           *sig = cb_req_query(req, "sig");
	char *end = NULL;
	long long exp = e ? strtoll(e, &end, 10) : 0;
	if (!cb_is_uuid(id) || !e || !sig || !end || *end || strlen(sig) != 64)
		return cb_reply_error(req, 403, "invalid_signature",
		                      "This download link is not valid");
	if (exp < (long long)time(NULL))
		return cb_reply_error(req, 410, "link_expired",
		                      "This download link has expired; ask for a new one");
	cb_res *r =
	    cb_db_q(req, "SELECT user_id FROM gdpr_exports WHERE id = $1 AND status = 'done'", id);
	if (!r)
		return cb_reply_db_error(req, "download: read");
	if (cb_res_rows(r) != 1)
		return cb_reply_error(req, 404, "not_found", "No such export");
	const char *want = sign(req, id, cb_res_val(r, 0, "user_id"), e);
	unsigned diff = 0;
	for (size_t i = 0; i < 64; i++)
		diff |= (unsigned)(want[i] ^ sig[i]);
	if (diff)
		return cb_reply_error(req, 403, "invalid_signature",
		                      "This download link is not valid");
	char *body = NULL;
	size_t len = 0;
	int rc = read_file(req, export_path(req, id), &body, &len);
	if (rc == CB_ENOTFOUND)
		return cb_reply_error(req, 404, "not_found",
		                      "The archive was deleted; ask for a new one");
	if (rc != CB_OK)
		return cb_reply_error(req, 500, "internal_error", "The archive cannot be read");
	cb_set_header(req, "Content-Disposition",
	              cb_sprintf(req, "attachment; filename=\"carbot-export-%s.zip\"", id));
	cb_set_header(req, "Cache-Control", "no-store");
	return cb_reply(req, 200, "application/zip", body, len);
}

/* Creates dir and its parents (mode 0700: archives are personal data). */
static int mkdir_p(cb_req *req, const char *dir)
{
	char *d = cb_strdup(req, dir);
	for (char *s = d + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(d, 0700) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(d, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int set_status(cb_req *req, const char *id, const char *st, long long bytes, const char *err)
{
	return cb_db_q(
	           req,
	           "UPDATE gdpr_exports SET status = $2, bytes = NULLIF($3, '')::bigint, "
	           "error = $4, finished_at = CASE WHEN $2 IN ('done', 'failed') THEN now() END "
	           "WHERE id = $1",
	           id, st, bytes >= 0 ? cb_sprintf(req, "%lld", bytes) : "", err)
	           ? CB_OK
	           : CB_EDB;
}

/* Every exporter in dependency order, inside one read-only REPEATABLE READ
 * transaction: one consistent snapshot of the account. */
static int run_exporters(cb_req *req, const char *uid, cb_export *out)
{
	int rc = CB_OK;
	if (cb_db_begin(req) != CB_OK ||
	    !cb_db_q0(req, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
		return CB_EDB;
	for (size_t i = 0; rc == CB_OK && cb_datasubject_at(i); i++) {
		const cb_datasubject *ds = cb_datasubject_at(i);
		rc = ds->export_owner(req, uid, out);
		if (rc != CB_OK)
			cb_job_error(req, "exporter %s: %s", ds->section, cb_strerror(rc));
	}
	cb_db_rollback(req); /* read only: nothing to commit */
	return rc;
}

int export_job(cb_req *req, const cb_json *payload)
{
	const char *id = cb_json_get_str(payload, "export_id");
	if (!cb_is_uuid(id))
		return CB_OK; /* nothing to do, ever */
	cb_res *r = cb_db_q(req,
	                    "UPDATE gdpr_exports SET status = 'running' WHERE id = $1 "
	                    "AND status IN ('pending', 'running') RETURNING user_id",
	                    id);
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) != 1)
		return CB_OK; /* deleted with its account, or finished */
	const char *uid = cb_strdup(req, cb_res_val(r, 0, "user_id"));
	const char *path = export_path(req, id), *tmp = cb_sprintf(req, "%s.part", path);
	if (mkdir_p(req, gdpr_cf.export_dir) != 0) {
		cb_job_error(req, "export_dir: %s", strerror(errno));
		return CB_ERR;
	}
	struct zip_out *z = zip_open(tmp);
	if (!z) {
		cb_job_error(req, "cannot write the archive");
		return CB_ERR;
	}
	int rc = run_exporters(req, uid, zip_export(z));
	long long bytes = 0;
	if (rc != CB_OK) {
		zip_abort(z);
		unlink(tmp);
		set_status(req, id, "failed", -1, cb_strerror(rc));
		return CB_OK; /* failed for good: the owner starts a new one */
	}
	if (zip_close(req, z, uid, &bytes) != CB_OK || rename(tmp, path) != 0) {
		unlink(tmp);
		cb_job_error(req, "cannot finish the archive");
		return CB_ERR;
	}
	struct stat st;
	if (stat(path, &st) == 0)
		bytes = (long long)st.st_size;
	if (set_status(req, id, "done", bytes, NULL) != CB_OK)
		return CB_EDB;
	audit(req, uid, "export.done", "system", bytes);
	return CB_OK;
}
