/* visitor.c — one visitor's own request to a business (Art. 15/17): the owner
 * finds them by a lead's e-mail or phone, or by a conversation id, and exports
 * (JSON, every plugin's visitor section) or deletes what the owner holds of
 * them. Also the audit entry of the widget's "Delete my conversation"
 * (visitor.forgotten, emitted by chat). */
#include <string.h>

#include "gdpr.h"

/* Reads the visitor from the body; NULL when a reply has been set. */
static cb_visitor *read_visitor(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	if (!body)
		return NULL;
	cb_check *c = cb_check_new(req, body);
	cb_visitor *v = cb_alloc(req, sizeof *v);
	v->size = sizeof *v;
	v->email = cb_check_str(c, "email", CB_OPTIONAL, 3, 254);
	v->phone = cb_check_str(c, "phone", CB_OPTIONAL, 6, 32);
	v->conversation_id = cb_check_str(c, "conversation_id", CB_OPTIONAL, 36, 36);
	if (v->conversation_id && !cb_is_uuid(v->conversation_id))
		cb_check_fail(c, "conversation_id", "invalid", "A conversation id is a UUID");
	if (v->email && !strchr(v->email, '@'))
		cb_check_fail(c, "email", "invalid", "An e-mail address has an @");
	if (cb_check_ok(c) && !v->email && !v->phone && !v->conversation_id)
		cb_check_fail(c, "email", "required",
		              "Give an e-mail, a phone or a conversation_id");
	if (!cb_check_ok(c)) {
		cb_check_reply(c);
		return NULL;
	}
	return v;
}

int h_visitor_export(cb_req *req)
{
	const char *uid = cb_req_get(req, "user.id");
	cb_visitor *v = read_visitor(req);
	if (!v)
		return CB_OK;
	cb_json *out = cb_json_new_object(req), *secs = cb_json_new_object(req);
	cb_json_set_int(out, "schema_version", 1);
	for (size_t i = 0; cb_datasubject_at(i); i++) {
		const cb_datasubject *ds = cb_datasubject_at(i);
		if (ds->export_visitor && ds->export_visitor(req, uid, v, secs) != CB_OK)
			return cb_reply_db_error(req, "visitor export");
	}
	cb_json_set(out, "sections", secs);
	if (audit(req, uid, "visitor.exported", "owner", 0) != CB_OK)
		return cb_reply_db_error(req, "visitor export: audit");
	return cb_reply_json(req, 200, out);
}

int h_visitor_delete(cb_req *req)
{
	const char *uid = cb_req_get(req, "user.id");
	cb_visitor *v = read_visitor(req);
	long long rows = 0;
	if (!v)
		return CB_OK;
	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "visitor delete: begin");
	for (size_t i = 0; cb_datasubject_at(i); i++) {
		const cb_datasubject *ds = cb_datasubject_at(i);
		if (ds->erase_visitor && ds->erase_visitor(req, uid, v, &rows) != CB_OK)
			return cb_reply_db_error(req, "visitor delete");
	}
	if (audit(req, uid, "visitor.deleted", "owner", rows) != CB_OK)
		return cb_reply_db_error(req, "visitor delete: audit");
	if (cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "visitor delete: commit");
	cb_json *o = cb_json_new_object(req);
	cb_json_set_int(o, "deleted", rows);
	return cb_reply_json(req, 200, o);
}

int on_visitor_forgotten(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	long long rows = 0;
	(void)event;
	(void)udata;
	const char *uid = cb_json_get_str(data, "user_id");
	if (!cb_is_uuid(uid))
		return CB_OK;
	cb_json_int(cb_json_get(data, "rows"), &rows);
	return audit(req, uid, "visitor.forgot_self", "visitor", rows);
}
