/* carbot/log.h — structured logs.
 *
 * carbotd writes one JSON object per line to stderr: time, level, message,
 * and, when a request is given, the plugin and the request id. Never pass a password, key, token or secret: logs are
 * read by people who must not see them.
 */
#ifndef CARBOT_LOG_H
#define CARBOT_LOG_H

typedef struct cb_req cb_req;

enum cb_log_level { CB_LOG_DEBUG = 0, CB_LOG_INFO = 1, CB_LOG_WARN = 2, CB_LOG_ERROR = 3 };

/* Logs a printf-formatted message at level. req may be NULL (no request id).
 * Messages below the configured log_level are dropped. */
void cb_log(cb_req *req, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
