/* badabi — claims to be built for SDK 2.0, which this core is not. */
#include <carbot/sdk.h>

static int init(cb_plugin *p)
{
	(void)p;
	return CB_OK;
}

const struct cb_api *cb__api;
static const cb_plugin_desc desc = {sizeof(cb_plugin_desc), CB_SDK_MAJOR + 1, 0,
				    (unsigned)sizeof(void *), "badabi", "1.0.0", NULL, init, NULL};

__attribute__((visibility("default"))) const cb_plugin_desc *carbot_plugin(const struct cb_api *api);
const cb_plugin_desc *carbot_plugin(const struct cb_api *api)
{
	cb__api = api;
	return &desc;
}
