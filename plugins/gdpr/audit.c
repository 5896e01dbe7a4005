/* audit.c — the log of GDPR actions: what, when, by whom (owner, operator,
 * system), how many rows. It holds no personal data beyond the user id, and
 * that goes with the account (subject, an HMAC of the id, stays). */
#include <string.h>

#include "gdpr.h"

int audit(cb_req *req, const char *user_id, const char *action, const char *actor, long long rows)
{
	const char *subject = cb_hmac_sha256_hex(req, gdpr_cf.secret, strlen(gdpr_cf.secret),
	                                         user_id, strlen(user_id));
	return cb_db_q(req,
	               "INSERT INTO gdpr_audit (user_id, subject, action, actor, rows) "
	               "VALUES ($1, $2, $3, $4, $5::bigint)",
	               user_id, subject, action, actor, cb_sprintf(req, "%lld", rows))
	           ? CB_OK
	           : CB_EDB;
}

/* GET /api/v1/gdpr/audit?page=&limit= — the caller's own entries, newest first. */
int h_audit(cb_req *req)
{
	const char *uid = cb_req_get(req, "user.id");
	cb_check *c = cb_check_new(req, NULL);
	cb_page pg = CB_PAGE_INIT;
	cb_page_read(c, 50, 200, &pg);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	cb_res *r =
	    cb_db_q(req,
	            "SELECT action, actor, rows, at, count(*) OVER () AS total "
	            "FROM gdpr_audit WHERE user_id = $1 ORDER BY at DESC, id DESC "
	            "LIMIT $2::int OFFSET $3::int",
	            uid, cb_sprintf(req, "%lld", pg.limit), cb_sprintf(req, "%lld", pg.offset));
	if (!r)
		return cb_reply_db_error(req, "audit: read");
	cb_json *items = cb_json_new_array(req);
	long long total = 0;
	for (int i = 0; i < cb_res_rows(r); i++) {
		cb_json *row = cb_res_json(req, r, i);
		cb_json_del(row, "total");
		cb_json_push(items, row);
		total = cb_res_int(r, i, "total");
	}
	if (cb_res_rows(r) == 0 && pg.offset > 0) {
		cb_res *t =
		    cb_db_q(req, "SELECT count(*) AS n FROM gdpr_audit WHERE user_id = $1", uid);
		total = t ? cb_res_int(t, 0, "n") : 0;
	}
	cb_json *o = cb_json_new_object(req);
	cb_json_set(o, "entries", items);
	cb_json_set(o, "pagination", cb_page_json(req, &pg, total, cb_res_rows(r)));
	return cb_reply_json(req, 200, o);
}
