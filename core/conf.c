/* conf.c — reads carbot.conf: global settings, [plugin NAME] sections, ${VAR}.
 *
 * This runs once at startup, before any arena exists, so everything is
 * malloc'ed and released by conf_free. Running out of memory aborts: a daemon
 * that cannot hold its own configuration has nothing better to do. */
#include "conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CB_PLUGIN_DIR
#define CB_PLUGIN_DIR "/usr/local/lib/carbot/plugins"
#endif

/* Longer lines are far more likely a wrong file than a real setting. */
#define CONF_MAX_LINE 4096

struct parser {
	struct conf *c;
	char *err;
	size_t errlen;
	int line;
	struct conf_section *sec; /* current section, NULL while still in the globals */
	struct conf_entry **tail; /* where the next entry of the current list goes */
	int file_line;            /* line of the current section's `file`, 0 if none yet */
};

static void *check(void *p)
{
	if (!p) {
		fputs("carbotd: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void *xzalloc(size_t n)
{
	return check(calloc(1, n));
}

static char *xstrndup(const char *s, size_t n)
{
	return check(strndup(s, n));
}

static char *xstrdup(const char *s)
{
	return check(strdup(s));
}

/* Writes "FILE:LINE: reason" to the caller's err; returns -1 so callers can return it. */
static int fail(struct parser *p, int ln, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct parser *p, int ln, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Line 0 is about the file as a whole, which has no line to point at. */
	if (ln > 0)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->c->path, ln, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->c->path, msg);
	return -1;
}

static int is_ws(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static char *skip_ws(char *s)
{
	while (is_ws(*s))
		s++;
	return s;
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Environment variable names: letters of either case, digits and '_'. */
static int is_env_char(char ch, int first)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (!first && is_digit(ch));
}

/* Length of the [a-z][a-z0-9_]* name at s, 0 if s does not start one. */
static size_t name_len(const char *s)
{
	size_t n = 0;
	if (!(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	while ((s[n] >= 'a' && s[n] <= 'z') || is_digit(s[n]) || s[n] == '_')
		n++;
	return n;
}

/* Decimal only, the whole string: "+5", " 5", "5s" or "0x10" are typos, not numbers.
 * A size may end in k or m (times 1024 or 1024^2). */
static int parse_num(const char *s, int size, long long *out)
{
	char *end;
	long long mult = 1;
	if (!is_digit(s[0]))
		return -1;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (size && *end && !end[1]) {
		mult = (*end | 0x20) == 'k' ? 1024 : (*end | 0x20) == 'm' ? 1 << 20 : 0;
		end++;
	}
	/* Every range is far below 2^40, and bounding n first keeps n * mult from overflowing. */
	if (errno || *end || !mult || n > (1LL << 40))
		return -1;
	*out = n * mult;
	return 0;
}

/* rel unchanged if absolute, else dir/rel, so paths do not depend on the cwd at use. */
static char *join(const char *dir, const char *rel)
{
	if (rel[0] == '/')
		return xstrdup(rel);
	char *p;
	size_t dl = strlen(dir);
	if (asprintf(&p, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", rel) < 0)
		check(NULL);
	return p;
}

/* The config's directory made absolute, so relative paths in it keep meaning the same
 * thing if the daemon changes directory later. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (slash == path)
		return xstrdup("/");
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	if (dir[0] == '/')
		return dir;
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return dir;
	char *abs = strcmp(dir, ".") == 0 ? xstrdup(cwd) : join(cwd, dir);
	free(cwd);
	free(dir);
	return abs;
}

int conf_lenient_env;

/* The core settings carbotd -t does not need (conf_lenient_env). */
static int is_address_key(const char *key)
{
	return strcmp(key, "database_url") == 0 || strcmp(key, "read_only_database_url") == 0 ||
	       strcmp(key, "redis") == 0;
}

/* src with ${VAR} and ${VAR:-default} replaced, or NULL. Like the shell, the default also
 * applies when VAR is set but empty; a set-but-empty VAR without one expands to "". */
static char *expand(struct parser *p, const char *key, const char *s)
{
	char *out = NULL;
	size_t len;
	FILE *m = check(open_memstream(&out, &len));
	const char *d;
	while ((d = strstr(s, "${"))) {
		fwrite(s, 1, (size_t)(d - s), m);
		const char *name = d + 2, *close = strchr(name, '}');
		size_t n = 0;
		while (is_env_char(name[n], n == 0))
			n++;
		const char *def = name[n] == ':' && name[n + 1] == '-' ? name + n + 2 : NULL;
		if (!close) {
			fail(p, p->line, "unterminated '${' in the value of '%s'", key);
			goto bad;
		}
		if (n == 0 || (!def && name + n != close)) {
			fail(p, p->line, "bad variable reference '%.*s' in the value of '%s'",
			     (int)(close - d + 1), d, key);
			goto bad;
		}
		char *var = xstrndup(name, n);
		const char *val = getenv(var);
		if (!val && !def && conf_lenient_env && is_address_key(key))
			val = strcmp(key, "redis") == 0 ? "127.0.0.1:6379" : "postgresql:///unset";
		if (!val && !def)
			fail(p, p->line, "environment variable %s is not set", var);
		free(var);
		if (val && (*val || !def))
			fputs(val, m);
		else if (def)
			fwrite(def, 1, (size_t)(close - def), m);
		else
			goto bad;
		s = close + 1;
	}
	fputs(s, m);
	return check(fclose(m) == 0 ? out : NULL); /* the stream's writes fail only on ENOMEM */
bad:
	fclose(m);
	free(out);
	return NULL;
}

/* The text after '=', unquoted in place, or NULL: a "quoted" string, or bare text
 * ending at a '#' that follows whitespace (so "a#b" keeps its '#'). */
static char *read_value(struct parser *p, const char *key, char *v)
{
	v = skip_ws(v);
	if (*v != '"') {
		char *end = v;
		for (char *q = v; *q && !(*q == '#' && is_ws(q[-1])); q++)
			if (!is_ws(*q))
				end = q + 1;
		*end = '\0';
		return v;
	}
	/* w trails q by at least one byte, so unquoting never overwrites unread text. */
	char *q = v + 1, *w = v;
	for (; *q != '"'; q++, w++) {
		if (!*q) {
			fail(p, p->line, "unterminated quoted value for '%s'", key);
			return NULL;
		}
		/* Only \" and \\ are escapes; other backslashes stay, as in paths or regexes. */
		if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
			q++;
		*w = *q;
	}
	*w = '\0';
	q = skip_ws(q + 1);
	if (*q && *q != '#') {
		fail(p, p->line, "unexpected text after the closing quote of '%s'", key);
		return NULL;
	}
	return v;
}

enum kind {
	K_INT,
	K_TEXT,
	K_REQ,
	K_OPT,
	K_LISTEN,
	K_REDIS,
	K_LEVEL,
	K_DIR,
	K_SIZE,
	K_FAIL,
	K_BOOL
};

struct known {
	const char *key;
	enum kind kind;
	size_t off; /* of the field in struct core_settings */
	int min, max;
	const char *def; /* default, checked like a setting; NULL leaves the field zero */
};

#define F(field) offsetof(struct core_settings, field)
static const struct known known_settings[] = {
    {"listen", K_LISTEN, 0, 0, 0, "127.0.0.1:8080"},
    {"io_threads", K_INT, F(io_threads), 1, 64, "2"},
    {"handler_threads", K_INT, F(handler_threads), 1, 1024, "32"},
    {"job_threads", K_INT, F(job_threads), 0, 16, "1"},
    {"handler_nice", K_INT, F(handler_nice), 0, 19, "5"},
    {"database_url", K_REQ, F(database_url), 0, 0, NULL},
    {"read_only_database_url", K_OPT, F(read_only_database_url), 0, 0, NULL},
    {"db_pool_size", K_INT, F(db_pool_size), 1, 1000, "40"},
    {"db_prepare", K_BOOL, F(db_prepare), 0, 0, "on"},
    {"redis", K_REDIS, F(redis), 0, 0, "127.0.0.1:6379"},
    {"log_level", K_LEVEL, F(log_level), 0, 0, "info"},
    {"plugin_dir", K_DIR, F(plugin_dir), 0, 0, CB_PLUGIN_DIR},
    {"max_body", K_SIZE, F(max_body), 1024, 64 << 20, "1m"},
    {"request_timeout", K_INT, F(request_timeout), 1, 3600, "30"},
    {"drain_timeout", K_INT, F(drain_timeout), 0, 3600, "30"},
    {"trusted_proxies", K_TEXT, F(trusted_proxies), 0, 0, ""},
    {"ratelimit_on_redis_down", K_FAIL, F(ratelimit_fail_closed), 0, 0, "open"},
    {"job_poll_ms", K_INT, F(job_poll_ms), 10, 60000, "500"},
    {"job_lease", K_INT, F(job_lease), 10, 86400, "300"},
    {"fetch_private_ok", K_BOOL, F(fetch_private_ok), 0, 0, "off"},
    {"request_head_timeout", K_INT, F(request_head_timeout), 1, 3600, "10"},
    {"request_body_timeout", K_INT, F(request_body_timeout), 1, 3600, "60"},
    {"max_conns_per_ip", K_INT, F(max_conns_per_ip), 0, 100000, "128"},
    {"metrics_token", K_TEXT, F(metrics_token), 0, 0, ""},
    {"read_only_max_lag", K_INT, F(read_only_max_lag), 0, 86400, "30"},
};
#undef F

static void set_str(char **slot, char *v)
{
	free(*slot);
	*slot = v;
}

/* "host:port" or "[v6addr]:port"; a bare IPv6 address would be ambiguous. */
static int parse_hostport(const char *v, char **host, int *port)
{
	const char *h = v, *colon;
	long long n;
	if (*v == '[') {
		const char *close = strchr(v, ']');
		if (!close || close[1] != ':')
			return -1;
		h = v + 1;
		colon = close + 1;
	} else {
		colon = strchr(v, ':');
		if (!colon || strchr(colon + 1, ':'))
			return -1;
	}
	size_t hl = (size_t)(colon - h) - (*v == '[');
	if (hl == 0 || parse_num(colon + 1, 0, &n) < 0 || n < 1 || n > 65535)
		return -1;
	for (size_t i = 0; i < hl; i++)
		if (is_ws(h[i]) || h[i] == '[' || h[i] == ']' || h[i] == '/')
			return -1;
	if (host)
		*host = xstrndup(h, hl);
	if (port)
		*port = (int)n;
	return 0;
}

/* Checks the value v of setting k, from line, and stores it in c->core. */
static int store(struct parser *p, const struct known *k, const char *v, int line)
{
	static const char *const levels[] = {"debug", "info", "warn", "error"};
	struct core_settings *s = &p->c->core;
	void *field = (char *)s + k->off;
	char *host;
	long long n;
	switch (k->kind) {
	case K_INT:
		if (parse_num(v, 0, &n) < 0 || n < k->min || n > k->max)
			return fail(p, line, "%s must be an integer from %d to %d, got '%s'",
			            k->key, k->min, k->max, v);
		*(int *)field = (int)n;
		return 0;
	case K_TEXT:
		set_str(field, xstrdup(v));
		return 0;
	case K_REQ:
		if (!*v)
			return fail(p, line, "%s must not be empty", k->key);
		set_str(field, xstrdup(v));
		return 0;
	case K_OPT:
		set_str(field, *v ? xstrdup(v) : NULL);
		return 0;
	case K_LISTEN:
		if (parse_hostport(v, &host, &s->listen_port) < 0)
			return fail(p, line,
			            "listen must be HOST:PORT or [IPV6]:PORT with a port from 1 to "
			            "65535, got '%s'",
			            v);
		set_str(&s->listen_host, host);
		return 0;
	case K_REDIS:
		if (strncmp(v, "unix:", 5) == 0 ? v[5] != '/' || !v[6]
		                                : parse_hostport(v, NULL, NULL) < 0)
			return fail(p, line, "redis must be HOST:PORT or unix:/PATH, got '%s'", v);
		set_str(field, xstrdup(v));
		return 0;
	case K_LEVEL:
		for (int i = 0; i < 4; i++)
			if (strcmp(v, levels[i]) == 0) {
				*(int *)field = i;
				return 0;
			}
		return fail(p, line, "log_level must be debug, info, warn or error, got '%s'", v);
	case K_DIR:
		if (!*v)
			return fail(p, line, "%s must not be empty", k->key);
		set_str(field, join(p->c->dir, v));
		return 0;
	case K_SIZE:
		if (parse_num(v, 1, &n) < 0 || n < k->min || n > k->max)
			return fail(
			    p, line,
			    "%s must be a size from 1k to 64m (bytes, k or m suffix), got '%s'",
			    k->key, v);
		*(size_t *)field = (size_t)n;
		return 0;
	case K_FAIL:
		if (strcmp(v, "open") != 0 && strcmp(v, "closed") != 0)
			return fail(p, line, "%s must be open or closed, got '%s'", k->key, v);
		*(int *)field = strcmp(v, "closed") == 0;
		return 0;
	case K_BOOL:
		if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
			return fail(p, line, "%s must be on or off, got '%s'", k->key, v);
		*(int *)field = strcmp(v, "on") == 0;
		return 0;
	}
	return 0;
}

/* A known global: checked and stored now, so errors come in file order. */
static int apply_global(struct parser *p, struct conf_entry *e)
{
	for (size_t i = 0; i < sizeof known_settings / sizeof known_settings[0]; i++)
		if (strcmp(known_settings[i].key, e->key) == 0) {
			e->used = 1;
			return store(p, &known_settings[i], e->value, e->line);
		}
	return fail(p, e->line, "unknown setting '%s'", e->key);
}

/* Takes ownership of value. */
static int add_entry(struct parser *p, const char *key, char *value)
{
	struct conf_entry *prev = conf_find(p->sec ? p->sec->entries : p->c->globals, key);
	int is_file = p->sec && strcmp(key, "file") == 0;
	int first = is_file ? p->file_line : prev ? prev->line : 0;
	if (first) {
		free(value);
		return fail(p, p->line, "duplicate setting '%s' (first at line %d)", key, first);
	}
	if (is_file) {
		/* Empty means "no file", so `file = ${X:-}` can switch it off. */
		p->file_line = p->line;
		p->sec->file = *value ? join(p->c->dir, value) : NULL;
		free(value);
		return 0;
	}
	struct conf_entry *e = xzalloc(sizeof *e);
	e->key = xstrdup(key);
	e->value = value;
	e->line = p->line;
	*p->tail = e;
	p->tail = &e->next;
	return p->sec ? 0 : apply_global(p, e);
}

/* s points at the '['; only [plugin NAME] exists, so anything else is a mistake. */
static int parse_section(struct parser *p, char *s)
{
	char *q = skip_ws(s + 1), *name = q;
	size_t n = 0;
	if (strncmp(q, "plugin", 6) == 0 && is_ws(q[6])) {
		name = skip_ws(q + 6);
		n = name_len(name);
		q = skip_ws(name + n);
	}
	int closed = *q == ']';
	if (closed)
		q = skip_ws(q + 1);
	if (n == 0 || !closed || (*q && *q != '#'))
		return fail(p, p->line, "bad section header '%s', expected '[plugin NAME]'", s);
	struct conf_section **sp = &p->c->sections;
	for (; *sp; sp = &(*sp)->next)
		if (strlen((*sp)->plugin) == n && memcmp((*sp)->plugin, name, n) == 0)
			return fail(p, p->line, "duplicate section [plugin %s] (first at line %d)",
			            (*sp)->plugin, (*sp)->line);
	struct conf_section *sec = xzalloc(sizeof *sec);
	sec->plugin = xstrndup(name, n);
	sec->line = p->line;
	*sp = sec;
	p->sec = sec;
	p->tail = &sec->entries;
	p->file_line = 0;
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	size_t len = strlen(line);
	while (len > 0 && is_ws(line[len - 1]))
		line[--len] = '\0';
	char *s = skip_ws(line);
	if (!*s || *s == '#')
		return 0;
	if (*s == '[')
		return parse_section(p, s);
	char *eq = strchr(s, '='), *kend = eq, *raw, *value;
	if (!eq)
		return fail(p, p->line, "missing '=' in '%s'", s);
	while (kend > s && is_ws(kend[-1]))
		kend--;
	size_t klen = (size_t)(kend - s);
	if (klen == 0)
		return fail(p, p->line, "missing setting name before '='");
	if (name_len(s) != klen)
		return fail(p, p->line,
		            "bad setting name '%.*s' (lowercase letters, digits and '_', "
		            "starting with a letter)",
		            (int)klen, s);
	*kend = '\0'; /* the key, in place; the value starts after eq */
	if (!(raw = read_value(p, s, eq + 1)) || !(value = expand(p, s, raw)))
		return -1;
	return add_entry(p, s, value);
}

struct conf *conf_load(const char *path, char *err, size_t errlen)
{
	struct conf *c = xzalloc(sizeof *c);
	c->path = xstrdup(path);
	c->dir = dir_of(path);
	struct parser p = {.c = c, .err = err, .errlen = errlen, .tail = &c->globals};
	for (size_t i = 0; i < sizeof known_settings / sizeof known_settings[0]; i++)
		if (known_settings[i].def)
			store(&p, &known_settings[i], known_settings[i].def, 0);
	FILE *f = fopen(path, "r");
	if (!f) {
		fail(&p, 0, "cannot open: %s", strerror(errno));
		conf_free(c);
		return NULL;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;
	while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)n;
		p.line++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > CONF_MAX_LINE)
			rc = fail(&p, p.line, "line is longer than %d bytes", CONF_MAX_LINE);
		else if (strlen(line) != len)
			rc = fail(&p, p.line, "line contains a NUL byte");
		else
			rc = parse_line(&p, line);
	}
	if (rc == 0 && ferror(f))
		rc = fail(&p, 0, "cannot read: %s", strerror(errno));
	free(line);
	fclose(f);
	if (rc == 0 && !c->core.database_url)
		rc = fail(&p, 0, "database_url is required");
	if (rc < 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

static void free_entries(struct conf_entry *e)
{
	while (e) {
		struct conf_entry *next = e->next;
		free(e->key);
		free(e->value);
		free(e);
		e = next;
	}
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	free_entries(c->globals);
	for (struct conf_section *s = c->sections, *next; s; s = next) {
		next = s->next;
		free(s->plugin);
		free(s->file);
		free_entries(s->entries);
		free(s);
	}
	struct core_settings *k = &c->core;
	free(k->listen_host);
	free(k->database_url);
	free(k->read_only_database_url);
	free(k->redis);
	free(k->plugin_dir);
	free(k->trusted_proxies);
	free(k->metrics_token);
	free(c->path);
	free(c->dir);
	free(c);
}

struct conf_entry *conf_find(struct conf_entry *list, const char *key)
{
	for (; list; list = list->next)
		if (strcmp(list->key, key) == 0)
			return list;
	return NULL;
}

const char *conf_global(const struct conf *c, const char *key)
{
	struct conf_entry *e = conf_find(c->globals, key);
	return e ? e->value : NULL;
}

const char *conf_default(const char *key)
{
	for (size_t i = 0; i < sizeof known_settings / sizeof known_settings[0]; i++)
		if (strcmp(known_settings[i].key, key) == 0)
			return known_settings[i].def;
	return NULL;
}
