/*
 * frontdoor.h: what the server checks of a connection and of a request head before a
 * handler or a body is involved. Internal to src/server.
 *
 * Two things live here. The head deadline: a connection that has not sent a complete
 * request head (and, when nobody is logged in, its body too) within header_timeout seconds
 * of opening, or within the idle timeout of its previous reply, is shut down, however
 * slowly it trickles bytes (libmicrohttpd's own timeout only counts silence). And the head
 * checks: one way to find where the body ends (one Content-Length, or chunked alone), a
 * Host on HTTP/1.1, and the sizes of the target and the head, so that what we refuse gets
 * our reply, headers and JSON body rather than libmicrohttpd's page.
 */
#ifndef KJ_FRONTDOOR_H
#define KJ_FRONTDOOR_H

#include <microhttpd.h>

#include "server.h"

/* Starts the thread that enforces the head deadline: header_timeout seconds for the first
 * head of a connection, idle_timeout (when longer) for each later one, counted from the
 * reply before it. Returns 0, or -1 when no thread can be started. One server per process. */
int kj_frontdoor_start(unsigned header_timeout, unsigned idle_timeout);
/* Stops the thread; connections still open keep their entries until libmicrohttpd closes
 * them (kj_frontdoor_notify). */
void kj_frontdoor_stop(void);

/* The MHD_OPTION_NOTIFY_CONNECTION callback: enters a new connection, waiting for its first
 * head since now, and takes a closed one out. */
void kj_frontdoor_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe);
/* The head of a request on conn is complete, and its body too unless the request is
 * authenticated: no deadline while it is served. */
void kj_frontdoor_head_done(struct MHD_Connection *conn);
/* The reply on conn is sent: the next head is due within the timeout from now. */
void kj_frontdoor_reply_done(struct MHD_Connection *conn);

/*
 * Checks the head of rq (version: "HTTP/1.1" or "HTTP/1.0"; url is rq->path). Returns 0
 * when it may go on. Otherwise sets rq's reply and returns -1; the connection must then be
 * closed after the reply, since where the next request starts is unknown:
 * 400 for Content-Length more than once, Transfer-Encoding with Content-Length, a transfer
 * coding other than chunked alone, or HTTP/1.1 without Host; 414 for a target (path and
 * query) over KJ_MAX_URL_BYTES; 431 for a head over KJ_MAX_HEAD_BYTES.
 */
int kj_frontdoor_check_head(struct kj_req *rq, const char *version);

/* Whether rq announces a body: Content-Length above 0, or a Transfer-Encoding. */
int kj_frontdoor_has_body(struct kj_req *rq);

#endif
