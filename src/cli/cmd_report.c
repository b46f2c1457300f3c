/*
 * cmd_report.c: kijun report annual, the yearly evaluation report as HTML or PDF
 * (engine/report.h), made on the database or read from a server (GET
 * /api/v1/reports/annual), written to standard output or --out FILE. The bytes are the
 * same either way: the server runs the same renderer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "cli.h"
#include "cli_req.h"
#include "engine/report.h"
#include "term.h"

static int
report_annual(struct cli *c, struct opt *opts)
{
	const char *format = cli_opt(opts, "format")->val ? cli_opt(opts, "format")->val : "html";
	const char *lang = cli_opt(opts, "lang")->val ? cli_opt(opts, "lang")->val : "ja";
	const char *fy = cli_opt(opts, "fy")->val, *org = cli_opt(opts, "org")->val, *to = cli_opt(opts, "out")->val;
	int64_t year = 0;
	struct kj_buf b;
	kj_err r = KJ_OK;
	int rc = 0;

	if (strcmp(format, "html") != 0 && strcmp(format, "pdf") != 0)
		return cli_usage(c, "--format: expected html or pdf");
	if (strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0)
		return cli_usage(c, "--lang: expected ja or en");
	if (fy != NULL && kj_parse_int64(fy, 1900, 2999, &year) != 0)
		return cli_usage(c, "--fy: expected a fiscal year such as 2025 (the year of its April)");
	if (strcmp(format, "pdf") == 0 && to == NULL && isatty(STDOUT_FILENO))
		return cli_usage(c, "a PDF is binary: give --out FILE or redirect standard output");
	kj_buf_init(&b, 0);
	if (c->server != NULL) {
		struct cli_call call = {0};
		struct kj_buf path;
		json_t *none = NULL;

		kj_buf_init(&path, 0);
		kj_buf_puts(&path, "/api/v1/reports/annual");
		cli_url_query(&path, "format", format);
		cli_url_query(&path, "lang", lang);
		cli_url_query(&path, "fy", fy);
		cli_url_query(&path, "org", org);
		call.method = "GET";
		call.path = kj_buf_cstr(&path);
		call.raw_out = &b;
		rc = cli_request(c, &call, &none);
		json_decref(none);
		kj_buf_free(&path);
	} else if ((rc = cli_open(c, 0)) == 0) {
		/* The browser's path is the user's choice (KIJUN_CHROMIUM), else it is looked for. */
		r = kj_report_annual(&c->ctx, (int)year, org, lang, format, getenv("KIJUN_CHROMIUM"), &b);
		cli_close(c);
	}
	if (rc == 0 && r == KJ_OK)
		r = cli_write_bytes(&c->ctx, to, b.data != NULL ? b.data : "", b.len);
	kj_buf_free(&b);
	if (rc != 0)
		return rc;
	return r == KJ_OK ? 0 : cli_fail(c, r);
}

int
cmd_report(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"annual", NULL};
	struct opt opts[] = {{"format", 1, NULL, 0}, {"fy", 1, NULL, 0},  {"lang", 1, NULL, 0},
			     {"org", 1, NULL, 0},    {"out", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1] = {NULL};
	int n;

	if (cli_subcommand(c, "report", subs, argc, argv, opts, pos, 0, &n) < 0)
		return EXIT_USAGE;
	return report_annual(c, opts);
}
