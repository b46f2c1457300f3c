/*
 * cmd_scale.c: kijun demo-scale [--orgs N] [--ministries N] [--requirements N] [--years N]
 * [--last-fy YYYY] [--seed N] [--answers] [--json]: create (or bring up to date) a database
 * and fill it with the national-scale data set of formats/scale.h, for benchmarks and for a
 * demo at full size. Local only, like init: with --server it refuses (exit 2).
 */
#include <inttypes.h>
#include <string.h>

#include "base/util.h"
#include "cli.h"
#include "db/migrate.h"
#include "formats/scale.h"

/* Reads option name as a whole number in [min, max] into *out (left alone when absent).
 * Returns 0, or EXIT_USAGE after saying what was expected. */
static int
int_opt(struct cli *c, struct opt *opts, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *v = cli_opt(opts, name)->val;

	if (v != NULL && kj_parse_int64(v, min, max, out) != 0)
		return cli_usage(c, "--%s: expected a whole number from %" PRId64 " to %" PRId64, name, min, max);
	return 0;
}

int
cmd_scale(struct cli *c, int argc, char **argv)
{
	struct opt opts[] = {{"orgs", 1, NULL, 0},	   {"ministries", 1, NULL, 0}, {"requirements", 1, NULL, 0},
			     {"years", 1, NULL, 0},	   {"last-fy", 1, NULL, 0},    {"seed", 1, NULL, 0},
			     {"answers", 0, NULL, 0},	   {"json", 0, NULL, 0},       {NULL, 0, NULL, 0}};
	struct kj_scale_opts so;
	struct kj_scale_counts n;
	json_t *accounts = NULL, *a;
	int64_t orgs = 0, ministries = 0, reqs = 0, years = 0, fy = 0, seed = 0;
	const char *pos[1];
	size_t k;
	int rc;
	kj_err r;

	if (cli_parse(c, argc, argv, opts, pos, 0) < 0)
		return EXIT_USAGE;
	if (c->server != NULL)
		return cli_local_only(c);
	if ((rc = int_opt(c, opts, "orgs", 1, 9999, &orgs)) != 0 || (rc = int_opt(c, opts, "ministries", 1, 30, &ministries)) != 0 ||
	    (rc = int_opt(c, opts, "requirements", 8, 2000, &reqs)) != 0 || (rc = int_opt(c, opts, "years", 1, 30, &years)) != 0 ||
	    (rc = int_opt(c, opts, "last-fy", 2000, 2100, &fy)) != 0 || (rc = int_opt(c, opts, "seed", 1, INT64_MAX, &seed)) != 0)
		return rc;
	memset(&so, 0, sizeof(so));
	so.norgs = (int)orgs;
	so.nministries = (int)ministries;
	so.nrequirements = (int)reqs;
	so.nyears = (int)years;
	so.last_fy = (int)fy;
	so.seed = (uint64_t)seed;
	so.answers = cli_opt(opts, "answers")->set;
	if ((rc = cli_open(c, 1)) != 0)
		return rc;
	c->ctx.progress = cli_progress;
	if ((r = kj_db_migrate(&c->ctx, NULL)) != KJ_OK || (r = kj_scale_generate(&c->ctx, &so, &n, &accounts)) != KJ_OK) {
		rc = cli_fail(c, r);
		cli_close(c);
		return rc;
	}
	cli_close(c);
	if (cli_opt(opts, "json")->set) {
		json_t *j = json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
				      "database", c->dsn, "first_fy", n.first_fy, "last_fy", n.last_fy, "organisations",
				      (json_int_t)n.orgs, "evaluated", (json_int_t)n.evaluated, "requirements",
				      (json_int_t)n.requirements, "users", (json_int_t)n.users, "campaigns", (json_int_t)n.campaigns,
				      "campaign_items", (json_int_t)n.campaign_items, "checklists", (json_int_t)n.checklists,
				      "answers", (json_int_t)n.answers, "rollup_rows", (json_int_t)n.rollup_rows, "engagements",
				      (json_int_t)n.engagements, "findings", (json_int_t)n.findings, "recommendations",
				      (json_int_t)n.recommendations, "plans", (json_int_t)n.plans, "policy_versions",
				      (json_int_t)n.policy_versions, "accounts", accounts);

		return cli_print_json(j);
	}
	printf("national-scale data in %s: FY%d to FY%d\n", c->dsn, n.first_fy, n.last_fy);
	printf("  %" PRId64 " organisations (%" PRId64 " evaluated), %" PRId64 " edition(s) of %" PRId64 " requirements, %" PRId64
	       " accounts\n",
	       n.orgs, n.evaluated, n.editions, n.requirements, n.users);
	printf("  %" PRId64 " campaigns, %" PRId64 " campaign items, %" PRId64 " checklists, %" PRId64 " roll-up rows, %" PRId64
	       " answers\n",
	       n.campaigns, n.campaign_items, n.checklists, n.rollup_rows, n.answers);
	printf("  %" PRId64 " engagements, %" PRId64 " findings, %" PRId64 " recommendations, %" PRId64 " plans, %" PRId64
	       " measures\n",
	       n.engagements, n.findings, n.recommendations, n.plans, n.measures);
	printf("  %" PRId64 " policy versions, %" PRId64 " clause mappings\n", n.policy_versions, n.clause_mappings);
	printf("accounts that can log in (passwords made for this database, shown once):\n");
	json_array_foreach(accounts, k, a) {
		printf("  %-16s %-18s %-10s %s\n", cli_str(a, "name"), cli_str(a, "role"), cli_str(a, "org"),
		       cli_str(a, "password"));
		cli_json_wipe(a, "password");
	}
	printf("every other account (e.g. mha-ciso, ag0001-officer) has no password: set one with kijun user passwd\n");
	json_decref(accounts);
	return 0;
}
