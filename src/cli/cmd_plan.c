/*
 * cmd_plan.c: kijun plan: improvement plans. For now the export of the plans in scope as
 * an OSCAL plan of action and milestones, from the database or (with --server) through
 * GET /api/v1/poam; both print the same document.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "formats/poam_export.h"

/* Writes doc (stolen) indented to the file to, or stdout when to is NULL. */
static int
write_doc(struct cli *c, json_t *doc, const char *to)
{
	FILE *f = stdout;
	kj_err r = KJ_OK;

	if (to != NULL && (f = fopen(to, "w")) == NULL)
		r = kj_failf(&c->ctx, KJ_ERR_IO, "%s: cannot write", to);
	else if (json_dumpf(doc, f, JSON_INDENT(2)) != 0 || fputc('\n', f) == EOF)
		r = kj_failf(&c->ctx, KJ_ERR_IO, "%s: write failed", to ? to : "standard output");
	if (f != NULL && f != stdout && fclose(f) != 0 && r == KJ_OK)
		r = kj_failf(&c->ctx, KJ_ERR_IO, "%s: write failed", to);
	json_decref(doc);
	return r == KJ_OK ? 0 : cli_fail(c, r);
}

static int
plan_export(struct cli *c, struct opt *opts)
{
	const char *fmt = cli_opt(opts, "format")->val ? cli_opt(opts, "format")->val : "oscal";
	const char *org = cli_opt(opts, "org")->val;
	json_t *doc = NULL;
	int rc;
	kj_err r;

	if (strcmp(fmt, "oscal") != 0)
		return cli_usage(c, "--format: expected oscal");
	if (c->server != NULL) {
		struct kj_buf p;

		kj_buf_init(&p, 0);
		kj_buf_puts(&p, "/api/v1/poam");
		cli_url_query(&p, "org", org);
		rc = cli_get(c, kj_buf_cstr(&p), &doc, NULL);
		kj_buf_free(&p);
		if (rc != 0)
			return rc;
		return write_doc(c, doc, cli_opt(opts, "out")->val);
	}
	if ((rc = cli_open(c, 0)) != 0)
		return rc;
	r = kj_plans_export_oscal(&c->ctx, org, &doc);
	cli_close(c);
	if (r != KJ_OK)
		return cli_fail(c, r);
	return write_doc(c, doc, cli_opt(opts, "out")->val);
}

int
cmd_plan(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"format", 1, NULL, 0}, {"org", 1, NULL, 0}, {"out", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1];

	if (argc < 1)
		return cli_usage(c, "expected export");
	if (strcmp(argv[0], "export") == 0) {
		c->cmd = "plan export";
		if (cli_parse(c, argc - 1, argv + 1, opts, pos, 0) < 0)
			return EXIT_USAGE;
		return plan_export(c, opts);
	}
	return cli_usage(c, "unknown subcommand \"%s\" (expected export)", argv[0]);
}
