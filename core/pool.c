/* pool.c — the handler threads. Requests wait in one FIFO; each thread takes
 * the next, runs it to completion (blocking on the database, Redis or the
 * network as it must) and hands the reply back to its I/O thread.
 *
 * Handler threads run at nice handler_nice (default 5) while the I/O threads
 * stay at 0, so a CPU-heavy handler (bcrypt) yields to the event loops when
 * the cores are busy. The price: on a machine shared with PostgreSQL and
 * Redis, the handlers also yield to them, which stretches the latency tail
 * under load (bench/chat.pl measures both; handler_nice = 0 removes it). */
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static cb_req *head, *tail;
static int stop;
static pthread_t *threads;
static int nthreads;

void pool_push(cb_req *req)
{
	req->next_done = NULL;
	pthread_mutex_lock(&mu);
	if (tail)
		tail->next_done = req;
	else
		head = req;
	tail = req;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

static void *worker(void *arg)
{
	(void)arg;
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), core.conf->core.handler_nice);
	for (;;) {
		pthread_mutex_lock(&mu);
		while (!head && !stop)
			pthread_cond_wait(&cv, &mu);
		cb_req *req = head;
		if (req) {
			head = req->next_done;
			if (!head)
				tail = NULL;
		}
		pthread_mutex_unlock(&mu);
		if (!req)
			break; /* stopping and nothing left */
		dispatch_run(req);
		server_done(req);
	}
	redis_thread_cleanup();
	return NULL;
}

int pool_start(int n)
{
	threads = calloc((size_t)n, sizeof *threads);
	for (nthreads = 0; nthreads < n; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, worker, NULL) != 0)
			return -1;
	return 0;
}

void pool_stop(void)
{
	pthread_mutex_lock(&mu);
	stop = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	threads = NULL;
	nthreads = 0;
}
