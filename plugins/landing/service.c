/* service.c — "landing.v1" (landing_api.h): which page a widget request on
 * a hosted page comes from. The keys plugin's client-key authenticator asks
 * it when the widget names a page (X-CarBot-Page) instead of a key. */
#include <string.h>
#include <strings.h>

#include "landing.h"
#include "landing_api.h"

/* Splits origin "scheme://host[:port]" into its host (lower-cased, arena);
 * NULL when it is not such an origin. */
static const char *origin_host(cb_req *req, const char *origin)
{
	const char *h;
	size_t n, p;

	if (!origin)
		return NULL;
	if (strncmp(origin, "https://", 8) == 0)
		h = origin + 8;
	else if (strncmp(origin, "http://", 7) == 0)
		h = origin + 7;
	else
		return NULL;
	n = strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");
	if (n == 0 || n > 253)
		return NULL;
	if (h[n] == ':') {
		p = strspn(h + n + 1, "0123456789");
		if (p == 0 || p > 5 || h[n + 1 + p])
			return NULL;
	} else if (h[n]) {
		return NULL;
	}
	return lower_dup(req, cb_strndup(req, h, n));
}

/* The origin ("scheme://host[:port]") of url; arena. */
static const char *url_origin(cb_req *req, const char *url)
{
	const char *slash = strstr(url, "://");

	slash = slash ? strchr(slash + 3, '/') : NULL;
	return slash ? cb_strndup(req, url, (size_t)(slash - url)) : url;
}

/* 1 when origin is the local form: a page at /p/ on the host this request
 * was sent to, when that host is the API's own (IP literal, localhost,
 * base_domain). The browser's Origin is then site_url's scheme with the Host
 * header as sent (it carries the port); site_url made from the bare host
 * (site_url = http://{host}:8080) is accepted too, for a proxy in front. */
static int local_origin(cb_req *req, const char *origin)
{
	const char *raw = cb_req_header(req, "Host"), *name = NULL, *host = request_host(req);
	const char *site, *scheme;

	if (!raw || !host || host_kind(req, host, &name) != 0)
		return 0;
	site = url_origin(req, site_url_for(req, host));
	if (strcasecmp(site, origin) == 0)
		return 1;
	scheme = strncmp(site, "https://", 8) == 0 ? "https://" : "http://";
	return strcasecmp(cb_sprintf(req, "%s%s", scheme, raw), origin) == 0;
}

static int page_for_origin(cb_req *req, const char *page_id, const char *origin,
                           const char **user_id_out)
{
	const char *host = origin_host(req, origin), *sub, *domain;
	size_t n, base = strlen(lp_cf.base_domain);
	cb_res *res;

	if (user_id_out)
		*user_id_out = NULL;
	if (!host || !page_id || !cb_is_uuid(page_id))
		return CB_ENOTFOUND;
	res = cb_db_q(req,
	              "SELECT lp.user_id, lp.subdomain, lp.custom_domain FROM landing_pages lp "
	              "JOIN users u ON u.id = lp.user_id AND u.deleted_at IS NULL "
	              "WHERE lp.id = $1 AND lp.is_published",
	              page_id);
	if (!res) {
		cb_log(req, CB_LOG_ERROR, "landing.v1: page look-up failed: %s",
		       cb_db_sqlstate(req));
		return CB_EDB;
	}
	if (cb_res_rows(res) != 1)
		return CB_ENOTFOUND;
	sub = cb_res_val(res, 0, "subdomain");
	domain = cb_res_val(res, 0, "custom_domain");
	n = strlen(host);
	if ((sub && n == strlen(sub) + 1 + base && strncmp(host, sub, strlen(sub)) == 0 &&
	     host[strlen(sub)] == '.' && strcmp(host + strlen(sub) + 1, lp_cf.base_domain) == 0) ||
	    (domain && *domain && strcmp(host, domain) == 0) || local_origin(req, origin)) {
		if (user_id_out)
			*user_id_out = cb_res_val(res, 0, "user_id");
		return CB_OK;
	}
	return CB_ENOTFOUND;
}

static const struct landing_api api = {sizeof api, page_for_origin, svc_unpublish_beyond,
                                       svc_republish};

int service_register(cb_plugin *p)
{
	if (cb_service_provide(p, LANDING_SERVICE, &api) != CB_OK)
		return cb_plugin_fail(p, "service %s provided twice", LANDING_SERVICE);
	return CB_OK;
}
