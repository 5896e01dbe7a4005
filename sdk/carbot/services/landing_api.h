/* landing_api.h — the landing plugin's service "landing.v1" for other
 * plugins (the keys plugin's client-key authenticator uses it for widgets on
 * hosted pages).
 *
 * landing is optional: a consumer does not CB_DEPS("landing") but looks the
 * service up when it needs it, and treats NULL (landing not enabled) as "no
 * such page":
 *
 *   const struct landing_api *l = cb_service(LANDING_SERVICE);
 *   if (l && l->size >= LANDING_API_V1_SIZE &&
 *       l->page_for_origin(req, page_id, origin, &user_id) == CB_OK)
 *           ...
 *
 * The struct starts with its size and only ever grows at its end.
 */
#ifndef CARBOT_LANDING_API_H
#define CARBOT_LANDING_API_H

#include <stddef.h>

#include <carbot/sdk.h>

#define LANDING_SERVICE "landing.v1"

struct landing_api {
	size_t size; /* sizeof(struct landing_api) of the landing plugin that filled it */

	/* CB_OK when page_id names a page that exists and is published (its
	 * owner not deleted), and origin (an Origin header: scheme, host and
	 * port as the browser sends them) is one of the page's own hosts:
	 * http(s)://{subdomain}.{base_domain}[:port], http(s)://{verified custom
	 * domain}[:port], or the local form (the origin of site_url for the
	 * host carbotd is asked on, when that is the API's own host: IP literal,
	 * localhost or base_domain; pages served at /p/{subdomain}). Then
	 * *user_id_out (arena) is the page's owner. CB_ENOTFOUND otherwise
	 * (also for a malformed id or origin), CB_EDB when the database could
	 * not be asked. */
	int (*page_for_origin)(cb_req *req, const char *page_id, const char *origin,
	                       const char **user_id_out);

	/* ---- since LANDING_API_V2_SIZE: plan changes (billing) ---- */

	/* Unpublishes (never deletes) the newest of user_id's published pages
	 * beyond the oldest keep (keep < 0: none) and pushes their ids onto
	 * ids_out (a JSON array, may be NULL). Runs on req's connection (in its
	 * transaction, if open). Returns CB_OK, CB_EINVAL (not a UUID) or
	 * CB_EDB. */
	int (*unpublish_beyond)(cb_req *req, const char *user_id, long long keep,
	                        cb_json *ids_out);

	/* Publishes page_id of user_id again (without re-rendering: it was
	 * published before). CB_OK, CB_ENOTFOUND (no such page of that user) or
	 * CB_EDB. */
	int (*republish)(cb_req *req, const char *user_id, const char *page_id);
};

/* The size of the first version of the table: check ->size against it. */
#define LANDING_API_V1_SIZE (offsetof(struct landing_api, page_for_origin) + sizeof(void *))
/* The size with unpublish_beyond and republish. */
#define LANDING_API_V2_SIZE (offsetof(struct landing_api, republish) + sizeof(void *))

#endif
