/* serve.c — published pages for visitors: by Host ({subdomain}.{base_domain}
 * or a verified custom domain) at "/", at /p/{subdomain} for local use, and
 * each host's robots.txt and sitemap.xml.
 *
 * The core router has no catch-all route, so a landing host answers "/" (and
 * the fixed paths below); other paths on it get the core's JSON 404.
 *
 * "/" and /p/{subdomain} are fast routes (SDK 1.2): a cache hit that needs
 * no revalidation is answered on the I/O thread (f_serve_*), everything else
 * on the handler pool (h_serve_*). */
#include <string.h>

#include "landing.h"

static int is_ip_literal(const char *h)
{
	for (; *h; h++)
		if (!((*h >= '0' && *h <= '9') || *h == '.'))
			return 0;
	return 1;
}

char host_kind(cb_req *req, const char *host, const char **name)
{
	size_t n, base = strlen(lp_cf.base_domain);

	if (!host || is_ip_literal(host) || strcmp(host, "localhost") == 0 ||
	    strcmp(host, lp_cf.base_domain) == 0)
		return 0;
	n = strlen(host);
	if (base && n > base + 1 && host[n - base - 1] == '.' &&
	    strcmp(host + n - base, lp_cf.base_domain) == 0) {
		const char *label = cb_strndup(req, host, n - base - 1);
		if (!is_dns_label(label, 1, 63))
			return 'n'; /* a deeper name under ours: nobody's page */
		*name = label;
		return 's';
	}
	if (n > 10 && strcmp(host + n - 10, ".localhost") == 0)
		return 0;
	if (!strchr(host, '.'))
		return 0;
	*name = host;
	return 'd';
}

/* The published page named by kind and name (PAGE_COLS), or a result with
 * no rows; NULL on a database failure. */
cb_res *published_page(cb_req *req, char kind, const char *name)
{
	/* a deleted account's pages are offline whatever their flag says */
	return cb_db_q(req,
	               kind == 's' ? "SELECT " PAGE_COLS " FROM landing_pages lp "
	                             "JOIN users u ON u.id = lp.user_id AND u.deleted_at IS NULL "
	                             "WHERE lp.subdomain = $1 AND lp.is_published"
	                           : "SELECT " PAGE_COLS " FROM landing_pages lp "
	                             "JOIN users u ON u.id = lp.user_id AND u.deleted_at IS NULL "
	                             "WHERE lp.custom_domain = $1 AND lp.is_published",
	               name);
}

static int render_failed(cb_req *req)
{
	static const char page[] = "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\">"
	                           "<title>Fehler · Error</title></head><body><p>Diese Seite kann "
	                           "gerade nicht angezeigt werden. · This page cannot be shown "
	                           "right now.</p></body></html>\n";
	set_page_headers(req);
	cb_set_header(req, "Cache-Control", "no-store");
	return cb_reply(req, 500, "text/html; charset=utf-8", page, sizeof page - 1);
}

int serve_page(cb_req *req, char kind, const char *name)
{
	const char *key = cb_sprintf(req, "%c:%s", kind, name);
	int state = CACHE_EXPIRED, rc;
	struct cache_entry *e = cache_get(key, &state), *ne;
	struct rendered r;
	const char *id;
	long long version;
	cb_res *res;

	if (e && state == CACHE_FRESH) {
		rc = cache_page_id(e) ? respond_page(req, e) : respond_not_found(req);
		cache_release(e);
		return rc;
	}
	res = published_page(req, kind, name);
	if (!res) {
		cache_release(e);
		return cb_reply_db_error(req, "load published page");
	}
	if (cb_res_rows(res) != 1) {
		cache_release(e);
		cache_release(cache_put(key, NULL, 0, NULL, 0, 86400));
		return respond_not_found(req);
	}
	id = cb_res_val(res, 0, "id");
	version = cb_res_int(res, 0, "render_version");
	if (e && state == CACHE_STALE && cache_page_id(e) && strcmp(cache_page_id(e), id) == 0 &&
	    cache_version(e) == version) {
		cache_touch(e);
		rc = respond_page(req, e);
		cache_release(e);
		return rc;
	}
	cache_release(e);
	rc = page_render(req, res, 0, &r);
	if (rc == CB_EDB)
		return rc;
	if (rc != CB_OK)
		return render_failed(req);
	ne = cache_put(key, id, version, r.html, r.len, r.valid_s);
	if (!ne)
		return respond_html_nocache(req, 200, r.html, r.len);
	rc = respond_page(req, ne);
	cache_release(ne);
	return rc;
}

/* The I/O thread's answer (cb_route_fast): a cache entry confirmed less than
 * cache_revalidate_ms ago and not expired is answered from memory, exactly
 * as serve_page would; anything else (a miss, a stale or expired entry, which
 * need the database) returns CB_DEFER for the handler pool. Never blocks:
 * the cache's mutex is held only for the table look-up. */
static int serve_fast(cb_req *req, char kind, const char *name)
{
	int state = CACHE_EXPIRED, rc;
	struct cache_entry *e = cache_get(cb_sprintf(req, "%c:%s", kind, name), &state);

	if (!e)
		return CB_DEFER;
	if (state != CACHE_FRESH) {
		cache_release(e);
		return CB_DEFER;
	}
	rc = cache_page_id(e) ? respond_page(req, e) : respond_not_found(req);
	cache_release(e);
	return rc;
}

int f_serve_root(cb_req *req)
{
	const char *name = NULL;
	char kind = host_kind(req, request_host(req), &name);

	if (kind != 's' && kind != 'd')
		return CB_DEFER;
	return serve_fast(req, kind, name);
}

int f_serve_local(cb_req *req)
{
	const char *sub = lower_dup(req, cb_req_param(req, "subdomain"));

	if (!sub || !is_dns_label(sub, 1, 63))
		return CB_DEFER;
	return serve_fast(req, 's', sub);
}

int h_serve_root(cb_req *req)
{
	const char *name = NULL;
	char kind = host_kind(req, request_host(req), &name);

	if (!kind)
		return cb_reply_error(req, 404, "not_found", "No such resource");
	if (kind == 'n')
		return respond_not_found(req);
	return serve_page(req, kind, name);
}

int h_serve_local(cb_req *req)
{
	const char *sub = lower_dup(req, cb_req_param(req, "subdomain"));

	if (!sub || !is_dns_label(sub, 1, 63))
		return respond_not_found(req);
	return serve_page(req, 's', sub);
}

int h_robots(cb_req *req)
{
	static const char deny[] = "User-agent: *\nDisallow: /\n";
	const char *name = NULL;
	char kind = host_kind(req, request_host(req), &name);
	cb_res *res;

	cb_set_header(req, "Cache-Control", "public, max-age=300");
	if (!kind || kind == 'n')
		return cb_reply(req, 200, "text/plain; charset=utf-8", deny, sizeof deny - 1);
	res = published_page(req, kind, name);
	if (!res)
		return cb_reply_db_error(req, "robots.txt");
	if (cb_res_rows(res) != 1)
		return cb_reply(req, 200, "text/plain; charset=utf-8", deny, sizeof deny - 1);
	const char *text = cb_sprintf(req, "User-agent: *\nAllow: /\nSitemap: %s/sitemap.xml\n",
	                              page_site_url(req, res, 0));
	return cb_reply(req, 200, "text/plain; charset=utf-8", text, strlen(text));
}

int h_sitemap(cb_req *req)
{
	const char *name = NULL;
	char kind = host_kind(req, request_host(req), &name);
	cb_res *res;
	struct buf b;

	if (!kind)
		return cb_reply_error(req, 404, "not_found", "No such resource");
	if (kind == 'n')
		return respond_not_found(req);
	res = published_page(req, kind, name);
	if (!res)
		return cb_reply_db_error(req, "sitemap.xml");
	if (cb_res_rows(res) != 1)
		return respond_not_found(req);
	buf_init(&b, req);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	             "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n<url><loc>");
	html_escape(&b, cb_sprintf(req, "%s/", page_site_url(req, res, 0)));
	buf_printf(&b, "</loc><lastmod>%.10s</lastmod></url>\n</urlset>\n",
	           cb_res_val(res, 0, "updated_at"));
	cb_set_header(req, "Cache-Control", "public, max-age=300");
	return cb_reply(req, 200, "application/xml; charset=utf-8", b.p, b.len);
}
