/* dupe — registers a route testkit already has. */
#include <carbot/sdk.h>

static int h(cb_req *req)
{
	return cb_reply(req, 200, NULL, NULL, 0);
}

static int init(cb_plugin *p)
{
	return cb_route(p, "GET", "/t/echo/{other}", CB_AUTH_PUBLIC, NULL, h);
}

CB_PLUGIN("dupe", "1.0.0", CB_DEPS("testkit"), init, NULL)
