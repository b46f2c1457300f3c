/*
 * bench_bulk.c: bulk writes through the db layer (kj_bulk_begin/row/end) against the
 * fastest raw way into the same database, measured in one run and printed as a ratio.
 *
 * Target: the db layer reaches at least half the rate of the raw way (ratio >= 0.5).
 *   SQLite:     raw is the sqlite3 C API on its own fresh file, opened with the backend's
 *               pragmas (journal_mode=WAL, synchronous=NORMAL, foreign_keys=ON), one
 *               prepared INSERT in one transaction, binding the same text values.
 *   PostgreSQL: raw is libpq COPY ... FROM STDIN in text format, sent in pieces of about
 *               256 KiB; both on the same server, each on a freshly recreated schema public.
 *               Runs only when KIJUN_BENCH_PG_DSN is set.
 * Every load writes KIJUN_BENCH_ROWS rows (default 1,000,000) of the same generated values
 * to answers(id, campaign, item, value, note); each side is run 3 times, alternating, and
 * the best time counts. Times cover the load from its first statement to its commit; the
 * connection and the empty table are set up before the clock starts. Each load is checked
 * with SELECT COUNT(*), and a wrong count is reported loudly and voids that figure.
 *
 * Prints figures only and exits 0 whatever they are. Owns nothing outside its temporary
 * directory under /tmp and, on PostgreSQL, the schema public of the database it is given.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include "common/bench_util.h"
#include "db/db.h"

#define DEFAULT_ROWS 1000000
#define RUNS 3
#define TARGET_RATIO 0.5
#define COPY_CHUNK (256 * 1024)
#define NCOLS 5

static const char *const create_sql =
	"CREATE TABLE answers (id BIGINT PRIMARY KEY, campaign BIGINT NOT NULL, "
	"item TEXT NOT NULL, value TEXT, note TEXT)";
static const char *const reset_pg_sql = "DROP SCHEMA public CASCADE; CREATE SCHEMA public";
static const char *const sqlite_pragmas =
	"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
static const char *const cols[NCOLS] = {"id", "campaign", "item", "value", "note"};

struct bench_env {
	const char *dir;	/* temporary directory for the SQLite files */
	const char *pg_dsn;	/* kijun DSN of the PostgreSQL database, or NULL */
	int64_t nrows;
};

/* One generated row: the values as text, vals[i] NULL for SQL NULL. */
struct row {
	char id[24];
	char campaign[24];
	char item[32];
	char note[64];
	const char *vals[NCOLS];
};

/* A way of loading the rows: loads them once (run is 1-based), stores the load's wall time
 * in *secs_out and the rows the table then holds in *count_out. Returns 0 on success;
 * prints why and returns -1 on failure. */
struct loader {
	const char *label;
	int (*load)(const struct bench_env *env, int run, double *secs_out, int64_t *count_out);
};

/* Fills r with row i (0-based). Every loader builds its rows here, so that all of them do
 * the same formatting work: answers of a few campaigns to NIST-like item numbers, with a
 * note on every tenth row and no value on every hundredth. */
static void
make_row(int64_t i, struct row *r)
{
	static const char *const answers[] = {"yes", "no", "partial", "na"};

	snprintf(r->id, sizeof(r->id), "%" PRId64, i + 1);
	snprintf(r->campaign, sizeof(r->campaign), "%" PRId64, i % 16 + 1);
	snprintf(r->item, sizeof(r->item), "ac-%" PRId64 ".%" PRId64, i % 25 + 1, i % 7);
	r->vals[0] = r->id;
	r->vals[1] = r->campaign;
	r->vals[2] = r->item;
	r->vals[3] = i % 100 == 99 ? NULL : answers[i % 4];
	if (i % 10 == 0) {
		snprintf(r->note, sizeof(r->note), "checked on site; evidence %" PRId64, i);
		r->vals[4] = r->note;
	} else {
		r->vals[4] = NULL;
	}
}

/* ---- SQLite, raw C API ---- */

static int
sqlite_raw(const struct bench_env *env, int run, double *secs_out, int64_t *count_out)
{
	char path[1024];
	sqlite3 *h = NULL;
	sqlite3_stmt *ins = NULL, *cnt = NULL;
	struct row row;
	double t0, t1;
	int64_t i;
	int c, rc, ret = -1;

	snprintf(path, sizeof(path), "%s/raw-%d.db", env->dir, run);
	rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_exec(h, sqlite_pragmas, NULL, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_exec(h, create_sql, NULL, NULL, NULL)) != SQLITE_OK)
		goto fail;

	t0 = now_seconds();
	if ((rc = sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		goto fail;
	rc = sqlite3_prepare_v2(h,
				"INSERT INTO answers (id, campaign, item, value, note) "
				"VALUES (?, ?, ?, ?, ?)", -1, &ins, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	for (i = 0; i < env->nrows; i++) {
		make_row(i, &row);
		for (c = 0; c < NCOLS; c++) {
			rc = row.vals[c] == NULL ? sqlite3_bind_null(ins, c + 1)
						 : sqlite3_bind_text(ins, c + 1, row.vals[c], -1,
								     SQLITE_STATIC);
			if (rc != SQLITE_OK)
				goto fail;
		}
		rc = sqlite3_step(ins);
		sqlite3_reset(ins);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(ins);
	ins = NULL;
	if ((rc = sqlite3_exec(h, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
		goto fail;
	t1 = now_seconds();

	if ((rc = sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM answers", -1, &cnt, NULL)) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(cnt)) != SQLITE_ROW)
		goto fail;
	*count_out = sqlite3_column_int64(cnt, 0);
	*secs_out = t1 - t0;
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "bench_bulk: sqlite raw: %s\n",
		h != NULL ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(cnt);
	sqlite3_close_v2(h);
	remove_sqlite(path);
	return ret;
}

/* ---- through the db layer, either backend ---- */

/* Counts the rows of answers through the db layer. */
static int
db_count(struct kj_ctx *ctx, int64_t *count_out)
{
	struct kj_stmt *st = NULL;
	int row = 0, ret = -1;

	if (kj_db_prepare(ctx, "SELECT COUNT(*) FROM answers", &st) != KJ_OK)
		goto out;
	if (kj_stmt_step(ctx, st, &row) != KJ_OK || !row)
		goto out;
	*count_out = kj_stmt_int(st, 0);
	ret = 0;
out:
	kj_stmt_free(st);
	return ret;
}

/* Loads nrows rows into a fresh answers table of dsn through kj_bulk_*; pg: recreate
 * schema public first. Same contract as struct loader. */
static int
db_layer_load(const char *dsn, int pg, int64_t nrows, double *secs_out, int64_t *count_out)
{
	struct kj_ctx ctx;
	struct kj_db *db = NULL;
	struct kj_bulk *b = NULL;
	struct row row;
	double t0, t1;
	int64_t i;
	int ret = -1;
	kj_err r;

	kj_ctx_init(&ctx);
	if (kj_db_open(&ctx, dsn, &db) != KJ_OK)
		goto fail;
	if (pg && kj_db_exec(&ctx, reset_pg_sql) != KJ_OK)
		goto fail;
	if (kj_db_exec(&ctx, create_sql) != KJ_OK)
		goto fail;

	t0 = now_seconds();
	if (kj_bulk_begin(&ctx, "answers", cols, NCOLS, &b) != KJ_OK)
		goto fail;
	r = KJ_OK;
	for (i = 0; i < nrows && r == KJ_OK; i++) {
		make_row(i, &row);
		r = kj_bulk_row(&ctx, b, row.vals);
	}
	if (kj_bulk_end(&ctx, b, r) != KJ_OK)
		goto fail;
	t1 = now_seconds();

	if (db_count(&ctx, count_out) != 0)
		goto fail;
	*secs_out = t1 - t0;
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "bench_bulk: %s db layer: %s\n", pg ? "postgresql" : "sqlite", ctx.msg);
out:
	kj_db_close(db);
	return ret;
}

static int
sqlite_db_layer(const struct bench_env *env, int run, double *secs_out, int64_t *count_out)
{
	char path[1024], dsn[1100];
	int ret;

	snprintf(path, sizeof(path), "%s/dblayer-%d.db", env->dir, run);
	snprintf(dsn, sizeof(dsn), "sqlite:%s", path);
	ret = db_layer_load(dsn, 0, env->nrows, secs_out, count_out);
	remove_sqlite(path);
	return ret;
}

static int
pg_db_layer(const struct bench_env *env, int run, double *secs_out, int64_t *count_out)
{
	(void)run;
	return db_layer_load(env->pg_dsn, 1, env->nrows, secs_out, count_out);
}

/* ---- PostgreSQL, raw libpq COPY ---- */

/* The libpq connection string for a kijun DSN: URIs as they are, "postgresql:KEYWORDS"
 * without the prefix. */
static const char *
libpq_conninfo(const char *dsn)
{
	if (strncmp(dsn, "postgresql://", 13) == 0 || strncmp(dsn, "postgres://", 11) == 0)
		return dsn;
	if (strncmp(dsn, "postgresql:", 11) == 0)
		return dsn + 11;
	return dsn;
}

/* Drops server notices ("drop cascades to table answers"): they are not figures. */
static void
ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Runs sql (no rows expected); 0 when it went well. */
static int
pg_command(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	PQclear(res);
	return ok ? 0 : -1;
}

/* Appends v to buf at *len as a COPY text field. The generated values hold no backslash,
 * tab or newline, so none needs escaping: this is the least work COPY can be given. */
static void
copy_field(char *buf, size_t *len, const char *v)
{
	size_t n;

	if (v == NULL) {
		memcpy(buf + *len, "\\N", 2);
		*len += 2;
		return;
	}
	n = strlen(v);
	memcpy(buf + *len, v, n);
	*len += n;
}

static int
pg_raw_copy(const struct bench_env *env, int run, double *secs_out, int64_t *count_out)
{
	PGconn *conn;
	PGresult *res = NULL;
	struct row row;
	char *buf = NULL;
	size_t len = 0;
	double t0, t1;
	int64_t i;
	int c, ret = -1, copy_ok = 1;

	(void)run;
	/* A row is at most 24 + 24 + 32 + 8 + 64 bytes of fields plus separators: a chunk
	 * flushed at COPY_CHUNK never overflows this. */
	buf = malloc(COPY_CHUNK + 512);
	conn = PQconnectdb(libpq_conninfo(env->pg_dsn));
	if (buf == NULL || PQstatus(conn) != CONNECTION_OK)
		goto fail;
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	if (pg_command(conn, reset_pg_sql) != 0 || pg_command(conn, create_sql) != 0)
		goto fail;

	t0 = now_seconds();
	res = PQexec(conn, "COPY answers (id, campaign, item, value, note) FROM STDIN");
	if (PQresultStatus(res) != PGRES_COPY_IN)
		goto fail;
	PQclear(res);
	res = NULL;
	for (i = 0; i < env->nrows; i++) {
		make_row(i, &row);
		for (c = 0; c < NCOLS; c++) {
			if (c > 0)
				buf[len++] = '\t';
			copy_field(buf, &len, row.vals[c]);
		}
		buf[len++] = '\n';
		if (len >= COPY_CHUNK) {
			if (PQputCopyData(conn, buf, (int)len) != 1) {
				copy_ok = 0;
				break;
			}
			len = 0;
		}
	}
	if (copy_ok && len > 0 && PQputCopyData(conn, buf, (int)len) != 1)
		copy_ok = 0;
	if (PQputCopyEnd(conn, copy_ok ? NULL : "aborted") != 1)
		copy_ok = 0;
	/* The first result says how the COPY went; read them all. */
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			copy_ok = 0;
		PQclear(res);
	}
	t1 = now_seconds();
	if (!copy_ok)
		goto fail;

	res = PQexec(conn, "SELECT COUNT(*) FROM answers");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		goto fail;
	*count_out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	*secs_out = t1 - t0;
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "bench_bulk: postgresql raw copy: %s\n",
		conn != NULL ? PQerrorMessage(conn) : "out of memory");
out:
	PQclear(res);
	PQfinish(conn);
	free(buf);
	return ret;
}

/* ---- measuring and reporting ---- */

/*
 * Runs raw and layer RUNS times each, alternating, and prints the best rate of each and
 * the ratio layer/raw against the target. A failed load or a wrong row count voids that
 * run; a side with no valid run gets no figure and no ratio.
 */
static void
compare(const char *what, const struct bench_env *env, const struct loader *raw,
	const struct loader *layer)
{
	const struct loader *side[2] = {raw, layer};
	double best[2] = {0.0, 0.0}, secs, rate[2];
	int valid[2] = {0, 0};
	int64_t count;
	int run, k;

	for (run = 1; run <= RUNS; run++) {
		for (k = 0; k < 2; k++) {
			count = -1;
			if (side[k]->load(env, run, &secs, &count) != 0) {
				printf("%s %s run %d: FAILED (see above)\n", what, side[k]->label, run);
				continue;
			}
			if (count != env->nrows) {
				printf("!!! %s %s run %d: ROW COUNT MISMATCH: loaded %" PRId64
				       " rows, table holds %" PRId64 "; run discarded\n",
				       what, side[k]->label, run, env->nrows, count);
				fprintf(stderr, "bench_bulk: %s %s: row count mismatch (%" PRId64
					" expected, %" PRId64 " found)\n",
					what, side[k]->label, env->nrows, count);
				continue;
			}
			printf("%s %s run %d: %.3f s\n", what, side[k]->label, run, secs);
			fflush(stdout);
			if (!valid[k] || secs < best[k])
				best[k] = secs;
			valid[k] = 1;
		}
	}
	for (k = 0; k < 2; k++) {
		if (!valid[k]) {
			printf("%-10s %-9s no valid run\n", what, side[k]->label);
			continue;
		}
		rate[k] = (double)env->nrows / best[k];
		printf("%-10s %-9s best %.3f s, %.0f rows/s\n", what, side[k]->label, best[k],
		       rate[k]);
	}
	if (valid[0] && valid[1])
		printf("%-10s ratio db layer / %s = %.2f (target >= %.1f: %s)\n", what, raw->label,
		       rate[1] / rate[0], TARGET_RATIO,
		       rate[1] / rate[0] >= TARGET_RATIO ? "target met" : "target missed");
	else
		printf("%-10s ratio: not measured\n", what);
	fflush(stdout);
}

int
main(void)
{
	static const struct loader sq_raw = {"raw", sqlite_raw};
	static const struct loader sq_layer = {"db layer", sqlite_db_layer};
	static const struct loader pg_raw = {"raw COPY", pg_raw_copy};
	static const struct loader pg_layer = {"db layer", pg_db_layer};
	char dir[] = "/tmp/kijun-bench-bulk.XXXXXX";
	struct bench_env env;
	const char *s;
	char *end;
	long long n;

	if (sodium_init() < 0) {
		fprintf(stderr, "bench_bulk: cannot initialise libsodium\n");
		return 0;
	}
	/* Line by line, so that figures and messages on stderr come out in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&env, 0, sizeof(env));
	env.nrows = DEFAULT_ROWS;
	s = getenv("KIJUN_BENCH_ROWS");
	if (s != NULL && *s != '\0') {
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n > 1000000000LL) {
			printf("bench_bulk: KIJUN_BENCH_ROWS=\"%s\" is not a count of 1..1000000000; "
			       "using %d\n", s, DEFAULT_ROWS);
		} else {
			env.nrows = n;
		}
	}
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench_bulk: mkdtemp: %s\n", strerror(errno));
		return 0;
	}
	env.dir = dir;
	s = getenv("KIJUN_BENCH_PG_DSN");
	env.pg_dsn = s != NULL && *s != '\0' ? s : NULL;

	printf("bench_bulk: %" PRId64 " rows into answers, best of %d runs each\n", env.nrows,
	       RUNS);
	compare("sqlite", &env, &sq_raw, &sq_layer);
	if (env.pg_dsn != NULL)
		compare("postgresql", &env, &pg_raw, &pg_layer);
	else
		printf("%-10s skipped: KIJUN_BENCH_PG_DSN not set\n", "postgresql");
	rmdir(dir);
	return 0;
}
