/* render.c — turning a stored page into HTML with its template.
 *
 * The templates own the markup; this plugin owns what must be right on every
 * page whatever the template does: the SEO head and the widget tag. A
 * template places them with {{{seo.head_html}}} and {{{widget.tag_html}}};
 * when a rendered page lacks them (no data-carbot-seo / data-carbot-page
 * marker) they are inserted before </head> and </body>. */
#include <string.h>
#include <strings.h>

#include "landing.h"

/* Position of the first case-insensitive occurrence of needle, or NULL. */
static const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/* html with insert placed before the first (or last, when last) tag,
 * or at the end when there is no such tag. */
static const char *insert_before(cb_req *req, const char *html, const char *tag, const char *insert,
                                 int last)
{
	const char *at = find_ci(html, tag), *next;
	struct buf b;

	if (last)
		while (at && (next = find_ci(at + 1, tag)))
			at = next;
	if (!at)
		at = html + strlen(html);
	buf_init(&b, req);
	buf_add(&b, html, (size_t)(at - html));
	buf_puts(&b, insert);
	buf_puts(&b, at);
	return b.p;
}

int page_render(cb_req *req, const cb_res *res, int preview, struct rendered *out)
{
	const char *tid = cb_res_val(res, 0, "template_id");
	long long valid_s = 86400;
	cb_json *ctx = page_context(req, res, preview, &valid_s);
	const char *html, *widget_tag;
	char err[256] = "";

	if (!ctx)
		return CB_EDB;
	html = lp_tpl->render_page(req, tid, ctx, err, sizeof err);
	if (!html) {
		cb_log(req, CB_LOG_ERROR, "landing: page %s: template %s does not render: %s",
		       cb_res_val(res, 0, "id"), tid, err);
		return CB_ERR;
	}
	/* markers with quotes and brackets: escaped user text cannot fake them */
	if (!strstr(html, "data-carbot-seo>"))
		html = insert_before(req, html, "</head>",
		                     cb_json_get_str(cb_json_get(ctx, "seo"), "head_html"), 0);
	widget_tag = cb_json_get_str(cb_json_get(ctx, "chat"), "tag_html");
	if (widget_tag && *widget_tag && !strstr(html, " data-carbot-page=\""))
		html = insert_before(req, html, "</body>", widget_tag, 1);
	out->html = html;
	out->len = strlen(html);
	out->valid_s = valid_s;
	return CB_OK;
}
