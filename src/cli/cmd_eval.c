/*
 * cmd_eval.c: kijun eval: the centre's evaluation (model/eval.h) on the database or (with
 * --server) through /api/v1/evaluations/{fy}: the government-wide view, one organisation,
 * the PDCA board, and a refresh. As in cmd_plan.c each subcommand builds the API's request
 * once (struct cli_req); locally the model is called with the values read back from it,
 * and one printer per subcommand prints both modes alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "cli_req.h"
#include "model/eval.h"

/* ---- Printers ---------------------------------------------------------------------------- */

/* Names are printed in the messages' language (set before a printer runs). */
static int print_ja;

static const char *
name_of(json_t *o)
{
	return cli_str(o, print_ja ? "name_ja" : "name_en");
}

static const char *
title_of(json_t *o)
{
	const char *t = cli_strn(o, print_ja ? "title_ja" : "title_en");

	return t ? t : "";
}

/* A number with decimals, or "-" for null, right-aligned in width. */
static void
num(json_t *o, const char *key, int width, int decimals)
{
	json_t *v = json_object_get(o, key);

	if (json_is_number(v))
		printf("%*.*f", width, decimals, json_number_value(v));
	else
		printf("%*s", width, "-");
}

/* label, a space and the number (or "-"). */
static void
labelled(const char *label, json_t *o, const char *key, int decimals)
{
	printf("%s ", label);
	num(o, key, 0, decimals);
}

static void
print_head(json_t *j)
{
	printf("FY%lld evaluation (%s; edition %s; computed %s)\n", (long long)cli_int(j, "fiscal_year"), cli_str(j, "method"),
	       cli_strn(j, "edition") ? cli_str(j, "edition") : "none", cli_str(j, "computed_at"));
}

static void
print_government(json_t *j)
{
	json_t *s = json_object_get(j, "summary"), *o, *p, *w, *m = json_object_get(s, "maturity");
	size_t i, k;

	print_head(j);
	printf("%lld organisations, %lld scored:", (long long)cli_int(s, "orgs"), (long long)cli_int(s, "scored"));
	labelled(" mean", s, "mean", 2);
	labelled("  median", s, "median", 2);
	labelled("  stdev", s, "stdev", 2);
	labelled("  min", s, "min", 2);
	labelled("  max", s, "max", 2);
	printf("\nmaturity levels:");
	json_array_foreach(m, i, o) printf("  %zu: %lld", i + 1, (long long)json_integer_value(o));
	printf("\n\n%-12s %6s %2s %6s %5s  %s\n", "CODE", "SCORE", "M", "DELTA", "OPEN", "NAME");
	json_array_foreach(json_object_get(j, "orgs"), i, o) {
		printf("%-12s ", cli_str(o, "code"));
		num(o, "score", 6, 1);
		printf(" %2lld ", (long long)cli_int(o, "maturity"));
		if (json_is_number(json_object_get(o, "delta")))
			printf("%+6.1f", json_number_value(json_object_get(o, "delta")));
		else
			printf("%6s", "-");
		printf(" %5lld  %s\n", (long long)cli_int(o, "findings_open"), name_of(o));
	}
	printf("\nlaggards per part (below mean - stdev):\n");
	json_array_foreach(json_object_get(j, "part_summary"), i, p) {
		json_t *part = json_array_get(json_object_get(j, "parts"), i);

		printf("  part %-3s mean", cli_str(p, "number"));
		num(p, "mean", 6, 1);
		printf("  %s:", title_of(part));
		if (json_array_size(json_object_get(p, "laggards")) == 0)
			printf(" none");
		json_array_foreach(json_object_get(p, "laggards"), k, o) printf(" %s %.1f", cli_str(o, "code"),
										   json_number_value(json_object_get(o, "score")));
		printf("\n");
	}
	printf("\nweak requirements (mean rate below 0.7, half the organisations below it):\n");
	if (json_array_size(json_object_get(j, "weak_requirements")) == 0)
		printf("  none\n");
	json_array_foreach(json_object_get(j, "weak_requirements"), i, w) {
		printf("  %-16s rate", cli_str(w, "number"));
		num(w, "mean_rate", 7, 4);
		printf("  %lld of %lld below, %lld findings  %s\n", (long long)cli_int(w, "orgs_below"), (long long)cli_int(w, "orgs"),
		       (long long)cli_int(w, "findings"), title_of(w));
	}
	printf("\ntrend of the mean:");
	json_array_foreach(json_object_get(j, "trend"), i, o) {
		printf("  FY%lld", (long long)cli_int(o, "fiscal_year"));
		num(o, "mean", 0, 2);
	}
	printf("\n");
}

/* One symbol per board state. */
static const char *
stage_symbol(const char *v)
{
	if (strcmp(v, "done") == 0)
		return "●";
	if (strcmp(v, "in_progress") == 0)
		return "◐";
	if (strcmp(v, "not_applicable") == 0)
		return "-";
	return "○";
}

static void
print_stages(json_t *row)
{
	json_t *st = json_object_get(row, "stages");
	static const char *const names[] = {"policy_reviewed", "self_inspected", "audited", "plan_accepted", "plan_done"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		printf(" %s", stage_symbol(cli_str(st, names[i])));
}

static void
print_board(json_t *j)
{
	json_t *o;
	size_t i;

	printf("FY%lld PDCA board (computed %s)\n", (long long)cli_int(j, "fiscal_year"), cli_str(j, "computed_at"));
	printf("stages: P policy reviewed, S self-inspected, A audited, Y plans accepted, D plans done\n");
	printf("        ● done  ◐ in progress  ○ not started  - not applicable\n\n");
	printf("%-12s  P S A Y D  REACHED  NAME\n", "CODE");
	json_array_foreach(json_object_get(j, "orgs"), i, o) {
		printf("%-12s ", cli_str(o, "code"));
		print_stages(o);
		printf("  %7lld  %s\n", (long long)cli_int(o, "reached"), name_of(o));
	}
}

static void
print_org(json_t *j)
{
	json_t *o = json_object_get(j, "org"), *g = json_object_get(j, "gov"), *x, *f;
	size_t i, k;

	printf("%s  %s (%s), ", cli_str(o, "code"), name_of(o), cli_str(o, "kind"));
	print_head(j);
	labelled("score", j, "score", 1);
	labelled("  (government mean", g, "mean", 2);
	labelled(", stdev", g, "stdev", 2);
	if (json_is_integer(json_object_get(g, "rank")))
		printf("; rank %lld of %lld", (long long)cli_int(g, "rank"), (long long)cli_int(g, "of"));
	printf(")  self-inspection rate");
	num(j, "self_rate", 7, 4);
	printf("\nmaturity %lld\n", (long long)cli_int(j, "maturity"));
	json_array_foreach(json_object_get(j, "maturity_steps"), i, x)
		printf("  [%s] level %lld: %s\n", json_is_true(json_object_get(x, "met")) ? "x" : " ", (long long)cli_int(x, "level"),
		       cli_str(x, "why"));
	printf("\n%-6s %6s %6s  %s\n", "PART", "SCORE", "GOV", "TITLE");
	json_array_foreach(json_object_get(j, "parts"), i, x) {
		printf("%-6s ", cli_str(x, "number"));
		num(x, "score", 6, 1);
		num(x, "gov_mean", 7, 1);
		printf("  %s\n", title_of(x));
	}
	printf("\n%-18s %7s %7s %6s  %s\n", "REQUIREMENT", "RATE", "PENALTY", "SCORE", "FINDINGS");
	json_array_foreach(json_object_get(j, "requirements"), i, x) {
		printf("%-18s ", cli_str(x, "number"));
		num(x, "self_rate", 7, 4);
		num(x, "penalty", 8, 4);
		num(x, "score", 7, 1);
		printf(" ");
		json_array_foreach(json_object_get(x, "findings"), k, f)
			printf(" %s/%s%s%s", cli_str(f, "engagement"), cli_str(f, "severity"), cli_strn(f, "plan") ? " plan " : " no plan",
			       cli_strn(f, "plan") ? cli_str(f, "plan_status") : "");
		printf("\n");
	}
	printf("\ntrend:");
	json_array_foreach(json_object_get(j, "trend"), i, x) {
		printf("  FY%lld", (long long)cli_int(x, "fiscal_year"));
		num(x, "score", 0, 1);
		printf(" (M%lld)", (long long)cli_int(x, "maturity"));
	}
	printf("\nPDCA (P S A Y D):");
	print_stages(json_object_get(j, "pdca"));
	printf("\n");
}

static void
print_refreshed(json_t *j)
{
	printf("computed the evaluation of FY%lld at %s\n", (long long)cli_int(j, "fiscal_year"), cli_str(j, "computed_at"));
}

/* ---- The model's side -------------------------------------------------------------------- */

static int
body_fy(struct cli_req *q)
{
	return (int)cli_int(q->body, "fy");
}

static kj_err
government_local(struct cli_req *q, json_t **out)
{
	return kj_eval_government(&q->c->ctx, body_fy(q), out);
}

static kj_err
org_local(struct cli_req *q, json_t **out)
{
	return kj_eval_org(&q->c->ctx, q->pos[0], body_fy(q), out);
}

static kj_err
board_local(struct cli_req *q, json_t **out)
{
	return kj_eval_board(&q->c->ctx, body_fy(q), out);
}

static kj_err
refresh_local(struct cli_req *q, json_t **out)
{
	json_t *b = NULL;
	kj_err r = kj_eval_refresh(&q->c->ctx, body_fy(q));

	if (r == KJ_OK && (r = kj_eval_board(&q->c->ctx, body_fy(q), &b)) == KJ_OK) {
		*out = json_pack("{s:I, s:O}", "fiscal_year", (json_int_t)body_fy(q), "computed_at", json_object_get(b, "computed_at"));
		json_decref(b);
	}
	return r;
}

int
cmd_eval(struct cli *c, int argc, char **argv)
{
	static const char *const subs[] = {"government", "org", "board", "refresh", NULL};
	struct opt opts[] = {{"json", 0, NULL, 0}, {"fy", 1, NULL, 0}, {NULL, 0, NULL, 0}};
	const char *pos[1] = {NULL}, *fys;
	char path[64];
	int64_t fy = 0;
	struct cli_req q;
	int i, n;

	if ((i = cli_subcommand(c, "eval", subs, argc, argv, opts, pos, 1, &n)) < 0)
		return EXIT_USAGE;
	if ((i == 1) != (n == 1))
		return cli_usage(c, i == 1 ? "expected an organisation's code" : "takes --fy and --json, no arguments");
	fys = cli_opt(opts, "fy")->val;
	if (i == 3 && fys == NULL)
		return cli_usage(c, "--fy: required (the fiscal year to compute)");
	if (fys != NULL && kj_parse_int64(fys, 1990, 2999, &fy) != 0)
		return cli_usage(c, "--fy: expected a fiscal year such as 2025");
	if (fy == 0)
		fy = kj_fiscal_year_of(&c->ctx, NULL);
	print_ja = strcmp(c->ctx.lang, "ja") == 0;
	snprintf(path, sizeof(path), "/api/v1/evaluations/%lld", (long long)fy);
	cli_req_init(&q, c, pos, i == 3 ? "POST" : "GET", path);
	/* The year, for the model; a GET never sends the body and the refresh route reads
	 * the year from its path. */
	cli_req_set(&q, "fy", json_integer(fy));
	switch (i) {
	case 0:
		return cli_req_run(&q, cli_opt(opts, "json")->set, government_local, print_government);
	case 1:
		kj_buf_puts(&q.path, "/orgs/");
		cli_url_seg(&q.path, pos[0]);
		return cli_req_run(&q, cli_opt(opts, "json")->set, org_local, print_org);
	case 2:
		kj_buf_puts(&q.path, "/board");
		return cli_req_run(&q, cli_opt(opts, "json")->set, board_local, print_board);
	default:
		kj_buf_puts(&q.path, "/refresh");
		return cli_req_run(&q, cli_opt(opts, "json")->set, refresh_local, print_refreshed);
	}
}
