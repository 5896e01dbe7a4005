/* api.c — the function table handed to every plugin (carbot/api.h). */
#include "core.h"

const struct cb_api cb_api_table = {
	.size = sizeof(struct cb_api),
	.sdk_major = CB_SDK_MAJOR,
	.sdk_minor = CB_SDK_MINOR,
#define CB__API_FILL(fn, since) .fn = fn,
	CB_API_FUNCS(CB__API_FILL)
#undef CB__API_FILL
};
