/*
 * cli.h: what the subcommands of `kijun` share: the parsed global options, option
 * parsing, opening the database, and turning library errors into messages and exit codes.
 */
#ifndef KJ_CLI_H
#define KJ_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "base/err.h"

#define EXIT_USAGE 2

struct cli {
	struct kj_ctx ctx;
	const char *dsn;
	const char *cmd;	/* "org add", for messages */
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

/* Writes j (stolen) to stdout, indented, with a newline. Returns 0 or 1. */
int cli_print_json(json_t *j);

/* A progress line on stderr while stderr is a terminal. */
void cli_progress(void *arg, const char *what, size_t done, size_t total);

int cmd_audit(struct cli *c, int argc, char **argv);
int cmd_db(struct cli *c, int argc, char **argv);
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_org(struct cli *c, int argc, char **argv);
int cmd_standard(struct cli *c, int argc, char **argv);
int cmd_token(struct cli *c, int argc, char **argv);
int cmd_user(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);

/* Usage text of a command ("org", "standard", ...), or NULL. */
const char *cli_help_text(const char *cmd);

#endif
