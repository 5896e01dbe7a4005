/* needsdep — depends on a plugin that is never enabled. */
#include <carbot/sdk.h>

static int init(cb_plugin *p)
{
	(void)p;
	return CB_OK;
}

CB_PLUGIN("needsdep", "1.0.0", CB_DEPS("nonexistent"), init, NULL)
