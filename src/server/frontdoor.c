/*
 * frontdoor.c: the head deadline and the head checks (frontdoor.h).
 *
 * Owns: the list of open connections with the time each began waiting for a head, and the
 * thread that shuts down those past their deadline. Must not: close a socket (libmicrohttpd
 * owns it; shutdown only makes its next read end), or touch a connection after
 * libmicrohttpd has said it closed.
 */
#include <sys/socket.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/limits.h"
#include "base/util.h"
#include "frontdoor.h"

#define WATCH_STEP_MS 200	/* how often the deadline is looked at */

/* One open connection. waiting: no head is being served, since when; served: a reply was
 * sent on it before (the next head may be a while coming: a client keeping it open). */
struct watch {
	struct watch *prev, *next;
	int fd;
	int waiting;
	int served;
	int shut;
	struct timespec since;
};

/* The list is shared by libmicrohttpd's threads and the watch thread: all under lock.
 * An entry leaves the list (kj_frontdoor_notify, CLOSED) before libmicrohttpd closes its
 * socket, so the watch thread never shuts down a descriptor that was reused. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct watch *head;
static pthread_t watcher;
static int watching;
static atomic_int quit;
static unsigned first_head_s, next_head_s;

static double
since_s(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Shuts down every connection whose head is overdue. Called with the lock held. */
static void
shut_overdue(void)
{
	struct watch *w;

	for (w = head; w != NULL; w = w->next) {
		if (!w->waiting || w->shut || since_s(&w->since) < (double)(w->served ? next_head_s : first_head_s))
			continue;
		shutdown(w->fd, SHUT_RDWR);
		w->shut = 1;
	}
}

static void *
watch_loop(void *arg)
{
	const struct timespec step = {0, WATCH_STEP_MS * 1000 * 1000};

	(void)arg;
	while (!atomic_load(&quit)) {
		nanosleep(&step, NULL);
		pthread_mutex_lock(&lock);
		shut_overdue();
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

int
kj_frontdoor_start(unsigned header_timeout, unsigned idle_timeout)
{
	sigset_t all, old;
	int e;

	first_head_s = header_timeout;
	next_head_s = idle_timeout > header_timeout ? idle_timeout : header_timeout;
	atomic_store(&quit, 0);
	/* The watch thread takes no signal: kj_server_run waits for them on the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&watcher, NULL, watch_loop, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	watching = e == 0;
	return watching ? 0 : -1;
}

void
kj_frontdoor_stop(void)
{
	if (!watching)
		return;
	atomic_store(&quit, 1);
	pthread_join(watcher, NULL);
	watching = 0;
}

static struct watch *
watch_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

void
kj_frontdoor_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		    enum MHD_ConnectionNotificationCode toe)
{
	struct watch *w;

	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

		*socket_context = NULL;
		if (ci == NULL || (w = calloc(1, sizeof(*w))) == NULL)
			return;	/* unwatched: libmicrohttpd's idle timeout still applies */
		w->fd = ci->connect_fd;
		w->waiting = 1;
		clock_gettime(CLOCK_MONOTONIC, &w->since);
		pthread_mutex_lock(&lock);
		w->next = head;
		if (head != NULL)
			head->prev = w;
		head = w;
		pthread_mutex_unlock(&lock);
		*socket_context = w;
		return;
	}
	if ((w = *socket_context) == NULL)
		return;
	pthread_mutex_lock(&lock);
	if (w->prev != NULL)
		w->prev->next = w->next;
	else
		head = w->next;
	if (w->next != NULL)
		w->next->prev = w->prev;
	pthread_mutex_unlock(&lock);
	free(w);
	*socket_context = NULL;
}

static void
set_waiting(struct MHD_Connection *conn, int waiting)
{
	struct watch *w = watch_of(conn);

	if (w == NULL)
		return;
	pthread_mutex_lock(&lock);
	w->served |= waiting;
	w->waiting = waiting;
	clock_gettime(CLOCK_MONOTONIC, &w->since);
	pthread_mutex_unlock(&lock);
}

void
kj_frontdoor_head_done(struct MHD_Connection *conn)
{
	set_waiting(conn, 0);
}

void
kj_frontdoor_reply_done(struct MHD_Connection *conn)
{
	set_waiting(conn, 1);
}

/* ---- Head checks ------------------------------------------------------------------------ */

struct head_scan {
	int content_lengths;
	int transfer_encodings;
	int chunked_only;	/* the one Transfer-Encoding is "chunked" */
	int host;
	size_t query_bytes;
};

static enum MHD_Result
scan_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct head_scan *s = cls;

	(void)kind;
	if (strcasecmp(key, "Content-Length") == 0)
		s->content_lengths++;
	else if (strcasecmp(key, "Transfer-Encoding") == 0) {
		s->transfer_encodings++;
		s->chunked_only = value != NULL && strcasecmp(value, "chunked") == 0;
	} else if (strcasecmp(key, "Host") == 0)
		s->host++;
	return MHD_YES;
}

static enum MHD_Result
scan_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct head_scan *s = cls;

	(void)kind;
	s->query_bytes += strlen(key) + (value != NULL ? strlen(value) + 1 : 0) + 1;
	return MHD_YES;
}

static int
refuse(struct kj_req *rq, int status, const char *error, const char *message)
{
	if (status == 400)
		kj_reply_error(rq, KJ_ERR_INVALID, message);
	else
		kj_reply_json(rq, status, json_pack("{s:s, s:s}", "error", error, "message", message));
	return -1;
}

int
kj_frontdoor_check_head(struct kj_req *rq, const char *version)
{
	struct MHD_Connection *conn = rq->conn;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	struct head_scan s = {0};

	MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_header, &s);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, scan_arg, &s);
	if (strlen(rq->path) + s.query_bytes > KJ_MAX_URL_BYTES)
		return refuse(rq, 414, "uri_too_long", "request target: longer than 16 KiB");
	if (ci != NULL && ci->header_size > KJ_MAX_HEAD_BYTES)
		return refuse(rq, 431, "header_too_large", "request head: larger than 32 KiB");
	if (s.content_lengths > 1)
		return refuse(rq, 400, NULL, "Content-Length: sent more than once");
	if (s.transfer_encodings > 0 && s.content_lengths > 0)
		return refuse(rq, 400, NULL, "Content-Length and Transfer-Encoding: send one of them, not both");
	if (s.transfer_encodings > 1 || (s.transfer_encodings == 1 && !s.chunked_only))
		return refuse(rq, 400, NULL, "Transfer-Encoding: expected chunked, alone");
	if (s.host != 1 && version != NULL && strcmp(version, "HTTP/1.0") != 0)
		return refuse(rq, 400, NULL, "Host: expected exactly one in HTTP/1.1");
	return 0;
}

int
kj_frontdoor_has_body(struct kj_req *rq)
{
	const char *cl = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Content-Length");
	int64_t n;

	if (MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Transfer-Encoding") != NULL)
		return 1;
	return cl != NULL && (kj_parse_int64(cl, 0, INT64_MAX, &n) != 0 || n > 0);
}
