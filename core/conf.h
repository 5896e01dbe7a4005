/* conf.h — carbot.conf: global settings and one [plugin NAME] section per
 * enabled plugin, in load-request order.
 *
 *   # comment
 *   listen = 127.0.0.1:${PORT:-8080}
 *   database_url = "host=/tmp dbname=carbot"
 *   [plugin auth]
 *   jwt_secret = ${CARBOT_JWT_SECRET}
 *
 * Every error message starts with "FILE:LINE: ". */
#ifndef CB_CORE_CONF_H
#define CB_CORE_CONF_H

#include <stddef.h>

struct conf_entry {
	struct conf_entry *next;
	char *key;
	char *value; /* after ${VAR} expansion and unquoting */
	int line;
	int used; /* set when a declaration consumed it */
};

struct conf_section {
	struct conf_section *next;
	char *plugin; /* [plugin NAME] */
	char *file; /* the reserved key `file`, resolved against the config's directory; or NULL */
	int line;
	struct conf_entry *entries; /* file order, without `file` */
};

enum log_level_e { LOG_DEBUG_ = 0, LOG_INFO_, LOG_WARN_, LOG_ERROR_ };

struct core_settings {
	char *listen_host;            /* from listen, default 127.0.0.1 */
	int listen_port;              /* default 8080 */
	int io_threads;               /* 1..64, default 2 */
	int handler_threads;          /* 1..1024, default 32 */
	int job_threads;              /* 0..16, default 1 */
	char *database_url;           /* required */
	char *read_only_database_url; /* NULL when unset or empty */
	int handler_nice;             /* 0..19, default 5: handler threads' nice level */
	int db_pool_size;             /* 1..1000, default 40 */
	int db_prepare;               /* on: statements are prepared once per connection
	                               * (off behind a pooler in transaction mode) */
	char *redis;                  /* "host:port" or "unix:/path", default 127.0.0.1:6379 */
	int log_level;                /* enum log_level_e, default info */
	char *plugin_dir;      /* resolved against the config's directory; default CB_PLUGIN_DIR */
	size_t max_body;       /* bytes, k/m suffixes, 1k..64m, default 1m */
	int request_timeout;   /* seconds, 1..3600, default 30 */
	int drain_timeout;     /* seconds, 0..3600, default 30 */
	char *trusted_proxies; /* comma-separated IPs, default "" */
	int ratelimit_fail_closed; /* ratelimit_on_redis_down = open|closed, default open (0) */
	int job_poll_ms;           /* 10..60000, default 500 */
	int job_lease;             /* seconds, 10..86400, default 300 */
	int fetch_private_ok;      /* on: cb_fetch may reach private addresses even when
	                            * public_only is asked (tests, development); default off */
	int request_head_timeout;  /* seconds from a request's first byte to its head's end,
	                            * 1..3600, default 10 */
	int request_body_timeout;  /* seconds from the head's end to the body's, default 60 */
	int max_conns_per_ip;      /* open connections per client address (trusted proxies
	                            * exempt), 0 = no cap, default 128 */
	char *metrics_token;       /* GET /metrics from outside loopback needs
	                            * "Authorization: Bearer <token>"; "" = loopback only */
	int read_only_max_lag;     /* seconds, 0..86400, default 30: a replica lagging more
	                            * (or unreachable) is left for the primary; 0 = no bound */
};

struct conf {
	char *path;
	char *dir;                     /* directory of path, for relative paths */
	struct conf_entry *globals;    /* file order */
	struct conf_section *sections; /* file order */
	struct core_settings core;
};

/* Reads and checks path: syntax, ${VAR} expansion (a missing variable without
 * ":-default" is an error), known global keys and their values. On success
 * returns a conf owned by the caller (conf_free); on failure NULL with a
 * one-line "FILE:LINE: reason" in err. */
/* When set (carbotd -t), an unset ${VAR} without a default in database_url,
 * read_only_database_url or redis expands to a placeholder address that -t
 * never dials, instead of failing. */
extern int conf_lenient_env;

struct conf *conf_load(const char *path, char *err, size_t errlen);

void conf_free(struct conf *c);

/* The entry named key in list, or NULL. */
struct conf_entry *conf_find(struct conf_entry *list, const char *key);

/* Raw text of a global setting as written (after expansion), or NULL. */
const char *conf_global(const struct conf *c, const char *key);

/* Default text of global setting key, or NULL (unknown key, or no default). */
const char *conf_default(const char *key);

#endif
