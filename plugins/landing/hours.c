/* hours.c — opening hours: checking what the owner enters, and the hours
 * part of the page context (open now? until when? when next?) for a moment
 * in time.
 *
 * Input: contact_info.hours is an object keyed by weekday ("monday" or
 * "mon" .. "sunday"/"sun"). A day is null or "closed" or {"closed": true}
 * (closed), {"open": "08:00", "close": "18:00"}, an array of such ranges
 * (a lunch break: two), or the text "08:00-12:30, 13:30-18:00". A missing day
 * is closed. Times are HH:MM, close may be "24:00"; ranges are in order and
 * do not overlap. Stored as {"closed": bool, "ranges": [{"open","close"}],
 * "open", "close"} (the last two: the day's span, for simple readers). */
#include <stdio.h>
#include <string.h>

#include "landing.h"

#define MAX_RANGES 4

const char *const weekday_keys[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                     "friday", "saturday", "sunday"};
static const char *const short_keys[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const short_de[7] = {"Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"};
static const char *const short_en[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

static int minutes_of(const char *hhmm)
{
	return ((hhmm[0] - '0') * 10 + (hhmm[1] - '0')) * 60 + (hhmm[3] - '0') * 10 +
	       (hhmm[4] - '0');
}

/* A stored day. open/close span the whole day (first opening, last
 * closing) for readers that know one range a day (the chat plugin's). */
static cb_json *day_new(cb_req *req, int closed, cb_json *ranges)
{
	cb_json *o = cb_json_new_object(req);
	size_t n = cb_json_len(ranges);

	cb_json_set_bool(o, "closed", closed);
	if (!closed && n) {
		cb_json_set(o, "open", cb_json_get(cb_json_at(ranges, 0), "open"));
		cb_json_set(o, "close", cb_json_get(cb_json_at(ranges, n - 1), "close"));
	}
	cb_json_set(o, "ranges", ranges ? ranges : cb_json_new_array(req));
	return o;
}

/* Appends open-close to ranges after checking it against the previous range
 * (*last, minutes); 0 when something was recorded under f. */
static int add_range(struct vctx *v, const char *f, cb_json *ranges, const char *open,
                     const char *close, int *last)
{
	cb_json *o;

	if (!open || !close || !is_hhmm(open, 0) || !is_hhmm(close, 1)) {
		cb_check_fail(v->c, f, "invalid",
		              "%s needs open and close times as HH:MM (00:00 to 24:00)", f);
		return 0;
	}
	if (minutes_of(close) <= minutes_of(open)) {
		cb_check_fail(v->c, f, "invalid", "%s closes (%s) before it opens (%s)", f, close,
		              open);
		return 0;
	}
	if (minutes_of(open) < *last) {
		cb_check_fail(v->c, f, "invalid", "%s has ranges out of order or overlapping", f);
		return 0;
	}
	if (cb_json_len(ranges) == MAX_RANGES) {
		cb_check_fail(v->c, f, "invalid", "%s has more than %d ranges", f, MAX_RANGES);
		return 0;
	}
	*last = minutes_of(close);
	o = cb_json_new_object(v->req);
	cb_json_set_str(o, "open", open);
	cb_json_set_str(o, "close", close);
	cb_json_push(ranges, o);
	return 1;
}

/* "08:00-12:30, 13:30-18:00" */
static cb_json *day_text(struct vctx *v, const char *f, const char *s)
{
	cb_json *ranges = cb_json_new_array(v->req);
	int last = 0;

	if (strcmp(s, "closed") == 0)
		return day_new(v->req, 1, NULL);
	while (*s) {
		while (*s == ' ')
			s++;
		if (strlen(s) < 11 || s[5] != '-') {
			cb_check_fail(
			    v->c, f, "invalid",
			    "%s must be like \"08:00-18:00\" or \"08:00-12:30, 13:30-18:00\" "
			    "or \"closed\"",
			    f);
			return NULL;
		}
		if (!add_range(v, f, ranges, cb_strndup(v->req, s, 5), cb_strndup(v->req, s + 6, 5),
		               &last))
			return NULL;
		s += 11;
		while (*s == ' ')
			s++;
		if (*s == ',')
			s++;
		else if (*s) {
			cb_check_fail(v->c, f, "invalid", "%s: ranges are separated by commas", f);
			return NULL;
		}
	}
	return day_new(v->req, cb_json_len(ranges) == 0, ranges);
}

static cb_json *day_check(struct vctx *v, const cb_json *d, const char *f)
{
	cb_json *ranges = cb_json_new_array(v->req);
	int closed = 0, last = 0;

	switch (cb_json_type(d)) {
	case CB_JSON_NONE:
	case CB_JSON_NULL:
		return day_new(v->req, 1, NULL);
	case CB_JSON_STRING:
		return day_text(v, f, cb_json_str(d));
	case CB_JSON_OBJECT:
		if (cb_json_bool(cb_json_get(d, "closed"), &closed) == CB_OK && closed)
			return day_new(v->req, 1, NULL);
		if (cb_json_get(d, "ranges"))
			return day_check(v, cb_json_get(d, "ranges"), f);
		if (!add_range(v, f, ranges, cb_json_get_str(d, "open"),
		               cb_json_get_str(d, "close"), &last))
			return NULL;
		return day_new(v->req, 0, ranges);
	case CB_JSON_ARRAY:
		for (size_t i = 0; i < cb_json_len(d); i++) {
			const cb_json *r = cb_json_at(d, i);
			if (!add_range(v, f, ranges, cb_json_get_str(r, "open"),
			               cb_json_get_str(r, "close"), &last))
				return NULL;
		}
		return day_new(v->req, cb_json_len(ranges) == 0, ranges);
	default:
		cb_check_fail(v->c, f, "type", "%s must be an object, an array, a string or null",
		              f);
		return NULL;
	}
}

/* Index of weekday key k (long or short name), or -1. */
static int weekday_of(const char *k)
{
	for (int d = 0; d < 7; d++)
		if (strcmp(k, weekday_keys[d]) == 0 || strcmp(k, short_keys[d]) == 0)
			return d;
	return -1;
}

cb_json *hours_check(struct vctx *v, const cb_json *hours, const char *path)
{
	const cb_json *given[7] = {0};
	cb_json *out = cb_json_new_object(v->req);

	for (size_t i = 0; i < cb_json_len(hours); i++) {
		const char *k = cb_json_key_at(hours, i);
		int d = weekday_of(k);
		if (d < 0) {
			const char *f = vpath(v, path, k);
			cb_check_fail(v->c, f, "invalid", "%s is not a weekday (monday .. sunday)",
			              f);
			continue;
		}
		given[d] = cb_json_at(hours, i);
	}
	for (int d = 0; d < 7; d++) {
		cb_json *day = day_check(v, given[d], vpath(v, path, weekday_keys[d]));
		if (day)
			cb_json_set(out, weekday_keys[d], day);
	}
	return out;
}

/* The stored ranges of weekday d (0 = Monday). */
static const cb_json *day_ranges(const cb_json *hours, int d)
{
	return cb_json_get(cb_json_get(hours, weekday_keys[d]), "ranges");
}

cb_json *hours_context(cb_req *req, const cb_json *hours, const char *locale, const char *note,
                       int isodow, int minute, int second, long long *valid_s)
{
	int en = locale && strcmp(locale, "en") == 0;
	int today = (isodow + 6) % 7; /* 0 = Monday */
	cb_json *ctx = cb_json_new_object(req), *days = cb_json_new_array(req);
	int open_now = 0, best = -1, next = -1;
	const char *opens_at = "", *closes_at = "";

	*valid_s = 86400;
	cb_json_set(ctx, "days", days);
	cb_json_set_str(ctx, "note", note ? note : "");
	if (cb_json_type(hours) != CB_JSON_OBJECT || cb_json_len(hours) == 0) {
		cb_json_set_bool(ctx, "known", 0);
		cb_json_set_bool(ctx, "open_now", 0);
		return ctx;
	}
	for (int d = 0; d < 7; d++) {
		cb_json *o = cb_json_new_object(req), *ranges = cb_json_new_array(req);
		const cb_json *rs = day_ranges(hours, d);
		for (size_t i = 0; i < cb_json_len(rs); i++)
			cb_json_push(ranges, cb_json_at(rs, i));
		cb_json_set_str(o, "day", short_keys[d]);
		cb_json_set_bool(o, "today", d == today);
		cb_json_set_bool(o, "closed", cb_json_len(ranges) == 0);
		cb_json_set(o, "ranges", ranges);
		cb_json_push(days, o);
	}
	/* every opening and closing in the coming 8 days, as minutes from now:
	 * the nearest is when this answer stops holding */
	for (int k = 0; k < 8; k++) {
		int d = (today + k) % 7;
		const cb_json *rs = day_ranges(hours, d);
		for (size_t i = 0; i < cb_json_len(rs); i++) {
			const char *o = cb_json_get_str(cb_json_at(rs, i), "open");
			const char *c = cb_json_get_str(cb_json_at(rs, i), "close");
			int op, cl, base = k * 1440 - minute;
			if (!o || !c)
				continue;
			op = minutes_of(o);
			cl = minutes_of(c);
			if (k == 0 && minute >= op && minute < cl) {
				open_now = 1;
				closes_at = c;
			}
			if (base + op > 0 && (best < 0 || base + op < best))
				best = base + op;
			if (base + cl > 0 && (best < 0 || base + cl < best))
				best = base + cl;
			if (base + op > 0 && next < 0) {
				next = base + op;
				opens_at =
				    cb_sprintf(req, "%s %s", en ? short_en[d] : short_de[d], o);
			}
		}
	}
	if (best > 0)
		*valid_s = (long long)best * 60 - second;
	if (*valid_s < 1)
		*valid_s = 1;
	cb_json_set_bool(ctx, "known", 1);
	cb_json_set_bool(ctx, "open_now", open_now);
	if (open_now)
		cb_json_set_str(ctx, "closes_at", closes_at);
	else if (*opens_at)
		cb_json_set_str(ctx, "opens_at", opens_at);
	return ctx;
}
