/* landing.h — what the landing plugin's files share.
 *
 * The plugin is built with -fvisibility=hidden: nothing declared here leaves
 * the shared object. Only carbot_plugin() (CB_PLUGIN in plugin.c) is exported.
 */
#ifndef LANDING_LANDING_H
#define LANDING_LANDING_H

#include <stddef.h>
#include <time.h>

#include <carbot/sdk.h>

#include <carbot/services/templates_api.h>

/* ---- settings (plugin.c) ---- */

struct landing_conf {
	const char *base_domain;       /* pages live at {subdomain}.{base_domain} */
	const char *site_url;          /* "https://{host}": canonical URL of a page */
	const char *asset_dir;         /* absolute after init */
	const char *widget_url;        /* src of the chat widget script */
	const char *timezone;          /* of opening hours, e.g. Europe/Berlin */
	const char *verify_url;        /* "https://{domain}": base of file/meta checks */
	const char *dns_server;        /* "" = the system's resolvers, else "IP:PORT" */
	long long verify_timeout_ms;   /* each domain check, all in */
	long long verify_per_hour;     /* domain checks per page and hour */
	long long token_ttl;           /* seconds a verification token stays valid */
	long long max_pages;           /* landing pages per user */
	long long cache_max_bytes;     /* rendered pages kept in process memory */
	long long cache_revalidate_ms; /* how stale a cached page may be across processes */
	int tls_ask_subdomains;        /* the TLS ask also says yes to {sub}.{base} */
	int require_imprint;           /* publishing without an Impressum: 422 (off: a warning) */
	long long tls_ask_cache_ms;    /* TLS ask answers kept in memory (0: not kept) */
	long long tls_ask_per_second;  /* TLS ask database look-ups per second, then 429 */
};
extern struct landing_conf lp_cf;

/* templates.v1, looked up at init (the templates plugin loads first). */
extern const struct templates_api *lp_tpl;

/* ---- small shared helpers (util.c) ---- */

/* The SDK's one database-error reply; the old name stays for code written
 * before it moved to the core (SDK 1.6). */
#define reply_db_error cb_reply_db_error

/* Lower-cased copy of s in req's arena. */
char *lower_dup(cb_req *req, const char *s);

/* The request's host (Host header, lower-cased, without port and trailing
 * dot), or NULL when absent or malformed. */
const char *request_host(cb_req *req);

/* site_url with {host} replaced by host, without a trailing slash. */
char *site_url_for(cb_req *req, const char *host);

/* ---- a growable string in a request's arena (buf.c) ---- */

struct buf {
	cb_req *req;
	char *p;
	size_t len, cap;
};

void buf_init(struct buf *b, cb_req *req);
void buf_add(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- HTML escaping (html.c) ---- */

/* Appends s escaped for HTML text and attribute values: & < > " ' ` = become
 * character references. */
void html_escape(struct buf *b, const char *s);

/* s escaped as above, in req's arena. */
char *html_esc(cb_req *req, const char *s);

/* ---- validation of user input (validate.c) ---- */

/* A place to record problems under dotted field paths. */
struct vctx {
	cb_req *req;
	cb_check *c;
	const char *page_id; /* the page being changed; NULL while it is created. An
	                      * image may be an upload of this page only. */
};

/* "prefix.key", or key when prefix is empty. */
const char *vpath(struct vctx *v, const char *prefix, const char *key);

/* Text member key of obj: 1 (stored in *out), 0 absent or null (recorded as
 * missing when required), -1 invalid (recorded). Control characters are
 * refused, except line breaks and tabs when multiline is set. */
int v_text(struct vctx *v, const cb_json *obj, const char *prefix, const char *key, int required,
           size_t min, size_t max, int multiline, const char **out);

/* Number member within min..max; returns as v_text. */
int v_num(struct vctx *v, const cb_json *obj, const char *prefix, const char *key, double min,
          double max, double *out);

/* Object (or array, for v_array) member: returns it, or NULL when absent or
 * null (missing when required) or of another type (recorded). */
const cb_json *v_object(struct vctx *v, const cb_json *obj, const char *prefix, const char *key,
                        int required);
const cb_json *v_array(struct vctx *v, const cb_json *obj, const char *prefix, const char *key,
                       size_t max);

/* Format checks; each returns 1 when s is fine. */
int is_dns_label(const char *s, size_t min, size_t max);
int is_color(const char *s);
int is_http_url(const char *s);
int is_email(const char *s);
int is_phone(const char *s);
int is_hhmm(const char *s, int allow_24);

/* 1 when s is a subdomain nobody may take (www, api, admin, ...). */
int subdomain_reserved(const char *s);

/* Checks a custom domain; returns it normalised (lower case, no trailing
 * dot) in req's arena, or NULL with a detail recorded under field. */
const char *domain_check(struct vctx *v, const char *field, const char *domain);

/* ---- the page's configuration (config.c, hours.c, seo_conf.c) ---- */

/* Checks a whole configuration object (create, or PATCH after merging the
 * stored one with the patch) and returns the normalised object to store;
 * problems are recorded in v (the result is then meaningless). */
cb_json *config_check(struct vctx *v, const cb_json *conf, const char *path);

/* The same for the SEO settings. */
cb_json *seo_check(struct vctx *v, const cb_json *seo, const char *path);

/* Checks contact_info.hours (an object keyed by weekday) and returns it
 * normalised: every weekday as {"closed": bool, "ranges": [{open, close}]}. */
cb_json *hours_check(struct vctx *v, const cb_json *hours, const char *path);

extern const char *const weekday_keys[7]; /* monday .. sunday */

/* The hours part of the page context for local time (isodow 1..7 = Monday
 * .. Sunday, minute of the day): days, open_now, closes_at, opens_at, note.
 * *valid_s is how many seconds this answer holds (until the next opening or
 * closing). */
cb_json *hours_context(cb_req *req, const cb_json *hours, const char *locale, const char *note,
                       int isodow, int minute, int second, long long *valid_s);

/* ---- pages in the database (pages.c) ---- */

/* Column list every page query selects (alias lp). */
#define PAGE_COLS                                                                                  \
	"lp.id, lp.user_id, lp.template_id, lp.subdomain, lp.custom_domain, lp.ssl_enabled, "      \
	"lp.configuration::text AS configuration, lp.seo_settings::text AS seo_settings, "         \
	"lp.is_published, lp.render_version, " CB_SQL_TS(                                          \
	    "lp.published_at") " AS "                                                              \
	                       "published_at, " CB_SQL_TS(                                         \
	                           "lp.created_at") " AS "                                         \
	                                            "created_at, " CB_SQL_TS(                      \
	                                                "lp.updated_at") " AS "                    \
	                                                                 "updated_at"

/* The caller's page {id} (path parameter) as a one-row result with
 * PAGE_COLS. NULL otherwise: with a 404 set for a malformed id, a page of
 * someone else or none; with no response on a database failure (return
 * FAILED(req) then). */
cb_res *page_of_caller(cb_req *req);

/* What a handler returns after a helper gave up: CB_OK when the helper set a
 * response, else CB_EDB so the core answers 500 (or 503 when the database is
 * unreachable). */
#define FAILED(req) (cb_replied(req) ? CB_OK : CB_EDB)

/* The API view of row row of res. */
cb_json *page_json(cb_req *req, const cb_res *res, int row);

/* Parses a jsonb column's text (an object; an empty object when NULL). */
cb_json *json_col(cb_req *req, const cb_res *res, int row, const char *col);

/* Canonical site URL of row row of res (custom domain when verified, else
 * the subdomain under base_domain), without a trailing slash. */
char *page_site_url(cb_req *req, const cb_res *res, int row);

/* ---- rendering (render.c, context.c, seo.c, widget.c) ---- */

/* A rendered page: HTML in req's arena and how long it holds (seconds, until
 * the opening state changes). */
struct rendered {
	const char *html;
	size_t len;
	long long valid_s;
};

/* Renders row 0 of res (PAGE_COLS) with its template. preview marks it
 * noindex. CB_OK, or an error with a log line (template missing, render
 * failure: CB_ERR; database: CB_EDB). */
int page_render(cb_req *req, const cb_res *res, int preview, struct rendered *out);

/* The page context of row 0 of res (see README "Page context"). *valid_s as
 * for hours_context. */
cb_json *page_context(cb_req *req, const cb_res *res, int preview, long long *valid_s);

/* The SEO tags the templates' head does not write (og:url, og:image,
 * og:locale, og:site_name, Twitter card), pre-rendered and escaped, for
 * {{{seo.head_html}}}; it starts with a data-carbot-seo marker. */
char *seo_head_html(cb_req *req, const cb_json *ctx, const cb_json *jsonld);

/* The schema.org JSON-LD object for a page context. */
cb_json *seo_jsonld(cb_req *req, const cb_json *ctx, const cb_json *conf);

/* The widget part of the page context for the page's owner. */
cb_json *widget_context(cb_req *req, const char *page_id, const char *user_id, const cb_json *conf);

/* ---- the rendered-page cache (cache.c) ---- */

struct cache_entry;

enum { CACHE_FRESH = 0, CACHE_STALE = 1, CACHE_EXPIRED = 2 };

/* Looks key up. Returns a referenced entry (release it with cache_release)
 * or NULL. *state is CACHE_FRESH when the entry was confirmed against the
 * database within cache_revalidate_ms, CACHE_STALE when it needs a version
 * check first, CACHE_EXPIRED when the opening state it shows has changed. */
struct cache_entry *cache_get(const char *key, int *state);

/* Stores a rendered page (or a negative entry: html NULL) under key and
 * returns it referenced. The gzip form is made here, once. */
struct cache_entry *cache_put(const char *key, const char *page_id, long long version,
                              const char *html, size_t len, long long valid_s);

/* Marks e confirmed now (its version still current). */
void cache_touch(struct cache_entry *e);

void cache_release(struct cache_entry *e);

/* Drops every entry of page_id (after a change in this process). */
void cache_invalidate_page(const char *page_id);

/* Frees everything (fini). */
void cache_clear(void);

/* Entry accessors; pointers stay valid while the entry is referenced. */
const char *cache_page_id(const struct cache_entry *e); /* NULL for a negative entry */
long long cache_version(const struct cache_entry *e);
const char *cache_etag(const struct cache_entry *e, int gz);
const char *cache_body(const struct cache_entry *e, int gz, size_t *len);
int cache_has_gzip(const struct cache_entry *e);

/* ---- serving published pages (serve.c, respond.c) ---- */

/* Answers with a cached page: ETag, 304, gzip, Cache-Control, CSP. */
int respond_page(cb_req *req, struct cache_entry *e);

/* Answers with freshly rendered HTML that is not cached (preview). */
int respond_html_nocache(cb_req *req, int status, const char *html, size_t len);

/* The HTML 404 page. */
int respond_not_found(cb_req *req);

/* Sets the CSP and framing headers of a landing page. */
void set_page_headers(cb_req *req);

/* Builds the page CSP from the settings (init). */
void respond_init(void);

/* Resolves a page by kind 's' (subdomain) or 'd' (custom domain) and serves
 * it through the cache; unpublished or unknown pages get the 404 page. */
int serve_page(cb_req *req, char kind, const char *name);

/* Which landing page a Host names: 's' + subdomain, 'd' + domain, 'n' for a
 * name under base_domain that cannot be a page (a.b.{base}), or 0 when the
 * host is not a landing host (the API's own host). *name in req's arena. */
char host_kind(cb_req *req, const char *host, const char **name);

/* ---- assets (assets.c) ---- */

/* Removes the asset directory of a page (after it was deleted). */
void assets_remove_page(const char *page_id);

/* ---- the TLS ask's answers in memory (tls_ask.c) ---- */

/* 1 and *allowed when name's answer is in memory. */
int tls_ask_known(const char *name, int *allowed);
void tls_ask_remember(const char *name, int allowed);
/* 1 when a database look-up may run now (tls_ask_per_second). */
int tls_ask_may_look_up(void);
/* Forgets every answer (a page changed). */
void tls_ask_forget(void);

/* ---- DNS TXT look-up (dns.c) ---- */

/* Looks up the TXT records of name through lp_cf.dns_server (or the system's
 * resolvers) within timeout_ms. On CB_OK, *txt is a JSON array of strings (in
 * req's arena; empty when the name has none). Otherwise CB_ETIMEOUT or
 * CB_ENOTFOUND / CB_ERR with *why set. */
int dns_txt(cb_req *req, const char *name, long timeout_ms, cb_json **txt, const char **why);

int dns_global_init(void);
void dns_global_cleanup(void);

/* ---- domain checks (verify.c) ---- */

/* Checks that domain shows token by method ("dns", "file", "meta"). CB_OK
 * when it does; otherwise *reason is a machine word (token_not_found,
 * timeout, unreachable, bad_status, too_large, no_record) and *why a
 * sentence for people. */
int verify_domain(cb_req *req, const char *domain, const char *method, const char *token,
                  const char **reason, const char **why);

/* 1 when html has <meta name="carbot-verification" content="token">. */
int html_has_meta_token(const char *html, size_t len, const char *token);

/* ---- other plugins' events (hooks.c) ---- */

/* Subscribes to user.deleted and user.erasing. CB_OK or a failure. */
int hooks_register(cb_plugin *p);

/* service.c: publishes "landing.v1" (landing_api.h) */
int service_register(cb_plugin *p);
/* switchoff.c: landing.v1's plan-change functions (landing_api.h) */
int svc_unpublish_beyond(cb_req *req, const char *user_id, long long keep, cb_json *ids_out);
int svc_republish(cb_req *req, const char *user_id, const char *page_id);

/* ---- handlers ---- */

int h_create(cb_req *req);
int h_list(cb_req *req);
int h_subdomain_check(cb_req *req); /* subdomain_check.c */
int h_get(cb_req *req);
int h_patch(cb_req *req);
int h_delete(cb_req *req);
int h_publish(cb_req *req);
int h_unpublish(cb_req *req);
int h_preview(cb_req *req);
int h_asset_upload(cb_req *req);
int h_asset_get(cb_req *req);
int h_domain_set(cb_req *req);
int h_domain_get(cb_req *req);
int h_domain_delete(cb_req *req);
int h_domain_verify(cb_req *req);
int h_tls_ask(cb_req *req);
int h_serve_root(cb_req *req);
/* the same two on the I/O thread: a fresh cache hit, else CB_DEFER */
int f_serve_root(cb_req *req);
int f_serve_local(cb_req *req);
int h_serve_local(cb_req *req);
int h_robots(cb_req *req);
int h_sitemap(cb_req *req);

/* ---- legal pages and the HTML 404 of page hosts (legal.c, legal_text.c) ---- */

/* Checks configuration.imprint {name, legal_form, representative, address,
 * phone, email, register_court, register_number, vat_id,
 * supervisory_authority, chamber, extra} and configuration.privacy
 * {officer, extra} of conf (under path) into out. */
void legal_check(struct vctx *v, const cb_json *conf, const char *path, cb_json *out);

/* An Impressum field, falling back to the business's name and contact data;
 * NULL when there is none. */
const char *imprint_value(const cb_json *conf, const char *key);

/* NULL when conf's Impressum is complete enough to publish (or the owner
 * links one of their own), else the missing fields, comma-separated. */
const char *imprint_missing(cb_req *req, const cb_json *conf);

/* The URL the page links its Impressum (privacy: privacy page) with, HTML-
 * escaped: the owner's own, else ours under home. */
const char *legal_link(cb_req *req, const cb_json *conf, const char *home, int privacy);

/* A whole HTML document in the page's colours and font around body. */
void legal_shell(struct buf *b, const cb_json *conf, const char *title, const char *body,
                 const char *home, int noindex);

const char *legal_title(const cb_json *conf, int privacy);
void imprint_body(struct buf *b, const cb_json *conf);
void privacy_body(struct buf *b, const cb_json *conf);

/* GET /impressum, GET /datenschutz and any other path on a page's host. */
int h_imprint(cb_req *req);
int h_privacy(cb_req *req);
int h_not_a_page(cb_req *req);

/* The published page named by host_kind's kind and name (PAGE_COLS), or a
 * result with no rows; NULL on a database failure (serve.c). */
cb_res *published_page(cb_req *req, char kind, const char *name);

/* gdpr.c: this plugin's part of the data-subject contract. */
int gdpr_register(cb_plugin *p);

#endif
