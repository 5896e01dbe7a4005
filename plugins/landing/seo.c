/* seo.c — what search engines and link previews read, beyond what the
 * templates' shared head writes from seo.* (title, description, keywords,
 * canonical, og:title, the JSON-LD element): schema.org JSON-LD for the
 * business, and the extra Open Graph and Twitter tags as seo.head_html.
 *
 * Everything user-written is escaped here: attribute values with
 * html_escape, the JSON-LD with cb_json_dump, which writes < > & as \u003c
 * \u003e \u0026, so "</script>" in a business name cannot end the element. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "landing.h"

static const char *get(const cb_json *o, const char *a, const char *b)
{
	const char *s = cb_json_get_str(b ? cb_json_get(o, a) : o, b ? b : a);
	return s ? s : "";
}

/* "Street 1, 12345 City" split into its parts when it has that shape. */
static cb_json *postal_address(cb_req *req, const char *addr)
{
	cb_json *a = cb_json_new_object(req);
	const char *comma = strrchr(addr, ',');
	const char *p;
	size_t digits = 0;

	cb_json_set_str(a, "@type", "PostalAddress");
	if (comma) {
		p = comma + 1;
		while (*p == ' ')
			p++;
		while (p[digits] >= '0' && p[digits] <= '9')
			digits++;
	}
	if (comma && digits >= 4 && digits <= 5 && p[digits] == ' ' && p[digits + 1]) {
		cb_json_set_str(a, "streetAddress", cb_strndup(req, addr, (size_t)(comma - addr)));
		cb_json_set_str(a, "postalCode", cb_strndup(req, p, digits));
		cb_json_set_str(a, "addressLocality", p + digits + 1);
	} else {
		cb_json_set_str(a, "streetAddress", addr);
	}
	return a;
}

/* The amount of a display price in euros ("ab 149 €", "24.900,00 EUR",
 * "89,50 €") as a schema.org number ("149", "24900.00", "89.50"); NULL when
 * the text names no euro amount. *from: it is a minimum ("ab", "from"). */
static const char *euro_amount(cb_req *req, const char *text, int *from)
{
	const char *d = text, *e;
	char *out;
	size_t n, o = 0;
	const char *comma, *dot;

	*from = strncasecmp(text, "ab ", 3) == 0 || strncasecmp(text, "from ", 5) == 0;
	if (!strstr(text, "\xe2\x82\xac") && !strcasestr(text, "EUR"))
		return NULL;
	while (*d && (*d < '0' || *d > '9'))
		d++;
	if (!*d)
		return NULL;
	n = strspn(d, "0123456789.,");
	while (n && (d[n - 1] == '.' || d[n - 1] == ','))
		n--;
	out = cb_alloc(req, n + 1);
	comma = memchr(d, ',', n);
	dot = NULL;
	for (e = d; e < d + n; e++)
		if (*e == '.')
			dot = e;
	for (e = d; e < d + n; e++) {
		if (*e == ',') {
			out[o++] = '.'; /* the German decimal comma */
		} else if (*e == '.') {
			/* a thousands dot (before a comma, or three digits from the end) */
			if (!comma && e == dot && (size_t)(d + n - e - 1) != 3)
				out[o++] = '.';
		} else {
			out[o++] = *e;
		}
	}
	out[o] = '\0';
	return o ? out : NULL;
}

/* An Offer for item, priced from the display text when it names euros. */
static cb_json *offer(cb_req *req, cb_json *item, const char *price)
{
	cb_json *o = cb_json_new_object(req);
	int from = 0;
	const char *amount = price && *price ? euro_amount(req, price, &from) : NULL;

	cb_json_set_str(o, "@type", "Offer");
	cb_json_set(o, "itemOffered", item);
	if (amount && from) {
		cb_json *ps = cb_json_new_object(req);
		cb_json_set_str(ps, "@type", "PriceSpecification");
		cb_json_set_str(ps, "minPrice", amount);
		cb_json_set_str(ps, "priceCurrency", "EUR");
		cb_json_set(o, "priceSpecification", ps);
	} else if (amount) {
		cb_json_set_str(o, "price", amount);
		cb_json_set_str(o, "priceCurrency", "EUR");
	}
	return o;
}

/* makesOffer: the services with the prices that are known, and the
 * vehicles in stock (as Car), each with its price. */
static cb_json *offers(cb_req *req, const cb_json *ctx, const char *site)
{
	const cb_json *services = cb_json_get(ctx, "services"),
	              *vehicles = cb_json_get(ctx, "vehicles");
	cb_json *arr = cb_json_new_array(req);

	for (size_t i = 0; i < cb_json_len(services); i++) {
		const cb_json *s = cb_json_at(services, i);
		cb_json *svc = cb_json_new_object(req);
		cb_json_set_str(svc, "@type", "Service");
		cb_json_set_str(svc, "name", get(s, "name", NULL));
		if (*get(s, "description", NULL))
			cb_json_set_str(svc, "description", get(s, "description", NULL));
		cb_json_push(arr, offer(req, svc, get(s, "price", NULL)));
	}
	for (size_t i = 0; i < cb_json_len(vehicles); i++) {
		const cb_json *v = cb_json_at(vehicles, i);
		const char *img = get(v, "image_url", NULL);
		cb_json *car = cb_json_new_object(req);
		cb_json_set_str(car, "@type", "Car");
		cb_json_set_str(car, "name", get(v, "title", NULL));
		if (*get(v, "details", NULL))
			cb_json_set_str(car, "description", get(v, "details", NULL));
		if (*img)
			cb_json_set_str(car, "image",
			                img[0] == '/' ? cb_sprintf(req, "%s%s", site, img) : img);
		cb_json_push(arr, offer(req, car, get(v, "price", NULL)));
	}
	return arr;
}

static cb_json *opening_hours(cb_req *req, const cb_json *days)
{
	static const char *const names[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
	                                     "Friday", "Saturday", "Sunday"};
	cb_json *arr = cb_json_new_array(req);

	for (size_t i = 0; i < cb_json_len(days) && i < 7; i++) {
		const cb_json *ranges = cb_json_get(cb_json_at(days, i), "ranges");
		for (size_t k = 0; k < cb_json_len(ranges); k++) {
			const cb_json *r = cb_json_at(ranges, k);
			cb_json *o = cb_json_new_object(req);
			const char *close = get(r, "close", NULL);
			cb_json_set_str(o, "@type", "OpeningHoursSpecification");
			cb_json_set_str(o, "dayOfWeek",
			                cb_sprintf(req, "https://schema.org/%s", names[i]));
			cb_json_set_str(o, "opens", get(r, "open", NULL));
			cb_json_set_str(o, "closes", strcmp(close, "24:00") == 0 ? "23:59" : close);
			cb_json_push(arr, o);
		}
	}
	return arr;
}

cb_json *seo_jsonld(cb_req *req, const cb_json *ctx, const cb_json *conf)
{
	cb_json *ld = cb_json_new_object(req);
	const cb_json *contact = cb_json_get(ctx, "contact_info");
	const cb_json *days = cb_json_get(cb_json_get(ctx, "hours"), "days");
	const cb_json *services = cb_json_get(ctx, "services");
	double lat, lng;

	cb_json_set_str(ld, "@context", "https://schema.org");
	cb_json_set_str(ld, "@type", get(ctx, "seo", "schema_type"));
	cb_json_set_str(ld, "name", get(ctx, "business_name", NULL));
	if (*get(ctx, "business_description", NULL))
		cb_json_set_str(ld, "description", get(ctx, "business_description", NULL));
	cb_json_set_str(ld, "url", get(ctx, "seo", "canonical_url"));
	if (*get(ctx, "page", "logo_abs_url")) {
		cb_json_set_str(ld, "image", get(ctx, "page", "logo_abs_url"));
		cb_json_set_str(ld, "logo", get(ctx, "page", "logo_abs_url"));
	}
	if (*get(contact, "phone", NULL))
		cb_json_set_str(ld, "telephone", get(contact, "phone", NULL));
	if (*get(contact, "email", NULL))
		cb_json_set_str(ld, "email", get(contact, "email", NULL));
	if (*get(contact, "address", NULL)) {
		cb_json *a = postal_address(req, get(contact, "address", NULL));
		const char *country = get(contact, "country", NULL);
		cb_json_set_str(a, "addressCountry", *country ? country : "DE");
		cb_json_set(ld, "address", a);
	}
	if (cb_json_num(cb_json_get(cb_json_get(contact, "location"), "lat"), &lat) == CB_OK &&
	    cb_json_num(cb_json_get(cb_json_get(contact, "location"), "lng"), &lng) == CB_OK) {
		cb_json *g = cb_json_new_object(req);
		cb_json_set_str(g, "@type", "GeoCoordinates");
		cb_json_set_num(g, "latitude", lat);
		cb_json_set_num(g, "longitude", lng);
		cb_json_set(ld, "geo", g);
	}
	if (cb_json_len(opening_hours(req, days)))
		cb_json_set(ld, "openingHoursSpecification", opening_hours(req, days));
	if (*get(conf, "price_range", NULL))
		cb_json_set_str(ld, "priceRange", get(conf, "price_range", NULL));
	if (cb_json_len(services)) {
		cb_json *cat = cb_json_new_object(req), *items = cb_json_new_array(req);
		cb_json_set_str(cat, "@type", "OfferCatalog");
		cb_json_set_str(cat, "name", get(ctx, "business_name", NULL));
		for (size_t i = 0; i < cb_json_len(services); i++) {
			cb_json *offer = cb_json_new_object(req), *svc = cb_json_new_object(req);
			cb_json_set_str(svc, "@type", "Service");
			cb_json_set_str(svc, "name", get(cb_json_at(services, i), "name", NULL));
			cb_json_set_str(offer, "@type", "Offer");
			cb_json_set(offer, "itemOffered", svc);
			cb_json_push(items, offer);
		}
		cb_json_set(cat, "itemListElement", items);
		cb_json_set(ld, "hasOfferCatalog", cat);
	}
	if (cb_json_len(services) || cb_json_len(cb_json_get(ctx, "vehicles"))) {
		const char *url = get(ctx, "seo", "canonical_url");
		size_t n = strlen(url);
		cb_json_set(
		    ld, "makesOffer",
		    offers(req, ctx, n && url[n - 1] == '/' ? cb_strndup(req, url, n - 1) : url));
	}
	return ld;
}

/* <meta NAMEATTR="key" content="value"> with value escaped; nothing when
 * value is empty. */
static void meta(struct buf *b, const char *attr, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	buf_printf(b, "<meta %s=\"%s\" content=\"", attr, key);
	html_escape(b, value);
	buf_puts(b, "\">\n");
}

char *seo_head_html(cb_req *req, const cb_json *ctx, const cb_json *jsonld)
{
	const cb_json *seo = cb_json_get(ctx, "seo"), *page = cb_json_get(ctx, "page");
	const char *locale = get(ctx, "locale", NULL);
	const char *image = get(page, "logo_abs_url", NULL);
	struct buf b;

	(void)jsonld; /* the template inserts seo.json_ld itself */
	buf_init(&b, req);
	buf_puts(&b, "<meta name=\"generator\" content=\"CarBot\" data-carbot-seo>\n");
	meta(&b, "property", "og:site_name", get(ctx, "business_name", NULL));
	meta(&b, "property", "og:url", get(seo, "canonical_url", NULL));
	meta(&b, "property", "og:image", image);
	meta(&b, "property", "og:locale", strcmp(locale, "en") == 0 ? "en_GB" : "de_DE");
	meta(&b, "name", "twitter:card", *image ? "summary_large_image" : "summary");
	meta(&b, "name", "twitter:title", get(seo, "meta_title", NULL));
	meta(&b, "name", "twitter:description", get(seo, "meta_description", NULL));
	meta(&b, "name", "twitter:image", image);
	return b.p;
}
