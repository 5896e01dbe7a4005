/* conf.c — fuzzes the config parser (core/conf.c) on whole files: a file
 * either loads or is refused with a message naming the file and line. */
#include <stdio.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0]) {
		snprintf(path, sizeof path, "/tmp/carbot-fuzz-conf-%d.conf", (int)getpid());
		setenv("CARBOT_FUZZ_SET", "value", 1);
	}
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	char err[512] = "";
	struct conf *c = conf_load(path, err, sizeof err);
	if (c)
		conf_free(c);
	else
		FUZZ_ASSERT(err[0] != '\0');
	return 0;
}
