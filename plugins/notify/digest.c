/* digest.c — the optional daily digest: at digest_hour (UTC) an owner who
 * turned daily_digest on gets one mail listing the leads of the 24 hours
 * before (none: no mail). Each owner's next digest is one job notify.digest
 * {user_id, at}; notify_settings.digest_next_at holds the same instant, so
 * a job whose instant no longer matches (turned off, planned anew) is
 * dropped, and every run plans the next one in its own transaction. */
#include <string.h>

#include "notify.h"

/* Plans user_id's next digest unless one is planned: call after the
 * settings row says daily_digest = true. after (epoch seconds, or NULL):
 * the digest just sent, so the next is not before a day after it.
 * CB_OK or CB_EDB. */
int digest_plan(cb_req *req, const char *user_id, const char *after)
{
	cb_res *r = cb_db_q(
	    req,
	    "UPDATE notify_settings SET digest_next_at = (SELECT GREATEST(CASE WHEN t > now() "
	    "  THEN t ELSE t + interval '1 day' END, to_timestamp($3::bigint) + interval '1 day') "
	    "  FROM (SELECT (date_trunc('day', now() AT TIME ZONE "
	    "  'UTC') + make_interval(hours => $2::int)) AT TIME ZONE 'UTC' AS t) x) "
	    "WHERE user_id = $1 AND daily_digest AND digest_next_at IS NULL "
	    "RETURNING extract(epoch FROM digest_next_at)::bigint AS at, "
	    "  ceil(extract(epoch FROM digest_next_at - now()))::bigint AS delay",
	    user_id, cb_sprintf(req, "%lld", notify_cf.digest_hour), after);
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) != 1)
		return CB_OK;
	cb_json *p = cb_json_new_object(req);
	cb_json_set_str(p, "user_id", user_id);
	cb_json_set_int(p, "at", cb_res_int(r, 0, "at"));
	return cb_job_enqueue(req, "notify.digest", p, cb_res_int(r, 0, "delay"), NULL);
}

static cb_json *leads_json(cb_req *req, const cb_res *r)
{
	static const char *const cols[] = {"id",      "name",    "contact",
	                                   "vehicle", "service", "preferred_day"};
	cb_json *arr = cb_json_new_array(req);
	for (int i = 0; i < cb_res_rows(r); i++) {
		cb_json *o = cb_json_new_object(req);
		for (size_t k = 0; k < CB_COUNT(cols); k++)
			cb_json_set_str(o, cols[k], cb_res_val(r, i, cols[k]));
		cb_json_push(arr, o);
	}
	return arr;
}

static int job_digest(cb_req *req, const cb_json *payload)
{
	const char *user_id = cb_json_get_str(payload, "user_id");
	long long at = 0;
	cb_res *s, *l;

	if (!user_id || !cb_is_uuid(user_id) ||
	    cb_json_int(cb_json_get(payload, "at"), &at) != CB_OK)
		return CB_OK;
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	s = cb_db_q(
	    req,
	    "SELECT u.email, s.language FROM notify_settings s JOIN users u ON u.id = s.user_id "
	    "WHERE s.user_id = $1 AND s.daily_digest AND u.deleted_at IS NULL "
	    "AND extract(epoch FROM s.digest_next_at)::bigint = $2::bigint FOR UPDATE OF s",
	    user_id, cb_sprintf(req, "%lld", at));
	if (!s)
		return CB_EDB;
	if (cb_res_rows(s) != 1) {
		cb_db_rollback(req);
		return CB_OK; /* turned off or planned anew */
	}
	/* the chat plugin's leads, when it is enabled */
	l = cb_db_q0(req, "SELECT to_regclass('leads') IS NOT NULL AND "
	                  "to_regclass('client_keys') IS NOT NULL AS ok");
	if (!l)
		return CB_EDB;
	if (cb_res_bool(l, 0, "ok")) {
		l = cb_db_q(req,
		            "SELECT l.id, l.name, l.contact, l.vehicle, l.service, l.preferred_day "
		            "FROM leads l JOIN client_keys k ON k.id = l.client_key_id "
		            "WHERE k.user_id = $1 AND l.created_at > to_timestamp($2::bigint) - "
		            "interval '1 day' AND l.created_at <= to_timestamp($2::bigint) "
		            "ORDER BY l.created_at LIMIT 200",
		            user_id, cb_sprintf(req, "%lld", at));
		if (!l)
			return CB_EDB;
		if (cb_res_rows(l) > 0) {
			cb_json *d = cb_json_new_object(req);
			cb_json_set_int(d, "count", cb_res_rows(l));
			cb_json_set(d, "leads", leads_json(req, l));
			cb_json_set_str(d, "link",
			                cb_sprintf(req, "%s/admin/leads", notify_cf.public_url));
			int rc = mail_queue(req, user_id, cb_res_val(s, 0, "email"), "digest",
			                    cb_res_val(s, 0, "language"), d, MAIL_OPTIONAL,
			                    "daily_digest");
			if (rc != CB_OK)
				return rc;
		}
	}
	if (!cb_db_q(req, "UPDATE notify_settings SET digest_next_at = NULL WHERE user_id = $1",
	             user_id) ||
	    digest_plan(req, user_id, cb_sprintf(req, "%lld", at)) != CB_OK)
		return CB_EDB;
	return cb_db_commit(req) == CB_OK ? CB_OK : CB_EDB;
}

int digest_init(cb_plugin *p)
{
	return cb_job_handler(p, "notify.digest", 5, job_digest);
}
