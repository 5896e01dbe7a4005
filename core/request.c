/* request.c — what a handler reads from its request (http.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core.h"

const char *cb_req_method(cb_req *req)
{
	return req->method ? req->method : "";
}

const char *cb_req_path(cb_req *req)
{
	if (!req->path)
		return "";
	char *d = pct_decode(req, req->path, strlen(req->path), 0);
	return d ? d : req->path;
}

const char *cb_req_param(cb_req *req, const char *name)
{
	for (int i = 0; i < req->nparams; i++)
		if (strcmp(req->param_names[i], name) == 0)
			return req->param_values[i];
	return NULL;
}

const char *cb_req_query(cb_req *req, const char *name)
{
	size_t nlen = strlen(name);
	for (const char *p = req->query; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		char *key = pct_decode(req, p, klen, 1);
		if (key && strlen(key) == nlen && memcmp(key, name, nlen) == 0) {
			if (!eq)
				return "";
			return pct_decode(req, eq + 1, len - klen - 1, 1);
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return NULL;
}

const char *cb_req_header(cb_req *req, const char *name)
{
	for (struct kv *h = req->headers; h; h = h->next)
		if (strcasecmp(h->name, name) == 0)
			return h->value;
	return NULL;
}

const char *cb_req_body(cb_req *req, size_t *len)
{
	if (len)
		*len = req->body ? req->body_len : 0;
	return req->body ? req->body : "";
}

cb_json *cb_req_json(cb_req *req)
{
	if (req->json)
		return req->json;
	const char *ct = cb_req_header(req, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		reply_error_plain(req, 415, "unsupported_media_type",
				  "Send the body as JSON with Content-Type: application/json");
		return NULL;
	}
	char why[128];
	cb_json *v = cb_json_parse(req, req->body ? req->body : "", req->body_len, why, sizeof why);
	if (!v) {
		cb_reply_error(req, 400, "malformed_json", "The body is not valid JSON: %s", why);
		return NULL;
	}
	if (cb_json_type(v) != CB_JSON_OBJECT) {
		reply_error_plain(req, 400, "malformed_json", "The body must be a JSON object");
		return NULL;
	}
	req->json = v;
	return v;
}

const char *cb_req_id(cb_req *req)
{
	return req->id ? req->id : "";
}

const char *cb_req_client_ip(cb_req *req)
{
	return req->client_ip ? req->client_ip : "";
}

const char *cb_req_route(cb_req *req)
{
	return req->route ? req->route->label : "";
}

int cb_req_set(cb_req *req, const char *name, const char *value)
{
	if (!name)
		return CB_EINVAL;
	for (struct kv *a = req->attrs; a; a = a->next)
		if (strcmp(a->name, name) == 0) {
			a->value = cb_strdup(req, value);
			return CB_OK;
		}
	struct kv *a = cb_alloc(req, sizeof *a);
	a->name = cb_strdup(req, name);
	a->value = cb_strdup(req, value);
	a->next = req->attrs;
	req->attrs = a;
	return CB_OK;
}

const char *cb_req_get(cb_req *req, const char *name)
{
	for (struct kv *a = req->attrs; a && name; a = a->next)
		if (strcmp(a->name, name) == 0)
			return a->value;
	return NULL;
}
