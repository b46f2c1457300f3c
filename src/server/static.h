/*
 * static.h: the web interface's files (web/), built into the binary by tools/embed.c and
 * served at / and /static/NAME by `kijun serve`.
 */
#ifndef KJ_STATIC_H
#define KJ_STATIC_H

#include "base/embedded.h"
#include "server.h"

/* The files of web/, by base name (generated: gen/embedded_web.c). */
extern const struct kj_embedded kj_embedded_web[];

/* The Content-Security-Policy of the application's page: scripts, styles and requests
 * only from this server, nothing inline, no frames, no forms posted elsewhere. */
#define KJ_STATIC_CSP                                                                                          \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "      \
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/* Serves GET or HEAD of / (web/index.html) and /static/NAME (a file of web/) with its
 * Content-Type, the strict policy for HTML, an ETag and revalidation on every use
 * (304 on If-None-Match). Returns 1 with the reply set when path is one of these (an
 * unknown NAME gets a 404), 0 for every other path or method: the API's. */
int kj_static_serve(struct kj_req *rq);

#endif
