/* seo_conf.c — the page's SEO settings (the spec's SEOSettings), checked
 * and normalised. schema_type is a schema.org type; the spec's "CarDealer"
 * does not exist in schema.org, so it is accepted as an alias of AutoDealer. */
#include <string.h>

#include "landing.h"

#define MAX_KEYWORDS 20

static const char *schema_type_of(const char *s)
{
	if (strcmp(s, "AutoRepair") == 0 || strcmp(s, "AutoDealer") == 0 ||
	    strcmp(s, "LocalBusiness") == 0)
		return s;
	if (strcmp(s, "CarDealer") == 0)
		return "AutoDealer";
	return NULL;
}

cb_json *seo_check(struct vctx *v, const cb_json *seo, const char *path)
{
	cb_json *out = cb_json_new_object(v->req);
	const cb_json *kw;
	const char *s = NULL;

	if (v_text(v, seo, path, "meta_title", 0, 0, 120, 0, &s) == 1)
		cb_json_set_str(out, "meta_title", s);
	if (v_text(v, seo, path, "meta_description", 0, 0, 320, 0, &s) == 1)
		cb_json_set_str(out, "meta_description", s);
	kw = v_array(v, seo, path, "keywords", MAX_KEYWORDS);
	if (kw) {
		cb_json *arr = cb_json_new_array(v->req);
		const char *kp = vpath(v, path, "keywords");
		for (size_t i = 0; i < cb_json_len(kw); i++) {
			const cb_json *k = cb_json_at(kw, i);
			const char *f = cb_sprintf(v->req, "%s[%zu]", kp, i);
			size_t n = cb_json_strlen(k);
			if (cb_json_type(k) != CB_JSON_STRING)
				cb_check_fail(v->c, f, "type", "%s must be a string", f);
			else if (n < 1 || n > 50)
				cb_check_fail(v->c, f, n ? "too_long" : "too_short",
				              "%s must be 1 to 50 bytes", f);
			else if (strpbrk(cb_json_str(k), "\r\n\t"))
				cb_check_fail(v->c, f, "invalid", "%s must be one line", f);
			else
				cb_json_push(arr, cb_json_new_str(v->req, cb_json_str(k)));
		}
		cb_json_set(out, "keywords", arr);
	}
	s = NULL;
	if (v_text(v, seo, path, "schema_type", 0, 1, 40, 0, &s) == 1 && !schema_type_of(s)) {
		const char *f = vpath(v, path, "schema_type");
		cb_check_fail(v->c, f, "invalid",
		              "%s must be AutoRepair, AutoDealer (or CarDealer) or LocalBusiness",
		              f);
		s = NULL;
	}
	cb_json_set_str(out, "schema_type", s ? schema_type_of(s) : "AutoRepair");
	return out;
}
