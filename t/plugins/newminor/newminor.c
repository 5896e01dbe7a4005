/* newminor — needs SDK 1.(core's minor + 1): a core that old must refuse it. */
#define CB_PLUGIN_SDK_MINOR (CB_SDK_MINOR + 1)
#include <carbot/sdk.h>

static int init(cb_plugin *p)
{
	(void)p;
	return CB_OK;
}

CB_PLUGIN("newminor", "1.0.0", NULL, init, NULL)
