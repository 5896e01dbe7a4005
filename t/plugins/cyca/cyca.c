/* cyca — half of a dependency cycle (cyca -> cycb -> cyca). */
#include <carbot/sdk.h>

static int init(cb_plugin *p)
{
	(void)p;
	return CB_OK;
}

CB_PLUGIN("cyca", "1.0.0", CB_DEPS("cycb"), init, NULL)
