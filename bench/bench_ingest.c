/*
 * bench_ingest.c: a government-wide self-inspection campaign ingested in bulk, and the
 * government-wide roll-up read back afterwards.
 *
 * The case (from the requirement): 300,000 respondents with 30 items each, 9 million
 * answers, imported as one CSV through kj_answers_import_csv (the call behind the API's and
 * the command line's CSV import) into SQLite.
 *
 * Targets:
 *   - ingest at least 100,000 answers per second, printed beside the raw insert rate
 *     measured in the same run (and the ratio of the two);
 *   - peak resident memory of the importing process at most 128 MB (imports stream);
 *   - after the ingest, the government-wide roll-up (every organisation, every requirement)
 *     answers in at most 200 ms (roll-ups are counters kept up to date, not a scan).
 *
 * Set-up (not timed): a fresh SQLite file in a mkdtemp directory, migrated; the demo
 * government and the demo FY2025 edition; a campaign BENCH of the centre (NCO) with 30
 * requirements of demo-fy2025, mandated to every ministry, agency and corporation (one child
 * campaign each) and opened; KIJUN_BENCH_RESPONDENTS accounts (default 300,000) spread over
 * the children's organisations, each with an open checklist in its organisation's child
 * campaign, written with kj_bulk; the CSV of every respondent's 30 answers in the directory.
 *
 * Raw baseline (same run): the same N x 30 rows inserted with the sqlite3 C API directly
 * into answer_raw (checklist_id, item_id, value, bucket, comment, answered_at), a plain table
 * without keys or indexes, in its own fresh file with the backend's pragmas (WAL,
 * synchronous=NORMAL): one prepared INSERT, one transaction, every value bound as text as
 * kj_bulk does. This is the ceiling: storing the rows and nothing else.
 *
 * Timed ingest: kj_answers_import_csv(ctx, "BENCH", ...) reading the file in blocks with
 * fread through a kj_reader, in a child process; the child measures the call's wall time,
 * the parent reads the child's peak RSS with wait4. The child is forked first thing, before
 * the set-up's allocations, because on Linux a forked child starts with its parent's
 * high-water mark; it waits on a pipe until the set-up is done.
 *
 * Roll-ups: in the parent, on the database reopened after the ingest, kj_rollup by "org"
 * and by "requirement" over everything, 5 times each, as the local administrator; median
 * and max are printed, and each total is checked against N x 30 answers (a mismatch is
 * printed loudly, also on stderr).
 *
 * Prints figures only and exits 0 whatever they are. Owns nothing outside its temporary
 * directory under /tmp, which it removes at the end.
 */
#include <errno.h>
#include <inttypes.h>
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

#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>

#include "base/embedded.h"
#include "base/buf.h"
#include "base/util.h"
#include "common/bench_util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "formats/catalog.h"
#include "formats/government.h"
#include "model/inspection.h"
#include "model/standard.h"

#define DEFAULT_RESPONDENTS 300000
#define MAX_RESPONDENTS 1000000
#define NITEMS 30
#define ROLLUP_RUNS 5
#define TARGET_RATE 100000.0
#define TARGET_PEAK_MB 128.0
#define TARGET_ROLLUP_MS 200.0
#define CAMPAIGN "BENCH"
#define EDITION "demo-fy2025"
#define ANSWERED_AT "2026-11-26T09:00:00Z"

static const char *const raw_pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";

/* The scale's values (the default scale) and the bucket each counts in. */
static const char *const values[4] = {"implemented", "partial", "not_implemented", "not_applicable"};
static const char *const buckets[4] = {"done", "partial", "not_done", "excluded"};

/* What the set-up built, for the CSV, the raw baseline and the checks. */
struct setup {
	size_t n;			/* respondents */
	size_t nchild;			/* child campaigns (organisations) */
	int64_t *child_id;		/* per child: campaign id */
	int64_t *child_org;		/* per child: organisation id */
	int64_t *item_id;		/* per child: NITEMS item ids in seq order */
	char numbers[NITEMS][72];	/* the items' requirement numbers, in seq order */
	int64_t first_checklist;	/* checklist i has id first_checklist + i */
	char (*uuid)[36];		/* checklist i's uuid, without its NUL */
	int64_t expect[4];		/* answers per bucket */
};

/* What the child reports back through the pipe. */
struct child_result {
	int ok;
	double secs;		/* the import call */
	double read_secs;	/* until the last row was read and staged (last progress call) */
	double start_mb;	/* the child's peak RSS before the import */
	double read_mb;		/* its peak RSS when the last row was staged */
	uint64_t nrows;
	char msg[1200];
};

static double
self_peak_mb(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0.0;
	return (double)ru.ru_maxrss / 1024.0;
}

static double
file_mb(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (double)sb.st_size / (1024.0 * 1024.0) : 0.0;
}

/* The answer respondent i gives to item k: a fixed mix, about 55% implemented, 20% partial,
 * 15% not implemented, 10% not applicable, scattered by a hash. */
static int
answer_of(size_t i, int k)
{
	uint64_t h = ((uint64_t)i * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)(k + 1) * 0xbf58476d1ce4e5b9ull);
	unsigned v;

	h ^= h >> 31;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 29;
	v = (unsigned)(h % 100);
	return v < 55 ? 0 : v < 75 ? 1 : v < 90 ? 2 : 3;
}

static int
write_all(int fd, const void *p, size_t len)
{
	const char *c = p;

	while (len > 0) {
		ssize_t w = write(fd, c, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
read_all(int fd, void *p, size_t len)
{
	char *c = p;

	while (len > 0) {
		ssize_t n = read(fd, c, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- the timed import, in the child ---- */

/* kj_reader over a FILE: blocks as the importer asks for them. */
static long
read_block(void *arg, char *buf, size_t size)
{
	FILE *fp = arg;
	size_t n = fread(buf, 1, size, fp);

	if (n == 0 && ferror(fp))
		return -1;
	return (long)n;
}

struct progress_mark {
	double t;
	size_t done;
	double rss_mb;
};

/* Called every 100,000 rows while the importer reads: the last call marks the end of
 * reading and staging, before the merge and the roll-up recount. */
static void
on_progress(void *arg, const char *what, size_t done, size_t total)
{
	struct progress_mark *m = arg;

	(void)what;
	(void)total;
	m->t = now_seconds();
	m->done = done;
	m->rss_mb = self_peak_mb();
}

static void
import_in_child(const char *dir, struct child_result *res)
{
	char dsn[1100], csv[1100];
	struct kj_ctx ctx;
	struct kj_db *db = NULL;
	struct progress_mark mark = {0.0, 0, 0.0};
	json_t *report = NULL;
	size_t nrows = 0;
	FILE *fp = NULL;
	double t0, t1;
	kj_err r;

	memset(res, 0, sizeof(*res));
	res->start_mb = self_peak_mb();
	snprintf(dsn, sizeof(dsn), "sqlite:%s/kijun.db", dir);
	snprintf(csv, sizeof(csv), "%s/answers.csv", dir);
	kj_ctx_init(&ctx);
	if (kj_db_open(&ctx, dsn, &db) != KJ_OK) {
		snprintf(res->msg, sizeof(res->msg), "open: %s", ctx.msg);
		return;
	}
	fp = fopen(csv, "rb");
	if (fp == NULL) {
		snprintf(res->msg, sizeof(res->msg), "%s: %s", csv, strerror(errno));
		kj_db_close(db);
		return;
	}
	ctx.progress = on_progress;
	ctx.progress_arg = &mark;
	t0 = now_seconds();
	r = kj_answers_import_csv(&ctx, CAMPAIGN, "answers.csv", read_block, fp, &nrows, &report);
	t1 = now_seconds();
	fclose(fp);
	if (r != KJ_OK) {
		char *rep = report != NULL ? json_dumps(report, JSON_COMPACT) : NULL;

		struct kj_buf m;

		/* Bounded by res->msg; a long report is cut. */
		kj_buf_init(&m, 0);
		kj_buf_printf(&m, "import: %s%s%s", ctx.msg, rep ? "; report: " : "", rep ? rep : "");
		kj_strlcpy(res->msg, kj_buf_cstr(&m), sizeof(res->msg));
		kj_buf_free(&m);
		free(rep);
		json_decref(report);
		kj_db_close(db);
		return;
	}
	kj_db_close(db);
	res->ok = 1;
	res->secs = t1 - t0;
	res->nrows = nrows;
	res->read_secs = mark.done > 0 ? mark.t - t0 : 0.0;
	res->read_mb = mark.rss_mb;
}

/* The child's life: wait for the go byte (EOF: the set-up failed, give up), import, report
 * through res_fd, exit. */
static void
child_main(const char *dir, int go_fd, int res_fd)
{
	struct child_result res;
	char go = 0;

	if (read_all(go_fd, &go, 1) != 0 || go != 'g')
		_exit(2);
	import_in_child(dir, &res);
	if (write_all(res_fd, &res, sizeof(res)) != 0)
		_exit(3);
	_exit(res.ok ? 0 : 1);
}

/* ---- set-up, in the parent ---- */

static kj_err
query_int(struct kj_ctx *ctx, const char *sql, int64_t *out)
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	*out = 0;
	if ((r = kj_db_prepare(ctx, sql, &st)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		*out = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	return r;
}

/* Picks NITEMS requirements of the edition, evenly spread over it, as a JSON array of
 * numbers. */
static kj_err
pick_requirements(struct kj_ctx *ctx, json_t **numbers_out)
{
	struct kj_edition ed;
	size_t *req = NULL, nreq = 0, i;
	json_t *numbers = NULL;
	kj_err r;

	kj_edition_init(&ed);
	if ((r = kj_edition_load(ctx, EDITION, &ed)) != KJ_OK)
		goto out;
	req = calloc(ed.nitems + 1, sizeof(*req));
	if (req == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < ed.nitems; i++) {
		if (strcmp(ed.items[i].kind, "requirement") == 0)
			req[nreq++] = i;
	}
	if (nreq < NITEMS) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "%s has %zu requirements; %d needed", EDITION, nreq, NITEMS);
		goto out;
	}
	numbers = json_array();
	for (i = 0; i < NITEMS; i++)
		json_array_append_new(numbers, json_string(ed.items[req[i * nreq / NITEMS]].number));
	*numbers_out = numbers;
	numbers = NULL;
out:
	json_decref(numbers);
	free(req);
	kj_edition_free(&ed);
	return r;
}

/* The children of BENCH and their items (ids in seq order, numbers from the first). */
static kj_err
read_children(struct kj_ctx *ctx, struct setup *s)
{
	struct kj_stmt *st = NULL;
	int64_t bench_id = 0;
	size_t cap = 0, c, k;
	int row;
	kj_err r;

	if ((r = query_int(ctx, "SELECT id FROM campaign WHERE code = '" CAMPAIGN "'", &bench_id)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "SELECT id, org_id FROM campaign WHERE mandate_id = ? ORDER BY id", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, bench_id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (s->nchild == cap) {
				int64_t *a, *b;

				cap = cap ? cap * 2 : 64;
				a = realloc(s->child_id, cap * sizeof(*a));
				if (a != NULL)
					s->child_id = a;
				b = realloc(s->child_org, cap * sizeof(*b));
				if (b != NULL)
					s->child_org = b;
				if (a == NULL || b == NULL) {
					r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
					break;
				}
			}
			s->child_id[s->nchild] = kj_stmt_int(st, 0);
			s->child_org[s->nchild] = kj_stmt_int(st, 1);
			s->nchild++;
		}
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		return r;
	if (s->nchild == 0)
		return kj_failf(ctx, KJ_ERR_INTERNAL, "the mandate made no child campaign");
	s->item_id = calloc(s->nchild * NITEMS, sizeof(*s->item_id));
	if (s->item_id == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	r = kj_db_prepare(ctx, "SELECT id, item_number FROM campaign_item WHERE campaign_id = ? ORDER BY seq", &st);
	for (c = 0; r == KJ_OK && c < s->nchild; c++) {
		kj_stmt_reset(st);
		if ((r = kj_stmt_bind_int(ctx, st, 1, s->child_id[c])) != KJ_OK)
			break;
		for (k = 0; (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row; k++) {
			if (k >= NITEMS) {
				r = kj_failf(ctx, KJ_ERR_INTERNAL, "child campaign %" PRId64 " has more than %d items",
					     s->child_id[c], NITEMS);
				break;
			}
			s->item_id[c * NITEMS + k] = kj_stmt_int(st, 0);
			if (c == 0)
				kj_strlcpy(s->numbers[k], kj_stmt_text(st, 1), sizeof(s->numbers[k]));
		}
		if (r == KJ_OK && k != NITEMS)
			r = kj_failf(ctx, KJ_ERR_INTERNAL, "child campaign %" PRId64 " has %zu items, not %d",
				     s->child_id[c], k, NITEMS);
	}
	kj_stmt_free(st);
	return r;
}

/* The respondents: an account and an open checklist each, respondent i in child i % nchild,
 * written with kj_bulk in one transaction. Ids are given explicitly (after the largest
 * there), so that the CSV and the raw baseline know them without reading them back. */
static kj_err
make_respondents(struct kj_ctx *ctx, struct setup *s)
{
	static const char *const ucols[] = {"id", "uuid", "name", "display_name", "org_id", "role",
					    "password_hash", "created_at", "updated_at"};
	static const char *const ccols[] = {"id", "uuid", "campaign_id", "user_id", "org_id", "role", "status",
					    "due_on"};
	struct kj_bulk *b = NULL;
	int64_t first_user = 0, max_cl = 0;
	char id_s[24], uuid[37], name[32], disp[48], org_s[24], camp_s[24], user_s[24];
	const char *v[9];
	size_t i;
	kj_err r;

	if ((r = query_int(ctx, "SELECT COALESCE(MAX(id), 0) FROM app_user", &first_user)) != KJ_OK ||
	    (r = query_int(ctx, "SELECT COALESCE(MAX(id), 0) FROM checklist", &max_cl)) != KJ_OK)
		return r;
	first_user++;
	s->first_checklist = max_cl + 1;
	s->uuid = malloc(s->n * sizeof(*s->uuid));
	if (s->uuid == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = kj_bulk_begin(ctx, "app_user", ucols, 9, &b)) == KJ_OK) {
		for (i = 0; i < s->n && r == KJ_OK; i++) {
			snprintf(id_s, sizeof(id_s), "%" PRId64, first_user + (int64_t)i);
			kj_uuid_v4(uuid);
			snprintf(name, sizeof(name), "bench-%07zu", i + 1);
			snprintf(disp, sizeof(disp), "Respondent %zu", i + 1);
			snprintf(org_s, sizeof(org_s), "%" PRId64, s->child_org[i % s->nchild]);
			v[0] = id_s;
			v[1] = uuid;
			v[2] = name;
			v[3] = disp;
			v[4] = org_s;
			v[5] = "staff";
			v[6] = NULL;
			v[7] = ANSWERED_AT;
			v[8] = ANSWERED_AT;
			r = kj_bulk_row(ctx, b, v);
		}
		r = kj_bulk_end(ctx, b, r);
	}
	if (r == KJ_OK && (r = kj_bulk_begin(ctx, "checklist", ccols, 8, &b)) == KJ_OK) {
		for (i = 0; i < s->n && r == KJ_OK; i++) {
			snprintf(id_s, sizeof(id_s), "%" PRId64, s->first_checklist + (int64_t)i);
			kj_uuid_v4(uuid);
			memcpy(s->uuid[i], uuid, 36);
			snprintf(camp_s, sizeof(camp_s), "%" PRId64, s->child_id[i % s->nchild]);
			snprintf(user_s, sizeof(user_s), "%" PRId64, first_user + (int64_t)i);
			snprintf(org_s, sizeof(org_s), "%" PRId64, s->child_org[i % s->nchild]);
			v[0] = id_s;
			v[1] = uuid;
			v[2] = camp_s;
			v[3] = user_s;
			v[4] = org_s;
			v[5] = "staff";
			v[6] = "open";
			v[7] = "2027-03-31";
			r = kj_bulk_row(ctx, b, v);
		}
		r = kj_bulk_end(ctx, b, r);
	}
	return kj_tx_end(ctx, r);
}

/* Everything before the timed import: database, campaign, respondents. */
static int
build_database(const char *dir, struct setup *s)
{
	static const char *const editions[] = {"standard-fy2025.json", NULL};
	const struct kj_embedded *gov = kj_embedded_find(kj_embedded_demo, "government.json");
	struct kj_campaign_new cn;
	struct kj_ctx ctx;
	struct kj_db *db = NULL;
	char dsn[1100];
	json_t *numbers = NULL;
	size_t norgs = 0, nitems = 0, n;
	int i, ret = -1;
	kj_err r;

	snprintf(dsn, sizeof(dsn), "sqlite:%s/kijun.db", dir);
	kj_ctx_init(&ctx);
	if ((r = kj_db_open(&ctx, dsn, &db)) != KJ_OK || (r = kj_db_migrate(&ctx, NULL)) != KJ_OK)
		goto fail;
	if (gov == NULL) {
		kj_failf(&ctx, KJ_ERR_INTERNAL, "the demo government is not built in");
		goto fail;
	}
	if ((r = kj_government_import_mem(&ctx, "demo/government.json", gov->data, gov->len, &norgs)) != KJ_OK)
		goto fail;
	for (i = 0; editions[i] != NULL; i++) {
		const struct kj_embedded *e = kj_embedded_find(kj_embedded_demo, editions[i]);

		if (e == NULL) {
			kj_failf(&ctx, KJ_ERR_INTERNAL, "%s is not built in", editions[i]);
			goto fail;
		}
		if ((r = kj_standard_import_mem(&ctx, e->name, e->data, e->len, NULL, NULL, 0, &n)) != KJ_OK)
			goto fail;
	}
	if ((r = pick_requirements(&ctx, &numbers)) != KJ_OK)
		goto fail;
	memset(&cn, 0, sizeof(cn));
	cn.code = CAMPAIGN;
	cn.org = "NCO";
	cn.title_ja = "ベンチマーク一斉点検";
	cn.title_en = "Benchmark government-wide inspection";
	cn.edition = EDITION;
	cn.opens_on = "2026-10-01";
	cn.due_on = "2027-03-31";
	cn.select = json_pack("{s:O}", "numbers", numbers);
	r = kj_campaign_create(&ctx, &cn, &nitems);
	json_decref(cn.select);
	if (r != KJ_OK)
		goto fail;
	if (nitems != NITEMS) {
		kj_failf(&ctx, KJ_ERR_INTERNAL, "campaign has %zu items, not %d", nitems, NITEMS);
		goto fail;
	}
	if ((r = kj_campaign_mandate(&ctx, CAMPAIGN, NULL, &n)) != KJ_OK)
		goto fail;
	/* A set-up shortcut, not something the product does: the standard gives each
	 * requirement a responsible role, and an item with a role goes only on that role's
	 * checklists. Clearing every role of BENCH and its children puts all 30 items on every
	 * respondent's checklist, so each respondent answers 30 items. */
	if ((r = kj_db_exec(&ctx, "UPDATE campaign_item SET role = NULL WHERE campaign_id IN (SELECT id FROM campaign "
				  "WHERE code = '" CAMPAIGN "' OR mandate_id = (SELECT id FROM campaign WHERE code = '"
				  CAMPAIGN "'))")) != KJ_OK)
		goto fail;
	if ((r = kj_campaign_set_status(&ctx, CAMPAIGN, "open")) != KJ_OK)
		goto fail;
	if ((r = read_children(&ctx, s)) != KJ_OK)
		goto fail;
	if ((r = make_respondents(&ctx, s)) != KJ_OK)
		goto fail;
	printf("set-up: %zu organisations, campaign %s with %d items mandated to %zu organisations, "
	       "%zu respondents with an open checklist each\n", norgs, CAMPAIGN, NITEMS, s->nchild, s->n);
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "bench_ingest: set-up: %s\n", ctx.msg);
out:
	json_decref(numbers);
	kj_db_close(db);
	return ret;
}

/* The CSV: a header and N x 30 rows, respondent by respondent, items in seq order. */
static int
write_csv(const char *path, struct setup *s, double *mb_out)
{
	FILE *fp = fopen(path, "wb");
	size_t i;
	int k, ok;

	if (fp == NULL) {
		fprintf(stderr, "bench_ingest: %s: %s\n", path, strerror(errno));
		return -1;
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	memset(s->expect, 0, sizeof(s->expect));
	fputs("checklist,item,value\n", fp);
	for (i = 0; i < s->n; i++) {
		for (k = 0; k < NITEMS; k++) {
			int a = answer_of(i, k);

			s->expect[a]++;
			fprintf(fp, "%.36s,%s,%s\n", s->uuid[i], s->numbers[k], values[a]);
		}
	}
	ok = !ferror(fp);
	if (fclose(fp) != 0)
		ok = 0;
	if (!ok) {
		fprintf(stderr, "bench_ingest: writing %s failed\n", path);
		return -1;
	}
	*mb_out = file_mb(path);
	return 0;
}

/* ---- the raw baseline ---- */

/* Inserts the same N x 30 rows into answer_raw of a fresh file with the sqlite3 C API.
 * Stores the wall time (BEGIN to COMMIT) in *secs_out. 0 on success. */
static int
raw_baseline(const char *dir, const struct setup *s, double *secs_out)
{
	char path[1100], cid[24], iid[24];
	sqlite3 *h = NULL;
	sqlite3_stmt *ins = NULL, *cnt = NULL;
	int64_t count = -1;
	double t0, t1;
	size_t i;
	int k, rc, ret = -1;

	snprintf(path, sizeof(path), "%s/raw.db", dir);
	rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_exec(h, raw_pragmas, NULL, NULL, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_exec(h, "CREATE TABLE answer_raw (checklist_id BIGINT NOT NULL, item_id BIGINT NOT NULL, "
				  "value TEXT NOT NULL, bucket TEXT NOT NULL, comment TEXT, answered_at TEXT NOT NULL)",
			       NULL, NULL, NULL)) != SQLITE_OK)
		goto fail;
	t0 = now_seconds();
	if ((rc = sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		goto fail;
	rc = sqlite3_prepare_v2(h, "INSERT INTO answer_raw (checklist_id, item_id, value, bucket, comment, answered_at) "
				   "VALUES (?, ?, ?, ?, ?, ?)", -1, &ins, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	for (i = 0; i < s->n; i++) {
		const int64_t *items = &s->item_id[(i % s->nchild) * NITEMS];

		snprintf(cid, sizeof(cid), "%" PRId64, s->first_checklist + (int64_t)i);
		for (k = 0; k < NITEMS; k++) {
			int a = answer_of(i, k);

			snprintf(iid, sizeof(iid), "%" PRId64, items[k]);
			if ((rc = sqlite3_bind_text(ins, 1, cid, -1, SQLITE_STATIC)) != SQLITE_OK ||
			    (rc = sqlite3_bind_text(ins, 2, iid, -1, SQLITE_STATIC)) != SQLITE_OK ||
			    (rc = sqlite3_bind_text(ins, 3, values[a], -1, SQLITE_STATIC)) != SQLITE_OK ||
			    (rc = sqlite3_bind_text(ins, 4, buckets[a], -1, SQLITE_STATIC)) != SQLITE_OK ||
			    (rc = sqlite3_bind_null(ins, 5)) != SQLITE_OK ||
			    (rc = sqlite3_bind_text(ins, 6, ANSWERED_AT, -1, SQLITE_STATIC)) != SQLITE_OK)
				goto fail;
			rc = sqlite3_step(ins);
			sqlite3_reset(ins);
			if (rc != SQLITE_DONE)
				goto fail;
		}
	}
	sqlite3_finalize(ins);
	ins = NULL;
	if ((rc = sqlite3_exec(h, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
		goto fail;
	t1 = now_seconds();
	if ((rc = sqlite3_prepare_v2(h, "SELECT COUNT(*) FROM answer_raw", -1, &cnt, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_step(cnt)) != SQLITE_ROW)
		goto fail;
	count = sqlite3_column_int64(cnt, 0);
	if (count != (int64_t)s->n * NITEMS) {
		printf("!!! raw baseline: ROW COUNT MISMATCH: inserted %zu rows, answer_raw holds %" PRId64 "\n",
		       s->n * NITEMS, count);
		fprintf(stderr, "bench_ingest: raw baseline row count mismatch\n");
		goto out;
	}
	*secs_out = t1 - t0;
	ret = 0;
	goto out;
fail:
	fprintf(stderr, "bench_ingest: raw baseline: %s\n", h != NULL ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(cnt);
	sqlite3_close_v2(h);
	remove_sqlite(path);
	return ret;
}

/* Prints the database's size after the import, the free pages in it (left by the staging
 * table) and the WAL beside it. */
static void
print_db_size(const char *path)
{
	char wal[1200];
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int64_t free_pages = -1, page_size = 0;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		if (sqlite3_prepare_v2(h, "SELECT * FROM pragma_freelist_count, pragma_page_size", -1, &st, NULL) ==
			    SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW) {
			free_pages = sqlite3_column_int64(st, 0);
			page_size = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close_v2(h);
	if (free_pages >= 0)
		printf("database       %.1f MB after the import, of which %.1f MB free pages; WAL %.1f MB\n",
		       file_mb(path), (double)(free_pages * page_size) / (1024.0 * 1024.0), file_mb(wal));
	else
		printf("database       %.1f MB after the import; WAL %.1f MB\n", file_mb(path), file_mb(wal));
}

/* ---- the roll-ups after the ingest ---- */

/* Times ROLLUP_RUNS roll-ups by by over everything and checks each total. Prints median and
 * max; *met_out is 1 when the median is within the target and every total was right. */
static int
time_rollups(struct kj_ctx *ctx, const char *by, const struct setup *s, int *met_out)
{
	double t[ROLLUP_RUNS], mx = 0.0, med;
	int64_t want = (int64_t)s->n * NITEMS;
	size_t nrows = 0;
	int i, bad = 0;

	*met_out = 0;
	for (i = 0; i < ROLLUP_RUNS; i++) {
		json_t *j = NULL, *total;
		double t0, t1;
		int64_t got[5];
		kj_err r;

		t0 = now_seconds();
		r = kj_rollup(ctx, CAMPAIGN, by, NULL, &j);
		t1 = now_seconds();
		if (r != KJ_OK) {
			printf("roll-up by %s: FAILED: %s\n", by, ctx->msg);
			return -1;
		}
		t[i] = (t1 - t0) * 1000.0;
		if (t[i] > mx)
			mx = t[i];
		total = json_object_get(j, "total");
		got[0] = json_integer_value(json_object_get(total, "answers"));
		got[1] = json_integer_value(json_object_get(total, "done"));
		got[2] = json_integer_value(json_object_get(total, "partial"));
		got[3] = json_integer_value(json_object_get(total, "not_done"));
		got[4] = json_integer_value(json_object_get(total, "excluded"));
		nrows = json_array_size(json_object_get(j, "rows"));
		if (got[0] != want || got[1] != s->expect[0] || got[2] != s->expect[1] || got[3] != s->expect[2] ||
		    got[4] != s->expect[3]) {
			printf("!!! roll-up by %s run %d: TOTAL MISMATCH: %" PRId64 " answers (done %" PRId64
			       ", partial %" PRId64 ", not done %" PRId64 ", excluded %" PRId64 "), expected %" PRId64
			       " (%" PRId64 ", %" PRId64 ", %" PRId64 ", %" PRId64 ")\n",
			       by, i + 1, got[0], got[1], got[2], got[3], got[4], want, s->expect[0], s->expect[1],
			       s->expect[2], s->expect[3]);
			fprintf(stderr, "bench_ingest: roll-up by %s: total mismatch\n", by);
			bad = 1;
		}
		json_decref(j);
	}
	med = median(t, ROLLUP_RUNS);
	printf("roll-up by %-11s %zu rows, total %" PRId64 " answers%s; %d runs: median %.1f ms, max %.1f ms "
	       "(target <= %.0f ms: %s)\n",
	       by, nrows, want, bad ? " (MISMATCH, see above)" : " (checked)", ROLLUP_RUNS, med, mx,
	       TARGET_ROLLUP_MS, med <= TARGET_ROLLUP_MS && !bad ? "target met" : "target missed");
	*met_out = med <= TARGET_ROLLUP_MS && !bad;
	return 0;
}

/* ---- main ---- */

static size_t
respondents_from_env(void)
{
	const char *v = getenv("KIJUN_BENCH_RESPONDENTS");
	int64_t n;

	if (v == NULL || *v == '\0')
		return DEFAULT_RESPONDENTS;
	if (kj_parse_int64(v, 1, MAX_RESPONDENTS, &n) != 0) {
		printf("bench_ingest: KIJUN_BENCH_RESPONDENTS=\"%s\" is not a count of 1..%d; using %d\n", v,
		       MAX_RESPONDENTS, DEFAULT_RESPONDENTS);
		return DEFAULT_RESPONDENTS;
	}
	return (size_t)n;
}

static void
free_setup(struct setup *s)
{
	free(s->child_id);
	free(s->child_org);
	free(s->item_id);
	free(s->uuid);
}

int
main(void)
{
	char dir[] = "/tmp/kijun-bench-ingest.XXXXXX";
	char path[1100], dsn[1100];
	struct setup s;
	struct child_result res;
	struct rusage ru;
	int go[2] = {-1, -1}, back[2] = {-1, -1};
	int status = 0, have_res = 0, have_raw = 0, met_rate = 0, met_peak = 0, met_org = 0, met_req = 0;
	int have_rollups = 0, started = 0;
	double raw_secs = 0.0, csv_mb = 0.0, peak_mb = 0.0, t0, load[3];
	pid_t pid;

	if (sodium_init() < 0) {
		fprintf(stderr, "bench_ingest: cannot initialise libsodium\n");
		return 0;
	}
	/* Line by line, so that figures and messages on stderr come out in order. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&s, 0, sizeof(s));
	memset(&res, 0, sizeof(res));
	s.n = respondents_from_env();
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench_ingest: mkdtemp: %s\n", strerror(errno));
		return 0;
	}
	if (getloadavg(load, 3) != 3)
		load[0] = load[1] = load[2] = -1.0;
	printf("bench_ingest: %zu respondents x %d items = %zu answers, SQLite, in %s (load average %.2f %.2f %.2f)\n",
	       s.n, NITEMS, s.n * NITEMS, dir, load[0], load[1], load[2]);

	/* The importing child, forked while this process is still small: a forked child
	 * starts with its parent's high-water mark. It waits for the set-up. */
	if (pipe(go) != 0 || pipe(back) != 0) {
		fprintf(stderr, "bench_ingest: pipe: %s\n", strerror(errno));
		rmdir(dir);
		return 0;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "bench_ingest: fork: %s\n", strerror(errno));
		rmdir(dir);
		return 0;
	}
	if (pid == 0) {
		close(go[1]);
		close(back[0]);
		child_main(dir, go[0], back[1]);
	}
	close(go[0]);
	close(back[1]);

	t0 = now_seconds();
	if (build_database(dir, &s) != 0) {
		printf("bench_ingest: set-up failed (see above); no figures\n");
		goto finish;
	}
	snprintf(path, sizeof(path), "%s/answers.csv", dir);
	if (write_csv(path, &s, &csv_mb) != 0) {
		printf("bench_ingest: writing the CSV failed (see above); no figures\n");
		goto finish;
	}
	printf("set-up: CSV of %zu rows, %.1f MB (implemented %" PRId64 ", partial %" PRId64
	       ", not implemented %" PRId64 ", not applicable %" PRId64 "); set-up took %.1f s (not timed)\n",
	       s.n * NITEMS, csv_mb, s.expect[0], s.expect[1], s.expect[2], s.expect[3], now_seconds() - t0);

	/* The raw baseline, before the child starts, so that the two never share the cores. */
	have_raw = raw_baseline(dir, &s, &raw_secs) == 0;
	if (have_raw)
		printf("raw insert     %zu rows in %.3f s: %.0f rows/s (sqlite3 C API, plain table, one transaction)\n",
		       s.n * NITEMS, raw_secs, (double)(s.n * NITEMS) / raw_secs);
	else
		printf("raw insert     FAILED (see above); no raw rate\n");

	/* The timed import. */
	if (write_all(go[1], "g", 1) != 0)
		fprintf(stderr, "bench_ingest: cannot start the child\n");
	started = 1;
	have_res = read_all(back[0], &res, sizeof(res)) == 0;

finish:
	close(go[1]);	/* a child still waiting reads EOF and gives up */
	close(back[0]);
	memset(&ru, 0, sizeof(ru));
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "bench_ingest: wait4: %s\n", strerror(errno));
			break;
		}
	}
	peak_mb = (double)ru.ru_maxrss / 1024.0;	/* Linux: kilobytes */

	if (started && !have_res)
		printf("import         FAILED: the importing child ended without a result (status 0x%x)\n", status);
	if (have_res && !res.ok) {
		printf("import         FAILED: %s\n", res.msg);
		fprintf(stderr, "bench_ingest: import failed: %s\n", res.msg);
	} else if (have_res) {
		double rate = (double)(s.n * NITEMS) / res.secs;

		if (res.nrows != (uint64_t)(s.n * NITEMS))
			printf("!!! import: ROW COUNT MISMATCH: the importer read %" PRIu64 " rows, the CSV has %zu\n",
			       res.nrows, s.n * NITEMS);
		met_rate = rate >= TARGET_RATE && res.nrows == (uint64_t)(s.n * NITEMS);
		met_peak = peak_mb <= TARGET_PEAK_MB;
		printf("import         %zu answers in %.3f s: %.0f answers/s (target >= %.0f: %s)\n", s.n * NITEMS,
		       res.secs, rate, TARGET_RATE, met_rate ? "target met" : "target missed");
		if (res.read_secs > 0.0)
			printf("               of which reading, checking and staging the rows %.3f s, merging into "
			       "answer, recounting the roll-ups and committing %.3f s\n",
			       res.read_secs, res.secs - res.read_secs);
		if (have_raw)
			printf("ratio          import / raw insert = %.2f (raw %.0f rows/s)\n",
			       rate / ((double)(s.n * NITEMS) / raw_secs), (double)(s.n * NITEMS) / raw_secs);
		printf("peak RSS       %.1f MB for the importing process (target <= %.0f MB: %s); %.1f MB before the "
		       "import, %.1f MB when the last row was staged\n",
		       peak_mb, TARGET_PEAK_MB, met_peak ? "target met" : "target missed", res.start_mb, res.read_mb);
		snprintf(path, sizeof(path), "%s/kijun.db", dir);
		print_db_size(path);
	}

	/* The roll-ups, on the database as the import left it. */
	if (have_res && res.ok) {
		struct kj_ctx ctx;
		struct kj_db *db = NULL;

		snprintf(dsn, sizeof(dsn), "sqlite:%s/kijun.db", dir);
		kj_ctx_init(&ctx);	/* the local administrator */
		if (kj_db_open(&ctx, dsn, &db) != KJ_OK) {
			printf("roll-up        cannot open the database: %s\n", ctx.msg);
		} else if (time_rollups(&ctx, "org", &s, &met_org) == 0 &&
			   time_rollups(&ctx, "requirement", &s, &met_req) == 0) {
			have_rollups = 1;
		}
		kj_db_close(db);
	}

	printf("summary        ingest rate %s; peak memory %s; roll-up by org %s; roll-up by requirement %s\n",
	       !have_res || !res.ok ? "not measured" : met_rate ? "target met" : "target missed",
	       !have_res || !res.ok ? "not measured" : met_peak ? "target met" : "target missed",
	       !have_rollups ? "not measured" : met_org ? "target met" : "target missed",
	       !have_rollups ? "not measured" : met_req ? "target met" : "target missed");

	snprintf(path, sizeof(path), "%s/answers.csv", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/kijun.db", dir);
	remove_sqlite(path);
	snprintf(path, sizeof(path), "%s/raw.db", dir);
	remove_sqlite(path);
	if (rmdir(dir) != 0)
		fprintf(stderr, "bench_ingest: cannot remove %s: %s\n", dir, strerror(errno));
	free_setup(&s);
	return 0;
}
