/* cycb — the other half of the cycle. */
#include <carbot/sdk.h>

static int init(cb_plugin *p)
{
	(void)p;
	return CB_OK;
}

CB_PLUGIN("cycb", "1.0.0", CB_DEPS("cyca"), init, NULL)
