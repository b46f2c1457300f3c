/*
 * pdfjobs.h: the server's PDF job threads, which run headless Chromium for
 * kj_reply_pdf (server.h) so that printing never holds a worker thread. Internal to
 * src/server.
 */
#ifndef KJ_PDFJOBS_H
#define KJ_PDFJOBS_H

/* Starts njobs job threads (at most 16) with room for nqueue jobs waiting. Returns 0, or
 * -1 when no thread can be started (then every PDF request gets 503). One server per
 * process. */
int kj_pdfjobs_start(unsigned njobs, unsigned nqueue);

/* Refuses new jobs, cancels the waiting ones and the prints under way (each request gets
 * 503 and is resumed), and joins the threads. Call before the daemon stops: a suspended
 * connection must be resumed before libmicrohttpd can close it. */
void kj_pdfjobs_stop(void);

#endif
