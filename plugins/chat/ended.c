/* ended.c — conversation.ended: the job chat.end_idle, every minute, marks
 * the conversations that fell silent for idle_minutes (or that a newer
 * conversation of their session ended) as ended and emits conversation.ended
 * for each, once: {conversation_id, key_id, user_id, messages}. Emitted
 * inside the job's transaction, so a subscriber's queued work (notify's
 * webhooks) exists only when the conversation is marked. */
#include "chat.h"

#define END_JOB   "chat.end_idle"
#define END_BATCH 500
#define END_EVERY 60

static const char end_sql[] =
    "WITH due AS ("
    " SELECT id FROM conversations WHERE NOT end_announced"
    " AND (ended_at IS NOT NULL OR last_message_at < now() - make_interval(mins => $1::int))"
    " ORDER BY started_at LIMIT $2::int FOR UPDATE SKIP LOCKED),"
    " e AS ("
    " UPDATE conversations c SET end_announced = true,"
    " ended_at = COALESCE(c.ended_at, c.last_message_at) FROM due WHERE c.id = due.id"
    " RETURNING c.id, c.client_key_id, c.message_count)"
    " SELECT e.id, e.client_key_id, k.user_id, e.message_count FROM e"
    " JOIN client_keys k ON k.id = e.client_key_id";

static int end_idle(cb_req *req, const cb_json *payload)
{
	(void)payload;
	int n;
	do {
		if (cb_db_begin(req) != CB_OK)
			return CB_EDB;
		cb_res *r = cb_db_q(req, end_sql, cb_sprintf(req, "%lld", chat_cf.idle_minutes),
		                    cb_sprintf(req, "%d", END_BATCH));
		if (!r) {
			cb_db_rollback(req);
			cb_job_error(req, "chat.end_idle: select");
			return CB_EDB;
		}
		n = cb_res_rows(r);
		for (int i = 0; i < n; i++) {
			cb_json *ev = cb_json_new_object(req);
			cb_json_set_str(ev, "conversation_id", cb_res_val(r, i, "id"));
			cb_json_set_str(ev, "key_id", cb_res_val(r, i, "client_key_id"));
			cb_json_set_str(ev, "user_id", cb_res_val(r, i, "user_id"));
			cb_json_set_int(ev, "messages", cb_res_int(r, i, "message_count"));
			cb_emit(req, CB_EV_CONVERSATION_ENDED, ev);
		}
		if (cb_db_commit(req) != CB_OK)
			return CB_EDB;
	} while (n == END_BATCH);
	/* the next run, once: a second pending one (another process) is dropped */
	cb_res *other = cb_db_q(req,
	                        "SELECT count(*) AS n FROM cb_jobs WHERE name = $1 AND "
	                        "status = 'pending'",
	                        END_JOB);
	if (!other)
		return CB_EDB;
	if (cb_res_int(other, 0, "n") > 0)
		return CB_OK;
	return cb_job_enqueue(req, END_JOB, NULL, END_EVERY, NULL) == CB_OK ? CB_OK : CB_EDB;
}

int ended_register(cb_plugin *p)
{
	return cb_job_handler(p, END_JOB, 5, end_idle);
}
