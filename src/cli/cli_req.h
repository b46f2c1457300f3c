/*
 * cli_req.h: how the commands that speak both ways (cmd_audits.c, cmd_plan.c) run a
 * subcommand. A subcommand builds one request: the API's path and its JSON body. Through a
 * server that request is sent; on the database the command's local function reads the
 * same values back from the body and calls the library, and shapes its result like the
 * API's reply, so one printer serves both modes.
 */
#ifndef KJ_CLI_REQ_H
#define KJ_CLI_REQ_H

#include <jansson.h>

#include "base/buf.h"
#include "cli.h"

struct cli_req {
	struct cli *c;
	const char **pos;	/* the subcommand's positional arguments */
	const char *method;	/* GET, POST or PUT */
	int all_pages;		/* a GET of a listing, page by page */
	struct kj_buf path;	/* "/api/v1/..." */
	json_t *body;		/* the request's body (not sent with a GET) */
	const char *raw;	/* instead of body, these bytes (a file) are sent as raw_type */
	size_t raw_len;
	const char *raw_type;
	int rc;			/* an exit code when building the request failed (said so) */
};

/* Starts a request for method and path, with an empty body. */
void cli_req_init(struct cli_req *q, struct cli *c, const char **pos, const char *method, const char *path);
/* Starts a request for method and prefix, then pos[0] as a path segment when seg, then
 * tail (when not NULL). */
void cli_req_at(struct cli_req *q, struct cli *c, const char **pos, const char *method, const char *prefix, int seg,
		const char *tail);
/* Sets the body's key to v (stolen), unless building the request failed already. */
void cli_req_set(struct cli_req *q, const char *key, json_t *v);
/* Sets the body's key to the string v when v is not NULL. */
void cli_req_put(struct cli_req *q, const char *key, const char *v);
/* Runs q (and releases it): through the server, or on the database with local. Then prints
 * the result as --json or with printer, or reports the failure. Returns the exit code. */
int cli_req_run(struct cli_req *q, int json, kj_err (*local)(struct cli_req *q, json_t **out), void (*printer)(json_t *));

/* The comma-separated list s as a JSON array of strings; NULL after saying that s (the
 * value of --opt) is not UTF-8. */
json_t *cli_split_list(struct cli *c, const char *opt, const char *s);
/* Finds the subcommand argv[0] in names (NULL-terminated), names the command for messages
 * ("engagement scope") and parses the rest into opts and pos. Returns the subcommand's
 * index and sets *npos, or -1 after a usage message. */
int cli_subcommand(struct cli *c, const char *cmd, const char *const *names, int argc, char **argv, struct opt *opts,
		   const char **pos, int maxpos, int *npos);

#endif
