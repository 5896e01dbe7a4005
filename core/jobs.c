/* jobs.c — the durable queue's producer side (cb_job_enqueue) and carbotd's
 * job threads, which claim due jobs with FOR UPDATE SKIP LOCKED. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

static pthread_t threads[16];
static int nthreads;
static pthread_mutex_t wake_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake_cv = PTHREAD_COND_INITIALIZER;

static const struct job_handler *find_handler(const char *name)
{
	for (const struct job_handler *j = job_handlers; j; j = j->next)
		if (strcmp(j->name, name) == 0)
			return j;
	return NULL;
}

int cb_job_enqueue(cb_req *req, const char *name, const cb_json *payload, long long delay_s,
		   long long *id)
{
	const struct job_handler *j = name ? find_handler(name) : NULL;
	if (!j)
		return CB_ENOTFOUND;
	char delay[24], max[16];
	snprintf(delay, sizeof delay, "%lld", delay_s < 0 ? 0 : delay_s);
	snprintf(max, sizeof max, "%d", j->max_attempts);
	const char *body = payload ? cb_json_dump(req, payload, NULL) : "{}";
	cb_res *r = cb_db_q(req,
			    "INSERT INTO cb_jobs (name, payload, max_attempts, run_at) VALUES ($1, "
			    "$2::jsonb, $3::int, now() + make_interval(secs => $4::int)) RETURNING id",
			    name, body, max, delay);
	if (!r)
		return CB_EDB;
	if (id)
		*id = cb_res_int(r, 0, "id");
	return CB_OK;
}

void cb_job_error(cb_req *req, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	req->job_error = cb_strdup(req, msg);
}

/* Names this process can run, as a PostgreSQL text[] literal. */
static char *names_literal(void)
{
	size_t cap = 16;
	for (const struct job_handler *j = job_handlers; j; j = j->next)
		cap += 2 * strlen(j->name) + 4;
	char *s = malloc(cap), *o = s;
	*o++ = '{';
	for (const struct job_handler *j = job_handlers; j; j = j->next) {
		if (o > s + 1)
			*o++ = ',';
		*o++ = '"';
		for (const char *c = j->name; *c; c++) {
			if (*c == '"' || *c == '\\')
				*o++ = '\\';
			*o++ = *c;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	return s;
}

/* Claims and runs one due job; returns 1 when it ran one, 0 when none was
 * due, -1 when the database failed. */
static int run_one(const char *names)
{
	cb_req *req = req_new();
	char lease[16];
	snprintf(lease, sizeof lease, "%d", core.conf->core.job_lease);
	cb_res *r = cb_db_q(
		req,
		"UPDATE cb_jobs SET status = 'running', attempts = attempts + 1, locked_at = now(), "
		"updated_at = now() WHERE id = (SELECT id FROM cb_jobs WHERE name = ANY($1::text[]) "
		"AND ((status = 'pending' AND run_at <= now()) OR (status = 'running' AND locked_at < "
		"now() - make_interval(secs => $2::int))) ORDER BY run_at LIMIT 1 FOR UPDATE SKIP "
		"LOCKED) RETURNING id, name, payload::text AS payload, attempts, max_attempts",
		names, lease);
	if (!r || cb_res_rows(r) == 0) {
		int rc = r ? 0 : -1;
		req_free(req);
		return rc;
	}
	const char *id = cb_res_val(r, 0, "id"), *name = cb_res_val(r, 0, "name");
	long long attempts = cb_res_int(r, 0, "attempts"), max = cb_res_int(r, 0, "max_attempts");
	const struct job_handler *j = find_handler(name);
	const char *ptext = cb_res_val(r, 0, "payload");
	cb_json *payload = cb_json_parse(req, ptext, strlen(ptext), NULL, 0);
	db_release(req); /* the handler gets a clean connection of its own */
	req->plugin = j->owner->name;
	req->id = cb_sprintf(req, "job-%s", id);
	int rc = j->fn(req, payload);
	if (req->in_tx)
		cb_db_rollback(req);
	req->plugin = NULL;
	if (rc == CB_OK) {
		cb_db_q(req,
			"UPDATE cb_jobs SET status = 'done', last_error = NULL, updated_at = now() "
			"WHERE id = $1",
			id);
	} else {
		const char *why = req->job_error ? req->job_error : cb_strerror(rc);
		long long backoff = attempts >= 12 ? 3600 : (1LL << attempts);
		if (backoff > 3600)
			backoff = 3600;
		char secs[24];
		snprintf(secs, sizeof secs, "%lld", backoff);
		int final = attempts >= max;
		if (final)
			cb_db_q(req,
				"UPDATE cb_jobs SET status = 'failed', last_error = $2, updated_at = "
				"now() WHERE id = $1",
				id, why);
		else
			cb_db_q(req,
				"UPDATE cb_jobs SET status = 'pending', last_error = $2, run_at = now() + "
				"make_interval(secs => $3::int), updated_at = now() WHERE id = $1",
				id, why, secs);
		log_core(final ? CB_LOG_ERROR : CB_LOG_WARN, "job %s (%s) attempt %lld/%lld failed: %s",
			 id, name, attempts, max, why);
	}
	req_free(req);
	return 1;
}

static void *job_main(void *arg)
{
	(void)arg;
	char *names = names_literal();
	unsigned rounds = 0;
	while (!atomic_load(&core.stopping)) {
		int ran = job_handlers ? run_one(names) : 0;
		if (ran == 1)
			continue;
		if (++rounds % 1000 == 0) { /* now and then, forget finished jobs */
			cb_req *req = req_new();
			cb_db_q0(req, "DELETE FROM cb_jobs WHERE status = 'done' AND updated_at < "
				      "now() - interval '7 days'");
			req_free(req);
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		long ms = core.conf->core.job_poll_ms;
		until.tv_sec += ms / 1000;
		until.tv_nsec += (ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&wake_mu);
		if (!atomic_load(&core.stopping))
			pthread_cond_timedwait(&wake_cv, &wake_mu, &until);
		pthread_mutex_unlock(&wake_mu);
	}
	free(names);
	redis_thread_cleanup();
	return NULL;
}

int jobs_start(int n)
{
	for (nthreads = 0; nthreads < n && nthreads < 16; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, job_main, NULL) != 0)
			return -1;
	return 0;
}

void jobs_stop(void)
{
	pthread_mutex_lock(&wake_mu);
	pthread_cond_broadcast(&wake_cv);
	pthread_mutex_unlock(&wake_mu);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
}

void jobs_stats(cb_req *req, long long *pending, long long *running, long long *failed)
{
	*pending = *running = *failed = -1;
	cb_res *r = cb_db_q0(req, "SELECT count(*) FILTER (WHERE status = 'pending') AS p, "
				  "count(*) FILTER (WHERE status = 'running') AS r, count(*) "
				  "FILTER (WHERE status = 'failed') AS f FROM cb_jobs");
	if (!r)
		return;
	*pending = cb_res_int(r, 0, "p");
	*running = cb_res_int(r, 0, "r");
	*failed = cb_res_int(r, 0, "f");
}
