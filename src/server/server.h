/*
 * server.h: `kijun serve`, the HTTP API. A thin front door: it parses requests, turns the
 * session cookie or bearer token into the principal, calls the model, and writes JSON.
 * Access is decided in the model; this layer only turns a denial into a status code.
 */
#ifndef KJ_SERVER_H
#define KJ_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

struct kj_server_config {
	char listen[128];	/* ADDR:PORT; [v6]:PORT */
	char dsn[1024];
	char tls_cert[512], tls_key[512];
	unsigned threads;
	unsigned max_connections;
	unsigned max_per_address;
	unsigned timeout;	/* seconds a connection may stay idle */
	size_t max_body;	/* bytes of a request body, except catalogue imports */
	int bench_routes;	/* serve the benchmark-only routes */
	int quiet;		/* no access log */
	/* Signed checkpoints of the audit log (checkpoint.h): the key file, the directory,
	 * seconds between rounds. Empty key and directory: none. */
	char checkpoint_key[512], checkpoint_dir[512];
	unsigned checkpoint_interval;
};

/* Fills the defaults: 127.0.0.1:8080, one thread per core, 1024 connections, 64 per
 * address, 30 s idle timeout, 1 MiB bodies. */
void kj_server_defaults(struct kj_server_config *cfg);

/* Reads "key = value" lines (listen, db, threads, tls_cert, tls_key, max_connections,
 * max_per_address, timeout, max_body, checkpoint_key, checkpoint_dir,
 * checkpoint_interval) into cfg, only for keys whose flag was not given
 * (set[] by key index, see server.c). Fails with a message naming the file and line. */
kj_err kj_server_config_file(struct kj_ctx *ctx, const char *path, struct kj_server_config *cfg,
			     const unsigned char *set);

struct kj_server;

/* Starts serving in background threads (cfg must outlive the server). listen may name
 * port 0 for any free port; kj_server_port tells which. */
kj_err kj_server_start(struct kj_ctx *ctx, const struct kj_server_config *cfg, struct kj_server **out);
unsigned kj_server_port(struct kj_server *srv);
/* Stops accepting, finishes the requests in hand, and closes the database connections. */
void kj_server_stop(struct kj_server *srv);

/* Runs the server until SIGTERM or SIGINT. Prints the address it listens on to stdout
 * once it accepts connections. Returns KJ_OK after a clean stop. */
kj_err kj_server_run(struct kj_ctx *ctx, const struct kj_server_config *cfg);

/* ---- What handlers see ------------------------------------------------------------- */

struct kj_req;

typedef void (*kj_handler)(struct kj_req *rq);

enum kj_route_flags {
	KJ_ROUTE_PUBLIC = 1,	/* no login needed */
	KJ_ROUTE_BIG_BODY = 2,	/* body up to the catalogue limit */
	KJ_ROUTE_BENCH = 4	/* only with --bench-routes */
};

struct kj_route {
	const char *method;
	const char *pattern;	/* /api/v1/orgs/{code}: {name} matches one path segment */
	kj_handler handler;
	unsigned flags;
};

/* The route table, ending with a NULL method. */
extern const struct kj_route kj_routes[];

struct kj_req {
	struct kj_ctx ctx;	/* database, principal */
	const struct kj_server_config *cfg;
	void *conn;		/* struct MHD_Connection */
	const char *method;
	const char *path;
	const char *params[4];	/* path parameters in pattern order */
	struct kj_buf body;
	int tls;
	int by_cookie;		/* authenticated through the session cookie */
	char session[64];	/* the session token, when by cookie */
	char csrf[64];
	char address[64];
	/* The response. */
	int status;
	char *resp;		/* malloc'd */
	size_t resp_len;
	const char *resp_type;
	char headers[8][2][256];
	int nheaders;
};

/* A query parameter, or NULL. */
const char *kj_req_query(struct kj_req *rq, const char *name);
/* A request header, or NULL. */
const char *kj_req_header(struct kj_req *rq, const char *name);
/* Parses the body as a JSON object whose keys are all in allowed. On failure the 400
 * reply is already set and NULL returned. */
json_t *kj_req_json(struct kj_req *rq, const char *const *allowed);

/* Sets the reply: j is stolen. */
void kj_reply_json(struct kj_req *rq, int status, json_t *j);
void kj_reply_raw(struct kj_req *rq, int status, const char *type, char *data, size_t len);
/* Replies 200 with a stored file (data, malloc'ed, taken) as an attachment, of
 * media_type when it is one of the kinds files are kept as (PDF, PNG, JPEG, CSV, plain
 * text), else as application/octet-stream. */
void kj_reply_file(struct kj_req *rq, const char *media_type, unsigned char *data, size_t len);
/* The one error body: {"error": name, "message": ...}, with the status that goes with e.
 * Database and internal failures get a generic message; the detail goes to the log. */
void kj_reply_error(struct kj_req *rq, kj_err e, const char *message);
/* Replies with the context's last failure. */
void kj_reply_fail(struct kj_req *rq, kj_err e);
void kj_reply_header(struct kj_req *rq, const char *name, const char *value);
/* A GET handler whose model call may write (an evaluation made fresh first) leaves the
 * server's read transaction around it: kj_req_leave_read ends it, if one is open, and
 * kj_req_resume_read opens a new one after, so the server's begin and end stay paired.
 * On SQLite, writing inside a read transaction begun before another writer committed
 * would fail. */
int kj_req_leave_read(struct kj_req *rq);
void kj_req_resume_read(struct kj_req *rq, int had);

/* The limit and cursor of a list request: limit in 1..1000 (default 100). On a bad value
 * the 400 reply is set and -1 returned. */
int kj_req_limit(struct kj_req *rq, int *limit_out);

/* Opaque cursors: an integer position, written as text clients should not interpret. */
void kj_cursor_encode(int64_t v, char out[32]);
int kj_cursor_decode(const char *s, int64_t *out);

/* Checks If-Match against version: 428 when absent, 412 when stale; 0 when it matches. */
int kj_req_if_match(struct kj_req *rq, int64_t version);
void kj_reply_etag(struct kj_req *rq, int64_t version);

#endif
