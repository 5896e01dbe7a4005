/* kb_check.c — checks a knowledge-base document (PUT /api/v1/knowledge) and
 * returns the cleaned sections: hours {weekly, holidays, closures}, services,
 * faq, greeting, quick_replies. Every problem is recorded with its path; the
 * limits are the README's. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chat.h"

#define SERVICES_MAX  200
#define FAQ_ENTRY_MAX 100
#define DATES_MAX     100

static const char *const weekdays[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};

static int atoi_n(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's). */
long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_from_days(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int kb_hhmm(const char *s)
{
	if (!s || strlen(s) != 5 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != ':' || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || m > 59 || (h == 24 && m))
		return -1;
	return h * 60 + m;
}

long kb_date(const char *s)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	y = atoi_n(s, 4);
	m = atoi_n(s + 5, 2);
	d = atoi_n(s + 8, 2);
	if (y < 2000 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100) || y % 400 == 0))
		return -1;
	return days_from_civil(y, m, d);
}

static int is_type(cb_check *c, const cb_json *v, int type, const char *path, const char *what)
{
	if (cb_json_type(v) == type)
		return 1;
	cb_check_fail(c, path, "type", "must be %s", what);
	return 0;
}

/* A string of 1..max characters (min 0 when optional empties are fine). */
static const char *text(cb_check *c, const cb_json *v, const char *path, size_t max, int required)
{
	const char *s;
	size_t n;

	if (!v || cb_json_type(v) == CB_JSON_NULL) {
		if (required)
			cb_check_fail(c, path, "missing", "required");
		return NULL;
	}
	s = cb_json_str(v);
	if (!s) {
		cb_check_fail(c, path, "type", "must be a string");
		return NULL;
	}
	n = utf8_chars(s, cb_json_strlen(v));
	if (required && n == 0) {
		cb_check_fail(c, path, "too_short", "must not be empty");
		return NULL;
	}
	if (n > max) {
		cb_check_fail(c, path, "too_long", "at most %zu characters", max);
		return NULL;
	}
	return s;
}

static void only_fields(cb_req *req, cb_check *c, const cb_json *o, const char *path,
                        const char *const *names)
{
	for (size_t k = 0; k < cb_json_len(o); k++) {
		const char *key = cb_json_key_at(o, k);
		int known = 0;
		for (size_t i = 0; names[i]; i++)
			known |= strcmp(key, names[i]) == 0;
		if (!known)
			cb_check_fail(c, cb_sprintf(req, "%s%s%s", path, *path ? "." : "", key),
			              "invalid", "unknown field");
	}
}

/* Ranges [{open, close}] sorted, not overlapping, at most 4. */
static cb_json *ranges(cb_req *req, cb_check *c, const cb_json *v, const char *path)
{
	static const char *const f[] = {"open", "close", NULL};
	cb_json *out = cb_json_new_array(req);
	int last = -1;

	if (!is_type(c, v, CB_JSON_ARRAY, path, "an array of {open, close}"))
		return out;
	if (cb_json_len(v) > 4) {
		cb_check_fail(c, path, "too_long", "at most 4 ranges a day");
		return out;
	}
	for (size_t i = 0; i < cb_json_len(v); i++) {
		const cb_json *r = cb_json_at(v, i);
		const char *p = cb_sprintf(req, "%s[%zu]", path, i);
		if (!is_type(c, r, CB_JSON_OBJECT, p, "an object {open, close}"))
			continue;
		only_fields(req, c, r, p, f);
		int o = kb_hhmm(cb_json_get_str(r, "open")),
		    e = kb_hhmm(cb_json_get_str(r, "close"));
		if (o < 0 || e < 0) {
			cb_check_fail(c, p, "invalid",
			              "open and close are \"HH:MM\" (00:00..24:00)");
			continue;
		}
		if (e <= o) {
			cb_check_fail(c, p, "invalid", "close must be after open");
			continue;
		}
		if (o < last) {
			cb_check_fail(c, p, "invalid", "ranges must be sorted and not overlap");
			continue;
		}
		last = e;
		cb_json *n = cb_json_new_object(req);
		cb_json_set_str(n, "open", cb_json_get_str(r, "open"));
		cb_json_set_str(n, "close", cb_json_get_str(r, "close"));
		cb_json_push(out, n);
	}
	return out;
}

static cb_json *check_hours(cb_req *req, cb_check *c, const cb_json *h)
{
	static const char *const top[] = {"weekly", "holidays", "closures", NULL};
	static const char *const hol_f[] = {"date", "name", NULL};
	static const char *const clo_f[] = {"from", "to", "note", "hours", NULL};
	cb_json *out = cb_json_new_object(req), *weekly = cb_json_new_object(req);
	cb_json *hol = cb_json_new_array(req), *clo = cb_json_new_array(req);
	const cb_json *v;

	if (!is_type(c, h, CB_JSON_OBJECT, "hours", "an object"))
		return out;
	only_fields(req, c, h, "hours", top);
	v = cb_json_get(h, "weekly");
	if (v && is_type(c, v, CB_JSON_OBJECT, "hours.weekly", "an object")) {
		for (size_t k = 0; k < cb_json_len(v); k++) {
			int known = 0;
			for (int d = 0; d < 7; d++)
				known |= strcmp(cb_json_key_at(v, k), weekdays[d]) == 0;
			if (!known)
				cb_check_fail(
				    c, cb_sprintf(req, "hours.weekly.%s", cb_json_key_at(v, k)),
				    "invalid", "not a weekday (monday..sunday)");
		}
		for (int d = 0; d < 7; d++) {
			const cb_json *day = cb_json_get(v, weekdays[d]);
			cb_json_set(weekly, weekdays[d],
			            day ? ranges(req, c, day,
			                         cb_sprintf(req, "hours.weekly.%s", weekdays[d]))
			                : cb_json_new_array(req));
		}
	}
	cb_json_set(out, "weekly", weekly);
	v = cb_json_get(h, "holidays");
	if (v && is_type(c, v, CB_JSON_ARRAY, "hours.holidays", "an array")) {
		if (cb_json_len(v) > DATES_MAX)
			cb_check_fail(c, "hours.holidays", "too_long", "at most %d entries",
			              DATES_MAX);
		for (size_t i = 0; i < cb_json_len(v) && i < DATES_MAX; i++) {
			const cb_json *e = cb_json_at(v, i);
			const char *p = cb_sprintf(req, "hours.holidays[%zu]", i);
			if (!is_type(c, e, CB_JSON_OBJECT, p, "an object {date, name}"))
				continue;
			only_fields(req, c, e, p, hol_f);
			const char *date = cb_json_get_str(e, "date");
			const char *name =
			    text(c, cb_json_get(e, "name"), cb_sprintf(req, "%s.name", p), 100, 0);
			if (kb_date(date) < 0) {
				cb_check_fail(c, cb_sprintf(req, "%s.date", p), "invalid",
				              "a date YYYY-MM-DD");
				continue;
			}
			cb_json *n = cb_json_new_object(req);
			cb_json_set_str(n, "date", date);
			if (name)
				cb_json_set_str(n, "name", name);
			cb_json_push(hol, n);
		}
	}
	cb_json_set(out, "holidays", hol);
	v = cb_json_get(h, "closures");
	if (v && is_type(c, v, CB_JSON_ARRAY, "hours.closures", "an array")) {
		if (cb_json_len(v) > DATES_MAX)
			cb_check_fail(c, "hours.closures", "too_long", "at most %d entries",
			              DATES_MAX);
		for (size_t i = 0; i < cb_json_len(v) && i < DATES_MAX; i++) {
			const cb_json *e = cb_json_at(v, i);
			const char *p = cb_sprintf(req, "hours.closures[%zu]", i);
			if (!is_type(c, e, CB_JSON_OBJECT, p,
			             "an object {from, to, note?, hours?}"))
				continue;
			only_fields(req, c, e, p, clo_f);
			long from = kb_date(cb_json_get_str(e, "from"));
			long to = kb_date(cb_json_get_str(e, "to"));
			const char *note =
			    text(c, cb_json_get(e, "note"), cb_sprintf(req, "%s.note", p), 300, 0);
			if (from < 0 || to < 0) {
				cb_check_fail(c, p, "invalid", "from and to are dates YYYY-MM-DD");
				continue;
			}
			if (to < from || to - from > 366) {
				cb_check_fail(c, p, "invalid", "from <= to, at most 366 days");
				continue;
			}
			cb_json *n = cb_json_new_object(req);
			cb_json_set_str(n, "from", cb_json_get_str(e, "from"));
			cb_json_set_str(n, "to", cb_json_get_str(e, "to"));
			if (note && *note)
				cb_json_set_str(n, "note", note);
			if (cb_json_get(e, "hours") &&
			    cb_json_type(cb_json_get(e, "hours")) != CB_JSON_NULL)
				cb_json_set(n, "hours",
				            ranges(req, c, cb_json_get(e, "hours"),
				                   cb_sprintf(req, "%s.hours", p)));
			cb_json_push(clo, n);
		}
	}
	cb_json_set(out, "closures", clo);
	return out;
}

/* "Reifenwechsel (Satz)" -> "reifenwechsel-satz"; "" when nothing is left. */
static char *slug(cb_req *req, const char *name)
{
	char *sp, *base, *o;
	size_t n = 0;

	norm_forms(req, name, &sp, &base);
	o = cb_alloc(req, strlen(sp) + 1);
	for (const char *s = sp; *s && n < 36; s++) {
		if (isalnum((unsigned char)*s))
			o[n++] = *s;
		else if (n && o[n - 1] != '-')
			o[n++] = '-';
	}
	while (n && o[n - 1] == '-')
		n--;
	o[n] = '\0';
	return o;
}

static int id_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > 40)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' ||
		      s[i] == '_'))
			return 0;
	return 1;
}

static int id_taken(const cb_json *list, const char *id)
{
	for (size_t i = 0; i < cb_json_len(list); i++) {
		const char *x = cb_json_get_str(cb_json_at(list, i), "id");
		if (x && strcmp(x, id) == 0)
			return 1;
	}
	return 0;
}

/* Gives every entry of out without an id one made from its name. */
static void assign_ids(cb_req *req, cb_json *out, const char *prefix, const char *const *names)
{
	for (size_t i = 0; i < cb_json_len(out); i++) {
		cb_json *e = cb_json_at(out, i);
		if (cb_json_get_str(e, "id"))
			continue;
		char *s = slug(req, names[i] ? names[i] : "");
		if (!*s)
			s = cb_sprintf(req, "%s-%zu", prefix, i + 1);
		char *id = s;
		for (int k = 2; id_taken(out, id); k++)
			id = cb_sprintf(req, "%s-%d", s, k);
		cb_json_set_str(e, "id", id);
	}
}

static const char *entry_id(cb_req *req, cb_check *c, const cb_json *e, const char *p,
                            const cb_json *out)
{
	const cb_json *v = cb_json_get(e, "id");
	const char *id;

	if (!v || cb_json_type(v) == CB_JSON_NULL)
		return NULL;
	id = cb_json_str(v);
	if (!id_ok(id)) {
		cb_check_fail(c, cb_sprintf(req, "%s.id", p), "invalid", "[a-z0-9_-]{1,40}");
		return NULL;
	}
	if (id_taken(out, id)) {
		cb_check_fail(c, cb_sprintf(req, "%s.id", p), "duplicate", "ids are unique");
		return NULL;
	}
	return id;
}

static cb_json *check_services(cb_req *req, cb_check *c, const cb_json *v)
{
	static const char *const f[] = {"id",    "name", "category",    "synonyms", "price_kind",
	                                "price", "note", "description", NULL};
	cb_json *out = cb_json_new_array(req);
	const char **names;

	if (!is_type(c, v, CB_JSON_ARRAY, "services", "an array"))
		return out;
	if (cb_json_len(v) > SERVICES_MAX) {
		cb_check_fail(c, "services", "too_long", "at most %d entries", SERVICES_MAX);
		return out;
	}
	names = cb_alloc(req, (cb_json_len(v) + 1) * sizeof(*names));
	for (size_t i = 0; i < cb_json_len(v); i++) {
		const cb_json *e = cb_json_at(v, i);
		const char *p = cb_sprintf(req, "services[%zu]", i);
		cb_json *n = cb_json_new_object(req);
		names[cb_json_len(out)] = NULL;
		if (!is_type(c, e, CB_JSON_OBJECT, p, "an object"))
			continue;
		only_fields(req, c, e, p, f);
		const char *id = entry_id(req, c, e, p, out);
		const char *name =
		    text(c, cb_json_get(e, "name"), cb_sprintf(req, "%s.name", p), 200, 1);
		const char *cat =
		    text(c, cb_json_get(e, "category"), cb_sprintf(req, "%s.category", p), 100, 0);
		const char *note =
		    text(c, cb_json_get(e, "note"), cb_sprintf(req, "%s.note", p), 300, 0);
		const char *desc = text(c, cb_json_get(e, "description"),
		                        cb_sprintf(req, "%s.description", p), 1000, 0);
		const char *kind = cb_json_get_str(e, "price_kind");
		const cb_json *price = cb_json_get(e, "price");
		double pv = 0;
		if (name) {
			char *a, *b, *x, *y;
			norm_forms(req, name, &a, &b);
			for (size_t k = 0; k < cb_json_len(out); k++) {
				norm_forms(req, cb_json_get_str(cb_json_at(out, k), "name"), &x,
				           &y);
				if (strcmp(a, x) == 0)
					cb_check_fail(c, cb_sprintf(req, "%s.name", p), "duplicate",
					              "service names are unique");
			}
		}
		if (!kind ||
		    (strcmp(kind, "fixed") && strcmp(kind, "from") && strcmp(kind, "on_request")))
			cb_check_fail(c, cb_sprintf(req, "%s.price_kind", p),
			              cb_json_get(e, "price_kind") ? "invalid" : "missing",
			              "fixed, from or on_request");
		else if (strcmp(kind, "on_request") == 0) {
			if (price && cb_json_type(price) != CB_JSON_NULL)
				cb_check_fail(c, cb_sprintf(req, "%s.price", p), "invalid",
				              "no price with on_request");
		} else if (!price || cb_json_type(price) == CB_JSON_NULL)
			cb_check_fail(c, cb_sprintf(req, "%s.price", p), "missing",
			              "required for fixed and from");
		else if (cb_json_num(price, &pv) != CB_OK)
			cb_check_fail(c, cb_sprintf(req, "%s.price", p), "type",
			              "must be a number");
		else if (pv < 0 || pv > 1000000 || fabs(pv * 100 - round(pv * 100)) > 1e-6)
			cb_check_fail(c, cb_sprintf(req, "%s.price", p), "range",
			              "0..1000000 with at most 2 decimals");
		cb_json *syn = cb_json_new_array(req);
		const cb_json *sv = cb_json_get(e, "synonyms");
		if (sv && cb_json_type(sv) != CB_JSON_NULL &&
		    is_type(c, sv, CB_JSON_ARRAY, cb_sprintf(req, "%s.synonyms", p), "an array")) {
			if (cb_json_len(sv) > 20)
				cb_check_fail(c, cb_sprintf(req, "%s.synonyms", p), "too_long",
				              "at most 20");
			for (size_t k = 0; k < cb_json_len(sv) && k < 20; k++) {
				const char *s =
				    text(c, cb_json_at(sv, k),
				         cb_sprintf(req, "%s.synonyms[%zu]", p, k), 100, 1);
				if (s)
					cb_json_push(syn, cb_json_new_str(req, s));
			}
		}
		if (id)
			cb_json_set_str(n, "id", id);
		cb_json_set_str(n, "name", name);
		if (cat && *cat)
			cb_json_set_str(n, "category", cat);
		cb_json_set(n, "synonyms", syn);
		cb_json_set_str(n, "price_kind", kind);
		if (kind && strcmp(kind, "on_request"))
			cb_json_set_num(n, "price", pv);
		if (note && *note)
			cb_json_set_str(n, "note", note);
		if (desc && *desc)
			cb_json_set_str(n, "description", desc);
		names[cb_json_len(out)] = name;
		cb_json_push(out, n);
	}
	assign_ids(req, out, "service", names);
	return out;
}

/* {de?, en?} with at least one non-empty language. */
static cb_json *bilingual(cb_req *req, cb_check *c, const cb_json *v, const char *p, size_t max,
                          int required)
{
	static const char *const f[] = {"de", "en", NULL};
	cb_json *out = cb_json_new_object(req);

	if (!v || cb_json_type(v) == CB_JSON_NULL) {
		if (required)
			cb_check_fail(c, p, "missing", "required");
		return out;
	}
	if (!is_type(c, v, CB_JSON_OBJECT, p, "an object {de?, en?}"))
		return out;
	only_fields(req, c, v, p, f);
	for (int l = 0; l < 2; l++) {
		const char *s =
		    text(c, cb_json_get(v, f[l]), cb_sprintf(req, "%s.%s", p, f[l]), max, 0);
		if (s && *s)
			cb_json_set_str(out, f[l], s);
	}
	if (required && cb_json_len(out) == 0)
		cb_check_fail(c, p, "missing", "at least one of de, en");
	return out;
}

cb_json *kb_check_phrasing(cb_req *req, cb_check *c, const cb_json *e, const char *p)
{
	static const char *const f[] = {"text", "lang", NULL};
	cb_json *n = cb_json_new_object(req);

	if (!is_type(c, e, CB_JSON_OBJECT, p, "an object {text, lang}"))
		return NULL;
	only_fields(req, c, e, p, f);
	const char *t = text(c, cb_json_get(e, "text"), cb_sprintf(req, "%s.text", p), 300, 1);
	const char *lang = cb_json_get_str(e, "lang");
	if (cb_json_get(e, "lang") && (!lang || (strcmp(lang, "de") && strcmp(lang, "en")))) {
		cb_check_fail(c, cb_sprintf(req, "%s.lang", p), "invalid", "de or en");
		return NULL;
	}
	if (!t)
		return NULL;
	if (!lang) {
		struct analysis a;
		analyse(req, t, NULL, &a);
		lang = a.lang;
	}
	cb_json_set_str(n, "text", t);
	cb_json_set_str(n, "lang", lang);
	return n;
}

static cb_json *check_faq(cb_req *req, cb_check *c, const cb_json *v)
{
	static const char *const f[] = {"id", "question", "answer", "phrasings", NULL};
	cb_json *out = cb_json_new_array(req);
	const char **names;

	if (!is_type(c, v, CB_JSON_ARRAY, "faq", "an array"))
		return out;
	if (cb_json_len(v) > FAQ_ENTRY_MAX) {
		cb_check_fail(c, "faq", "too_long", "at most %d entries", FAQ_ENTRY_MAX);
		return out;
	}
	names = cb_alloc(req, (cb_json_len(v) + 1) * sizeof(*names));
	for (size_t i = 0; i < cb_json_len(v); i++) {
		const cb_json *e = cb_json_at(v, i);
		const char *p = cb_sprintf(req, "faq[%zu]", i);
		cb_json *n = cb_json_new_object(req), *ph = cb_json_new_array(req);
		if (!is_type(c, e, CB_JSON_OBJECT, p, "an object"))
			continue;
		only_fields(req, c, e, p, f);
		const char *id = entry_id(req, c, e, p, out);
		cb_json *q = bilingual(req, c, cb_json_get(e, "question"),
		                       cb_sprintf(req, "%s.question", p), 300, 1);
		cb_json *a = bilingual(req, c, cb_json_get(e, "answer"),
		                       cb_sprintf(req, "%s.answer", p), 2000, 1);
		const cb_json *pv = cb_json_get(e, "phrasings");
		if (pv && cb_json_type(pv) != CB_JSON_NULL &&
		    is_type(c, pv, CB_JSON_ARRAY, cb_sprintf(req, "%s.phrasings", p), "an array")) {
			if (cb_json_len(pv) > KB_PHRASINGS_MAX)
				cb_check_fail(c, cb_sprintf(req, "%s.phrasings", p), "too_long",
				              "at most %d", KB_PHRASINGS_MAX);
			for (size_t k = 0; k < cb_json_len(pv) && k < KB_PHRASINGS_MAX; k++) {
				cb_json *x =
				    kb_check_phrasing(req, c, cb_json_at(pv, k),
				                      cb_sprintf(req, "%s.phrasings[%zu]", p, k));
				if (x)
					cb_json_push(ph, x);
			}
		}
		if (id)
			cb_json_set_str(n, "id", id);
		cb_json_set(n, "question", q);
		cb_json_set(n, "answer", a);
		cb_json_set(n, "phrasings", ph);
		names[cb_json_len(out)] =
		    cb_json_get_str(q, "de") ? cb_json_get_str(q, "de") : cb_json_get_str(q, "en");
		cb_json_push(out, n);
	}
	assign_ids(req, out, "faq", names);
	return out;
}

static cb_json *check_quick(cb_req *req, cb_check *c, const cb_json *v)
{
	static const char *const f[] = {"de", "en", NULL};
	cb_json *out = cb_json_new_object(req);

	if (!is_type(c, v, CB_JSON_OBJECT, "quick_replies", "an object {de?, en?}"))
		return out;
	only_fields(req, c, v, "quick_replies", f);
	for (int l = 0; l < 2; l++) {
		const cb_json *a = cb_json_get(v, f[l]);
		const char *p = cb_sprintf(req, "quick_replies.%s", f[l]);
		cb_json *arr = cb_json_new_array(req);
		if (!a || cb_json_type(a) == CB_JSON_NULL)
			continue;
		if (!is_type(c, a, CB_JSON_ARRAY, p, "an array"))
			continue;
		if (cb_json_len(a) > 6)
			cb_check_fail(c, p, "too_long", "at most 6");
		for (size_t k = 0; k < cb_json_len(a) && k < 6; k++) {
			const char *s =
			    text(c, cb_json_at(a, k), cb_sprintf(req, "%s[%zu]", p, k), 60, 1);
			if (s)
				cb_json_push(arr, cb_json_new_str(req, s));
		}
		cb_json_set(out, f[l], arr);
	}
	return out;
}

cb_json *kb_check(cb_req *req, cb_check *c, const cb_json *body)
{
	static const char *const top[] = {"version",  "updated_at",    "source",
	                                  "hours",    "services",      "faq",
	                                  "greeting", "quick_replies", NULL};
	cb_json *out = cb_json_new_object(req);
	const cb_json *v;

	only_fields(req, c, body, "", top);
	if ((v = cb_json_get(body, "hours")))
		cb_json_set(out, "hours", check_hours(req, c, v));
	if ((v = cb_json_get(body, "services")))
		cb_json_set(out, "services", check_services(req, c, v));
	if ((v = cb_json_get(body, "faq")))
		cb_json_set(out, "faq", check_faq(req, c, v));
	if ((v = cb_json_get(body, "greeting")))
		cb_json_set(out, "greeting", bilingual(req, c, v, "greeting", 500, 0));
	if ((v = cb_json_get(body, "quick_replies")))
		cb_json_set(out, "quick_replies", check_quick(req, c, v));
	return out;
}
