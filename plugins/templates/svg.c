/* svg.c — the thumbnail behind preview_image_url: an SVG sketch of the
 * page (header, hero with its call to action, service cards, opening hours,
 * footer) in the template's own colours and layout, generated on request.
 * Self-contained: no fonts, images or styles are fetched. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "templates.h"

#define W 640
#define H 400

struct sketch {
	const char *primary, *secondary, *background, *surface, *text, *muted, *hero_text;
	const char *layout; /* centered | split | dark | banner */
};

static int hex_color(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if ((n != 4 && n != 7) || s[0] != '#')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static const char *color(const cb_json *theme, const char *key, const char *def)
{
	const char *c = cb_json_get_str(theme, key);
	return hex_color(c) ? c : def;
}

struct buf {
	cb_req *req;
	char *s;
};

__attribute__((format(printf, 2, 3))) static void add(struct buf *b, const char *fmt, ...);

static void add(struct buf *b, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	b->s = cb_sprintf(b->req, "%s%s", b->s, tmp);
}

static void rect(struct buf *b, int x, int y, int w, int h, int r, const char *fill)
{
	add(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"%d\" fill=\"%s\"/>", x, y,
	    w, h, r, fill);
}

/* a line of "text": a rounded bar */
static void line(struct buf *b, int x, int y, int w, int h, const char *fill)
{
	rect(b, x, y, w, h, h / 2, fill);
}

static void header(struct buf *b, const struct sketch *s, const char *name, int dark)
{
	rect(b, 0, 0, W, 44, 0, dark ? s->secondary : s->surface);
	rect(b, 20, 12, 20, 20, 5, s->primary);
	add(b,
	    "<text x=\"50\" y=\"28\" font-family=\"sans-serif\" font-size=\"14\" "
	    "font-weight=\"700\" fill=\"%s\">%s</text>",
	    dark ? "#ffffff" : s->text, name);
	for (int i = 0; i < 3; i++)
		line(b, 380 + i * 58, 19, 44, 7, dark ? "#ffffff55" : s->muted);
	rect(b, 560, 11, 64, 22, 11, s->primary);
}

static void hero(struct buf *b, const struct sketch *s)
{
	if (strcmp(s->layout, "split") == 0) {
		rect(b, 0, 44, W, 170, 0, s->background);
		line(b, 32, 80, 260, 16, s->text);
		line(b, 32, 106, 200, 16, s->text);
		line(b, 32, 136, 240, 7, s->muted);
		line(b, 32, 150, 210, 7, s->muted);
		rect(b, 32, 170, 120, 26, 6, s->primary);
		rect(b, 340, 64, 268, 132, 12, s->secondary);
		rect(b, 360, 84, 110, 10, 5, s->primary);
		rect(b, 360, 108, 228, 68, 8, s->surface);
	} else if (strcmp(s->layout, "banner") == 0) {
		rect(b, 0, 44, W, 170, 0, s->primary);
		for (int i = 0; i < 8; i++)
			rect(b, 40 + i * 76, 54, 38, 150, 0, "#ffffff14");
		line(b, 32, 84, 300, 18, s->hero_text);
		line(b, 32, 116, 220, 8, s->hero_text);
		rect(b, 32, 150, 130, 28, 14, s->secondary);
		rect(b, 176, 150, 110, 28, 14, "#ffffff33");
	} else {
		int dark = strcmp(s->layout, "dark") == 0;
		rect(b, 0, 44, W, 170, 0, dark ? s->secondary : s->background);
		line(b, 170, 82, 300, 18, dark ? "#ffffff" : s->text);
		line(b, 210, 112, 220, 8, s->muted);
		line(b, 230, 126, 180, 8, s->muted);
		rect(b, 250, 150, 140, 30, 15, s->primary);
	}
}

static void body(struct buf *b, const struct sketch *s)
{
	rect(b, 0, 214, W, 150, 0, s->surface);
	line(b, 32, 232, 140, 12, s->text);
	for (int i = 0; i < 3; i++) {
		int x = 32 + i * 150;
		rect(b, x, 256, 136, 88, 10, s->background);
		rect(b, x + 12, 268, 24, 24, 6, s->primary);
		line(b, x + 12, 302, 90, 8, s->text);
		line(b, x + 12, 318, 60, 8, s->muted);
	}
	/* opening hours with the "open now" badge */
	rect(b, 488, 256, 120, 88, 10, s->background);
	rect(b, 500, 268, 56, 16, 8, "#16a34a");
	for (int i = 0; i < 4; i++)
		line(b, 500, 294 + i * 12, 96, 5, s->muted);
	rect(b, 0, 364, W, 36, 0, s->secondary);
	line(b, 32, 379, 120, 6, "#ffffff66");
	line(b, 488, 379, 120, 6, "#ffffff66");
}

char *tpl_svg(cb_req *req, const char *name, const cb_json *theme, const cb_json *thumb)
{
	struct buf b = {req, ""};
	struct sketch s;
	const char *layout = cb_json_get_str(thumb, "layout");

	s.primary = color(theme, "primary_color", "#2563eb");
	s.secondary = color(theme, "secondary_color", "#111827");
	s.background = color(theme, "background_color", "#ffffff");
	s.surface = color(theme, "surface_color", "#f3f4f6");
	s.text = color(theme, "text_color", "#111827");
	s.muted = color(theme, "muted_color", "#9ca3af");
	s.hero_text = color(theme, "hero_text_color", "#ffffff");
	s.layout = layout && (strcmp(layout, "split") == 0 || strcmp(layout, "dark") == 0 ||
	                      strcmp(layout, "banner") == 0)
	               ? layout
	               : "centered";
	name = hbs_escape(req, name, strlen(name));

	add(&b,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">",
	    W, H, W, H, name);
	add(&b, "<title>%s</title>", name);
	header(&b, &s, name, strcmp(s.layout, "dark") == 0);
	hero(&b, &s);
	body(&b, &s);
	add(&b, "</svg>\n");
	return b.s;
}
