/* sessions.c — visitors, sessions and the short-lived conversation context.
 *
 * A visitor is HMAC-SHA-256(visitor_salt, IP, user agent, key id): stable
 * for a key, useless for finding the IP, different across businesses. The
 * IP itself is never stored. A session id is 128 random bits in hex, issued
 * by init and remembered in Redis for a day so init can resume it. The
 * context (the conversation's last turns and the lead in progress) lives in
 * Redis under the session with the idle TTL (30 min): the spec's
 * conversation cache. */
#include <stdio.h>
#include <string.h>

#include "chat.h"

char *new_session_id(cb_req *req)
{
	return cb_random_hex(req, 16);
}

int session_id_ok(const char *s)
{
	size_t n = 0;

	if (!s)
		return 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '-' || s[n] == '_'))
			return 0;
	return n >= 8 && n <= 64;
}

char *visitor_id(cb_req *req, const char *key_id)
{
	const char *ip = cb_req_client_ip(req);
	const char *ua = cb_req_header(req, "User-Agent");
	char *msg = cb_sprintf(req, "%s\n%s\n%s", ip, ua ? ua : "", key_id);

	return cb_hmac_sha256_hex(req, chat_cf.visitor_salt, chat_cf.visitor_salt_len, msg,
	                          strlen(msg));
}

const char *ctx_key(cb_req *req, const char *key_id, const char *session_id)
{
	return cb_sprintf(req, "chat:ctx:%s:%s", key_id, session_id);
}

cb_json *ctx_load(cb_req *req, const cb_redis_reply *r)
{
	size_t len = 0;
	const char *s = cb_redis_type(r) == CB_REDIS_STRING ? cb_redis_str(r, &len) : NULL;
	cb_json *ctx = s ? cb_json_parse(req, s, len, NULL, 0) : NULL;

	if (cb_json_type(ctx) != CB_JSON_OBJECT)
		ctx = cb_json_new_object(req);
	if (cb_json_type(cb_json_get(ctx, "hist")) != CB_JSON_ARRAY)
		cb_json_set(ctx, "hist", cb_json_new_array(req));
	return ctx;
}

int ctx_save(cb_req *req, const char *key_id, const char *session_id, const cb_json *ctx)
{
	char ttl[24];
	const char *text = cb_json_dump(req, ctx, NULL);

	snprintf(ttl, sizeof(ttl), "%lld", chat_cf.idle_minutes * 60);
	return cb_redis_send_c(req, "SET", ctx_key(req, key_id, session_id), text, "EX", ttl);
}

#define HIST_TEXT_MAX 600

void ctx_push(cb_req *req, cb_json *ctx, const char *role, const char *text)
{
	cb_json *old = cb_json_get(ctx, "hist");
	cb_json *hist = cb_json_new_array(req);
	size_t n = cb_json_len(old), keep = (size_t)chat_cf.llm_history;
	size_t from = n + 1 > keep ? n + 1 - keep : 0;
	size_t len = strlen(text);
	cb_json *turn = cb_json_new_object(req);

	for (size_t i = from; i < n; i++)
		cb_json_push(hist, cb_json_at(old, i));
	if (len > HIST_TEXT_MAX) { /* cut at a character boundary */
		len = HIST_TEXT_MAX;
		while (len && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
	}
	cb_json_set_str(turn, "r", role);
	cb_json_set(turn, "c", cb_json_new_strn(req, text, len));
	if (keep)
		cb_json_push(hist, turn);
	cb_json_set(ctx, "hist", hist);
}

static const char *sess_key(cb_req *req, const char *key_id, const char *session_id)
{
	return cb_sprintf(req, "chat:sess:%s:%s", key_id, session_id);
}

int session_remember(cb_req *req, const char *key_id, const char *session_id)
{
	cb_redis_reply *r =
	    cb_redis_c(req, "SET", sess_key(req, key_id, session_id), "1", "EX", "86400");
	return cb_redis_type(r) == CB_REDIS_STRING ? CB_OK : CB_EREDIS;
}

int session_known(cb_req *req, const char *key_id, const char *session_id)
{
	cb_redis_reply *r = cb_redis_c(req, "EXISTS", sess_key(req, key_id, session_id));

	if (cb_redis_int(r) == 1)
		return 1;
	/* Redis forgot (restart): a conversation of this key with it will do */
	cb_res *c = cb_db_q(req,
	                    "SELECT 1 FROM conversations WHERE client_key_id = $1 AND session_id = "
	                    "$2 LIMIT 1",
	                    key_id, session_id);
	return cb_res_rows(c) == 1;
}
