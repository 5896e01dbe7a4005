/* serve.c — GET /admin/...: the built dashboard from memory.
 *
 * - files under assets/ carry a content hash in their names: cached for a
 *   year, immutable;
 * - index.html is never cached (a new build must reach the browser at
 *   once), other top-level files for an hour; every file has a strong ETag
 *   and If-None-Match gets 304;
 * - any other path without a file extension is a client route of the
 *   single-page app and gets index.html (so a reload of /admin/leads
 *   works); a missing asset or file is a 404, never HTML in place of code;
 * - a strict CSP: scripts, connections, frames and images only from this
 *   origin, no inline script, no plugins, not framable. Styles allow
 *   'unsafe-inline': Material UI's emotion and the widget's Shadow DOM
 *   (in the knowledge preview) write <style> elements at run time.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"

#define CSP_BASE                                                                                   \
	"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "                \
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; "         \
	"frame-src 'self'; base-uri 'none'; form-action 'self'; object-src 'none'; "

/* The preview page is framed by the dashboard itself and nothing else. */
#define PREVIEW "preview.html"

/* 1 when Accept-Encoding allows gzip (not "gzip;q=0"). */
static int accepts_gzip(const char *ae)
{
	const char *p = ae ? strcasestr(ae, "gzip") : NULL;

	if (!p)
		return 0;
	p += 4;
	while (*p == ' ')
		p++;
	if (*p == ';') {
		const char *v = strstr(p, "q=");
		if (v && strtod(v + 2, NULL) <= 0.0)
			return 0;
	}
	return 1;
}

static int not_modified(const char *inm, const char *etag)
{
	return inm && (strstr(inm, etag) || strcmp(inm, "*") == 0);
}

/* 1 when rel has a segment starting with '.' (no "..", no dot-files). */
static int has_dot_segment(const char *rel)
{
	for (const char *p = rel; *p; p++)
		if (*p == '.' && (p == rel || p[-1] == '/'))
			return 1;
	return 0;
}

/* 1 when the last segment of rel looks like a file name (has a '.'). */
static int looks_like_file(const char *rel)
{
	const char *last = strrchr(rel, '/');
	return strchr(last ? last + 1 : rel, '.') != NULL;
}

static int send_file(cb_req *req, const struct admin_file *f)
{
	int preview = strcmp(f->rel, PREVIEW) == 0, gz;

	if (f->immutable)
		cb_set_header(req, "Cache-Control", "public, max-age=31536000, immutable");
	else if (strcmp(f->rel, "index.html") == 0 || preview)
		cb_set_header(req, "Cache-Control", "no-cache, no-store, must-revalidate");
	else
		cb_set_header(req, "Cache-Control", "public, max-age=3600");
	cb_set_header(req, "ETag", f->etag);
	cb_set_header(req, "Vary", "Accept-Encoding");
	cb_set_header(req, "Content-Security-Policy",
	              preview ? CSP_BASE "frame-ancestors 'self'"
	                      : CSP_BASE "frame-ancestors 'none'");
	cb_set_header(req, "X-Frame-Options", preview ? "SAMEORIGIN" : "DENY");
	cb_set_header(req, "Cross-Origin-Opener-Policy", "same-origin");
	cb_set_header(req, "Cross-Origin-Resource-Policy", "same-origin");
	if (not_modified(cb_req_header(req, "If-None-Match"), f->etag))
		return cb_reply(req, 304, NULL, NULL, 0);
	gz = f->gz && accepts_gzip(cb_req_header(req, "Accept-Encoding"));
	if (gz)
		cb_set_header(req, "Content-Encoding", "gzip");
	return cb_reply(req, 200, f->type, gz ? f->gz : f->body, gz ? f->gz_len : f->len);
}

int admin_serve(cb_req *req)
{
	const char *path = cb_req_path(req), *rel;
	const struct admin_file *f;

	if (!admin_files_count())
		return cb_reply_error(
		    req, 404, "not_found",
		    "The dashboard has not been built on this server (make admin-ui)");
	/* the routes are /admin and /admin/...: strip "/admin" and the slash */
	rel = path + strlen("/admin");
	while (*rel == '/')
		rel++;
	if (has_dot_segment(rel))
		return cb_reply_error(req, 404, "not_found", "No such file");
	f = *rel ? admin_file_find(rel) : NULL;
	if (!f) {
		if (*rel && (strncmp(rel, "assets/", 7) == 0 || looks_like_file(rel)))
			return cb_reply_error(req, 404, "not_found", "No such file");
		f = admin_file_find("index.html");
	}
	return send_file(req, f);
}
