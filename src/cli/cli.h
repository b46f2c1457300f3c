/*
 * cli.h: what the subcommands of `kijun` share: the parsed global options, option
 * parsing, opening the database, turning library errors into messages and exit codes,
 * reading the JSON every command prints from, and (remote.c) speaking to a kijun server
 * when --server or KIJUN_SERVER is given.
 *
 * Every command that also works against a server builds one JSON value in both modes
 * (locally from the model's structs, remotely from the API's reply) and prints text or
 * --json from that value with one printer, so that the two modes cannot drift apart.
 */
#ifndef KJ_CLI_H
#define KJ_CLI_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/err.h"

#define EXIT_USAGE 2

struct cli {
	struct kj_ctx ctx;
	const char *dsn;
	const char *server;	/* base URL of a kijun server; NULL: work on the database */
	int server_from_env;	/* server came from KIJUN_SERVER rather than --server */
	const char *cmd;	/* "org add", for messages */
	void *http;		/* the libcurl handle of remote mode, made on first use */
};

/* One option of a subcommand: "--name VALUE" (or "--name=VALUE") when has_arg, else a
 * flag. After parsing, val holds the value (NULL if not given) and set says whether it was
 * given. */
struct opt {
	const char *name;
	int has_arg;
	const char *val;
	int set;
};

/* Parses argv[0..argc) into opts (terminated by a NULL name) and up to maxpos positional
 * arguments. Prints a usage error and returns -1 on an unknown option, a missing value or
 * too many positional arguments; else the number of positional arguments. */
int cli_parse(struct cli *c, int argc, char **argv, struct opt *opts, const char **pos, int maxpos);
/* The option named name (which must exist in opts). */
struct opt *cli_opt(struct opt *opts, const char *name);

/* Opens the database and checks that its schema is current (unless migrate is set, for
 * the commands that create or migrate it). Returns 0, or an exit code after printing. */
int cli_open(struct cli *c, int for_migrate);
void cli_close(struct cli *c);

/* Prints "kijun CMD: message" for the context's last failure and returns the exit code
 * that goes with it. */
int cli_fail(struct cli *c, kj_err r);
/* Prints a usage error and returns EXIT_USAGE. */
int cli_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* For the commands that work on the database itself (init, db): says that they do not
 * go through a server and returns EXIT_USAGE. */
int cli_local_only(struct cli *c);

/* Writes j (stolen) to stdout, indented, with a newline. Returns 0 or 1. */
int cli_print_json(json_t *j);
/* Like cli_print_json, but wipes the string at key (a password or token shown once)
 * before j is released. */
int cli_print_json_secret(json_t *j, const char *key);
/* Overwrites the string at key of object j with zero bytes (for secrets). */
void cli_json_wipe(json_t *j, const char *key);

/* Reading the printers' JSON: the string at key, or "" (cli_str) / NULL (cli_strn) when
 * it is absent, null or not a string; the integer at key, or 0. */
const char *cli_str(json_t *o, const char *key);
const char *cli_strn(json_t *o, const char *key);
int64_t cli_int(json_t *o, const char *key);
/* An indentation depth read from JSON, clamped to 0..max so that a bad value cannot make
 * the text output explode. */
int cli_depth(json_t *o, int max);

/* A progress line on stderr while stderr is a terminal. */
void cli_progress(void *arg, const char *what, size_t done, size_t total);

/* ---- Remote mode (remote.c) ------------------------------------------------------------ */

/* One request to the server. The caller fills the first part; cli_request the rest. */
struct cli_call {
	const char *method;	/* GET, POST, PATCH, DELETE */
	const char *path;	/* "/api/v1/...", query included, escaped (cli_url_*) */
	const char *body;	/* JSON request body, or NULL */
	size_t body_len;
	const char *if_match;	/* an ETag, or NULL */
	const char *session;	/* act through this session cookie (login) instead of KIJUN_TOKEN */
	const char *csrf;	/* the session's CSRF token */
	int anonymous;		/* send no credentials at all (POST /api/v1/session) */
	const char *body_name;	/* the server's messages say "body"; say this instead (a file) */
	const char *content_type;	/* of the body; NULL: application/json */
	struct kj_buf *raw_out;	/* when set, a 2xx reply's bytes go here and *out stays NULL */
	/* Filled in by cli_request. */
	long status;
	char etag[64];
	char set_session[128];	/* the kijun_session cookie the server set, if any */
};

/* Sends call and parses the JSON reply into *out (the caller owns it). Returns 0 on a 2xx
 * reply. Otherwise prints "kijun CMD: message" (the server's message, or what went wrong
 * with the connection) and returns 1. The token is never printed. */
int cli_request(struct cli *c, struct cli_call *call, json_t **out);
/* GET path; etag_out (may be NULL) receives the ETag. */
int cli_get(struct cli *c, const char *path, json_t **out, char etag_out[64]);
/* method path with body (a JSON object, borrowed; NULL for none) and If-Match if_match
 * (may be NULL). */
int cli_send(struct cli *c, const char *method, const char *path, json_t *body, const char *if_match,
	     json_t **out);
/* GETs a list route page by page, following next_cursor, until the end or until max items
 * (0: no limit). *items_out is a new array of all the items. */
int cli_get_all(struct cli *c, const char *path, int64_t max, json_t **items_out);
/* Releases the connection of remote mode (harmless when there is none). */
void cli_remote_close(struct cli *c);

/* Building request paths: s percent-encoded as one path segment; "?name=value" or
 * "&name=value" (value encoded) when value is not NULL. */
void cli_url_seg(struct kj_buf *b, const char *s);
void cli_url_query(struct kj_buf *b, const char *name, const char *value);
/* Sets j[key] to the string v when v is not NULL. Returns 0, or an exit code after
 * saying that v is not UTF-8. */
int cli_put(struct cli *c, json_t *j, const char *key, const char *v);

int cmd_audit(struct cli *c, int argc, char **argv);
int cmd_db(struct cli *c, int argc, char **argv);
int cmd_directive(struct cli *c, int argc, char **argv);
int cmd_edition(struct cli *c, int argc, char **argv);
int cmd_proposal(struct cli *c, int argc, char **argv);
int cmd_scale(struct cli *c, int argc, char **argv);
int cmd_engagement(struct cli *c, int argc, char **argv);
int cmd_eval(struct cli *c, int argc, char **argv);
int cmd_finding(struct cli *c, int argc, char **argv);
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_login(struct cli *c, int argc, char **argv);
int cmd_inspect(struct cli *c, int argc, char **argv);
int cmd_org(struct cli *c, int argc, char **argv);
int cmd_plan(struct cli *c, int argc, char **argv);
int cmd_policy(struct cli *c, int argc, char **argv);
int cmd_report(struct cli *c, int argc, char **argv);
int cmd_programme(struct cli *c, int argc, char **argv);
int cmd_recommendation(struct cli *c, int argc, char **argv);
int cmd_standard(struct cli *c, int argc, char **argv);
int cmd_token(struct cli *c, int argc, char **argv);
int cmd_user(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);

/* Usage text of a command ("org", "standard", ...), or NULL. */
const char *cli_help_text(const char *cmd);

#endif
