/*
 * bench_eval.c: the centre's evaluation at national scale.
 *
 * The case (from the requirement): 1,000 organisations, 400 requirements and 10 fiscal
 * years of data. Targets:
 *   - the government-wide evaluation and the dashboard data (kj_eval_government,
 *     kj_eval_org, kj_eval_board) answer in at most 100 ms at the 95th percentile;
 *   - the yearly report's HTML (kj_report_annual, government-wide, with a section for
 *     every organisation) is written in at most 2 s.
 *
 * Set-up, per backend: a fresh SQLite file in a mkdtemp directory (and, with
 * KIJUN_BENCH_PG_DSN, the PostgreSQL database after DROP SCHEMA public CASCADE), migrated;
 * then kj_scale_generate (formats/scale.h) with the defaults: 1,000 evaluated
 * organisations, 400 requirements, 10 fiscal years ending with the current one, written as
 * roll-up counters rather than answers. The generation is timed and its counts printed;
 * it uses a fixed seed, so every run holds the same data.
 *
 * Measured, as the centre analyst "analyst" (the principal a dashboard user would be):
 *   - kj_eval_refresh of the last year, then of every year (the snapshot computations);
 *   - CALLS calls (KIJUN_BENCH_EVAL_CALLS, default 200) of kj_eval_government(last year),
 *     kj_eval_org(last year) cycling through the organisations, and kj_eval_board(last
 *     year), each on a fresh snapshot: p50, p95 and max; the government view's JSON
 *     serialisation (json_dumps, compact, as the API sends it) separately and added to
 *     the call;
 *   - the first government read after a change (the snapshots marked dirty and computed
 *     again inside the read): after one checklist of the year changed, and after a change
 *     that touches every year; printed for information;
 *   - kj_report_annual(last year, "ja", "html"): 3 runs, the median against the target,
 *     then its time split into gathering the values and rendering them;
 *   - the peak RSS (getrusage) after each phase; each backend runs in its own child
 *     process, so the figures include that backend's generation but not the other's.
 *
 * KIJUN_BENCH_EVAL_ORGS changes the number of organisations (for a quick check).
 * Prints figures only and exits 0 whatever they are. Owns nothing outside its temporary
 * directory under /tmp and, on PostgreSQL, the schema public of the database it is given.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "base/buf.h"
#include "base/util.h"
#include "common/bench_util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "engine/report.h"
#include "formats/scale.h"
#include "model/account.h"
#include "model/eval.h"

#define DEFAULT_CALLS 200
#define MAX_CALLS 100000
#define TARGET_P95_MS 100.0
#define TARGET_REPORT_S 2.0
#define REPORT_RUNS 3
#define JSON_RUNS 20

static double
peak_mb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? (double)ru.ru_maxrss / 1024.0 : 0.0;
}

static double
file_mb(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (double)sb.st_size / (1024.0 * 1024.0) : 0.0;
}

/* The value at quantile q (0..1) of t[0..n), sorted in place (nearest rank). */
static double
quantile(double *t, size_t n, double q)
{
	size_t k;

	median(t, n);	/* sorts */
	k = (size_t)ceil(q * (double)n);
	return t[k == 0 ? 0 : k - 1];
}

static const char *
verdict(double measured, double target)
{
	return measured <= target ? "target met" : "TARGET MISSED";
}

/* Prints p50/p95/max of ms[0..n) against the p95 target, with the ratio target / p95. */
static void
print_latency(const char *label, const char *what, double *ms, size_t n)
{
	double mx, p50, p95;

	p50 = quantile(ms, n, 0.5);
	p95 = quantile(ms, n, 0.95);
	mx = ms[n - 1];
	printf("%-10s %-34s p50 %8.2f ms  p95 %8.2f ms  max %8.2f ms  (target p95 <= %.0f ms: %s, ratio %.2f)\n", label,
	       what, p50, p95, mx, TARGET_P95_MS, verdict(p95, TARGET_P95_MS), p95 > 0 ? TARGET_P95_MS / p95 : 0.0);
}

static int
fail(const char *label, struct kj_ctx *ctx, const char *what, kj_err r)
{
	printf("%-10s %s failed: %s: %s\n", label, what, kj_err_name(r), ctx->msg);
	fprintf(stderr, "bench_eval: %s: %s failed: %s\n", label, what, ctx->msg);
	return -1;
}

/* The codes of the evaluated organisations, into a new array of *n_out strings. */
static int
org_codes(struct kj_ctx *ctx, char ***codes_out, size_t *n_out)
{
	struct kj_stmt *st = NULL;
	char **v = NULL;
	size_t n = 0, cap = 0;
	int row;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT code FROM org WHERE kind IN ('ministry', 'agency', 'corporation') ORDER BY id", &st);
	while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		if (n == cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));

			if (nv == NULL)
				break;
			v = nv;
		}
		v[n++] = strdup(kj_stmt_text(st, 0));
	}
	kj_stmt_free(st);
	*codes_out = v;
	*n_out = n;
	return r == KJ_OK && n > 0 ? 0 : -1;
}

/* The public id of a checklist of fiscal year fy, into uuid. 0, or -1 when there is none. */
static int
current_checklist(struct kj_ctx *ctx, int fy, char uuid[37])
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT k.uuid FROM checklist k JOIN campaign c ON c.id = k.campaign_id "
			       "WHERE c.fiscal_year = ? ORDER BY k.id LIMIT 1", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, fy)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		kj_strlcpy(uuid, kj_stmt_text(st, 0), 37);
	kj_stmt_free(st);
	return r == KJ_OK && row ? 0 : -1;
}

/* Acts as the account name (looked up as the local administrator). */
static int
act_as(struct kj_ctx *ctx, const char *name)
{
	struct kj_user u;

	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
	if (kj_user_get(ctx, name, &u) != KJ_OK)
		return -1;
	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.user_id = u.id;
	ctx->who.role = u.role;
	ctx->who.org_id = u.org_id;
	kj_strlcpy(ctx->who.name, u.name, sizeof(ctx->who.name));
	return 0;
}

/* Keeps each organisation's view, in order. */
struct views {
	json_t **v;
	size_t n;
};

static int
keep_view(void *arg, json_t *view)
{
	struct views *vs = arg;

	vs->v[vs->n++] = view;
	return 0;
}

/* Where the report's time goes: the eval values it gathers (the government view, the board
 * and every organisation's view with kj_eval_orgs, as kj_report_annual does) against
 * rendering them with kj_report_annual_html alone. Unlike the report, which renders each
 * organisation as it comes, this holds them all. */
static void
report_parts(const char *label, struct kj_ctx *ctx, int fy, char **codes, size_t ncodes)
{
	json_t *gov = NULL, *board = NULL, **orgs = calloc(ncodes, sizeof(*orgs));
	struct views vs = {orgs, 0};
	struct kj_buf out;
	double t0, t1, t2;
	size_t i;
	kj_err r;

	kj_buf_init(&out, 0);
	if (orgs == NULL)
		return;
	t0 = now_seconds();
	r = kj_eval_government(ctx, fy, &gov);
	if (r == KJ_OK)
		r = kj_eval_board(ctx, fy, &board);
	if (r == KJ_OK)
		r = kj_eval_orgs(ctx, fy, (const char *const *)codes, ncodes, keep_view, &vs);
	t1 = now_seconds();
	if (r == KJ_OK)
		r = kj_report_annual_html(ctx, gov, board, orgs, vs.n, "ja", &out);
	t2 = now_seconds();
	if (r == KJ_OK)
		printf("%-10s   of which: gathering the values (government, board, kj_eval_orgs of %zu) %.2f s, "
		       "kj_report_annual_html alone %.2f s\n",
		       label, ncodes, t1 - t0, t2 - t1);
	else
		fail(label, ctx, "report breakdown", r);
	kj_buf_free(&out);
	for (i = 0; i < vs.n; i++)
		json_decref(orgs[i]);
	free(orgs);
	json_decref(gov);
	json_decref(board);
}

/* The load average, to read the wall times by: other work on the machine slows them. */
static void
print_load(const char *when)
{
	FILE *f = fopen("/proc/loadavg", "r");
	char line[128];

	if (f != NULL && fgets(line, sizeof(line), f) != NULL)
		printf("bench_eval: load average %s: %s", when, line);
	if (f != NULL)
		fclose(f);
}

static void
run(const char *label, const char *dsn, int pg, const char *path, int norgs, size_t calls)
{
	struct kj_ctx ctx;
	struct kj_db *db = NULL;
	struct kj_scale_opts so;
	struct kj_scale_counts n;
	double t0, t1, *ms = NULL, *ms_json = NULL, *ms_sum = NULL, rep[REPORT_RUNS], js[JSON_RUNS], worst = 0.0;
	char **codes = NULL;
	size_t ncodes = 0, i, json_bytes = 0, html_bytes = 0;
	json_t *j = NULL;
	int fy, y, k, worst_fy = 0;
	kj_err r;

	kj_ctx_init(&ctx);
	if ((r = kj_db_open(&ctx, dsn, &db)) != KJ_OK) {
		fail(label, &ctx, "open", r);
		return;
	}
	if (pg && (r = kj_db_exec(&ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")) != KJ_OK) {
		fail(label, &ctx, "schema reset", r);
		goto out;
	}
	if ((r = kj_db_migrate(&ctx, NULL)) != KJ_OK) {
		fail(label, &ctx, "migrate", r);
		goto out;
	}
	memset(&so, 0, sizeof(so));
	so.norgs = norgs;
	t0 = now_seconds();
	r = kj_scale_generate(&ctx, &so, &n, NULL);
	t1 = now_seconds();
	if (r != KJ_OK) {
		fail(label, &ctx, "generation", r);
		goto out;
	}
	fy = n.last_fy;
	printf("%-10s generated FY%d-FY%d in %.1f s: %" PRId64 " organisations (%" PRId64 " evaluated), %" PRId64
	       " requirements, %" PRId64 " campaigns, %" PRId64 " campaign items, %" PRId64 " checklists, %" PRId64
	       " roll-up rows, %" PRId64 " engagements, %" PRId64 " findings, %" PRId64 " plans, %" PRId64 " policy versions\n",
	       label, n.first_fy, n.last_fy, t1 - t0, n.orgs, n.evaluated, n.requirements, n.campaigns, n.campaign_items,
	       n.checklists, n.rollup_rows, n.engagements, n.findings, n.plans, n.policy_versions);
	if (path != NULL)
		printf("%-10s database file after generation: %.0f MB\n", label, file_mb(path));
	printf("%-10s peak RSS after generation: %.1f MB\n", label, peak_mb());

	if (act_as(&ctx, "analyst") != 0) {
		printf("%-10s no account \"analyst\": cannot act as the centre analyst\n", label);
		goto out;
	}
	if (org_codes(&ctx, &codes, &ncodes) != 0) {
		printf("%-10s cannot list the organisations\n", label);
		goto out;
	}

	/* Snapshots. */
	t0 = now_seconds();
	r = kj_eval_refresh(&ctx, fy);
	t1 = now_seconds();
	if (r != KJ_OK) {
		fail(label, &ctx, "kj_eval_refresh", r);
		goto out;
	}
	printf("%-10s kj_eval_refresh FY%d: %.2f s\n", label, fy, t1 - t0);
	t0 = now_seconds();
	for (y = n.first_fy; y <= n.last_fy && r == KJ_OK; y++) {
		double s = now_seconds(), e;

		r = kj_eval_refresh(&ctx, y);
		e = now_seconds() - s;
		if (e > worst) {
			worst = e;
			worst_fy = y;
		}
	}
	t1 = now_seconds();
	if (r != KJ_OK) {
		fail(label, &ctx, "kj_eval_refresh (every year)", r);
		goto out;
	}
	printf("%-10s kj_eval_refresh of all %d years: %.2f s (slowest FY%d: %.2f s)\n", label, n.last_fy - n.first_fy + 1,
	       t1 - t0, worst_fy, worst);
	printf("%-10s peak RSS after the snapshots: %.1f MB\n", label, peak_mb());

	ms = calloc(calls, sizeof(*ms));
	ms_json = calloc(calls, sizeof(*ms_json));
	ms_sum = calloc(calls, sizeof(*ms_sum));
	if (ms == NULL || ms_json == NULL || ms_sum == NULL)
		goto out;

	/* The government-wide view, and its JSON as the API sends it. */
	for (i = 0; i < calls; i++) {
		char *s;

		t0 = now_seconds();
		if ((r = kj_eval_government(&ctx, fy, &j)) != KJ_OK) {
			fail(label, &ctx, "kj_eval_government", r);
			goto out;
		}
		t1 = now_seconds();
		s = json_dumps(j, JSON_COMPACT);
		ms[i] = (t1 - t0) * 1000.0;
		ms_json[i] = (now_seconds() - t1) * 1000.0;
		ms_sum[i] = ms[i] + ms_json[i];
		if (s != NULL)
			json_bytes = strlen(s);
		free(s);
		if (i + 1 < calls) {
			json_decref(j);
			j = NULL;
		}
	}
	print_latency(label, "kj_eval_government", ms, calls);
	print_latency(label, "  its JSON serialisation", ms_json, calls);
	print_latency(label, "  government + JSON", ms_sum, calls);
	printf("%-10s   government JSON: %zu bytes, %zu organisation rows\n", label, json_bytes,
	       json_array_size(json_object_get(j, "orgs")));
	for (i = 0; i < JSON_RUNS; i++) {
		char *s;

		t0 = now_seconds();
		s = json_dumps(j, JSON_COMPACT);
		js[i] = (now_seconds() - t0) * 1000.0;
		free(s);
	}
	json_decref(j);
	j = NULL;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < calls; i++) {
			t0 = now_seconds();
			r = k == 0 ? kj_eval_org(&ctx, codes[(i * 37) % ncodes], fy, &j) : kj_eval_board(&ctx, fy, &j);
			if (r != KJ_OK) {
				fail(label, &ctx, k == 0 ? "kj_eval_org" : "kj_eval_board", r);
				goto out;
			}
			ms[i] = (now_seconds() - t0) * 1000.0;
			t0 = now_seconds();
			free(json_dumps(j, JSON_COMPACT));
			ms_sum[i] = ms[i] + (now_seconds() - t0) * 1000.0;
			json_decref(j);
			j = NULL;
		}
		print_latency(label, k == 0 ? "kj_eval_org (many organisations)" : "kj_eval_board", ms, calls);
		print_latency(label, k == 0 ? "  org + JSON" : "  board + JSON", ms_sum, calls);
	}
	printf("%-10s government JSON alone, median of %d: %.2f ms\n", label, JSON_RUNS, median(js, JSON_RUNS));
	printf("%-10s peak RSS after the reads: %.1f MB\n", label, peak_mb());

	/* Reads after a change: the snapshots made dirty are computed again inside the read.
	 * First one checklist of the year (an answer changed: that year only), then a change
	 * that touches every year (a policy). */
	for (k = 0; k < 2; k++) {
		char uuid[37] = "";

		ctx.who.role = KJ_ROLE_LOCAL_ADMIN;
		if (k == 0 && current_checklist(&ctx, fy, uuid) != 0) {
			printf("%-10s no checklist of FY%d\n", label, fy);
			continue;
		}
		if ((r = kj_tx_begin(&ctx)) == KJ_OK)
			r = kj_tx_end(&ctx, k == 0 ? kj_eval_touch_id(&ctx, "checklist", uuid) : kj_eval_touch(&ctx, "policy"));
		act_as(&ctx, "analyst");
		if (r == KJ_OK) {
			t0 = now_seconds();
			r = kj_eval_government(&ctx, fy, &j);
			t1 = now_seconds();
			json_decref(j);
			j = NULL;
		}
		if (r == KJ_OK)
			printf("%-10s first kj_eval_government after a change to %s: %.2f s (no target)\n", label,
			       k == 0 ? "one checklist of the year (that year computed again)"
				      : "a policy (every year computed again)",
			       t1 - t0);
		else
			fail(label, &ctx, "read after a change", r);
	}

	/* The yearly report. */
	for (i = 0; i < REPORT_RUNS; i++) {
		struct kj_buf out;

		kj_buf_init(&out, 0);
		t0 = now_seconds();
		r = kj_report_annual(&ctx, fy, NULL, "ja", "html", NULL, &out);
		rep[i] = now_seconds() - t0;
		html_bytes = out.len;
		kj_buf_free(&out);
		if (r != KJ_OK) {
			fail(label, &ctx, "kj_report_annual", r);
			goto out;
		}
	}
	{
		double best = rep[0], med;

		for (i = 1; i < REPORT_RUNS; i++)
			best = rep[i] < best ? rep[i] : best;
		med = median(rep, REPORT_RUNS);
		printf("%-10s kj_report_annual FY%d html (ja), median of %d: %.2f s, best %.2f s, %.1f MB (target <= %.0f s: "
		       "%s, ratio %.2f)\n",
		       label, fy, REPORT_RUNS, med, best, (double)html_bytes / (1024.0 * 1024.0), TARGET_REPORT_S,
		       verdict(med, TARGET_REPORT_S), med > 0 ? TARGET_REPORT_S / med : 0.0);
	}
	printf("%-10s peak RSS after the reports: %.1f MB\n", label, peak_mb());
	report_parts(label, &ctx, fy, codes, ncodes);
	printf("%-10s peak RSS of the process: %.1f MB (the breakdown holds every organisation's value at once)\n", label,
	       peak_mb());
out:
	json_decref(j);
	for (i = 0; i < ncodes; i++)
		free(codes[i]);
	free(codes);
	free(ms);
	free(ms_json);
	free(ms_sum);
	kj_db_close(db);
}

/* Runs one backend in a child process, so that each backend's peak RSS is its own (the
 * parent stays small: a forked child starts with its parent's high-water mark). */
static void
run_in_child(const char *label, const char *dsn, int pg, const char *path, int norgs, size_t calls)
{
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) < 0) {
		printf("%-10s cannot fork: %s\n", label, strerror(errno));
		return;
	}
	if (pid == 0) {
		run(label, dsn, pg, path, norgs, calls);
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		printf("%-10s the benchmark's process ended abnormally\n", label);
}

int
main(void)
{
	char dir[] = "/tmp/kijun-bench-eval.XXXXXX", path[1100], dsn[1200];
	const char *pg_dsn, *e;
	int64_t norgs = 0, calls = DEFAULT_CALLS;

	if (sodium_init() < 0) {
		fprintf(stderr, "bench_eval: cannot initialise libsodium\n");
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((e = getenv("KIJUN_BENCH_EVAL_ORGS")) != NULL && *e && kj_parse_int64(e, 25, 9999, &norgs) != 0) {
		printf("bench_eval: KIJUN_BENCH_EVAL_ORGS: expected 25 to 9999\n");
		return 0;
	}
	if ((e = getenv("KIJUN_BENCH_EVAL_CALLS")) != NULL && *e && kj_parse_int64(e, 1, MAX_CALLS, &calls) != 0) {
		printf("bench_eval: KIJUN_BENCH_EVAL_CALLS: expected 1 to %d\n", MAX_CALLS);
		return 0;
	}
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench_eval: mkdtemp: %s\n", strerror(errno));
		return 0;
	}
	printf("bench_eval: %" PRId64 " organisations, 400 requirements, 10 fiscal years; %" PRId64 " calls per view\n",
	       norgs ? norgs : 1000, calls);
	print_load("at the start");
	snprintf(path, sizeof(path), "%s/eval.db", dir);
	snprintf(dsn, sizeof(dsn), "sqlite:%s", path);
	run_in_child("sqlite", dsn, 0, path, (int)norgs, (size_t)calls);
	remove_sqlite(path);

	pg_dsn = getenv("KIJUN_BENCH_PG_DSN");
	if (pg_dsn != NULL && *pg_dsn != '\0')
		run_in_child("postgresql", pg_dsn, 1, NULL, (int)norgs, (size_t)calls);
	else
		printf("%-10s skipped: KIJUN_BENCH_PG_DSN not set\n", "postgresql");
	print_load("at the end");
	rmdir(dir);
	return 0;
}
