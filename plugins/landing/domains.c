/* domains.c — custom domains of a page: asking for a verification token,
 * checking it (verify.c), removing the domain, and the TLS ask endpoint that
 * Caddy's on-demand TLS calls before getting a certificate.
 *
 * A page's custom_domain is set only once a check succeeded. A domain proven
 * by a newer check moves to that page (its control was just proven; the
 * older page had it only as long as its owner controlled the domain). */
#include <string.h>

#include "landing.h"

#define VER_COLS                                                                                   \
	"id, domain, verification_token, verification_method, is_verified, last_error, "           \
	"expires_at < now() AS expired, " CB_SQL_TS("expires_at") " AS expires_at, " CB_SQL_TS(    \
	    "verified_at") " AS "                                                                  \
	                   "verified_at, " CB_SQL_TS("last_checked_at") " AS "                     \
	                                                                "last_checked_at"

static int is_method(const char *m)
{
	return strcmp(m, "dns") == 0 || strcmp(m, "file") == 0 || strcmp(m, "meta") == 0;
}

static cb_json *instructions(cb_req *req, const char *domain, const char *token, const char *sub)
{
	cb_json *o = cb_json_new_object(req), *d = cb_json_new_object(req);
	cb_json *f = cb_json_new_object(req), *m = cb_json_new_object(req);
	cb_json *r = cb_json_new_object(req);

	cb_json_set_str(d, "type", "TXT");
	cb_json_set_str(d, "name", cb_sprintf(req, "_carbot-verification.%s", domain));
	cb_json_set_str(d, "value", token);
	cb_json_set_str(f, "url",
	                cb_sprintf(req, "https://%s/.well-known/carbot-verification.txt", domain));
	cb_json_set_str(f, "content", token);
	cb_json_set_str(m, "url", cb_sprintf(req, "https://%s/", domain));
	cb_json_set_str(
	    m, "tag", cb_sprintf(req, "<meta name=\"carbot-verification\" content=\"%s\">", token));
	/* where the domain must point once verified, so visitors reach us */
	cb_json_set_str(r, "type", "CNAME");
	cb_json_set_str(r, "name", domain);
	cb_json_set_str(r, "value", cb_sprintf(req, "%s.%s", sub, lp_cf.base_domain));
	cb_json_set(o, "dns", d);
	cb_json_set(o, "file", f);
	cb_json_set(o, "meta", m);
	cb_json_set(o, "routing", r);
	return o;
}

static cb_json *verification_json(cb_req *req, const cb_res *v, const char *sub)
{
	cb_json *o = cb_json_new_object(req);
	const char *domain = cb_res_val(v, 0, "domain"),
	           *token = cb_res_val(v, 0, "verification_token");

	cb_json_set_str(o, "domain", domain);
	cb_json_set_str(o, "method", cb_res_val(v, 0, "verification_method"));
	cb_json_set_str(o, "token", token);
	cb_json_set_str(o, "status",
	                cb_res_bool(v, 0, "is_verified") ? "verified"
	                : cb_res_bool(v, 0, "expired")   ? "expired"
	                                                 : "pending");
	cb_json_set_str(o, "expires_at", cb_res_val(v, 0, "expires_at"));
	cb_json_set_str(o, "verified_at", cb_res_val(v, 0, "verified_at"));
	cb_json_set_str(o, "last_checked_at", cb_res_val(v, 0, "last_checked_at"));
	cb_json_set_str(o, "last_error", cb_res_val(v, 0, "last_error"));
	cb_json_set(o, "instructions", instructions(req, domain, token, sub));
	return o;
}

int h_domain_set(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	struct vctx v = {req, NULL, NULL};
	const char *domain = NULL, *method = "dns", *d = NULL;
	cb_res *page, *res;

	if (!body)
		return CB_OK;
	page = page_of_caller(req);
	if (!page)
		return FAILED(req);
	v.c = cb_check_new(req, body);
	if (v_text(&v, body, "", "domain", 1, 1, 253, 0, &domain) == 1)
		d = domain_check(&v, "domain", domain);
	if (v_text(&v, body, "", "method", 0, 1, 10, 0, &method) == 1 && !is_method(method))
		cb_check_fail(v.c, "method", "invalid", "method must be dns, file or meta");
	if (!cb_check_ok(v.c))
		return cb_check_reply(v.c);

	if (cb_db_begin(req) != CB_OK ||
	    !cb_db_q(
	        req,
	        "DELETE FROM domain_verifications WHERE landing_page_id = $1 AND NOT is_verified",
	        cb_res_val(page, 0, "id")))
		return cb_reply_db_error(req, "replace verification");
	res = cb_db_q(
	    req,
	    "INSERT INTO domain_verifications (landing_page_id, domain, verification_token, "
	    "verification_method, expires_at) VALUES ($1, $2, $3, $4, "
	    "now() + make_interval(secs => $5::bigint)) RETURNING " VER_COLS,
	    cb_res_val(page, 0, "id"), d, cb_random_hex(req, 16), method,
	    cb_sprintf(req, "%lld", lp_cf.token_ttl));
	if (!res || cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "insert verification");
	return cb_reply_json(req, 201,
	                     verification_json(req, res, cb_res_val(page, 0, "subdomain")));
}

int h_domain_get(cb_req *req)
{
	cb_res *page = page_of_caller(req), *res;
	cb_json *o;

	if (!page)
		return FAILED(req);
	res = cb_db_q(req,
	              "SELECT " VER_COLS " FROM domain_verifications WHERE landing_page_id = $1 "
	              "ORDER BY created_at DESC LIMIT 1",
	              cb_res_val(page, 0, "id"));
	if (!res)
		return cb_reply_db_error(req, "load verification");
	o = cb_json_new_object(req);
	cb_json_set_str(o, "custom_domain", cb_res_val(page, 0, "custom_domain"));
	cb_json_set(o, "verification",
	            cb_res_rows(res) ? verification_json(req, res, cb_res_val(page, 0, "subdomain"))
	                             : cb_json_new_null(req));
	return cb_reply_json(req, 200, o);
}

int h_domain_delete(cb_req *req)
{
	cb_res *page = page_of_caller(req);
	const char *id;

	if (!page)
		return FAILED(req);
	id = cb_res_val(page, 0, "id");
	if (cb_db_begin(req) != CB_OK ||
	    !cb_db_q(req, "DELETE FROM domain_verifications WHERE landing_page_id = $1", id) ||
	    !cb_db_q(req,
	             "UPDATE landing_pages SET custom_domain = NULL, ssl_enabled = false, "
	             "render_version = render_version + 1, updated_at = now() WHERE id = $1",
	             id) ||
	    cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "remove domain");
	cache_invalidate_page(id);
	return cb_reply(req, 204, NULL, NULL, 0);
}

/* Records a failed check and answers 422 with the reason. */
static int check_failed(cb_req *req, const char *vid, const char *method, const char *reason,
                        const char *why)
{
	cb_json *details = cb_json_new_array(req), *d = cb_json_new_object(req);

	cb_db_q(req,
	        "UPDATE domain_verifications SET last_checked_at = now(), last_error = $2 "
	        "WHERE id = $1",
	        vid, cb_sprintf(req, "%s: %s", reason, why));
	cb_json_set_str(d, "field", "domain");
	cb_json_set_str(d, "issue", reason);
	cb_json_set_str(d, "method", method);
	cb_json_set_str(d, "message", why);
	cb_json_push(details, d);
	return cb_reply_error_details(req, 422, "verification_failed",
	                              "The domain does not show the verification token yet",
	                              details);
}

/* Marks the check verified and moves the domain to the page, in one
 * transaction; drops the cached pages it changes. */
static int check_passed(cb_req *req, const char *page_id, const char *vid, const char *domain,
                        const char *method)
{
	cb_res *moved, *res;

	if (cb_db_begin(req) != CB_OK)
		return cb_reply_db_error(req, "begin");
	moved = cb_db_q(req,
	                "UPDATE landing_pages SET custom_domain = NULL, ssl_enabled = false, "
	                "render_version = render_version + 1, updated_at = now() "
	                "WHERE custom_domain = $1 AND id <> $2 RETURNING id",
	                domain, page_id);
	if (!moved ||
	    !cb_db_q(req,
	             "UPDATE domain_verifications SET is_verified = true, verified_at = now(), "
	             "last_checked_at = now(), last_error = NULL, verification_method = $2 "
	             "WHERE id = $1",
	             vid, method) ||
	    !cb_db_q(req,
	             "UPDATE landing_pages SET custom_domain = $2, ssl_enabled = true, "
	             "render_version = render_version + 1, updated_at = now() WHERE id = $1",
	             page_id, domain))
		return cb_reply_db_error(req, "store verified domain");
	res = cb_db_q(req, "SELECT " VER_COLS " FROM domain_verifications WHERE id = $1", vid);
	if (!res || cb_db_commit(req) != CB_OK)
		return cb_reply_db_error(req, "commit verified domain");
	for (int i = 0; i < cb_res_rows(moved); i++)
		cache_invalidate_page(cb_res_val(moved, i, "id"));
	cache_invalidate_page(page_id);
	return CB_OK;
}

int h_domain_verify(cb_req *req)
{
	cb_res *page = page_of_caller(req), *ver;
	const char *page_id, *method, *reason = "", *why = "", *vid, *domain, *m = NULL;
	cb_rate rate = CB_RATE_INIT;
	size_t len = 0;
	cb_json *o;
	int rc;

	if (!page)
		return FAILED(req);
	/* the same token works with every method: the body may pick another */
	cb_req_body(req, &len);
	if (len) {
		cb_json *body = cb_req_json(req);
		if (!body)
			return CB_OK;
		m = cb_json_get_str(body, "method");
		if (cb_json_get(body, "method") && (!m || !is_method(m))) {
			cb_check *c = cb_check_new(req, body);
			cb_check_fail(c, "method", "invalid", "method must be dns, file or meta");
			return cb_check_reply(c);
		}
	}
	page_id = cb_res_val(page, 0, "id");
	ver = cb_db_q(req,
	              "SELECT " VER_COLS " FROM domain_verifications WHERE landing_page_id = $1 "
	              "AND NOT is_verified ORDER BY created_at DESC LIMIT 1",
	              page_id);
	if (!ver)
		return cb_reply_db_error(req, "load verification");
	if (cb_res_rows(ver) != 1)
		return cb_reply_error(
		    req, 409, "no_pending_verification",
		    "No domain is waiting for verification: POST .../domain first");
	if (cb_res_bool(ver, 0, "expired"))
		return cb_reply_error(req, 409, "verification_expired",
		                      "The token has expired: POST .../domain for a new one");
	method = m ? m : cb_res_val(ver, 0, "verification_method");
	/* each check reaches out to the network: a few per hour per page */
	cb_ratelimit(req, cb_sprintf(req, "landing:verify:%s", page_id), lp_cf.verify_per_hour,
	             3600, 0, 1, &rate);
	if (!rate.allowed) /* over the limit, or Redis down with ratelimit_on_redis_down closed */
		return cb_ratelimit_reply(req, &rate);

	vid = cb_res_val(ver, 0, "id");
	domain = cb_res_val(ver, 0, "domain");
	rc = verify_domain(req, domain, method, cb_res_val(ver, 0, "verification_token"), &reason,
	                   &why);
	if (rc != CB_OK)
		return check_failed(req, vid, method, reason, why);
	rc = check_passed(req, page_id, vid, domain, method);
	if (rc != CB_OK)
		return rc;
	o = cb_json_new_object(req);
	cb_json_set_bool(o, "verified", 1);
	cb_json_set_str(o, "domain", domain);
	cb_json_set_str(o, "method", method);
	cb_json_set_str(o, "url", cb_sprintf(req, "%s/", site_url_for(req, domain)));
	return cb_reply_json(req, 200, o);
}

static int tls_ask_yes(cb_req *req, const char *domain)
{
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "domain", domain);
	cb_json_set_bool(o, "allowed", 1);
	return cb_reply_json(req, 200, o);
}

int h_tls_ask(cb_req *req)
{
	const char *domain = cb_req_query(req, "domain"), *name = NULL;
	char kind;
	cb_res *res;

	if (!domain || !*domain)
		return cb_reply_error(req, 400, "missing_domain", "Give ?domain=");
	domain = lower_dup(req, domain);
	kind = host_kind(req, domain, &name);
	if ((kind == 's' && !lp_cf.tls_ask_subdomains) || kind == 'n')
		kind = 0;
	if (!kind)
		return cb_reply_error(req, 404, "not_found", "No certificate for %s", domain);
	int allowed = 0;
	if (tls_ask_known(domain, &allowed))
		return allowed
		           ? tls_ask_yes(req, domain)
		           : cb_reply_error(req, 404, "not_found", "No certificate for %s", domain);
	if (!tls_ask_may_look_up()) {
		cb_set_header(req, "Retry-After", "1");
		return cb_reply_error(req, 429, "rate_limited",
		                      "Too many new names; ask again later");
	}
	res = cb_db_q(req,
	              kind == 's'
	                  ? "SELECT 1 FROM landing_pages lp JOIN users u ON u.id = lp.user_id "
	                    "AND u.deleted_at IS NULL WHERE lp.subdomain = $1 "
	                    "AND lp.is_published"
	                  : "SELECT 1 FROM landing_pages lp JOIN users u ON u.id = lp.user_id "
	                    "AND u.deleted_at IS NULL WHERE lp.custom_domain = $1 "
	                    "AND lp.is_published",
	              name);
	if (!res)
		return cb_reply_db_error(req, "tls ask");
	allowed = cb_res_rows(res) == 1;
	tls_ask_remember(domain, allowed);
	if (!allowed)
		return cb_reply_error(req, 404, "not_found", "No certificate for %s", domain);
	return tls_ask_yes(req, domain);
}
