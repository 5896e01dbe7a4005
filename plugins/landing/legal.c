/* legal.c — what German law asks of a business website, hosted by CarBot:
 * the Impressum (§ 5 DDG) from structured fields, a privacy page that says
 * what this page and its chat actually store and for how long, and, for any
 * other path on a page's host, an HTML 404 in the page's own colours. The
 * texts are in legal_text.c; the shell here gives them the page's design. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "landing.h"

/* ------------------------------------------------------------ checking */

/* configuration.imprint and configuration.privacy, checked into out. */
void legal_check(struct vctx *v, const cb_json *conf, const char *path, cb_json *out)
{
	static const struct {
		const char *name;
		size_t max;
		int multiline;
	} imprint[] = {{"name", 160, 0},           {"legal_form", 60, 0},
	               {"representative", 200, 0}, {"address", 300, 1},
	               {"phone", 40, 0},           {"email", 254, 0},
	               {"register_court", 120, 0}, {"register_number", 60, 0},
	               {"vat_id", 20, 0},          {"supervisory_authority", 300, 1},
	               {"chamber", 300, 1},        {"extra", 2000, 1}};
	const cb_json *in = v_object(v, conf, path, "imprint", 0);
	const char *s = NULL;

	if (in) {
		const char *ip = vpath(v, path, "imprint");
		cb_json *o = cb_json_new_object(v->req);
		for (size_t i = 0; i < sizeof imprint / sizeof imprint[0]; i++) {
			const char *f = vpath(v, ip, imprint[i].name);
			if (v_text(v, in, ip, imprint[i].name, 0, 0, imprint[i].max,
			           imprint[i].multiline, &s) != 1 ||
			    !*s)
				continue;
			if (strcmp(imprint[i].name, "phone") == 0 && !is_phone(s))
				cb_check_fail(v->c, f, "invalid", "%s must be a phone number", f);
			else if (strcmp(imprint[i].name, "email") == 0 && !is_email(s))
				cb_check_fail(v->c, f, "invalid", "%s must be an e-mail address",
				              f);
			else
				cb_json_set_str(o, imprint[i].name, s);
		}
		cb_json_set(out, "imprint", o);
	}
	in = v_object(v, conf, path, "privacy", 0);
	if (in) {
		const char *pp = vpath(v, path, "privacy");
		cb_json *o = cb_json_new_object(v->req);
		if (v_text(v, in, pp, "officer", 0, 0, 300, 1, &s) == 1 && *s)
			cb_json_set_str(o, "officer", s);
		if (v_text(v, in, pp, "extra", 0, 0, 6000, 1, &s) == 1 && *s)
			cb_json_set_str(o, "extra", s);
		cb_json_set(out, "privacy", o);
	}
}

static const char *field(const cb_json *o, const char *key)
{
	const char *s = cb_json_get_str(o, key);
	return s && *s ? s : NULL;
}

const char *imprint_value(const cb_json *conf, const char *key)
{
	const cb_json *im = cb_json_get(conf, "imprint"), *ci = cb_json_get(conf, "contact_info");
	const char *s = field(im, key);

	if (s)
		return s;
	if (strcmp(key, "name") == 0)
		return field(conf, "business_name");
	if (!strcmp(key, "address") || !strcmp(key, "phone") || !strcmp(key, "email"))
		return field(ci, key);
	return NULL;
}

const char *imprint_missing(cb_req *req, const cb_json *conf)
{
	struct buf b;

	if (field(conf, "imprint_url"))
		return NULL; /* the owner's own Impressum elsewhere */
	buf_init(&b, req);
	if (!field(cb_json_get(conf, "imprint"), "representative"))
		buf_puts(&b, ", imprint.representative (who runs or represents the business)");
	if (!imprint_value(conf, "address"))
		buf_puts(&b, ", imprint.address (or contact_info.address)");
	if (!imprint_value(conf, "email"))
		buf_puts(&b, ", imprint.email (or contact_info.email)");
	return b.len ? b.p + 2 : NULL;
}

/* -------------------------------------------------------------- design */

static double channel(int c)
{
	double x = c / 255.0;
	return x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4);
}

static double luminance(const char *hex)
{
	unsigned r = 0, g = 0, b = 0;

	if (!hex || sscanf(hex, "#%2x%2x%2x", &r, &g, &b) != 3)
		return 0.07;
	return 0.2126 * channel((int)r) + 0.7152 * channel((int)g) + 0.0722 * channel((int)b);
}

static double contrast(double a, double b)
{
	return a > b ? (a + 0.05) / (b + 0.05) : (b + 0.05) / (a + 0.05);
}

static const char *font_stack(const char *f)
{
	if (f && strcmp(f, "serif") == 0)
		return "Georgia,Cambria,'Times New Roman',serif";
	if (f && strcmp(f, "rounded") == 0)
		return "ui-rounded,'SF Pro Rounded','Segoe UI',system-ui,sans-serif";
	if (f && strcmp(f, "mono") == 0)
		return "ui-monospace,Menlo,Consolas,monospace";
	return "system-ui,-apple-system,'Segoe UI',Roboto,sans-serif";
}

void legal_shell(struct buf *b, const cb_json *conf, const char *title, const char *body,
                 const char *home, int noindex)
{
	const cb_json *theme = cb_json_get(conf, "theme");
	const char *primary = field(theme, "primary_color"), *locale = field(conf, "locale");
	const char *name = field(conf, "business_name");
	int en = locale && strcmp(locale, "en") == 0;
	double l;

	if (!primary || !is_color(primary))
		primary = "#1f4e79";
	l = luminance(primary);
	buf_printf(b,
	           "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n%s"
	           "<title>",
	           en ? "en" : "de", noindex ? "<meta name=\"robots\" content=\"noindex\">\n" : "");
	html_escape(b, title);
	if (name) {
		buf_puts(b, " · ");
		html_escape(b, name);
	}
	/* the page's colour as the header's backing, its text black or white,
	 * whichever reads better (>= 4.58:1 for any colour); links on white in
	 * the colour only when it reaches 4.5:1 */
	buf_printf(
	    b,
	    "</title>\n<style>*{box-sizing:border-box}html{-webkit-text-size-adjust:100%%}"
	    "body{margin:0;font-family:%s;line-height:1.6;color:#1d232a;background:#fff;"
	    "overflow-wrap:anywhere}.w{max-width:46rem;margin:0 auto;padding:1rem 1.25rem}"
	    "header{background:%s;color:%s}header a{color:inherit;font-weight:700;"
	    "font-size:1.15rem;text-decoration:none}header a:hover{text-decoration:underline}"
	    "main a{color:%s}h1{font-size:1.75rem;line-height:1.25;margin:1rem 0}"
	    "h2{font-size:1.2rem;margin:1.75rem 0 .5rem}p,dd{white-space:pre-line}"
	    "dl{margin:0}dt{font-weight:700;margin-top:.75rem}dd{margin:0}"
	    ".note{border-left:4px solid #b45309;background:#fff7ed;padding:.5rem .75rem}"
	    "footer{border-top:1px solid #d5dae0;margin-top:2rem;color:#3d4853}"
	    "footer nav{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem}"
	    "footer a{color:#1d232a}a:focus-visible{outline:3px solid #1d232a;"
	    "outline-offset:2px}.skip{position:absolute;left:-999px}.skip:focus{left:1rem;"
	    "top:1rem;background:#fff;color:#1d232a;padding:.5rem}</style>\n</head>\n<body>\n"
	    "<a class=\"skip\" href=\"#main\">%s</a>\n<header><div class=\"w\"><a href=\"%s\">",
	    font_stack(field(theme, "font_family")), primary,
	    contrast(l, 1.0) >= contrast(l, 0.0) ? "#ffffff" : "#000000",
	    contrast(l, 1.0) >= 4.5 ? primary : "#1d232a", en ? "Skip to content" : "Zum Inhalt",
	    home);
	html_escape(b, name ? name : (en ? "Home" : "Startseite"));
	buf_printf(b, "</a></div></header>\n<main id=\"main\" class=\"w\">\n");
	buf_puts(b, body);
	buf_printf(b,
	           "</main>\n<footer class=\"w\"><nav aria-label=\"%s\"><a href=\"%s\">%s</a>"
	           "<a href=\"%s\">%s</a><a href=\"%s\">%s</a></nav></footer>\n</body>\n</html>\n",
	           en ? "Legal" : "Rechtliches", home, en ? "Home" : "Startseite",
	           legal_link(b->req, conf, home, 0), en ? "Legal notice" : "Impressum",
	           legal_link(b->req, conf, home, 1), en ? "Privacy" : "Datenschutz");
}

const char *legal_link(cb_req *req, const cb_json *conf, const char *home, int privacy)
{
	const char *own = field(conf, privacy ? "privacy_url" : "imprint_url");

	if (own)
		return html_esc(req, own);
	return cb_sprintf(req, "%s%s", strcmp(home, "/") == 0 ? "" : home,
	                  privacy ? "/datenschutz" : "/impressum");
}

/* ------------------------------------------------------------- serving */

static int reply_html(cb_req *req, int status, const struct buf *b)
{
	set_page_headers(req);
	cb_set_header(req, "Cache-Control",
	              status == 200 ? "public, no-cache, s-maxage=60" : "no-cache");
	return cb_reply(req, status, "text/html; charset=utf-8", b->p, b->len);
}

/* The published page of this request's host, or NULL having answered (JSON
 * 404 on the API's own hosts, the plain HTML 404 for nobody's page). */
static cb_res *host_page(cb_req *req, int *rc)
{
	const char *name = NULL;
	char kind = host_kind(req, request_host(req), &name);
	cb_res *res;

	if (!kind) {
		*rc = cb_reply_error(req, 404, "not_found", "No such resource");
		return NULL;
	}
	if (kind == 'n') {
		*rc = respond_not_found(req);
		return NULL;
	}
	res = published_page(req, kind, name);
	if (!res) {
		*rc = reply_db_error(req, "legal page");
		return NULL;
	}
	if (cb_res_rows(res) != 1) {
		*rc = respond_not_found(req);
		return NULL;
	}
	return res;
}

static int legal_page(cb_req *req, int privacy)
{
	int rc = CB_OK;
	cb_res *res = host_page(req, &rc);
	cb_json *conf;
	const char *own;
	struct buf body, page;

	if (!res)
		return rc;
	conf = json_col(req, res, 0, "configuration");
	own = field(conf, privacy ? "privacy_url" : "imprint_url");
	if (own) {
		/* the owner keeps it elsewhere: the page's links point there too */
		cb_set_header(req, "Location", own);
		return cb_reply(req, 302, NULL, NULL, 0);
	}
	buf_init(&body, req);
	if (privacy)
		privacy_body(&body, conf);
	else
		imprint_body(&body, conf);
	buf_init(&page, req);
	legal_shell(&page, conf, legal_title(conf, privacy), body.p, "/", 0);
	return reply_html(req, 200, &page);
}

int h_imprint(cb_req *req)
{
	return legal_page(req, 0);
}

int h_privacy(cb_req *req)
{
	return legal_page(req, 1);
}

/* Any other path on a page's host: a 404 in the page's design. */
int h_not_a_page(cb_req *req)
{
	int rc = CB_OK;
	cb_res *res = host_page(req, &rc);
	cb_json *conf;
	struct buf body, page;
	int en;

	if (!res)
		return rc;
	conf = json_col(req, res, 0, "configuration");
	en = field(conf, "locale") && strcmp(field(conf, "locale"), "en") == 0;
	buf_init(&body, req);
	buf_printf(&body, "<h1>%s</h1>\n<p>%s</p>\n<p><a href=\"/\">%s</a></p>\n",
	           en ? "Page not found" : "Seite nicht gefunden",
	           en ? "There is no page at this address."
	              : "Unter dieser Adresse gibt es keine Seite.",
	           en ? "To the home page" : "Zur Startseite");
	buf_init(&page, req);
	legal_shell(&page, conf, en ? "Page not found" : "Seite nicht gefunden", body.p, "/", 1);
	return reply_html(req, 404, &page);
}
