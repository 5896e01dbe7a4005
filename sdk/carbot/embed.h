/* carbot/embed.h — files embedded into a plugin by the cb-embed tool.
 *
 * `cb-embed out.c FILE...` (e.g. every sql/NNN_name.sql) writes a C file defining cb_embedded[] (name =
 * file name without directory and ".sql", text = its bytes) in the order
 * given (the Makefile passes them sorted; the core sorts migrations by version
 * anyway), and cb_embedded_n. A plugin registers them as migrations with:
 *
 *   for (size_t i = 0; i < cb_embedded_n; i++)
 *           cb_migration(p, cb_embedded[i].name, cb_embedded[i].text);
 */
#ifndef CARBOT_EMBED_H
#define CARBOT_EMBED_H

#include <stddef.h>

struct cb_embedded_file {
	const char *name;
	const char *text;
};

extern const struct cb_embedded_file cb_embedded[] __attribute__((visibility("hidden")));
extern const size_t cb_embedded_n __attribute__((visibility("hidden")));

/* The plugin's openapi.json (`cb-embed -s cb_openapi_json out.c openapi.json`,
 * which the Makefile's plugin rule runs when the file exists):
 *
 *   cb_openapi(p, cb_openapi_json);
 */
extern const char cb_openapi_json[] __attribute__((visibility("hidden")));

#endif
