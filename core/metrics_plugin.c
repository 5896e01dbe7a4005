/* metrics_plugin.c — metrics plugins add to /metrics (cb_metric, SDK 1.6):
 * registered in init, read on each scrape through the plugin's callback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define METRICS_MAX 64

struct pmetric {
	char *name, *type, *help;
	cb_metric_fn fn;
	void *udata;
};
static struct pmetric pmetrics[METRICS_MAX];
static size_t n_pmetrics;

static int name_ok(const char *s)
{
	size_t n;

	if (!s || strncmp(s, "carbot_", 7) != 0 || (n = strlen(s)) <= 7 || n > 100)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int help_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 300)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '\\')
			return 0;
	return 1;
}

int cb_metric(cb_plugin *p, const char *name, const char *type, const char *help, cb_metric_fn fn,
              void *udata)
{
	if (!core.registering || (struct plugin *)p != core.current)
		return CB_ESTATE;
	if (!name_ok(name) || !type || (strcmp(type, "counter") && strcmp(type, "gauge")) ||
	    !help_ok(help) || !fn) {
		cb_plugin_fail(p, "cb_metric: a name carbot_[a-z0-9_]+, type counter or gauge, "
		                  "one line of help and a function are needed");
		return CB_EINVAL;
	}
	for (size_t i = 0; i < n_pmetrics; i++)
		if (strcmp(pmetrics[i].name, name) == 0) {
			cb_plugin_fail(p, "metric %s is registered twice", name);
			return CB_EEXIST;
		}
	if (n_pmetrics == METRICS_MAX) {
		cb_plugin_fail(p, "cb_metric: more than %d plugin metrics", METRICS_MAX);
		return CB_ENOMEM;
	}
	pmetrics[n_pmetrics++] =
	    (struct pmetric){strdup(name), strdup(type), strdup(help), fn, udata};
	return CB_OK;
}

char *metrics_plugin_lines(cb_req *req)
{
	char *out = cb_strdup(req, "");

	for (size_t i = 0; i < n_pmetrics; i++) {
		double v = 0;
		if (pmetrics[i].fn(req, pmetrics[i].udata, &v) != CB_OK)
			continue;
		out = cb_sprintf(req, "%s# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", out,
		                 pmetrics[i].name, pmetrics[i].help, pmetrics[i].name,
		                 pmetrics[i].type, pmetrics[i].name, v);
	}
	return out;
}
