/* reviews — an example plugin: customers' reviews of a workshop, one table,
 * four routes, a permission of its own and a hook. Everything it needs comes
 * from the SDK (no parsing, no date formatting, no error plumbing of its own).
 *
 *   [plugin reviews]
 *   file = /path/to/reviews.so
 *   max_per_page = 50
 */
#include <carbot/sdk.h>
#include <carbot/services/users_api.h>

static long long max_per_page;

/* The FK rule of users_api.h: user_id references users, erased with it. */
static const char migration_001[] =
    "CREATE TABLE reviews_reviews (\n"
    "    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n"
    "    user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,\n"
    "    rating int NOT NULL CHECK (rating BETWEEN 1 AND 5),\n"
    "    title text NOT NULL,\n"
    "    body text,\n"
    "    created_at timestamptz NOT NULL DEFAULT now()\n"
    ");\n"
    "CREATE INDEX reviews_reviews_user_idx ON reviews_reviews (user_id, created_at);\n";

#define COLS "id, rating, title, body, created_at"

/* POST /api/v1/reviews {"rating": 1..5, "title": 1..80 chars, "body": ..2000} */
static int create(cb_req *req)
{
	cb_json *in = cb_req_json(req);
	if (!in)
		return CB_OK; /* 400/415 already set */
	cb_check *c = cb_check_new(req, in);
	long long rating = 0;
	cb_check_int(c, "rating", CB_REQUIRED, 1, 5, &rating);
	const char *title = cb_check_text(c, "title", CB_REQUIRED, 1, 80, 0);
	const char *body = cb_check_text(c, "body", CB_OPTIONAL, 0, 2000, 0);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	cb_res *r =
	    cb_db_q(req,
	            "INSERT INTO reviews_reviews (user_id, rating, title, body) "
	            "VALUES ($1, $2, $3, $4) RETURNING " COLS,
	            cb_req_get(req, "user.id"), cb_sprintf(req, "%lld", rating), title, body);
	if (!r)
		return cb_reply_db_error(req, "reviews: insert");
	return cb_reply_json(req, 201, cb_res_json(req, r, 0));
}

/* GET /api/v1/reviews?page=&limit=&min_rating=1..5&order=newest|oldest */
static int list(cb_req *req)
{
	static const char *const orders[] = {"newest", "oldest", NULL};
	cb_check *c = cb_check_new(req, NULL);
	cb_page pg = CB_PAGE_INIT;
	long long min_rating = 1;
	int order = 0;
	cb_page_read(c, 20, max_per_page, &pg);
	cb_query_int(c, "min_rating", CB_OPTIONAL, 1, 5, &min_rating);
	cb_query_enum(c, "order", CB_OPTIONAL, orders, &order);
	if (!cb_check_ok(c))
		return cb_check_reply(c);
	const char *user = cb_req_get(req, "user.id"), *min = cb_sprintf(req, "%lld", min_rating);
	cb_res *n = cb_db_q(req,
	                    "SELECT count(*) AS n FROM reviews_reviews WHERE user_id = $1 "
	                    "AND rating >= $2::int",
	                    user, min);
	cb_res *r = cb_db_q(
	    req,
	    order ? "SELECT " COLS " FROM reviews_reviews WHERE user_id = $1 AND "
	            "rating >= $2::int ORDER BY created_at, id LIMIT $3::int OFFSET $4::int"
	          : "SELECT " COLS " FROM reviews_reviews WHERE user_id = $1 AND "
	            "rating >= $2::int ORDER BY created_at DESC, id DESC LIMIT $3::int "
	            "OFFSET $4::int",
	    user, min, cb_sprintf(req, "%lld", pg.limit), cb_sprintf(req, "%lld", pg.offset));
	long long total = 0;
	if (!n || !r || cb_res_int_ok(n, 0, "n", &total) != CB_OK)
		return cb_reply_db_error(req, "reviews: list");
	cb_json *out = cb_json_new_object(req), *items = cb_json_new_array(req);
	for (int i = 0; i < cb_res_rows(r); i++)
		cb_json_push(items, cb_res_json(req, r, i));
	cb_json_set(out, "reviews", items);
	cb_json_set(out, "pagination", cb_page_json(req, &pg, total, cb_res_rows(r)));
	return cb_reply_json(req, 200, out);
}

/* GET and DELETE /api/v1/reviews/{id}: only the owner's; others are 404. */
static int one(cb_req *req)
{
	const char *id = cb_req_param(req, "id");
	int del = cb_req_method(req)[0] == 'D';
	if (!cb_is_uuid(id))
		return cb_reply_error(req, 404, "not_found", "No such review");
	cb_res *r =
	    cb_db_q(req,
	            del ? "DELETE FROM reviews_reviews WHERE id = $1 AND user_id = $2 "
	                  "RETURNING id"
	                : "SELECT " COLS " FROM reviews_reviews WHERE id = $1 AND user_id = $2",
	            id, cb_req_get(req, "user.id"));
	if (!r)
		return cb_reply_db_error(req, "reviews: one");
	if (cb_res_rows(r) != 1)
		return cb_reply_error(req, 404, "not_found", "No such review");
	return del ? cb_reply(req, 204, NULL, NULL, 0)
	           : cb_reply_json(req, 200, cb_res_json(req, r, 0));
}

/* GDPR erasure (events.h): our rows of the user go in the eraser's transaction. */
static int on_erasing(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	(void)event;
	(void)udata;
	const char *user = cb_json_get_str(data, "user_id");
	if (!user || !cb_is_uuid(user))
		return CB_OK;
	return cb_db_q(req, "DELETE FROM reviews_reviews WHERE user_id = $1", user) ? CB_OK
	                                                                            : CB_EDB;
}

static int reviews_init(cb_plugin *p)
{
	if (cb_setting(p, "max_per_page", CB_SET_INT, "50", 1, 500) != CB_OK ||
	    cb_permission(p, "read:own_reviews", CB_TIERS_ALL) != CB_OK ||
	    cb_permission(p, "create:own_reviews", CB_TIERS_PAID) != CB_OK ||
	    cb_permission(p, "delete:own_reviews", CB_TIERS_ALL) != CB_OK ||
	    cb_migration(p, "001_reviews", migration_001) != CB_OK)
		return CB_ERR; /* the core recorded why */
	max_per_page = cb_conf_int(p, "max_per_page");
	if (cb_route(p, "POST", "/api/v1/reviews", CB_AUTH_BEARER, "create:own_reviews", create) ||
	    cb_route(p, "GET", "/api/v1/reviews", CB_AUTH_BEARER, "read:own_reviews", list) ||
	    cb_route(p, "GET", "/api/v1/reviews/{id}", CB_AUTH_BEARER, "read:own_reviews", one) ||
	    cb_route(p, "DELETE", "/api/v1/reviews/{id}", CB_AUTH_BEARER, "delete:own_reviews",
	             one))
		return CB_ERR;
	return cb_hook(p, CB_EV_USER_ERASING, CB_HOOK_MIDDLE, on_erasing, NULL);
}

CB_PLUGIN("reviews", "1.0.0", CB_DEPS("auth"), reviews_init, NULL)
