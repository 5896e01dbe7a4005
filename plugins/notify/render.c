/* render.c — the mails' templates: mails/NAME.LANG.hbs, embedded at build
 * time, each with three parts after the marker lines {{!-- subject --}},
 * {{!-- text --}} and {{!-- html --}}, rendered by the templates plugin's
 * Handlebars renderer (templates.v1 render_source). The subject and text
 * use {{{triple}}} (no HTML escaping); the html part {{double}}. */
#include <string.h>

#include <carbot/embed.h>

#include "../templates/templates_api.h"
#include "notify.h"

extern const struct cb_embedded_file notify_tpl_files[] __attribute__((visibility("hidden")));
extern const size_t notify_tpl_n __attribute__((visibility("hidden")));

static const struct templates_api *tpl;

int render_init(cb_plugin *p)
{
	tpl = cb_service("templates.v1");
	if (!tpl ||
	    tpl->size < offsetof(struct templates_api, render_source) + sizeof tpl->render_source)
		return cb_plugin_fail(p,
		                      "the templates plugin offers no usable templates.v1 service");
	return CB_OK;
}

static const char *find(const char *name, const char *lang)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < notify_tpl_n; i++) {
		const char *f = notify_tpl_files[i].name;
		if (strncmp(f, name, nl) == 0 && f[nl] == '.' &&
		    strncmp(f + nl + 1, lang, 2) == 0 && strcmp(f + nl + 3, ".hbs") == 0)
			return notify_tpl_files[i].text;
	}
	return NULL;
}

/* The part of src after marker line up to the next marker (or the end). */
static char *part(cb_req *req, const char *src, const char *marker)
{
	const char *b = strstr(src, marker), *e;
	if (!b)
		return NULL;
	b += strlen(marker);
	if (*b == '\n')
		b++;
	e = strstr(b, "{{!-- ");
	if (!e)
		e = b + strlen(b);
	while (e > b && (e[-1] == '\n' || e[-1] == ' '))
		e--;
	return cb_strndup(req, b, (size_t)(e - b));
}

static const char *render(cb_req *req, const char *src, const cb_json *data)
{
	char err[256];
	const char *out = tpl->render_source(req, src, data, NULL, err, sizeof err);
	if (!out)
		cb_log(req, CB_LOG_ERROR, "notify: mail template: %s", err);
	return out;
}

/* CRLF line ends, as SMTP wants them. */
static const char *crlf(cb_req *req, const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += *p == '\n' ? 2 : 1;
	char *out = cb_alloc(req, n + 3), *o = out;
	for (const char *p = s; *p; p++) {
		if (*p == '\n' && (p == s || p[-1] != '\r'))
			*o++ = '\r';
		*o++ = *p;
	}
	*o++ = '\r';
	*o++ = '\n';
	*o = '\0';
	return out;
}

int mail_render(cb_req *req, const char *name, const char *lang, const cb_json *data,
                struct rendered_mail *out)
{
	if (!lang || strcmp(lang, "en") != 0)
		lang = "de";
	const char *src = find(name, lang);
	if (!src)
		return CB_ENOTFOUND;
	const char *s = part(req, src, "{{!-- subject --}}"),
	           *t = part(req, src, "{{!-- text --}}"), *h = part(req, src, "{{!-- html --}}");
	if (!s || !t || !h)
		return CB_ERR;
	s = render(req, s, data);
	t = render(req, t, data);
	h = render(req, h, data);
	if (!s || !t || !h)
		return CB_ERR;
	out->subject = s;
	out->text = crlf(req, t);
	out->html = crlf(req, cb_sprintf(req,
	                                 "<!doctype html>\n<html lang=\"%s\">\n<head><meta "
	                                 "charset=\"utf-8\"><title>CarBot</title></head>\n"
	                                 "<body style=\"font-family:sans-serif;max-width:40em\">\n"
	                                 "%s\n</body>\n</html>",
	                                 lang, h));
	return CB_OK;
}
