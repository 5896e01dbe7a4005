/* carbot/sdk.h — the one header a plugin includes.
 *
 *   #include <carbot/sdk.h>
 *
 * It pulls in every area header, then api.h, which routes all cb_* calls
 * through the table carbotd hands over at load time. See sdk/README.md.
 */
#ifndef CARBOT_SDK_H
#define CARBOT_SDK_H

#ifdef __cplusplus
#include <initializer_list>
extern "C" {
#endif

#include "version.h"
#include "errors.h"
#include "mem.h"
#include "log.h"
#include "json.h"
#include "http.h"
#include "db.h"
#include "redis.h"
#include "hooks.h"
#include "jobs.h"
#include "fetch.h"
#include "util.h"
#include "cache.h"
#include "plugin.h"
#include "datasubject.h"
#include "api.h"
#include "settings.h" /* static inline over the functions above */
#include "events.h"
#include "export.h" /* static inline over api.h, for exporters */

#ifdef __cplusplus
}
#endif

#endif
