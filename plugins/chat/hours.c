/* hours.c — opening hours: read from the landing page configuration
 * (contact_info.hours, weekday name -> {"open","close"} or {"closed":true},
 * as the landing plugin stores it; "08:00-18:00" strings are read too), open
 * now or not, when next, and as a sentence. One range a day; a close at or
 * before the open time means past midnight is not supported (closed). */
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

static void read_day(const cb_json *v, struct week *w, int d)
{
	int closed = 0;
	const char *s;

	w->closed[d] = 1;
	if (!v)
		return;
	if (cb_json_type(v) == CB_JSON_OBJECT) {
		if (cb_json_bool(cb_json_get(v, "closed"), &closed) == CB_OK && closed)
			return;
		int o = cb_json_get_str(v, "open") ? hhmm(cb_json_get_str(v, "open"), NULL) : -1;
		int c = cb_json_get_str(v, "close") ? hhmm(cb_json_get_str(v, "close"), NULL) : -1;
		if (o >= 0 && c > o) {
			w->open[d] = o;
			w->close[d] = c;
			w->closed[d] = 0;
		}
		return;
	}
	if (cb_json_type(v) == CB_JSON_ARRAY) { /* the first range of a list */
		read_day(cb_json_at(v, 0), w, d);
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
		if (o >= 0 && c > o) {
			w->open[d] = o;
			w->close[d] = c;
			w->closed[d] = 0;
		}
	}
}

void hours_read(const cb_json *hours, struct week *w)
{
	memset(w, 0, sizeof(*w));
	for (int d = 0; d < 7; d++)
		w->closed[d] = 1;
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

int hours_open_now(const struct week *w, struct localnow now, int *next_dow, int *next_min)
{
	int open = w->known && !w->closed[now.dow] && now.minute >= w->open[now.dow] &&
	           now.minute < w->close[now.dow];

	*next_dow = *next_min = -1;
	if (!w->known)
		return 0;
	for (int k = 0; k <= 7; k++) {
		int d = (now.dow + k) % 7;
		if (w->closed[d])
			continue;
		if (k == 0 && now.minute >= w->open[d])
			continue; /* today's opening has passed (or is now) */
		*next_dow = d;
		*next_min = w->open[d];
		break;
	}
	return open;
}

static int same_day(const struct week *w, int a, int b)
{
	if (w->closed[a] || w->closed[b])
		return w->closed[a] && w->closed[b];
	return w->open[a] == w->open[b] && w->close[a] == w->close[b];
}

char *hours_text(cb_req *req, const struct week *w, const char *lang)
{
	const char *const *abbr = strcmp(lang, "en") == 0 ? abbr_en : abbr_de;
	char buf[512];
	size_t len = 0;

	buf[0] = '\0';
	for (int d = 0; d < 7;) {
		int e = d;
		while (e + 1 < 7 && same_day(w, d, e + 1))
			e++;
		if (!w->closed[d]) {
			char span[16];
			if (e > d)
				snprintf(span, sizeof(span), "%s–%s", abbr[d], abbr[e]);
			else
				snprintf(span, sizeof(span), "%s", abbr[d]);
			int n = snprintf(buf + len, sizeof(buf) - len, "%s%s %02d:%02d–%02d:%02d",
			                 len ? ", " : "", span, w->open[d] / 60, w->open[d] % 60,
			                 w->close[d] / 60, w->close[d] % 60);
			if (n > 0 && (size_t)n < sizeof(buf) - len)
				len += (size_t)n;
		}
		d = e + 1;
	}
	return cb_strdup(req, buf);
}
