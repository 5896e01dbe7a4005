/* deliver.c — webhook deliveries: queued per event and endpoint, POSTed by
 * the job notify.webhook, signed like Stripe signs its own:
 *
 *   CarBot-Signature: t=UNIX_SECONDS,v1=hex(HMAC-SHA-256(secret, "t.body"))
 *
 * A failure (no answer, timeout, a status outside 2xx) is recorded on the
 * delivery and retried by a new job after webhook_retry_base seconds times
 * 1, 5, 30, 120, 240, 480, 600 (about a day at the default of 60 s), so the
 * log can show when the next try is. Outbound calls go through cb_fetch's
 * SSRF guard; only a loopback literal with webhook_allow_loopback = on
 * passes it by (tests, development). */
#include <string.h>
#include <time.h>

#include "notify.h"

static const long long backoff[] = {1, 5, 30, 120, 240, 480, 600};

static const char *new_uuid(cb_req *req)
{
	char *h = cb_random_hex(req, 16);
	h[12] = '4';
	h[16] = "89ab"[h[16] % 4];
	return cb_sprintf(req, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

int webhook_queue(cb_req *req, const char *endpoint_id, const char *event, const cb_json *data,
                  const char **delivery_id)
{
	const char *id = new_uuid(req);
	cb_json *b = cb_json_new_object(req), *p;
	size_t len = 0;

	cb_json_set_str(b, "id", id);
	cb_json_set_str(b, "type", event);
	cb_json_set_int(b, "created", (long long)time(NULL));
	if (data) {
		char *copy = cb_json_dump(req, data, &len);
		cb_json_set(b, "data", cb_json_parse(req, copy, len, NULL, 0));
	} else {
		cb_json_set(b, "data", cb_json_new_object(req));
	}
	if (!cb_db_q(req,
	             "INSERT INTO notify_deliveries (id, webhook_id, event, body) "
	             "VALUES ($1, $2, $3, $4)",
	             id, endpoint_id, event, cb_json_dump(req, b, NULL)))
		return CB_EDB;
	p = cb_json_new_object(req);
	cb_json_set_str(p, "delivery_id", id);
	if (cb_job_enqueue(req, "notify.webhook", p, 0, NULL) != CB_OK)
		return CB_EDB;
	if (delivery_id)
		*delivery_id = id;
	return CB_OK;
}

int webhooks_fanout(cb_req *req, const char *user_id, const char *event, const cb_json *data)
{
	cb_res *r = cb_db_q(req,
	                    "SELECT id FROM notify_webhooks WHERE user_id = $1 AND active "
	                    "AND $2 = ANY (events) ORDER BY created_at",
	                    user_id, event);
	if (!r)
		return CB_EDB;
	for (int i = 0; i < cb_res_rows(r); i++) {
		int rc = webhook_queue(req, cb_res_val(r, i, "id"), event, data, NULL);
		if (rc != CB_OK)
			return rc;
	}
	return CB_OK;
}

static long long ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* POSTs body to url; fills status (0: none), ms and err. 1 when 2xx. */
static int post(cb_req *req, const char *url, const char *secret, const char *event, const char *id,
                const char *body, long *status, long long *ms, const char **err)
{
	long long t = (long long)time(NULL);
	const char *signed_part = cb_sprintf(req, "%lld.%s", t, body);
	const char *sig =
	    cb_hmac_sha256_hex(req, secret, strlen(secret), signed_part, strlen(signed_part));
	const char *headers[] = {"Content-Type: application/json",
	                         "User-Agent: CarBot-Webhooks/1.0",
	                         cb_sprintf(req, "CarBot-Signature: t=%lld,v1=%s", t, sig),
	                         cb_sprintf(req, "CarBot-Event: %s", event),
	                         cb_sprintf(req, "CarBot-Delivery: %s", id),
	                         NULL};
	cb_fetch_opts o = CB_FETCH_INIT;
	cb_fetch_res res = CB_FETCH_RES_INIT;
	struct timespec t0;
	int lo = 0;

	o.method = "POST";
	o.url = url;
	o.headers = headers;
	o.body = body;
	o.body_len = strlen(body);
	o.timeout_ms = (long)notify_cf.webhook_timeout_ms;
	o.max_bytes = 64 * 1024;
	o.public_only =
	    !(notify_cf.webhook_allow_loopback && url_is_private_literal(url, &lo) && lo);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = cb_fetch(req, &o, &res);
	*ms = ms_since(&t0);
	*status = rc == CB_OK ? res.status : 0;
	if (rc != CB_OK) {
		*err = cb_sprintf(req, "%s: %s", cb_strerror(rc), res.error ? res.error : "");
		return 0;
	}
	if (res.status < 200 || res.status > 299) {
		*err = cb_sprintf(req, "HTTP %ld", res.status);
		return 0;
	}
	*err = NULL;
	return 1;
}

int job_webhook(cb_req *req, const cb_json *payload)
{
	const char *id = cb_json_get_str(payload, "delivery_id"), *err = NULL;
	long status = 0;
	long long ms = 0;
	cb_res *r;

	if (!id || !cb_is_uuid(id))
		return CB_OK;
	if (cb_db_begin(req) != CB_OK)
		return CB_EDB;
	r = cb_db_q(req,
	            "SELECT d.event, d.body, d.status, d.attempts, w.url, w.secret, w.active "
	            "FROM notify_deliveries d JOIN notify_webhooks w ON w.id = d.webhook_id "
	            "WHERE d.id = $1 FOR UPDATE OF d",
	            id);
	if (!r)
		return CB_EDB;
	if (cb_res_rows(r) != 1 || strcmp(cb_res_val(r, 0, "status"), "delivered") == 0 ||
	    strcmp(cb_res_val(r, 0, "status"), "failed") == 0) {
		cb_db_rollback(req);
		return CB_OK;
	}
	long long attempt = cb_res_int(r, 0, "attempts") + 1;
	int ok = 0;
	if (!cb_res_bool(r, 0, "active"))
		err = "endpoint inactive";
	else
		ok = post(req, cb_res_val(r, 0, "url"), cb_res_val(r, 0, "secret"),
		          cb_res_val(r, 0, "event"), id, cb_res_val(r, 0, "body"), &status, &ms,
		          &err);
	long long delay = 0;
	if (!ok && cb_res_bool(r, 0, "active") && attempt < notify_cf.webhook_max_attempts) {
		size_t k = (size_t)attempt - 1;
		delay = notify_cf.webhook_retry_base *
		        backoff[k < CB_COUNT(backoff) ? k : CB_COUNT(backoff) - 1];
	}
	const char *st = ok ? "delivered" : delay ? "retrying" : "failed";
	if (!cb_db_q(req,
	             "UPDATE notify_deliveries SET status = $2, attempts = $3::int, "
	             "response_code = NULLIF($4::int, 0), duration_ms = $5::int, last_error = $6, "
	             "next_retry_at = CASE WHEN $7::bigint > 0 "
	             "  THEN now() + make_interval(secs => $7::bigint) END, "
	             "delivered_at = CASE WHEN $2 = 'delivered' THEN now() END WHERE id = $1",
	             id, st, cb_sprintf(req, "%lld", attempt), cb_sprintf(req, "%ld", status),
	             cb_sprintf(req, "%lld", ms), err, cb_sprintf(req, "%lld", delay)))
		return CB_EDB;
	if (delay) {
		cb_json *p = cb_json_new_object(req);
		cb_json_set_str(p, "delivery_id", id);
		if (cb_job_enqueue(req, "notify.webhook", p, delay, NULL) != CB_OK)
			return CB_EDB;
	}
	if (cb_db_commit(req) != CB_OK)
		return CB_EDB;
	/* not err: it may quote the URL, which may hold the receiver's token */
	cb_log(req, ok ? CB_LOG_INFO : CB_LOG_WARN, "notify: webhook delivery %s attempt %lld: %s",
	       id, attempt, st);
	return CB_OK;
}
