/* gdpr.c — chat's part of the data-subject contract. For an owner: the
 * conversations of every key with their messages, the leads, the knowledge
 * base and the analytics as aggregates (counts per month and event type,
 * never a visitor identifier) in the export; all of it deleted by the
 * erasure. For one visitor of an owner (by conversation id, widget session,
 * or a lead's e-mail or phone): their conversations, messages, leads and
 * analytics events, exported as JSON and deleted. */
#include <string.h>

#include "chat.h"

#define OWN_CONV "c.client_key_id IN (SELECT id FROM client_keys WHERE user_id = $1)"
#define AFTER_ID(col)                                                                              \
	col " > coalesce(nullif($2, '')::uuid, '00000000-0000-0000-0000-000000000000')"

static int export_owner(cb_req *req, const char *uid, cb_export *out)
{
	int rc =
	    cb_export_ndjson(req, out, "chat/conversations.ndjson",
	                     "SELECT json_build_object('id', c.id, 'key_id', c.client_key_id, "
	                     "'session_id', c.session_id, 'message_count', c.message_count, "
	                     "'started_at', " CB_SQL_TS("c.started_at") ", 'ended_at', " CB_SQL_TS(
	                         "c.ended_at") ", "
	                                       "'metadata', c.metadata)::text AS j, c.id::text AS "
	                                       "k FROM conversations c "
	                                       "WHERE " OWN_CONV
	                                       " AND " AFTER_ID("c.id") " ORDER BY c.id LIMIT 1000",
	                     uid);
	if (rc == CB_OK)
		rc = cb_export_ndjson(
		    req, out, "chat/messages.ndjson",
		    "SELECT json_build_object('id', m.id, 'conversation_id', m.conversation_id, "
		    "'role', m.role, 'content', m.content, 'type', m.message_type, "
		    "'created_at', " CB_SQL_TS(
		        "m.created_at") ")::text AS j, m.id::text AS k "
		                        "FROM messages m JOIN conversations c ON c.id = "
		                        "m.conversation_id "
		                        "WHERE " OWN_CONV
		                        " AND " AFTER_ID("m.id") " ORDER BY m.id LIMIT 1000",
		    uid);
	if (rc == CB_OK)
		rc = cb_export_ndjson(
		    req, out, "chat/leads.ndjson",
		    "SELECT json_build_object('id', l.id, 'conversation_id', l.conversation_id, "
		    "'kind', l.kind, 'name', l.name, 'contact', l.contact, 'vehicle', l.vehicle, "
		    "'service', l.service, 'preferred_day', l.preferred_day, 'status', l.status, "
		    "'created_at', " CB_SQL_TS(
		        "l.created_at") ")::text AS j, l.id::text AS k "
		                        "FROM leads l JOIN client_keys c ON c.id = l.client_key_id "
		                        "WHERE c.user_id = $1 AND " AFTER_ID(
		                            "l.id") " ORDER BY l.id LIMIT 1000",
		    uid);
	if (rc == CB_OK)
		rc = cb_export_ndjson(
		    req, out, "chat/analytics_monthly.ndjson",
		    "SELECT json_build_object('month', a.m, 'event_type', a.event_type, "
		    "'events', a.n)::text AS j, a.m || a.event_type AS k FROM ("
		    " SELECT to_char(date_trunc('month', e.created_at AT TIME ZONE 'UTC'), "
		    "'YYYY-MM') AS m,"
		    " e.event_type, count(*) AS n FROM analytics_events e JOIN client_keys c "
		    " ON c.id = e.client_key_id WHERE c.user_id = $1 GROUP BY 1, 2) a "
		    "WHERE a.m || a.event_type > $2 ORDER BY 2 LIMIT 1000",
		    uid);
	if (rc == CB_OK)
		rc = cb_export_ndjson(
		    req, out, "chat/knowledge.ndjson",
		    "SELECT json_build_object('doc', doc, 'updated_at', " CB_SQL_TS(
		        "updated_at") ")::text AS j, '1' AS k FROM chat_kb "
		                      "WHERE user_id = $1 AND $2 = '' "
		                      "UNION ALL SELECT json_build_object('key_id', "
		                      "q.client_key_id, 'faq', q.faq, 'prices', "
		                      "q.prices)::text, '1' FROM chat_knowledge q JOIN "
		                      "client_keys c ON c.id = q.client_key_id WHERE "
		                      "c.user_id = $1 AND $2 = ''",
		    uid);
	return rc;
}

static long long affected(cb_res *r)
{
	return r ? cb_res_affected(r) : 0;
}

static int erase_owner(cb_req *req, const char *uid, long long *rows)
{
	static const char *const sql[] = {
	    "DELETE FROM leads WHERE client_key_id IN (SELECT id FROM client_keys WHERE user_id = "
	    "$1)",
	    "DELETE FROM messages WHERE conversation_id IN (SELECT c.id FROM conversations c "
	    "WHERE " OWN_CONV ")",
	    "DELETE FROM conversations c WHERE " OWN_CONV,
	    "DELETE FROM analytics_events WHERE client_key_id IN "
	    "(SELECT id FROM client_keys WHERE user_id = $1)",
	    "DELETE FROM chat_knowledge WHERE client_key_id IN "
	    "(SELECT id FROM client_keys WHERE user_id = $1)",
	    "DELETE FROM chat_kb WHERE user_id = $1",
	};
	return cb_db_exec_each(req, sql, sizeof sql / sizeof sql[0], uid, rows);
}

/* The visitor's conversations of the owner: $1 owner, $2 conversation id,
 * $3 session id, $4 lead e-mail, $5 lead phone (NULL = not given). */
#define VISITOR_CONVS                                                                              \
	"SELECT c.id FROM conversations c WHERE " OWN_CONV " AND ("                                \
	"c.id::text = $2 OR c.session_id = $3 OR c.id IN (SELECT l.conversation_id FROM leads l "  \
	"WHERE l.client_key_id = c.client_key_id AND (lower(l.contact) = lower($4) OR "            \
	"(length(regexp_replace($5, '[^0-9]', '', 'g')) >= 6 AND "                                 \
	"regexp_replace(l.contact, '[^0-9+]', '', 'g') = regexp_replace($5, '[^0-9+]', '', "       \
	"'g')))))"
#define VISITOR_LEADS                                                                              \
	"SELECT l.id FROM leads l JOIN client_keys k ON k.id = l.client_key_id WHERE k.user_id = " \
	"$1 "                                                                                      \
	"AND (l.conversation_id IN (" VISITOR_CONVS ") OR lower(l.contact) = lower($4) OR "        \
	"(length(regexp_replace($5, '[^0-9]', '', 'g')) >= 6 AND "                                 \
	"regexp_replace(l.contact, '[^0-9+]', '', 'g') = regexp_replace($5, '[^0-9+]', '', 'g')))"

static cb_res *vq(cb_req *req, const char *sql, const char *uid, const cb_visitor *v)
{
	return cb_db_q(req, sql, uid, v->conversation_id, v->session_id, v->email, v->phone);
}

static int export_visitor(cb_req *req, const char *uid, const cb_visitor *v, cb_json *into)
{
	cb_res *c = vq(req,
	               "SELECT c.id, c.started_at, c.ended_at, (SELECT coalesce(json_agg("
	               "json_build_object('role', m.role, 'content', m.content, 'created_at', "
	               "m.created_at) ORDER BY m.created_at), '[]') FROM messages m "
	               "WHERE m.conversation_id = c.id) AS messages FROM conversations c "
	               "WHERE c.id IN (" VISITOR_CONVS ") ORDER BY c.started_at",
	               uid, v);
	cb_res *l =
	    c ? vq(req,
	           "SELECT id, kind, name, contact, vehicle, service, preferred_day, status, "
	           "created_at FROM leads WHERE id IN (" VISITOR_LEADS ") ORDER BY created_at",
	           uid, v)
	      : NULL;
	if (!l)
		return CB_EDB;
	cb_json *sec = cb_json_new_object(req), *convs = cb_json_new_array(req),
	        *leads = cb_json_new_array(req);
	for (int i = 0; i < cb_res_rows(c); i++)
		cb_json_push(convs, cb_res_json(req, c, i));
	for (int i = 0; i < cb_res_rows(l); i++)
		cb_json_push(leads, cb_res_json(req, l, i));
	cb_json_set(sec, "conversations", convs);
	cb_json_set(sec, "leads", leads);
	cb_json_set(into, "chat", sec);
	return CB_OK;
}

static int erase_visitor(cb_req *req, const char *uid, const cb_visitor *v, long long *rows)
{
	cb_res *ids = vq(req, VISITOR_CONVS, uid, v);
	if (!ids)
		return CB_EDB;
	cb_res *l = vq(req, "DELETE FROM leads WHERE id IN (" VISITOR_LEADS ")", uid, v);
	if (!l)
		return CB_EDB;
	*rows += affected(l);
	for (int i = 0; i < cb_res_rows(ids); i++) {
		const char *cid = cb_res_val(ids, i, "id");
		cb_res *m = cb_db_q(req, "DELETE FROM messages WHERE conversation_id = $1", cid);
		cb_res *a = cb_db_q(req,
		                    "DELETE FROM analytics_events e USING conversations c "
		                    "WHERE c.id = $1 AND e.client_key_id = c.client_key_id "
		                    "AND e.session_id = c.session_id",
		                    cid);
		cb_res *d = cb_db_q(req, "DELETE FROM conversations WHERE id = $1", cid);
		if (!m || !a || !d)
			return CB_EDB;
		*rows += affected(m) + affected(a) + affected(d);
	}
	return CB_OK;
}

static int purge(cb_req *req, const char *uid, long long days, const char *exempt, long long *rows);

static const cb_datasubject ds = {
    CB_DATASUBJECT_SIZE, "chat",        export_owner, erase_owner, NULL, NULL,
    export_visitor,      erase_visitor, NULL,         purge};

/* Conversations older than days (by their last message) of one owner ($1),
 * or of every owner but the exempt ($3, uuid[]) when $1 is NULL. */
#define OLD_CONVS                                                                                  \
	"SELECT c.id FROM conversations c JOIN client_keys k ON k.id = c.client_key_id "           \
	"WHERE c.last_message_at < now() - make_interval(days => $2::int) AND "                    \
	"(k.user_id = $1::uuid OR ($1 IS NULL AND NOT k.user_id = ANY ($3::uuid[])))"

static int purge(cb_req *req, const char *uid, long long days, const char *exempt, long long *rows)
{
	static const char *const sql[] = {
	    "DELETE FROM leads WHERE conversation_id IN (" OLD_CONVS ")",
	    "DELETE FROM messages WHERE conversation_id IN (" OLD_CONVS ")",
	    "DELETE FROM conversations WHERE id IN (" OLD_CONVS ")",
	    /* analytics keep their counts, not who: no session, no visitor hash */
	    "UPDATE analytics_events e SET session_id = NULL, user_identifier = NULL, "
	    "user_agent = NULL FROM client_keys k WHERE k.id = e.client_key_id "
	    "AND e.created_at < now() - make_interval(days => $2::int) "
	    "AND (e.session_id IS NOT NULL OR e.user_identifier IS NOT NULL) "
	    "AND (k.user_id = $1::uuid OR ($1 IS NULL AND NOT k.user_id = ANY ($3::uuid[])))",
	};
	const char *d = cb_sprintf(req, "%lld", days);
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		cb_res *r = cb_db_q(req, sql[i], uid, d, exempt ? exempt : "{}");
		if (!r)
			return CB_EDB;
		*rows += affected(r);
	}
	return CB_OK;
}

/* POST /api/v1/widget/forget {client_key, session_id} — "Delete my
 * conversation": every plugin's visitor eraser for this widget session of the
 * key's owner. Announced as visitor.forgotten {user_id, rows} (the gdpr
 * plugin audits it). */
static int h_forget(cb_req *req)
{
	cors_allow(req);
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	cb_check *c = cb_check_new(req, body);
	const char *sid = cb_check_str(c, "session_id", CB_REQUIRED, 8, 64);
	if (sid &&
	    strspn(sid, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
	        strlen(sid))
		cb_check_fail(c, "session_id", "invalid", "8-64 of A-Z a-z 0-9 _ -");
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	const char *uid = cb_req_get(req, "key.user_id");
	cb_visitor v = CB_VISITOR_INIT;
	long long rows = 0;
	v.session_id = sid;
	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "forget: begin");
	for (size_t i = 0; cb_datasubject_at(i); i++) {
		const cb_datasubject *e = cb_datasubject_at(i);
		if (e->erase_visitor && e->erase_visitor(req, uid, &v, &rows) != CB_OK)
			return cb_reply_db_error(req, "forget: erase");
	}
	cb_json *ev = cb_json_new_object(req);
	cb_json_set_str(ev, "user_id", uid);
	cb_json_set_int(ev, "rows", rows);
	cb_emit(req, "visitor.forgotten", ev);
	if (cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "forget: commit");
	cb_json *o = cb_json_new_object(req);
	cb_json_set_int(o, "deleted", rows);
	return cb_reply_json(req, 200, o);
}

int gdpr_register(cb_plugin *p)
{
	if (cb_route_body(p, "POST", "/api/v1/widget/forget", CB_AUTH_CLIENT_KEY, NULL, h_forget,
	                  16384) != CB_OK ||
	    cb_route(p, "OPTIONS", "/api/v1/widget/forget", CB_AUTH_PUBLIC, NULL, h_preflight) !=
	        CB_OK)
		return CB_ERR;
	return cb_datasubject_register(p, &ds);
}
