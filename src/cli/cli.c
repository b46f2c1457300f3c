/*
 * cli.c: option parsing, database opening, error reporting and the JSON helpers of the
 * printers, shared by every subcommand (cli.h). The HTTP side is in remote.c.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "db/db.h"
#include "db/migrate.h"
#include "term.h"

struct opt *
cli_opt(struct opt *opts, const char *name)
{
	for (; opts->name != NULL; opts++) {
		if (strcmp(opts->name, name) == 0)
			return opts;
	}
	abort();	/* a programming error: every caller names its own options */
}

int
cli_usage(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kijun %s: ", c->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see kijun help %.*s)\n", (int)strcspn(c->cmd, " "), c->cmd);
	return EXIT_USAGE;
}

int
cli_parse(struct cli *c, int argc, char **argv, struct opt *opts, const char **pos, int maxpos)
{
	int i, npos = 0, only_pos = 0;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		struct opt *o;
		size_t nlen;
		const char *eq;

		if (only_pos || a[0] != '-' || a[1] != '-' || a[2] == '\0') {
			if (!only_pos && strcmp(a, "--") == 0) {
				only_pos = 1;
				continue;
			}
			if (npos >= maxpos) {
				cli_usage(c, "unexpected argument \"%s\"", a);
				return -1;
			}
			pos[npos++] = a;
			continue;
		}
		eq = strchr(a + 2, '=');
		nlen = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
		for (o = opts; o->name != NULL; o++) {
			if (strlen(o->name) == nlen && strncmp(o->name, a + 2, nlen) == 0)
				break;
		}
		if (o->name == NULL) {
			cli_usage(c, "unknown option \"%.*s\"", (int)nlen + 2, a);
			return -1;
		}
		if (o->has_arg) {
			if (eq != NULL) {
				o->val = eq + 1;
			} else if (i + 1 < argc) {
				o->val = argv[++i];
			} else {
				cli_usage(c, "--%s needs a value", o->name);
				return -1;
			}
		} else if (eq != NULL) {
			cli_usage(c, "--%s takes no value", o->name);
			return -1;
		}
		o->set = 1;
	}
	return npos;
}

int
cli_fail(struct cli *c, kj_err r)
{
	fprintf(stderr, "kijun %s: %s\n", c->cmd, c->ctx.msg[0] ? c->ctx.msg : kj_err_name(r));
	return r == KJ_ERR_USAGE ? EXIT_USAGE : 1;
}

int
cli_local_only(struct cli *c)
{
	fprintf(stderr, "kijun %s: works on the database itself, not through a server; %s\n", c->cmd,
		c->server_from_env ? "unset KIJUN_SERVER (and use --db or KIJUN_DB)" : "drop --server (and use --db or KIJUN_DB)");
	return EXIT_USAGE;
}

int
cli_open(struct cli *c, int for_migrate)
{
	struct kj_db *db;
	kj_err r;

	if ((r = kj_db_open(&c->ctx, c->dsn, &db)) != KJ_OK)
		return cli_fail(c, r);
	if (!for_migrate && (r = kj_db_require_current(&c->ctx)) != KJ_OK) {
		cli_close(c);
		return cli_fail(c, r);
	}
	return 0;
}

void
cli_close(struct cli *c)
{
	kj_db_close(c->ctx.db);
	c->ctx.db = NULL;
}

int
cli_print_json(json_t *j)
{
	int rc = 0;

	if (j == NULL) {
		fprintf(stderr, "kijun: out of memory\n");
		return 1;
	}
	/* JSON escapes control characters itself: it goes out unfiltered. */
	if (json_dumpf(j, cli_raw_stdout(), JSON_INDENT(2)) != 0)
		rc = 1;
	fputc('\n', cli_raw_stdout());
	json_decref(j);
	return rc;
}

void
cli_json_wipe(json_t *j, const char *key)
{
	json_t *v = json_object_get(j, key);

	/* The string's bytes belong to the value; zero them before jansson frees them. */
	if (json_is_string(v))
		sodium_memzero((char *)json_string_value(v), json_string_length(v));
}

int
cli_print_json_secret(json_t *j, const char *key)
{
	int rc = 0;

	if (j == NULL)
		return cli_print_json(NULL);
	if (json_dumpf(j, cli_raw_stdout(), JSON_INDENT(2)) != 0)
		rc = 1;
	fputc('\n', cli_raw_stdout());
	cli_json_wipe(j, key);
	json_decref(j);
	return rc;
}

const char *
cli_strn(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

const char *
cli_str(json_t *o, const char *key)
{
	const char *s = cli_strn(o, key);

	return s != NULL ? s : "";
}

int64_t
cli_int(json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

int
cli_depth(json_t *o, int max)
{
	int64_t d = cli_int(o, "depth");

	return d < 0 ? 0 : d > max ? max : (int)d;
}

void
cli_progress(void *arg, const char *what, size_t done, size_t total)
{
	FILE *err = cli_raw_stderr();	/* the line rewrites itself with control characters */

	(void)arg;
	if (!isatty(STDERR_FILENO))
		return;
	if (total > 0)
		fprintf(err, "\r%s: %zu/%zu (%zu%%)", what, done, total, done * 100 / total);
	else
		fprintf(err, "\r%s: %zu", what, done);
	if (done == total)
		fputs("\r\033[K", err);
	fflush(err);
}
