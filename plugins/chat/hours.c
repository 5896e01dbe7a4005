/* hours.c — opening hours: read from the landing page configuration
 * (contact_info.hours, weekday name -> {"open","close"} or {"closed":true},
 * as the landing plugin stores it; "08:00-18:00" strings are read too), open
 * now or not, when next, and as a sentence. Up to four ranges a day (the
 * gaps are breaks), holidays and owner-set closures by date (the knowledge
 * base); a close at or before the open time (past midnight) is ignored. */
#include <stdio.h>
#include <string.h>

#include "chat.h"

static const char *const keys_en[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                       "friday", "saturday", "sunday"};
static const char *const keys_short[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const keys_de[7] = {"montag",  "dienstag", "mittwoch", "donnerstag",
                                       "freitag", "samstag",  "sonntag"};
static const char *const abbr_de[7] = {"Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"};
static const char *const abbr_en[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const names_en[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};
static const char *const names_de[7] = {"Montag",  "Dienstag", "Mittwoch", "Donnerstag",
                                        "Freitag", "Samstag",  "Sonntag"};

const char *day_abbr(int dow, const char *lang)
{
	if (dow < 0 || dow > 6)
		return "";
	return strcmp(lang, "en") == 0 ? abbr_en[dow] : abbr_de[dow];
}

const char *day_name(int dow, const char *lang)
{
	if (dow < 0 || dow > 6)
		return "";
	return strcmp(lang, "en") == 0 ? names_en[dow] : names_de[dow];
}

/* "08:00" -> 480; -1 when malformed. */
static int hhmm(const char *s, const char **end)
{
	int h = 0, m = 0, n = 0;

	while (s[n] == ' ')
		n++;
	if (!(s[n] >= '0' && s[n] <= '9'))
		return -1;
	while (s[n] >= '0' && s[n] <= '9' && h < 100)
		h = h * 10 + (s[n++] - '0');
	if (s[n] == ':' || s[n] == '.') {
		n++;
		if (!(s[n] >= '0' && s[n] <= '9' && s[n + 1] >= '0' && s[n + 1] <= '9'))
			return -1;
		m = (s[n] - '0') * 10 + (s[n + 1] - '0');
		n += 2;
	}
	if (h > 24 || m > 59 || (h == 24 && m))
		return -1;
	if (end)
		*end = s + n;
	return h * 60 + m;
}

static void add_range(struct week *w, int d, int o, int c)
{
	if (o < 0 || c <= o || w->nr[d] >= DAY_RANGES)
		return;
	if (w->nr[d] && o < w->rc[d][w->nr[d] - 1])
		return; /* unsorted or overlapping: ignored */
	w->ro[d][w->nr[d]] = o;
	w->rc[d][w->nr[d]] = c;
	w->nr[d]++;
}

static void read_day(const cb_json *v, struct week *w, int d)
{
	int closed = 0;
	const char *s;

	if (!v)
		return;
	if (cb_json_type(v) == CB_JSON_OBJECT) {
		if (cb_json_bool(cb_json_get(v, "closed"), &closed) == CB_OK && closed)
			return;
		int o = cb_json_get_str(v, "open") ? hhmm(cb_json_get_str(v, "open"), NULL) : -1;
		int c = cb_json_get_str(v, "close") ? hhmm(cb_json_get_str(v, "close"), NULL) : -1;
		add_range(w, d, o, c);
		return;
	}
	if (cb_json_type(v) == CB_JSON_ARRAY) { /* ranges: breaks are the gaps */
		for (size_t i = 0; i < cb_json_len(v); i++)
			read_day(cb_json_at(v, i), w, d);
		return;
	}
	s = cb_json_str(v);
	if (s) {
		const char *e;
		int o = hhmm(s, &e), c = -1;
		if (o >= 0) {
			while (*e == ' ' || *e == '-' || (unsigned char)*e == 0xE2 ||
			       (unsigned char)*e == 0x80 || (unsigned char)*e == 0x93)
				e++; /* "-", " - ", "–" */
			c = hhmm(e, NULL);
		}
		add_range(w, d, o, c);
	}
}

void hours_read(const cb_json *hours, struct week *w)
{
	memset(w, 0, sizeof(*w));
	if (cb_json_type(hours) != CB_JSON_OBJECT || cb_json_len(hours) == 0)
		return;
	w->known = 1;
	for (int d = 0; d < 7; d++) {
		const cb_json *v = cb_json_get(hours, keys_en[d]);
		if (!v)
			v = cb_json_get(hours, keys_short[d]);
		if (!v)
			v = cb_json_get(hours, keys_de[d]);
		read_day(v, w, d);
	}
}

int day_dow(long day)
{
	long d = (day + 3) % 7; /* 1970-01-01 was a Thursday */
	return (int)(d < 0 ? d + 7 : d);
}

void hours_on(const struct week *w, long day, struct dayhours *out)
{
	int dow = day_dow(day);

	memset(out, 0, sizeof(*out));
	out->n = w->nr[dow];
	for (int i = 0; i < out->n; i++) {
		out->o[i] = w->ro[dow][i];
		out->c[i] = w->rc[dow][i];
	}
	for (size_t i = 0; i < cb_json_len(w->holidays); i++) {
		const cb_json *h = cb_json_at(w->holidays, i);
		if (kb_date(cb_json_get_str(h, "date")) == day) {
			out->n = 0;
			out->special = 1;
			out->label = cb_json_get_str(h, "name");
			return;
		}
	}
	for (size_t i = 0; i < cb_json_len(w->closures); i++) {
		const cb_json *c = cb_json_at(w->closures, i);
		long from = kb_date(cb_json_get_str(c, "from")),
		     to = kb_date(cb_json_get_str(c, "to"));
		if (from < 0 || day < from || day > to)
			continue;
		const cb_json *r = cb_json_get(c, "hours");
		out->special = 2;
		out->note = cb_json_get_str(c, "note");
		out->n = 0;
		for (size_t k = 0; k < cb_json_len(r) && k < DAY_RANGES; k++) {
			int o = hhmm(cb_json_get_str(cb_json_at(r, k), "open") ?: "", NULL);
			int e = hhmm(cb_json_get_str(cb_json_at(r, k), "close") ?: "", NULL);
			if (o >= 0 && e > o) {
				out->o[out->n] = o;
				out->c[out->n] = e;
				out->n++;
			}
		}
		return;
	}
}

int hours_open_now(const struct week *w, struct localnow now, int *next_dow, int *next_min)
{
	struct dayhours h;
	int open = 0;

	*next_dow = *next_min = -1;
	if (!w->known)
		return 0;
	hours_on(w, now.day, &h);
	for (int i = 0; i < h.n; i++)
		open |= now.minute >= h.o[i] && now.minute < h.c[i];
	for (int k = 0; k <= 14 && *next_dow < 0; k++) {
		hours_on(w, now.day + k, &h);
		for (int i = 0; i < h.n; i++) {
			if (k == 0 && now.minute >= h.o[i])
				continue; /* this opening has passed (or is now) */
			*next_dow = day_dow(now.day + k);
			*next_min = h.o[i];
			break;
		}
	}
	return open;
}

/* "08:00–12:30, 13:30–18:00" of n ranges into buf. */
void ranges_text(char *buf, size_t size, int n, const int *o, const int *c, const char *sep)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		int k = snprintf(buf + len, size - len, "%s%02d:%02d–%02d:%02d", i ? sep : "",
		                 o[i] / 60, o[i] % 60, c[i] / 60, c[i] % 60);
		if (k > 0 && (size_t)k < size - len)
			len += (size_t)k;
	}
}

static int same_day(const struct week *w, int a, int b)
{
	if (w->nr[a] != w->nr[b])
		return 0;
	for (int i = 0; i < w->nr[a]; i++)
		if (w->ro[a][i] != w->ro[b][i] || w->rc[a][i] != w->rc[b][i])
			return 0;
	return 1;
}

char *hours_text(cb_req *req, const struct week *w, const char *lang)
{
	const char *const *abbr = strcmp(lang, "en") == 0 ? abbr_en : abbr_de;
	char buf[1024];
	size_t len = 0;

	buf[0] = '\0';
	for (int d = 0; d < 7;) {
		int e = d;
		while (e + 1 < 7 && same_day(w, d, e + 1))
			e++;
		if (w->nr[d]) {
			char span[16], r[160];
			if (e > d)
				snprintf(span, sizeof(span), "%s–%s", abbr[d], abbr[e]);
			else
				snprintf(span, sizeof(span), "%s", abbr[d]);
			ranges_text(r, sizeof(r), w->nr[d], w->ro[d], w->rc[d],
			            strcmp(lang, "en") == 0 ? " and " : " und ");
			int n = snprintf(buf + len, sizeof(buf) - len, "%s%s %s", len ? ", " : "",
			                 span, r);
			if (n > 0 && (size_t)n < sizeof(buf) - len)
				len += (size_t)n;
		}
		d = e + 1;
	}
	return cb_strdup(req, buf);
}
