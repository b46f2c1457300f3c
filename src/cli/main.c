/*
 * main.c: the `kijun` command: global options, then one subcommand from a sorted table.
 *
 *   kijun [--db DSN] [--server URL] COMMAND [ARGS]
 *
 * The database is --db, else $KIJUN_DB, else sqlite:kijun.db. With --server (else
 * $KIJUN_SERVER) the commands go to the API of a kijun server instead, with the token in
 * $KIJUN_TOKEN, and print the same. Exit status: 0 success, 1 failure, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "term.h"

struct command {
	const char *name;
	int (*fn)(struct cli *c, int argc, char **argv);
	const char *summary;
};

static int cmd_help(struct cli *c, int argc, char **argv);
static int cmd_version(struct cli *c, int argc, char **argv);

static const struct command commands[] = {
	{"audit", cmd_audit, "verify and read the tamper-evident audit log"},
	{"db", cmd_db, "apply migrations, show the schema version"},
	{"directive", cmd_directive, "emergency directives from the centre: issue, list, show, ack, complete, status, overdue"},
	{"demo-scale", cmd_scale, "create a database with national-scale data (1,000 organisations, 10 years)"},
	{"engagement", cmd_engagement, "audit engagements: add, list, show, team, scope, status, sign-off"},
	{"edition", cmd_edition, "publish a new edition to the organisations, read its impact, acknowledge it"},
	{"eval", cmd_eval, "the centre's evaluation: government, org, board, refresh"},
	{"finding", cmd_finding, "findings of an audit engagement: add, list"},
	{"help", cmd_help, "show help for a command"},
	{"init", cmd_init, "create a database (with --demo: the demo government, standard and activity)"},
	{"inspect", cmd_inspect, "self-inspection: campaigns, checklists, answers, results, exports"},
	{"login", cmd_login, "log in to a server and print export KIJUN_TOKEN=... for eval"},
	{"org", cmd_org, "organisations: add, list, show, move, rename, abolish"},
	{"plan", cmd_plan, "improvement plans: add, show, measure, done, status, report, overdue, export"},
	{"policy", cmd_policy, "organisations' policies against the standard, and the policy review"},
	{"programme", cmd_programme, "audit programmes of a fiscal year: add, list"},
	{"proposal", cmd_proposal, "proposals for the next edition of the standard: add, list, show, status"},
	{"recommendation", cmd_recommendation, "recommendations after audits: add, list, status"},
	{"report", cmd_report, "the yearly evaluation report as HTML or PDF"},
	{"serve", cmd_serve, "run the HTTP API server"},
	{"standard", cmd_standard, "the unified standard: import, list, show, diff, export"},
	{"token", cmd_token, "API tokens: create, list, revoke"},
	{"user", cmd_user, "accounts: add, list, show, disable, enable, passwd, engage"},
	{"version", cmd_version, "print the version"},
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: kijun [--db DSN] [--server URL] COMMAND [ARGS]\n\n"
		   "kijun runs a government's information-security baseline.\n\n"
		   "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nThe database is --db DSN, else $KIJUN_DB, else sqlite:kijun.db.\n"
		   "DSN: sqlite:PATH or postgresql://USER@HOST:PORT/NAME.\n\n"
		   "With --server URL, else $KIJUN_SERVER, the commands work through the API of a kijun\n"
		   "server (http://HOST:PORT or https://HOST:PORT) with the same output and exit codes.\n"
		   "They authenticate with the API token in $KIJUN_TOKEN (see kijun help token), or log\n"
		   "in first: eval \"$(kijun --server URL login NAME)\". init, db, user passwd and\n"
		   "standard import --check work on the database only; serve ignores --server.\n\n"
		   "See kijun help COMMAND.\n");
}

static int
cmd_help(struct cli *c, int argc, char **argv)
{
	const char *text;

	if (argc == 0) {
		usage(stdout);
		return 0;
	}
	text = cli_help_text(argv[0]);
	if (text == NULL)
		return cli_usage(c, "no command \"%s\"", argv[0]);
	fputs(text, stdout);
	return 0;
}

static int
cmd_version(struct cli *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	printf("kijun %s\n", KIJUN_VERSION);
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli c;
	const char *env;
	size_t i;
	int a = 1;

	if (sodium_init() < 0) {
		fprintf(stderr, "kijun: cannot initialise libsodium\n");
		return 1;
	}
	memset(&c, 0, sizeof(c));
	kj_ctx_init(&c.ctx);
	c.ctx.progress = cli_progress;
	env = getenv("KIJUN_DB");
	c.dsn = env != NULL && *env != '\0' ? env : "sqlite:kijun.db";
	env = getenv("KIJUN_SERVER");
	if (env != NULL && *env != '\0') {
		c.server = env;
		c.server_from_env = 1;
	}
	while (a < argc && strncmp(argv[a], "--", 2) == 0) {
		if (strcmp(argv[a], "--db") == 0 && a + 1 < argc) {
			c.dsn = argv[a + 1];
			a += 2;
		} else if (strncmp(argv[a], "--db=", 5) == 0) {
			c.dsn = argv[a] + 5;
			a++;
		} else if (strcmp(argv[a], "--server") == 0 && a + 1 < argc) {
			c.server = argv[a + 1];
			c.server_from_env = 0;
			a += 2;
		} else if (strncmp(argv[a], "--server=", 9) == 0) {
			c.server = argv[a] + 9;
			c.server_from_env = 0;
			a++;
		} else if (strcmp(argv[a], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[a], "--version") == 0) {
			return cmd_version(&c, 0, NULL);
		} else {
			fprintf(stderr, "kijun: unknown option \"%s\"\n", argv[a]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (a >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, argv[a]) == 0) {
			int rc;

			c.cmd = commands[i].name;
			/* The server is the API to call; for the server itself it means nothing. */
			if (commands[i].fn == cmd_serve)
				c.server = NULL;
			/* Data printed as text shows its control characters rather than obeying them
			 * (term.h). The server's log escapes its own. */
			if (commands[i].fn != cmd_serve)
				cli_term_install();
			rc = commands[i].fn(&c, argc - a - 1, argv + a + 1);
			cli_remote_close(&c);
			return rc;
		}
	}
	fprintf(stderr, "kijun: no command \"%s\"\n", argv[a]);
	usage(stderr);
	return EXIT_USAGE;
}
