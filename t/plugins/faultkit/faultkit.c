/* faultkit — a slow durable job for the fault tests: its first attempt
 * records that it started (with the pid of the carbotd running it) and then
 * sleeps first_ms, so the test can kill that process while it holds the job;
 * a later attempt finishes at once. Not for production: built only under t/. */
#include <carbot/embed.h>
#include <carbot/sdk.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long long ms)
{
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
	                      .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0) {
	}
}

static int job_slow(cb_req *req, const cb_json *payload)
{
	const char *tag = cb_json_get_str(payload, "tag");
	long long first_ms = 0;
	cb_json_int(cb_json_get(payload, "first_ms"), &first_ms);
	if (!tag)
		return CB_ERR;
	char pid[16];
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	cb_res *r = cb_db_q(req,
	                    "SELECT count(*) AS n FROM faultkit_runs WHERE tag = $1 AND "
	                    "phase = 'start'",
	                    tag);
	if (!r)
		return CB_EDB;
	long long before = cb_res_int(r, 0, "n");
	if (!cb_db_q(req, "INSERT INTO faultkit_runs (tag, phase, pid) VALUES ($1, 'start', $2)",
	             tag, pid))
		return CB_EDB;
	if (before == 0 && first_ms > 0)
		sleep_ms(first_ms > 120000 ? 120000 : first_ms);
	if (!cb_db_q(req, "INSERT INTO faultkit_runs (tag, phase, pid) VALUES ($1, 'done', $2)",
	             tag, pid))
		return CB_EDB;
	return CB_OK;
}

static int enqueue(cb_req *req)
{
	cb_json *body = cb_req_json(req);
	if (!body)
		return CB_OK;
	long long id = 0;
	int rc = cb_job_enqueue(req, "faultkit.slow", body, 0, &id);
	if (rc != CB_OK)
		return rc;
	cb_json *o = cb_json_new_object(req);
	cb_json_set_int(o, "job_id", id);
	return cb_reply_json(req, 202, o);
}

static int init(cb_plugin *p)
{
	for (size_t i = 0; i < cb_embedded_n; i++)
		cb_migration(p, cb_embedded[i].name, cb_embedded[i].text);
	cb_route(p, "POST", "/t/fault/job", CB_AUTH_PUBLIC, NULL, enqueue);
	cb_job_handler(p, "faultkit.slow", 3, job_slow);
	return CB_OK;
}

CB_PLUGIN("faultkit", "1.0.0", NULL, init, NULL)
