/* handlers_list.c — GET /api/v1/client-keys (paginated, filtered) and
 * GET /api/v1/client-keys/{id}. Keys show masked: the key itself is never
 * shown again after its creation (or rotation). */
#include <string.h>

#include "keys.h"

#define ACTIVE_SQL                                                                                 \
	"(k.is_active AND k.revoked_at IS NULL AND "                                               \
	"(k.expires_at IS NULL OR k.expires_at > now()))"
#define FILTER_SQL                                                                                 \
	" WHERE k.user_id = $1 AND ($2::boolean IS NULL OR " ACTIVE_SQL " = $2::boolean) "         \
	"AND ($3::text IS NULL OR k.domain = $3)"

struct listing {
	cb_page page;
	const char *active; /* "t", "f" or NULL */
	const char *domain; /* normalised, or NULL */
};

static int read_query(cb_req *req, struct listing *l)
{
	cb_check *c = cb_check_new(req, NULL);
	const char *d = cb_req_query(req, "domain"), *why;
	int active = 0;

	l->page = (cb_page)CB_PAGE_INIT;
	cb_page_read(c, 20, 100, &l->page);
	l->active = NULL;
	if (cb_query_bool(c, "active", CB_OPTIONAL, &active) == 1)
		l->active = active ? "t" : "f";
	l->domain = NULL;
	if (d) {
		/* "test" admits localhost too: a filter refuses nothing a key may have */
		l->domain = domain_normalize(req, d, "test", &why);
		if (!l->domain)
			cb_check_fail(c, "domain", "invalid", "%s", why);
	}
	if (!cb_check_ok(c)) {
		cb_check_reply(c);
		return CB_EINVAL;
	}
	return CB_OK;
}

static cb_json *keys_json(cb_req *req, const cb_res *res)
{
	int n = cb_res_rows(res);
	const char **ids = cb_alloc(req, (size_t)(n + 1) * sizeof(*ids));
	long long *v = cb_alloc(req, (size_t)(n + 1) * 4 * sizeof(*v));
	long long *period = v, *conv = v + n, *msg = v + 2 * n, *last = v + 3 * n;
	cb_json *arr = cb_json_new_array(req);

	for (int i = 0; i < n; i++) {
		ids[i] = cb_res_val(res, i, "id");
		period[i] = cb_res_int(res, i, "period");
		conv[i] = cb_res_int(res, i, "conversations");
		msg[i] = cb_res_int(res, i, "messages");
		last[i] = cb_res_int(res, i, "last_used_epoch");
	}
	usage_live(req, (size_t)n, ids, period, conv, msg, last);
	for (int i = 0; i < n; i++)
		cb_json_push(arr, key_json(req, res, i, conv[i], msg[i], last[i]));
	return arr;
}

int h_list(cb_req *req)
{
	const char *user_id = cb_req_get(req, "user.id");
	struct listing l;
	cb_json *out;
	cb_res *count, *rows;
	long long total;

	if (read_query(req, &l) != CB_OK)
		return CB_OK;
	count = cb_db_q(req, "SELECT count(*) AS n FROM client_keys k" FILTER_SQL, user_id,
	                l.active, l.domain);
	if (!count)
		return cb_reply_db_error(req, "list keys: count");
	rows = cb_db_q(req,
	               "SELECT " KEY_COLS " FROM " KEY_FROM("client_keys") FILTER_SQL
	               " ORDER BY k.created_at DESC, k.id DESC LIMIT $4::int OFFSET $5::bigint",
	               user_id, l.active, l.domain, cb_sprintf(req, "%lld", l.page.limit),
	               cb_sprintf(req, "%lld", l.page.offset));
	if (!rows)
		return cb_reply_db_error(req, "list keys");
	total = cb_res_int(count, 0, "n");

	out = cb_json_new_object(req);
	cb_json_set(out, "keys", keys_json(req, rows));
	cb_json_set(out, "pagination", cb_page_json(req, &l.page, total, cb_res_rows(rows)));
	return cb_reply_json(req, 200, out);
}

int h_get(cb_req *req)
{
	cb_res *res = key_load(req, cb_req_get(req, "user.id"), cb_req_param(req, "id"), 0);

	if (!res)
		return cb_reply_db_error(req, "get key");
	if (cb_res_rows(res) != 1)
		return reply_not_found(req);
	return cb_reply_json(req, 200, key_json_live(req, res, 0));
}
