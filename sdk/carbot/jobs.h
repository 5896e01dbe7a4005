/* carbot/jobs.h — durable jobs in PostgreSQL.
 *
 * A job is a row of cb_jobs: a registered handler name, a JSON payload, the
 * time it may run, and its attempts. carbotd's job threads take due jobs with
 * FOR UPDATE SKIP LOCKED (so several carbotd processes share the queue), run
 * the handler, and on failure retry it with exponential backoff (2^attempt
 * seconds, at most one hour) until max_attempts; then it stays visible as
 * status 'failed' with its last error (and in /metrics). A job whose carbotd
 * died while running it is taken again after job_lease seconds.
 *
 * Handlers are registered in init with cb_job_handler (plugin.h). They run
 * with a cb_req of their own (arena, database, Redis, logs) but no HTTP part.
 */
#ifndef CARBOT_JOBS_H
#define CARBOT_JOBS_H

typedef struct cb_req cb_req;
typedef struct cb_json cb_json;

/* A job handler: CB_OK when done; anything else is a failure to retry. It may
 * call cb_job_error first to record why. */
typedef int (*cb_job_fn)(cb_req *req, const cb_json *payload);

/* Queues job name with payload (may be NULL) to run after delay_s seconds.
 * Uses req's connection, so inside a transaction the job exists only if the
 * transaction commits. Returns CB_OK, CB_ENOTFOUND (no handler registered by
 * that name) or CB_EDB. When id is not NULL the job's id is stored there. */
int cb_job_enqueue(cb_req *req, const char *name, const cb_json *payload, long long delay_s,
		   long long *id);

/* For a job handler: records the reason of this attempt's failure (kept in
 * cb_jobs.last_error). */
void cb_job_error(cb_req *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
