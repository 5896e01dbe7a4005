/* switchoff.c — landing.v1's plan-change functions (billing): a downgrade
 * unpublishes (never deletes) the newest of a user's published pages beyond
 * the new plan's limit; an upgrade publishes them again. They run on the
 * caller's connection (inside its transaction, if open), bump render_version
 * and drop this process's cached renders like a publish by the owner does. */
#include "landing.h"

int svc_unpublish_beyond(cb_req *req, const char *user_id, long long keep, cb_json *ids_out)
{
	cb_res *res;

	if (!cb_is_uuid(user_id))
		return CB_EINVAL;
	if (keep < 0)
		return CB_OK; /* unlimited */
	res = cb_db_q(req,
	              "WITH live AS (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n "
	              "  FROM landing_pages WHERE user_id = $1 AND is_published) "
	              "UPDATE landing_pages AS lp SET is_published = false, "
	              "  render_version = lp.render_version + 1, updated_at = now() FROM live "
	              "WHERE lp.id = live.id AND live.n > $2::bigint RETURNING lp.id",
	              user_id, cb_sprintf(req, "%lld", keep));
	if (!res)
		return CB_EDB;
	for (int i = 0; i < cb_res_rows(res); i++) {
		cache_invalidate_page(cb_res_val(res, i, "id"));
		if (ids_out)
			cb_json_push(ids_out, cb_json_new_str(req, cb_res_val(res, i, "id")));
	}
	return CB_OK;
}

int svc_republish(cb_req *req, const char *user_id, const char *page_id)
{
	cb_res *res;

	if (!cb_is_uuid(user_id) || !cb_is_uuid(page_id))
		return CB_ENOTFOUND;
	res = cb_db_q(req,
	              "UPDATE landing_pages AS lp SET is_published = true, "
	              "  published_at = COALESCE(lp.published_at, now()), "
	              "  render_version = lp.render_version + 1, updated_at = now() "
	              "WHERE lp.id = $2 AND lp.user_id = $1 RETURNING lp.id",
	              user_id, page_id);
	if (!res)
		return CB_EDB;
	if (cb_res_rows(res) != 1)
		return CB_ENOTFOUND;
	cache_invalidate_page(page_id);
	return CB_OK;
}
