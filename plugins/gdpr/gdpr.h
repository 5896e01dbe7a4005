/* gdpr.h — the gdpr plugin's shared declarations. */
#ifndef GDPR_H
#define GDPR_H

#include <carbot/sdk.h>

struct gdpr_conf {
	long long grace_days;     /* erasure waits this long (30) */
	long long download_ttl;   /* a download URL is valid this many seconds */
	long long retention_days; /* default conversations_days, 0 = off */
	long long keep_exports;   /* an archive is deleted after this many hours */
	const char *export_dir;   /* where archives are written */
	const char *secret;       /* signs download URLs, keys the audit subject */
};
extern struct gdpr_conf gdpr_cf;

#define GDPR_EXPORT_JOB    "gdpr.export"
#define GDPR_ERASE_JOB     "gdpr.erase"
#define GDPR_RETENTION_JOB "gdpr.retention"

/* zip.c: a streaming ZIP writer behind a cb_export. */
struct zip_out;
struct zip_out *zip_open(const char *path);
cb_export *zip_export(struct zip_out *z);
/* Writes manifest.json (schema, generated_at, owner, files with sha256 and
 * counts) and closes. CB_OK or CB_ERR. Frees z either way. */
int zip_close(cb_req *req, struct zip_out *z, const char *user_id, long long *bytes);
void zip_abort(struct zip_out *z);

/* export.c */
int h_export_start(cb_req *req);
int h_export_get(cb_req *req);
int h_export_download(cb_req *req);
int export_job(cb_req *req, const cb_json *payload);
const char *export_path(cb_req *req, const char *id);

/* erasure.c */
int h_erasure(cb_req *req);
int h_erasure_cancel(cb_req *req);
int h_admin_erase(cb_req *req);
int erase_job(cb_req *req, const cb_json *payload);
int erase_now(cb_req *req, const char *user_id, long long *rows);

/* visitor.c, retention.c */
int h_visitor_export(cb_req *req);
int h_visitor_delete(cb_req *req);
int h_retention_get(cb_req *req);
int h_retention_put(cb_req *req);
int retention_job(cb_req *req, const cb_json *payload);
int on_visitor_forgotten(cb_req *req, const char *event, const cb_json *data, void *udata);

/* audit.c: one entry; actor owner|operator|system. CB_OK or CB_EDB. */
int audit(cb_req *req, const char *user_id, const char *action, const char *actor, long long rows);
int h_audit(cb_req *req);

#endif
