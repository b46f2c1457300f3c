/*
 * bench_import.c: how long importing the NIST SP 800-53 rev5 catalogue (OSCAL JSON,
 * 3.2 MB) takes through kj_standard_import_file, and how much memory it needs.
 *
 * Targets: at most 0.5 s wall time and 64 MB peak resident memory for the import into a
 * fresh SQLite file database. Each timed run imports into a fresh database (migrated first;
 * the migration is not timed). Peak memory is read from a child process that does one
 * import and nothing else, so the parent's earlier runs cannot inflate it; the child is
 * forked before the parent has done any work, because a forked child starts with the
 * parent's high-water mark. With KIJUN_BENCH_PG_DSN set the same import is timed on
 * PostgreSQL, on a schema dropped and recreated before each run.
 *
 * Prints figures only: exits 0 whether or not a target is met (and when the catalogue is
 * missing, after saying so). Owns nothing outside its temporary directory under /tmp and,
 * on PostgreSQL, the schema public of the database it is given.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "common/bench_util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "formats/catalog.h"

#define RUNS 5
#define TARGET_SECONDS 0.5
#define TARGET_PEAK_MB 64.0
#define CATALOG_REL "oscal/nist-800-53-rev5/NIST_SP-800-53_rev5_catalog.json"

/*
 * Opens dsn, prepares an empty current schema (on PostgreSQL by dropping and recreating
 * schema public), then imports catalog and stores the import's wall time in *secs_out and
 * the item count in *nitems_out. Returns 0 on success; on failure prints why and returns
 * -1. The database is closed either way.
 */
static int
import_once(const char *dsn, int pg, const char *catalog, double *secs_out, size_t *nitems_out)
{
	struct kj_ctx ctx;
	struct kj_db *db = NULL;
	struct kj_import_opts opts = {.code = NULL, .catalog = NULL};
	char code[64];
	size_t nitems = 0;
	double t0, t1;
	int ret = -1;
	kj_err r;

	kj_ctx_init(&ctx);
	if ((r = kj_db_open(&ctx, dsn, &db)) != KJ_OK) {
		fprintf(stderr, "bench_import: open: %s\n", ctx.msg);
		goto out;
	}
	if (pg && (r = kj_db_exec(&ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")) != KJ_OK) {
		fprintf(stderr, "bench_import: reset schema: %s\n", ctx.msg);
		goto out;
	}
	if ((r = kj_db_migrate(&ctx, NULL)) != KJ_OK) {
		fprintf(stderr, "bench_import: migrate: %s\n", ctx.msg);
		goto out;
	}
	t0 = now_seconds();
	r = kj_standard_import_file(&ctx, catalog, &opts, code, sizeof(code), &nitems);
	t1 = now_seconds();
	if (r != KJ_OK) {
		fprintf(stderr, "bench_import: import: %s\n", ctx.msg);
		goto out;
	}
	*secs_out = t1 - t0;
	*nitems_out = nitems;
	ret = 0;
out:
	kj_db_close(db);
	return ret;
}

/*
 * Imports once in a forked child (into dir/peak.db) and stores the child's peak resident
 * memory in MB in *mb_out. Returns 0 on success, -1 when the child failed or could not be
 * started (said on stderr).
 */
static int
peak_in_child(const char *dir, const char *catalog, double *mb_out)
{
	char path[1024], dsn[1100];
	struct rusage ru;
	pid_t pid;
	int status = 0;

	snprintf(path, sizeof(path), "%s/peak.db", dir);
	snprintf(dsn, sizeof(dsn), "sqlite:%s", path);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench_import: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		double secs;
		size_t nitems;

		_exit(import_once(dsn, 0, catalog, &secs, &nitems) == 0 ? 0 : 1);
	}
	memset(&ru, 0, sizeof(ru));
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "bench_import: wait4: %s\n", strerror(errno));
			remove_sqlite(path);
			return -1;
		}
	}
	remove_sqlite(path);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench_import: the measuring child failed\n");
		return -1;
	}
	/* Linux reports ru_maxrss in kilobytes. */
	*mb_out = (double)ru.ru_maxrss / 1024.0;
	return 0;
}

/* Times RUNS imports on dsn_base (SQLite: a fresh file per run in dir; PostgreSQL: a
 * fresh schema per run) and prints the median and best. Returns 0 when every run went. */
static int
time_runs(const char *label, const char *dir, const char *pg_dsn, const char *catalog)
{
	double t[RUNS], best, med;
	char path[1024], dsn[1100];
	size_t nitems = 0;
	int i;

	for (i = 0; i < RUNS; i++) {
		if (pg_dsn == NULL) {
			snprintf(path, sizeof(path), "%s/run-%d.db", dir, i + 1);
			snprintf(dsn, sizeof(dsn), "sqlite:%s", path);
		}
		if (import_once(pg_dsn != NULL ? pg_dsn : dsn, pg_dsn != NULL, catalog, &t[i],
				&nitems) != 0) {
			if (pg_dsn == NULL)
				remove_sqlite(path);
			printf("%-10s import failed on run %d; no figures\n", label, i + 1);
			return -1;
		}
		if (pg_dsn == NULL)
			remove_sqlite(path);
	}
	best = t[0];
	for (i = 1; i < RUNS; i++)
		if (t[i] < best)
			best = t[i];
	med = median(t, RUNS);
	printf("%-10s %zu items; %d runs: median %.3f s, best %.3f s (target <= %.1f s: %s)\n",
	       label, nitems, RUNS, med, best, TARGET_SECONDS,
	       med <= TARGET_SECONDS ? "target met" : "target missed");
	return 0;
}

int
main(void)
{
	const char *shared, *pg_dsn;
	char catalog[1024], dir[] = "/tmp/kijun-bench-import.XXXXXX";
	struct rusage self;
	double peak_mb = 0.0;
	int have_peak;

	if (sodium_init() < 0) {
		fprintf(stderr, "bench_import: cannot initialise libsodium\n");
		return 0;
	}
	/* Line by line, so that figures and messages on stderr come out in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	shared = getenv("KIJUN_SHARED_DATA");
	if (shared == NULL || *shared == '\0')
		shared = "../shared/data";
	snprintf(catalog, sizeof(catalog), "%s/%s", shared, CATALOG_REL);
	if (access(catalog, R_OK) != 0) {
		printf("bench_import: skipped: %s not found (set KIJUN_SHARED_DATA to the shared "
		       "data directory)\n", catalog);
		return 0;
	}
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench_import: mkdtemp: %s\n", strerror(errno));
		return 0;
	}
	printf("bench_import: %s\n", catalog);

	/* First, while this process is still small: a forked child inherits its high-water. */
	have_peak = peak_in_child(dir, catalog, &peak_mb) == 0;

	time_runs("sqlite", dir, NULL, catalog);
	if (have_peak)
		printf("%-10s peak RSS of one import in a fresh process: %.1f MB "
		       "(target <= %.0f MB: %s)\n",
		       "sqlite", peak_mb, TARGET_PEAK_MB,
		       peak_mb <= TARGET_PEAK_MB ? "target met" : "target missed");
	else
		printf("%-10s peak RSS: not measured (the measuring child failed)\n", "sqlite");

	pg_dsn = getenv("KIJUN_BENCH_PG_DSN");
	if (pg_dsn != NULL && *pg_dsn != '\0')
		time_runs("postgresql", NULL, pg_dsn, catalog);
	else
		printf("%-10s skipped: KIJUN_BENCH_PG_DSN not set\n", "postgresql");

	/* For comparison only: this process after all its runs. */
	if (getrusage(RUSAGE_SELF, &self) == 0)
		printf("(this process after all runs: peak RSS %.1f MB)\n",
		       (double)self.ru_maxrss / 1024.0);
	rmdir(dir);
	return 0;
}
