/* analytics.c — GET /api/v1/client-keys/{id}/analytics in the spec's
 * KeyAnalyticsResponse shape, read through cb_db_query_ro (the read replica
 * when configured). Definitions (also in README.md):
 *   current period   the last 30 days up to now; previous: the 30 days before
 *   conversations    conversations started in the period
 *   messages         visitor messages (role user) sent in the period
 *   unique_users     distinct visitors (user_identifier) of those conversations
 *   growth_rate      % change of conversations against the previous period,
 *                    one decimal; 100 when the previous period had none and
 *                    this one has some, 0 when both have none
 *   top_intents      intents of the current period's visitor messages (not
 *                    the answers inside a lead flow), top 10, percentage of
 *                    all classified visitor messages, one decimal
 *   hourly_usage     the last 24 hours, oldest first, 24 entries (zeros
 *                    included): conversations started in each UTC hour; hour
 *                    is its start, "2025-08-06T14:00:00Z"
 */
#include <math.h>
#include <stdlib.h>

#include "chat.h"

static const char stats_sql[] =
    "WITH c AS (SELECT started_at, user_identifier FROM conversations "
    " WHERE client_key_id = $1 AND started_at > now() - interval '60 days' AND started_at <= "
    "now()),"
    " m AS (SELECT m.created_at FROM messages m JOIN conversations c ON c.id = m.conversation_id"
    " WHERE c.client_key_id = $1 AND c.started_at > now() - interval '61 days'"
    " AND m.role = 'user' AND m.created_at > now() - interval '60 days' AND m.created_at <= now())"
    " SELECT"
    " (SELECT count(*) FROM c WHERE started_at > now() - interval '30 days') AS cur_conv,"
    " (SELECT count(*) FROM c WHERE started_at <= now() - interval '30 days') AS prev_conv,"
    " (SELECT count(DISTINCT user_identifier) FROM c WHERE started_at > now() - interval '30 days')"
    " AS cur_users,"
    " (SELECT count(DISTINCT user_identifier) FROM c WHERE started_at <= now() - interval '30 "
    "days')"
    " AS prev_users,"
    " (SELECT count(*) FROM m WHERE created_at > now() - interval '30 days') AS cur_msgs,"
    " (SELECT count(*) FROM m WHERE created_at <= now() - interval '30 days') AS prev_msgs";

static const char intents_sql[] =
    "WITH i AS (SELECT m.metadata->>'intent' AS intent FROM messages m"
    " JOIN conversations c ON c.id = m.conversation_id"
    " WHERE c.client_key_id = $1 AND c.started_at > now() - interval '31 days'"
    " AND m.role = 'user' AND m.created_at > now() - interval '30 days'"
    " AND m.created_at <= now() AND m.metadata ? 'intent'"
    " AND m.metadata->>'intent' <> 'lead_details')"
    " SELECT intent, count(*) AS n, sum(count(*)) OVER () AS total FROM i"
    " GROUP BY intent ORDER BY n DESC, intent LIMIT 10";

static const char hourly_sql[] =
    "WITH h AS (SELECT generate_series(date_trunc('hour', now() AT TIME ZONE 'UTC') - "
    " interval '23 hours', date_trunc('hour', now() AT TIME ZONE 'UTC'), interval '1 hour')"
    " AS hour)"
    " SELECT to_char(h.hour, 'YYYY-MM-DD\"T\"HH24:00:00\"Z\"') AS hour, count(c.id) AS n"
    " FROM h LEFT JOIN conversations c ON c.client_key_id = $1"
    " AND c.started_at >= h.hour AT TIME ZONE 'UTC'"
    " AND c.started_at < (h.hour + interval '1 hour') AT TIME ZONE 'UTC'"
    " GROUP BY h.hour ORDER BY h.hour";

static cb_json *period(cb_req *req, const cb_res *r, const char *conv, const char *msgs,
                       const char *users)
{
	cb_json *o = cb_json_new_object(req);

	cb_json_set_int(o, "conversations", cb_res_int(r, 0, conv));
	cb_json_set_int(o, "messages", cb_res_int(r, 0, msgs));
	cb_json_set_int(o, "unique_users", cb_res_int(r, 0, users));
	return o;
}

static double round1(double v)
{
	return round(v * 10.0) / 10.0;
}

int h_analytics(cb_req *req)
{
	const char *id = cb_req_param(req, "id");
	const char *p[1];
	cb_res *s, *in, *h;
	cb_json *out, *usage, *top, *hours;
	long long cur, prev;

	if (own_key(req, id) != CB_OK)
		return CB_OK;
	p[0] = id;
	s = cb_db_query_ro(req, stats_sql, 1, p);
	in = s ? cb_db_query_ro(req, intents_sql, 1, p) : NULL;
	h = in ? cb_db_query_ro(req, hourly_sql, 1, p) : NULL;
	if (!h)
		return db_failed(req, "analytics");

	out = cb_json_new_object(req);
	usage = cb_json_new_object(req);
	cb_json_set(usage, "current_period", period(req, s, "cur_conv", "cur_msgs", "cur_users"));
	cb_json_set(usage, "previous_period",
	            period(req, s, "prev_conv", "prev_msgs", "prev_users"));
	cur = cb_res_int(s, 0, "cur_conv");
	prev = cb_res_int(s, 0, "prev_conv");
	cb_json_set_num(usage, "growth_rate",
	                prev  ? round1((double)(cur - prev) * 100.0 / (double)prev)
	                : cur ? 100.0
	                      : 0.0);
	cb_json_set(out, "usage_stats", usage);

	top = cb_json_new_array(req);
	for (int i = 0; i < cb_res_rows(in); i++) {
		cb_json *o = cb_json_new_object(req);
		long long n = cb_res_int(in, i, "n"), total = cb_res_int(in, i, "total");
		cb_json_set_str(o, "intent", cb_res_val(in, i, "intent"));
		cb_json_set_int(o, "count", n);
		cb_json_set_num(o, "percentage",
		                total ? round1((double)n * 100.0 / (double)total) : 0);
		cb_json_push(top, o);
	}
	cb_json_set(out, "top_intents", top);

	hours = cb_json_new_array(req);
	for (int i = 0; i < cb_res_rows(h); i++) {
		cb_json *o = cb_json_new_object(req);
		cb_json_set_str(o, "hour", cb_res_val(h, i, "hour"));
		cb_json_set_int(o, "conversations", cb_res_int(h, i, "n"));
		cb_json_push(hours, o);
	}
	cb_json_set(out, "hourly_usage", hours);
	return cb_reply_json(req, 200, out);
}
