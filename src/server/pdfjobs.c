/*
 * pdfjobs.c: PDF printing off the request threads (pdfjobs.h, kj_reply_pdf in server.h).
 *
 * A request that wants a PDF builds its HTML on its worker thread, then hands it here and
 * its connection is suspended (MHD_suspend_connection): the worker goes on serving other
 * connections. A job thread prints, sets the request's reply and resumes the connection;
 * libmicrohttpd then calls the access handler again, which sends the reply.
 * Owns: the queue, the job threads, the HTML of each job. Must not: touch the database
 * (the HTML is complete before the job is queued), or a request after resuming it.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "engine/pdf.h"
#include "pdfjobs.h"
#include "server.h"

#define MAX_JOB_THREADS 16
#define RETRY_AFTER "10"	/* seconds a client refused for a full queue should wait */

struct job {
	struct job *next;
	struct kj_req *rq;
	char *html;
	size_t len;
	const char *chromium;
	const char *disposition;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct job *first, *last;	/* waiting, oldest first */
static unsigned nwaiting, max_waiting;
static pthread_t threads[MAX_JOB_THREADS];
static unsigned nthreads;
static int accepting;
static atomic_int cancel;	/* set by the stop: prints under way end at once */

static void
reply_unavailable(struct kj_req *rq, const char *message)
{
	kj_reply_header(rq, "Retry-After", RETRY_AFTER);
	kj_reply_json(rq, 503, json_pack("{s:s, s:s}", "error", "unavailable", "message", message));
}

/* Prints one job, sets its request's reply and resumes its connection. */
static void
run(struct job *j)
{
	struct kj_ctx ctx;
	struct kj_buf pdf;
	kj_err r;

	kj_ctx_init(&ctx);
	kj_buf_init(&pdf, 0);
	r = atomic_load(&cancel) ? KJ_ERR_STATE : kj_pdf_print(&ctx, j->chromium, j->html, j->len, &cancel, &pdf);
	if (r == KJ_OK) {
		size_t len = pdf.len;

		kj_reply_header(j->rq, "Content-Disposition", j->disposition);
		kj_reply_raw(j->rq, 200, "application/pdf", kj_buf_take(&pdf), len);
	} else if (atomic_load(&cancel)) {
		reply_unavailable(j->rq, "the server is stopping; send the request again");
	} else {
		kj_reply_error(j->rq, r, ctx.msg);
	}
	kj_buf_free(&pdf);
	free(j->html);
	MHD_resume_connection(j->rq->conn);
	free(j);
}

static void *
job_loop(void *arg)
{
	(void)arg;
	for (;;) {
		struct job *j;

		pthread_mutex_lock(&lock);
		while (first == NULL && accepting)
			pthread_cond_wait(&wake, &lock);
		j = first;
		if (j != NULL) {
			first = j->next;
			if (first == NULL)
				last = NULL;
			nwaiting--;
		}
		pthread_mutex_unlock(&lock);
		if (j == NULL)
			return NULL;	/* stopping, and nothing left */
		run(j);
	}
}

int
kj_pdfjobs_start(unsigned njobs, unsigned nqueue)
{
	sigset_t all, old;

	if (njobs > MAX_JOB_THREADS)
		njobs = MAX_JOB_THREADS;
	atomic_store(&cancel, 0);
	max_waiting = nqueue;
	accepting = 1;
	/* The job threads take no signal: kj_server_run waits for them on the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (nthreads = 0; nthreads < njobs; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, job_loop, NULL) != 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (nthreads == 0)
		accepting = 0;
	return nthreads > 0 ? 0 : -1;
}

void
kj_pdfjobs_stop(void)
{
	unsigned i;

	pthread_mutex_lock(&lock);
	accepting = 0;
	atomic_store(&cancel, 1);
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
}

void
kj_reply_pdf(struct kj_req *rq, char *html, size_t len, const char *chromium, const char *disposition)
{
	struct job *j = html != NULL ? calloc(1, sizeof(*j)) : NULL;

	if (j == NULL) {
		free(html);
		kj_reply_error(rq, KJ_ERR_NOMEM, "PDF: out of memory");
		return;
	}
	j->rq = rq;
	j->html = html;
	j->len = len;
	j->chromium = chromium;
	j->disposition = disposition;
	pthread_mutex_lock(&lock);
	if (!accepting || nwaiting >= max_waiting) {
		pthread_mutex_unlock(&lock);
		free(html);
		free(j);
		reply_unavailable(rq, "PDF: as many reports are being printed as this server allows; try again shortly");
		return;
	}
	/* Suspended before any job thread can see the job, so never resumed before it. */
	rq->suspended = 1;
	MHD_suspend_connection(rq->conn);
	if (last != NULL)
		last->next = j;
	else
		first = j;
	last = j;
	nwaiting++;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}
