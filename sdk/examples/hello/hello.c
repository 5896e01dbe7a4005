/* hello — a complete third-party carbotd plugin.
 *
 * It registers a migration (a table of greetings), a route that greets and
 * counts, and a hook on "user.registered" from the auth plugin (it just logs;
 * when auth is not enabled the hook simply never fires).
 *
 *   [plugin hello]
 *   greeting = Moin
 */
/* It uses nothing newer than SDK 1.0, so it says so: it then loads into
 * every 1.x core. */
#define CB_PLUGIN_SDK_MINOR 0
#include <carbot/sdk.h>

static const char *greeting;

static const char migration_001[] =
	"CREATE TABLE hello_greetings (\n"
	"    id bigserial PRIMARY KEY,\n"
	"    name text NOT NULL,\n"
	"    at timestamptz NOT NULL DEFAULT now()\n"
	");\n";

/* GET /api/v1/hello/{name} -> {"message": "Moin, Ada!", "count": 3} */
static int greet(cb_req *req)
{
	const char *name = cb_req_param(req, "name");
	if (cb_json_strlen(cb_json_new_str(req, name)) > 64)
		return cb_reply_error(req, 400, "name_too_long", "A name has at most 64 bytes");
	cb_res *r = cb_db_q(req,
			    "WITH ins AS (INSERT INTO hello_greetings (name) VALUES ($1)) "
			    "SELECT count(*) + 1 AS n FROM hello_greetings WHERE name = $1",
			    name);
	if (!r)
		return CB_EDB; /* the core answers 503 */
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "message", cb_sprintf(req, "%s, %s!", greeting, name));
	cb_json_set_int(o, "count", cb_res_int(r, 0, "n"));
	return cb_reply_json(req, 200, o);
}

static int on_registered(cb_req *req, const char *event, const cb_json *data, void *udata)
{
	(void)event;
	(void)udata;
	cb_log(req, CB_LOG_INFO, "hello: a new user registered (%s)",
	       cb_json_get_str(data, "user_id"));
	return CB_OK;
}

static int hello_init(cb_plugin *p)
{
	if (cb_setting(p, "greeting", CB_SET_STR, "Hello", 0, 0) != CB_OK)
		return CB_ERR;
	greeting = cb_conf_str(p, "greeting");
	if (cb_migration(p, "001_greetings", migration_001) != CB_OK)
		return cb_plugin_fail(p, "cannot register the migration");
	if (cb_route(p, "GET", "/api/v1/hello/{name}", CB_AUTH_PUBLIC, NULL, greet) != CB_OK)
		return CB_ERR; /* the core has recorded why (e.g. a route clash) */
	return cb_hook(p, "user.registered", CB_HOOK_LAST, on_registered, NULL);
}

CB_PLUGIN("hello", "1.0.0", NULL, hello_init, NULL)
