/* oaprobe — routes and an OpenAPI fragment that disagree on purpose
 * (t/openapi.t): GET /api/v1/oaprobe has no description, and the fragment
 * describes GET /api/v1/oaprobe/ghost, which no route has; GET
 * /api/v1/oaprobe/auth is public but described as needing a bearer. With mode =
 * clash its fragment describes POST /api/v1/auth/login, auth's. With mode =
 * broken the fragment is no JSON object. */
#include <string.h>

#include <carbot/sdk.h>

static int h(cb_req *req)
{
	cb_json *o = cb_json_new_object(req);
	cb_json_set_str(o, "probe", "ok");
	return cb_reply_json(req, 200, o);
}

static const char fragment[] =
    "{\"paths\": {\"/api/v1/oaprobe/ghost\": {\"get\": {\"responses\": {\"200\": "
    "{\"description\": \"never\"}}}}, \"/api/v1/oaprobe/auth\": {\"get\": "
    "{\"x-carbot-auth\": \"bearer\", \"responses\": {\"200\": {\"description\": "
    "\"public in truth\"}}}}}}";
static const char clash[] =
    "{\"paths\": {\"/api/v1/auth/login\": {\"post\": {\"responses\": {\"200\": "
    "{\"description\": \"twice\"}}}}}}";

static int init(cb_plugin *p)
{
	if (cb_setting(p, "mode", CB_SET_STR, "drift", 0, 0) != CB_OK)
		return CB_ERR;
	const char *mode = cb_conf_str(p, "mode");
	const char *json = strcmp(mode, "clash") == 0    ? clash
	                   : strcmp(mode, "broken") == 0 ? "[1, 2]"
	                                                 : fragment;
	int rc = cb_openapi(p, json);
	if (rc != CB_OK)
		return rc;
	rc = cb_route(p, "GET", "/api/v1/oaprobe", CB_AUTH_PUBLIC, NULL, h);
	if (rc != CB_OK)
		return rc;
	return cb_route(p, "GET", "/api/v1/oaprobe/auth", CB_AUTH_PUBLIC, NULL, h);
}

CB_PLUGIN("oaprobe", "1.0.0", CB_DEPS("auth"), init, NULL)
