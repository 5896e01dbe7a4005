/* conf.c — carbot.conf parsing: settings, sections, ${VAR}, quoting and every error. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

#ifndef CB_PLUGIN_DIR
#define CB_PLUGIN_DIR "/usr/local/lib/carbot/plugins"
#endif

/* Writes len bytes of text to a fresh /tmp file; its name goes to path (64 bytes). */
static void write_tmp(char *path, const char *text, size_t len)
{
	strcpy(path, "/tmp/carbot-conf-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		perror("carbot conf test: temp file");
		exit(2);
	}
	close(fd);
}

/* Loads text as a config file that exists only for the call. */
static struct conf *load_n(const char *text, size_t len, char *path, char *err)
{
	write_tmp(path, text, len);
	err[0] = '\0';
	struct conf *c = conf_load(path, err, 512);
	unlink(path);
	return c;
}

static struct conf *load(const char *text, char *path, char *err)
{
	return load_n(text, strlen(text), path, err);
}

/* Checks that text fails with exactly "PATH:LINE: reason" ("PATH: reason" for line 0). */
static void fails_n(const char *text, size_t len, int line, const char *reason, const char *name)
{
	char path[64], err[512], want[700];
	struct conf *c = load_n(text, len, path, err);
	ok(c == NULL, "%s: load fails", name);
	conf_free(c);
	if (line > 0)
		snprintf(want, sizeof want, "%s:%d: %s", path, line, reason);
	else
		snprintf(want, sizeof want, "%s: %s", path, reason);
	is_str(err, want, "%s: message", name);
}

static void fails(const char *text, int line, const char *reason, const char *name)
{
	fails_n(text, strlen(text), line, reason, name);
}

#define DB "database_url = x\n"
/* A literal with embedded NULs as (text, length). */
#define LIT(s) s, sizeof(s) - 1

static void test_defaults(void)
{
	char path[64], err[512];
	struct conf *c = load(DB, path, err);
	ok(c != NULL, "minimal file loads");
	if (!c)
		return;
	struct core_settings *s = &c->core;
	is_str(c->path, path, "path is kept as given");
	is_str(c->dir, "/tmp", "dir is the config's directory");
	is_str(s->listen_host, "127.0.0.1", "listen host defaults to 127.0.0.1");
	is_int(s->listen_port, 8080, "listen port defaults to 8080");
	is_int(s->io_threads, 2, "io_threads defaults to 2");
	is_int(s->handler_threads, 32, "handler_threads defaults to 32");
	is_int(s->job_threads, 1, "job_threads defaults to 1");
	is_str(s->database_url, "x", "database_url is set");
	ok(s->read_only_database_url == NULL, "read_only_database_url defaults to NULL");
	is_int(s->db_pool_size, 40, "db_pool_size defaults to 40");
	is_str(s->redis, "127.0.0.1:6379", "redis defaults to 127.0.0.1:6379");
	is_int(s->log_level, LOG_INFO_, "log_level defaults to info");
	is_str(s->plugin_dir, CB_PLUGIN_DIR, "plugin_dir defaults to CB_PLUGIN_DIR");
	is_int(s->max_body, 1 << 20, "max_body defaults to 1m");
	is_int(s->request_timeout, 30, "request_timeout defaults to 30");
	is_int(s->drain_timeout, 30, "drain_timeout defaults to 30");
	is_str(s->trusted_proxies, "", "trusted_proxies defaults to empty");
	is_int(s->ratelimit_fail_closed, 0, "ratelimit_on_redis_down defaults to open");
	is_int(s->job_poll_ms, 500, "job_poll_ms defaults to 500");
	is_int(s->job_lease, 300, "job_lease defaults to 300");
	ok(c->sections == NULL, "no sections");
	ok(c->globals && c->globals->used, "consumed global is marked used");
	conf_free(c);
}

static void test_overrides(void)
{
	char path[64], err[512];
	struct conf *c = load("# CarBot\n"
	                      "\n"
	                      "listen = 0.0.0.0:9090\n"
	                      "io_threads=4\n"
	                      "handler_threads =  64\n"
	                      "job_threads= 0\n"
	                      "database_url = \"host=/tmp dbname=carbot\"\n"
	                      "read_only_database_url = host=replica dbname=carbot\n"
	                      "db_pool_size = 1000\n"
	                      "redis = unix:/run/redis.sock\n"
	                      "log_level = debug\n"
	                      "plugin_dir = plugins\n"
	                      "max_body = 64M\n"
	                      "request_timeout = 3600\n"
	                      "drain_timeout = 0\n"
	                      "trusted_proxies = 10.0.0.1, 10.0.0.2\n"
	                      "ratelimit_on_redis_down = closed\n"
	                      "job_poll_ms = 10\n"
	                      "job_lease = 86400\n",
	                      path, err);
	ok(c != NULL, "full file loads");
	if (!c) {
		printf("# %s\n", err);
		return;
	}
	struct core_settings *s = &c->core;
	is_str(s->listen_host, "0.0.0.0", "listen host is overridden");
	is_int(s->listen_port, 9090, "listen port is overridden");
	is_int(s->io_threads, 4, "io_threads without spaces around '='");
	is_int(s->handler_threads, 64, "handler_threads with extra spaces");
	is_int(s->job_threads, 0, "job_threads may be 0");
	is_str(s->database_url, "host=/tmp dbname=carbot", "quoted database_url");
	is_str(s->read_only_database_url, "host=replica dbname=carbot",
	       "bare value keeps '=' and inner spaces");
	is_int(s->db_pool_size, 1000, "db_pool_size at its maximum");
	is_str(s->redis, "unix:/run/redis.sock", "redis unix socket");
	is_int(s->log_level, LOG_DEBUG_, "log_level debug");
	is_str(s->plugin_dir, "/tmp/plugins", "relative plugin_dir resolves against config dir");
	is_int(s->max_body, 64 << 20, "max_body with M suffix");
	is_int(s->request_timeout, 3600, "request_timeout at its maximum");
	is_int(s->drain_timeout, 0, "drain_timeout may be 0");
	is_str(s->trusted_proxies, "10.0.0.1, 10.0.0.2", "trusted_proxies is free text");
	is_int(s->ratelimit_fail_closed, 1, "ratelimit_on_redis_down closed");
	is_int(s->job_poll_ms, 10, "job_poll_ms at its minimum");
	is_int(s->job_lease, 86400, "job_lease at its maximum");
	is_str(conf_global(c, "io_threads"), "4", "conf_global returns the raw text");
	ok(conf_global(c, "listen_host") == NULL, "conf_global of an unset key is NULL");
	int all_used = 1, n = 0;
	for (struct conf_entry *e = c->globals; e; e = e->next, n++)
		all_used &= e->used;
	is_int(n, 17, "every global is in globals");
	ok(all_used, "every global is marked used");
	is_str(c->globals->key, "listen", "globals are in file order");
	is_int(c->globals->line, 3, "entries record their line");
	conf_free(c);
}

static void test_small_values(void)
{
	char path[64], err[512];
	struct conf *c =
	    load(DB "listen = [::1]:1\nmax_body = 1k\nredis = [::1]:6380\n"
	            "read_only_database_url =\nplugin_dir = /opt/p\nlog_level = error\n",
	         path, err);
	ok(c != NULL, "edge values load");
	if (!c)
		return;
	is_str(c->core.listen_host, "::1", "bracketed IPv6 listen host loses its brackets");
	is_int(c->core.listen_port, 1, "listen port 1 is allowed");
	is_int(c->core.max_body, 1024, "max_body 1k is the minimum");
	is_str(c->core.redis, "[::1]:6380", "redis bracketed IPv6");
	ok(c->core.read_only_database_url == NULL, "empty read_only_database_url is NULL");
	is_str(c->core.plugin_dir, "/opt/p", "absolute plugin_dir is kept");
	is_int(c->core.log_level, LOG_ERROR_, "log_level error");
	is_str(conf_global(c, "read_only_database_url"), "", "empty value is kept as raw text");
	conf_free(c);
}

static void test_sections(void)
{
	char path[64], err[512];
	struct conf *c = load(DB "[plugin auth]\n"
	                         "jwt_secret = s3cret\n"
	                         "file = auth.conf\n"
	                         "ttl = 60\n"
	                         "\n"
	                         "  [ plugin   billing ]   # money\n"
	                         "file = /etc/carbot/billing.conf\n"
	                         "ttl = 5\n"
	                         "[plugin empty]\n"
	                         "file =\n",
	                      path, err);
	ok(c != NULL, "sections load");
	if (!c) {
		printf("# %s\n", err);
		return;
	}
	struct conf_section *a = c->sections, *b = a ? a->next : NULL, *e = b ? b->next : NULL;
	ok(a && b && e && !e->next, "three sections");
	if (!(a && b && e))
		return;
	is_str(a->plugin, "auth", "first section is first in file");
	is_str(b->plugin, "billing", "second section, spaces inside brackets allowed");
	is_str(e->plugin, "empty", "third section");
	is_int(a->line, 2, "section records its line");
	is_str(a->file, "/tmp/auth.conf", "relative file resolves against config dir");
	is_str(b->file, "/etc/carbot/billing.conf", "absolute file is kept");
	ok(e->file == NULL, "empty file means no file");
	ok(conf_find(a->entries, "file") == NULL, "file is not an entry");
	is_str(a->entries ? a->entries->key : NULL, "jwt_secret", "section entries in file order");
	is_str(conf_find(a->entries, "ttl")->value, "60", "conf_find finds a section entry");
	is_int(conf_find(a->entries, "ttl")->line, 5, "section entry records its line");
	ok(!conf_find(a->entries, "ttl")->used, "section entries start unused");
	is_str(conf_find(b->entries, "ttl")->value, "5", "same key in another section is fine");
	ok(conf_find(e->entries, "ttl") == NULL, "conf_find of a missing key is NULL");
	ok(conf_find(NULL, "ttl") == NULL, "conf_find of an empty list is NULL");
	ok(conf_global(c, "jwt_secret") == NULL, "section entries are not globals");
	conf_free(c);
}

static void test_env(void)
{
	char path[64], err[512];
	setenv("CB_T_PORT", "9999", 1);
	setenv("CB_T_EMPTY", "", 1);
	setenv("CB_T_SECRET", "a \"b\" #c", 1);
	unsetenv("CB_T_UNSET");
	struct conf *c = load("listen = 127.0.0.1:${CB_T_PORT}\n"
	                      "database_url = \"db-${CB_T_UNSET:-dflt}\"\n"
	                      "trusted_proxies = ${CB_T_EMPTY}\n"
	                      "[plugin p]\n"
	                      "secret = ${CB_T_SECRET}\n"
	                      "both = ${CB_T_PORT}${CB_T_PORT}-${CB_T_EMPTY:-e}\n"
	                      "empty_default = x${CB_T_UNSET:-}y\n"
	                      "dollar = a$b $ {x} $\n",
	                      path, err);
	ok(c != NULL, "env file loads");
	if (!c) {
		printf("# %s\n", err);
		return;
	}
	struct conf_entry *e = c->sections->entries;
	is_int(c->core.listen_port, 9999, "${VAR} expands in a bare value");
	is_str(c->core.database_url, "db-dflt", "${VAR:-default} expands in a quoted value");
	is_str(c->core.trusted_proxies, "", "set but empty VAR expands to empty");
	is_str(conf_find(e, "secret")->value, "a \"b\" #c", "expanded text is not reparsed");
	is_str(conf_find(e, "both")->value, "99999999-e", "several expansions, default on empty");
	is_str(conf_find(e, "empty_default")->value, "xy", "empty default");
	is_str(conf_find(e, "dollar")->value, "a$b $ {x} $", "a '$' without '{' is literal");
	is_str(conf_global(c, "listen"), "127.0.0.1:9999", "conf_global shows the expanded text");
	conf_free(c);
	fails(DB "dollar = a$b ${\n", 2, "unterminated '${' in the value of 'dollar'",
	      "unterminated ${");
	fails(DB "x = ${1A}\n", 2, "bad variable reference '${1A}' in the value of 'x'",
	      "bad variable name");
	fails(DB "x = ${A:x}\n", 2, "bad variable reference '${A:x}' in the value of 'x'",
	      "bad variable operator");
	fails(DB "[plugin p]\nk = \"${CB_T_UNSET}\"\n", 3,
	      "environment variable CB_T_UNSET is not set", "missing variable");
	fails("database_url = ${CB_T_UNSET}\n", 1, "environment variable CB_T_UNSET is not set",
	      "missing variable in a global");
}

static void test_quoting(void)
{
	char path[64], err[512];
	struct conf *c = load(DB "[plugin q]\n"
	                         "a = \"x \\\"y\\\" \\\\ z\"\n"
	                         "b = \"has # hash\"  # comment\n"
	                         "c = \"  padded  \"#comment\n"
	                         "d = bare value   # comment\n"
	                         "e = a#b\n"
	                         "f = # only a comment\n"
	                         "g = \"\"\n"
	                         "h = \"C:\\dir\\n\"\n"
	                         "i\t=\tx\t \r\n"
	                         "  # indented comment\n"
	                         "\t\n"
	                         "j = \"\" \n",
	                      path, err);
	ok(c != NULL, "quoting file loads");
	if (!c) {
		printf("# %s\n", err);
		return;
	}
	struct conf_entry *e = c->sections->entries;
	is_str(conf_find(e, "a")->value, "x \"y\" \\ z", "\\\" and \\\\ escapes");
	is_str(conf_find(e, "b")->value, "has # hash", "'#' inside quotes is kept");
	is_str(conf_find(e, "c")->value, "  padded  ", "quotes keep spaces, comment after quote");
	is_str(conf_find(e, "d")->value, "bare value", "inline comment after whitespace removed");
	is_str(conf_find(e, "e")->value, "a#b", "'#' not after whitespace is kept");
	is_str(conf_find(e, "f")->value, "", "value that is only a comment is empty");
	is_str(conf_find(e, "g")->value, "", "empty quoted value");
	is_str(conf_find(e, "h")->value, "C:\\dir\\n", "other backslashes are kept");
	is_str(conf_find(e, "i")->value, "x", "tabs and CR are trimmed");
	is_int(conf_find(e, "j")->line, 14, "comments and blank lines count as lines");
	conf_free(c);
}

static void test_syntax_errors(void)
{
	fails("# c\ndatabase_url x\n", 2, "missing '=' in 'database_url x'", "missing '='");
	fails(DB " = x\n", 2, "missing setting name before '='", "missing key");
	fails(
	    DB "Listen = x\n", 2,
	    "bad setting name 'Listen' (lowercase letters, digits and '_', starting with a letter)",
	    "uppercase key");
	fails(DB "1x = y\n", 2,
	      "bad setting name '1x' (lowercase letters, digits and '_', starting with a letter)",
	      "key starting with a digit");
	fails(
	    DB "my key = y\n", 2,
	    "bad setting name 'my key' (lowercase letters, digits and '_', starting with a letter)",
	    "key with a space");
	fails(DB "[plugin p]\nk = \"abc\n", 3, "unterminated quoted value for 'k'",
	      "unterminated quote");
	fails(DB "k = \"abc\\\"\n", 2, "unterminated quoted value for 'k'",
	      "escaped quote does not terminate");
	fails(DB "[plugin p]\nk = \"abc\" def\n", 3,
	      "unexpected text after the closing quote of 'k'", "junk after closing quote");
	fails(DB "listen = 1.2.3.4:1\nlisten = 1.2.3.4:2\n", 3,
	      "duplicate setting 'listen' (first at line 2)", "duplicate global");
	fails(DB "[plugin p]\nk = 1\n\nk = 2\n", 5, "duplicate setting 'k' (first at line 3)",
	      "duplicate key in a section");
	fails(DB "[plugin p]\nfile = a\nfile = b\n", 4,
	      "duplicate setting 'file' (first at line 3)", "duplicate file in a section");
	fails(DB "[plugin p]\n[plugin q]\n[plugin p]\n", 4,
	      "duplicate section [plugin p] (first at line 2)", "duplicate plugin section");
	const char *bad[] = {"[plugin]",       "[plugin Auth]",  "[plugins auth]", "[plugin auth",
	                     "[plugin a b]",   "[plugin auth]x", "[other auth]",   "[]",
	                     "[plugin 1auth]", "[pluginauth]"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[128], reason[128];
		snprintf(text, sizeof text, DB "%s\n", bad[i]);
		snprintf(reason, sizeof reason, "bad section header '%s', expected '[plugin NAME]'",
		         bad[i]);
		fails(text, 2, reason, bad[i]);
	}
	fails(DB "foo = 1\n", 2, "unknown setting 'foo'", "unknown global");
	fails(DB "file = x\n", 2, "unknown setting 'file'", "file is not a global");
	fails("listen = 1.2.3.4:5\n", 0, "database_url is required", "database_url missing");
	fails("", 0, "database_url is required", "empty file");
	fails("database_url =\n", 1, "database_url must not be empty", "database_url empty");
}

static void test_file_errors(void)
{
	char line[4200], text[4300];
	memset(line, 'x', sizeof line);
	memcpy(line, "k = ", 4);
	line[4096] = '\0';
	snprintf(text, sizeof text, DB "[plugin p]\n%s\n", line);
	char path[64], err[512];
	struct conf *c = load(text, path, err);
	ok(c && strlen(c->sections->entries->value) == 4092, "a 4096-byte line is accepted");
	conf_free(c);
	line[4096] = 'x';
	line[4097] = '\0';
	snprintf(text, sizeof text, DB "[plugin p]\n%s\n", line);
	fails(text, 3, "line is longer than 4096 bytes", "4097-byte line");
	fails_n(LIT(DB "k = a\0b\n"), 2, "line contains a NUL byte", "NUL byte");
	fails_n(LIT(DB "# \0\n"), 2, "line contains a NUL byte", "NUL in a comment");

	c = conf_load("/nonexistent/carbot.conf", err, sizeof err);
	ok(c == NULL, "missing file fails");
	char want[256];
	snprintf(want, sizeof want, "/nonexistent/carbot.conf: cannot open: %s", strerror(ENOENT));
	is_str(err, want, "missing file message");
	c = conf_load("/tmp", err, sizeof err);
	ok(c == NULL, "directory fails");
	snprintf(want, sizeof want, "/tmp: cannot read: %s", strerror(EISDIR));
	is_str(err, want, "directory message");
	char tiny[8];
	c = conf_load("/nonexistent/carbot.conf", tiny, sizeof tiny);
	ok(c == NULL && strlen(tiny) == 7, "a short err buffer is truncated, not overrun");
	conf_free(NULL);
	ok(1, "conf_free(NULL) is harmless");
}

static void test_relative_path(void)
{
	char path[64], err[512], cwd[PATH_MAX];
	const char *text = DB "plugin_dir = p\n[plugin a]\nfile = ../a.conf\n";
	write_tmp(path, text, strlen(text));
	if (!getcwd(cwd, sizeof cwd) || chdir("/tmp") != 0) {
		ok(0, "chdir to /tmp");
		return;
	}
	struct conf *c = conf_load(path + 5, err, sizeof err);
	ok(c != NULL, "relative config path loads");
	if (c) {
		is_str(c->path, path + 5, "relative path is kept as given");
		is_str(c->dir, "/tmp", "relative path's dir is made absolute");
		is_str(c->core.plugin_dir, "/tmp/p", "plugin_dir resolves against it");
		is_str(c->sections->file, "/tmp/../a.conf", "file resolves against it");
	}
	conf_free(c);
	unlink(path);
	if (chdir(cwd) != 0)
		ok(0, "chdir back");
}

static void test_value_errors(void)
{
	static const struct {
		const char *line, *reason;
	} cases[] = {
	    {"io_threads = abc", "io_threads must be an integer from 1 to 64, got 'abc'"},
	    {"io_threads = 0", "io_threads must be an integer from 1 to 64, got '0'"},
	    {"io_threads = 65", "io_threads must be an integer from 1 to 64, got '65'"},
	    {"io_threads = +5", "io_threads must be an integer from 1 to 64, got '+5'"},
	    {"io_threads = -1", "io_threads must be an integer from 1 to 64, got '-1'"},
	    {"io_threads = 0x10", "io_threads must be an integer from 1 to 64, got '0x10'"},
	    {"io_threads = 4s", "io_threads must be an integer from 1 to 64, got '4s'"},
	    {"io_threads =", "io_threads must be an integer from 1 to 64, got ''"},
	    {"io_threads = 99999999999999999999",
	     "io_threads must be an integer from 1 to 64, got '99999999999999999999'"},
	    {"handler_threads = 1025",
	     "handler_threads must be an integer from 1 to 1024, got '1025'"},
	    {"job_threads = 17", "job_threads must be an integer from 0 to 16, got '17'"},
	    {"db_pool_size = 0", "db_pool_size must be an integer from 1 to 1000, got '0'"},
	    {"request_timeout = 0", "request_timeout must be an integer from 1 to 3600, got '0'"},
	    {"drain_timeout = 3601", "drain_timeout must be an integer from 0 to 3600, got '3601'"},
	    {"job_poll_ms = 9", "job_poll_ms must be an integer from 10 to 60000, got '9'"},
	    {"job_lease = 86401", "job_lease must be an integer from 10 to 86400, got '86401'"},
	    {"listen = :8080",
	     "listen must be HOST:PORT or [IPV6]:PORT with a port from 1 to 65535, got ':8080'"},
	    {"listen = localhost", "listen must be HOST:PORT or [IPV6]:PORT with a port from 1 to "
	                           "65535, got 'localhost'"},
	    {"listen = 1.2.3.4:0", "listen must be HOST:PORT or [IPV6]:PORT with a port from 1 to "
	                           "65535, got '1.2.3.4:0'"},
	    {"listen = h:65536",
	     "listen must be HOST:PORT or [IPV6]:PORT with a port from 1 to 65535, got 'h:65536'"},
	    {"listen = ::1:80",
	     "listen must be HOST:PORT or [IPV6]:PORT with a port from 1 to 65535, got '::1:80'"},
	    {"listen = []:80",
	     "listen must be HOST:PORT or [IPV6]:PORT with a port from 1 to 65535, got '[]:80'"},
	    {"listen = [::1]80",
	     "listen must be HOST:PORT or [IPV6]:PORT with a port from 1 to 65535, got '[::1]80'"},
	    {"redis = redis", "redis must be HOST:PORT or unix:/PATH, got 'redis'"},
	    {"redis = unix:run/r.sock",
	     "redis must be HOST:PORT or unix:/PATH, got 'unix:run/r.sock'"},
	    {"redis = unix:/", "redis must be HOST:PORT or unix:/PATH, got 'unix:/'"},
	    {"log_level = verbose", "log_level must be debug, info, warn or error, got 'verbose'"},
	    {"log_level = INFO", "log_level must be debug, info, warn or error, got 'INFO'"},
	    {"plugin_dir =", "plugin_dir must not be empty"},
	    {"max_body = 1023",
	     "max_body must be a size from 1k to 64m (bytes, k or m suffix), got "
	     "'1023'"},
	    {"max_body = 65m", "max_body must be a size from 1k to 64m (bytes, k or m suffix), got "
	                       "'65m'"},
	    {"max_body = 1g", "max_body must be a size from 1k to 64m (bytes, k or m suffix), got "
	                      "'1g'"},
	    {"max_body = 1kb", "max_body must be a size from 1k to 64m (bytes, k or m suffix), got "
	                       "'1kb'"},
	    {"max_body = k", "max_body must be a size from 1k to 64m (bytes, k or m suffix), got "
	                     "'k'"},
	    {"max_body = 99999999999999m", "max_body must be a size from 1k to 64m (bytes, k or m "
	                                   "suffix), got '99999999999999m'"},
	    {"ratelimit_on_redis_down = maybe",
	     "ratelimit_on_redis_down must be open or closed, got 'maybe'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[256];
		snprintf(text, sizeof text, "# x\n%s\n" DB, cases[i].line);
		fails(text, 2, cases[i].reason, cases[i].line);
	}
}

int main(void)
{
	test_defaults();
	test_overrides();
	test_small_values();
	test_sections();
	test_env();
	test_quoting();
	test_syntax_errors();
	test_value_errors();
	test_file_errors();
	test_relative_path();
	return done_testing();
}
