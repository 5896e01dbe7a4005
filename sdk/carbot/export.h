/* carbot/export.h — header-only helpers for exporters (datasubject.h, since
 * 1.6). Included by <carbot/sdk.h> after api.h; nothing here is a table slot.
 */
#ifndef CARBOT_EXPORT_H
#define CARBOT_EXPORT_H

/* Only for plugins that declare SDK 1.6 or newer: the helpers call 1.6
 * functions, which an older-minor plugin may only call inside CB_IF_HAS. */
#if !defined(CB_CORE_BUILD) && CB_PLUGIN_SDK_MINOR >= 6

#include <string.h>

static inline int cb_export_file(cb_export *out, const char *name)
{
	return out->file(out, name);
}

static inline int cb_export_write(cb_export *out, const void *data, size_t len)
{
	return out->write(out, data, len);
}

static inline void cb_export_count(cb_export *out, long long n)
{
	out->count(out, n);
}

/* Streams the rows of sql into file `name` as NDJSON, 1,000 rows at a time,
 * each batch freed before the next (flat memory however many rows):
 *   sql takes $1 = id (the owner, usually) and $2 = the cursor of the last
 *   row written ("" before the first), and returns at most 1000 rows of
 *   columns j (one record, as JSON text) and k (the cursor: text that sorts
 *   the rows, compared with > in the SQL). Example:
 *     SELECT row_to_json(t)::text AS j, t.id::text AS k FROM notes t
 *     WHERE t.user_id = $1 AND t.id::text > $2 ORDER BY t.id::text LIMIT 1000
 * Returns CB_OK, CB_EDB or the sink's error. */
static inline int cb_export_ndjson(cb_req *req, cb_export *out, const char *name, const char *sql,
                                   const char *id)
{
	int rc = cb_export_file(out, name);
	const char *cursor = "";
	while (rc == CB_OK) {
		const char *params[2] = {id, cursor};
		cb_res *r = cb_db_query(req, sql, 2, params);
		if (!r)
			return CB_EDB;
		int n = cb_res_rows(r);
		for (int i = 0; i < n && rc == CB_OK; i++) {
			const char *j = cb_res_val(r, i, "j");
			if (!j)
				j = "null";
			rc = cb_export_write(out, j, strlen(j));
			if (rc == CB_OK)
				rc = cb_export_write(out, "\n", 1);
		}
		cb_export_count(out, n);
		if (n < 1000 || rc != CB_OK) {
			cb_res_free(r);
			break;
		}
		const char *k = cb_res_val(r, n - 1, "k");
		cursor = cb_strdup(req, k ? k : "");
		cb_res_free(r);
	}
	return rc;
}

#endif /* !CB_CORE_BUILD && CB_PLUGIN_SDK_MINOR >= 6 */

#endif
