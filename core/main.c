/* main.c — carbotd: read the config, load plugins, migrate, serve, drain.
 *
 *   carbotd -c FILE      run
 *   carbotd -t -c FILE   check the config and plugins, then exit 0 or 1
 *
 * Anything that stops startup prints one line, "carbotd: <file>: <reason>",
 * and exits 1. */
#include <curl/curl.h>
#include <event2/thread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <carbot/embed.h>

#include "core.h"

static void usage(FILE *to)
{
	fputs("usage: carbotd [-t] -c FILE\n"
	      "  -c FILE  configuration file (carbot.conf)\n"
	      "  -t       check the configuration and plugins, then exit\n"
	      "  -V       print the version\n",
	      to);
}

/* Everything startup built, freed so that a sanitizer run sees no leak on
 * any exit path. */
static void release_all(void)
{
	router_free_all();
	registry_free();
	perm_free();
	plugins_free();
	openapi_free();
	conf_free(core.conf);
	core.conf = NULL;
}

static int die(const char *msg)
{
	fprintf(stderr, "carbotd: %s\n", msg);
	plugins_fini(); /* those whose init ran, in reverse order */
	release_all();
	return 1;
}

static int register_core(void)
{
	for (size_t i = 0; i < cb_embedded_n; i++)
		if (cb_migration((cb_plugin *)&core_plugin, cb_embedded[i].name,
		                 cb_embedded[i].text) != CB_OK)
			return -1;
	return builtin_register();
}

static void drain(void)
{
	double until = now_ms() + core.conf->core.drain_timeout * 1000.0;
	while (atomic_load(&core.inflight) > 0 && now_ms() < until)
		usleep(10 * 1000);
	if (atomic_load(&core.inflight) > 0)
		log_core(CB_LOG_WARN, "drain timeout: %ld requests still in flight",
		         atomic_load(&core.inflight));
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int check_only = 0, opt;
	while ((opt = getopt(argc, argv, "c:tVh")) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check_only = 1;
			break;
		case 'V':
			puts("carbotd " CB_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!path || optind != argc) {
		usage(stderr);
		return 2;
	}
	char err[2048];
	/* -t checks the config and the plugins, not the deployment: the
	 * database and Redis addresses may come from variables not set here */
	conf_lenient_env = check_only;
	core.conf = conf_load(path, err, sizeof err);
	if (!core.conf)
		return die(err);
	log_init(core.conf->core.log_level);
	evthread_use_pthreads();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	signal(SIGPIPE, SIG_IGN);

	if (register_core() != 0)
		return die("cannot register the core's routes and migrations");
	if (plugins_load(err, sizeof err) != 0)
		return die(err);
	openapi_check_routes();
	if (check_only) {
		int n = 0;
		for (struct plugin *p = core.plugins; p; p = p->next)
			n++;
		printf("carbotd: %s is valid; %d plugin%s loaded\n", path, n, n == 1 ? "" : "s");
		release_all();
		return 0;
	}
	const struct core_settings *cs = &core.conf->core;

	/* signals go to sigwait below, never to a worker thread */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	/* the port first: a clash (another carbotd) must stop us before any
	 * migration is applied */
	if (server_listen(err, sizeof err) != 0)
		return die(err);
	if (db_init(cs->database_url, cs->read_only_database_url, cs->db_pool_size, cs->db_prepare,
	            err, sizeof err) != 0)
		return die(err);
	if (migrate_all(err, sizeof err) != 0)
		return die(err);
	redis_configure(cs->redis);
	if (pool_start(cs->handler_threads) != 0 || jobs_start(cs->job_threads) != 0)
		return die("cannot start threads");
	if (server_start(err, sizeof err) != 0)
		return die(err);
	log_core(CB_LOG_INFO,
	         "carbotd %s listening on http://%s:%d with %d I/O and %d handler threads",
	         CB_VERSION, cs->listen_host, cs->listen_port, cs->io_threads, cs->handler_threads);

	int sig = 0;
	sigwait(&set, &sig);
	log_core(CB_LOG_INFO, "%s received: draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	atomic_store(&core.stopping, 1);
	server_stop_accepting();
	drain();
	server_join();
	pool_stop();
	jobs_stop();
	plugins_fini();
	db_shutdown();
	curl_global_cleanup();
	log_core(CB_LOG_INFO, "stopped");
	release_all();
	return 0;
}
