/*
 * db_sqlite.c: the SQLite backend of db.h, the embedded default.
 *
 * Opens the file in WAL mode with foreign keys on, synchronous=NORMAL (durable across an
 * application crash; a power cut may lose the last transactions but never corrupts) and
 * a busy timeout, so that several processes can share one file.
 */
#include "db_impl.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../base/buf.h"
#include "../base/util.h"

#define BUSY_TIMEOUT_MS 10000

struct sq_db {
	struct kj_db base;
	sqlite3 *h;
};

struct sq_stmt {
	struct kj_stmt base;
	sqlite3_stmt *s;
	int done;
};

struct sq_bulk {
	struct kj_bulk base;
	struct kj_stmt *ins;
	int ncols;
};

static sqlite3 *
handle(struct kj_db *db)
{
	return ((struct sq_db *)db)->h;
}

static kj_err
fail_sqlite(struct kj_ctx *ctx, sqlite3 *h, int rc)
{
	int ext = h != NULL ? sqlite3_extended_errcode(h) : rc;
	const char *m = h != NULL ? sqlite3_errmsg(h) : sqlite3_errstr(rc);

	if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		return kj_failf(ctx, KJ_ERR_EXISTS, "already exists (%s)", m);
	if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
		return kj_failf(ctx, KJ_ERR_INVALID, "refers to something that does not exist (%s)", m);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return kj_failf(ctx, KJ_ERR_INVALID, "constraint failed (%s)", m);
	/* A full disk: the transaction is rolled back whole, and the same write may fit once
	 * space is made. */
	if ((rc & 0xff) == SQLITE_FULL || (ext & 0xff) == SQLITE_FULL)
		return kj_failf(ctx, KJ_ERR_UNAVAILABLE,
				"database: the disk holding the database is full; nothing was written");
	return kj_failf(ctx, KJ_ERR_DB, "database: %s", m);
}

static kj_err
sq_exec(struct kj_ctx *ctx, struct kj_db *db, const char *sql)
{
	char *q, *err = NULL;
	int rc;

	q = kj_db_rewrite(sql, KJ_DB_SQLITE, NULL);
	if (q == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	rc = sqlite3_exec(handle(db), q, NULL, NULL, &err);
	free(q);
	if (rc != SQLITE_OK) {
		kj_err r = fail_sqlite(ctx, handle(db), rc);

		sqlite3_free(err);
		return r;
	}
	return KJ_OK;
}

static kj_err
sq_prepare(struct kj_ctx *ctx, struct kj_db *db, const char *sql, struct kj_stmt **out)
{
	struct sq_stmt *st;
	char *q;
	int rc;

	q = kj_db_rewrite(sql, KJ_DB_SQLITE, NULL);
	if (q == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		free(q);
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	}
	st->base.db = db;
	rc = sqlite3_prepare_v2(handle(db), q, -1, &st->s, NULL);
	free(q);
	if (rc != SQLITE_OK) {
		kj_err r = fail_sqlite(ctx, handle(db), rc);

		free(st);
		return r;
	}
	*out = &st->base;
	return KJ_OK;
}

static void
sq_stmt_free(struct kj_stmt *st)
{
	struct sq_stmt *s = (struct sq_stmt *)st;

	sqlite3_finalize(s->s);
	free(s);
}

static kj_err
bind_rc(struct kj_ctx *ctx, struct kj_stmt *st, int rc)
{
	if (rc != SQLITE_OK)
		return fail_sqlite(ctx, handle(st->db), rc);
	return KJ_OK;
}

static kj_err
sq_bind_int(struct kj_ctx *ctx, struct kj_stmt *st, int idx, int64_t v)
{
	return bind_rc(ctx, st, sqlite3_bind_int64(((struct sq_stmt *)st)->s, idx, v));
}

static kj_err
sq_bind_text(struct kj_ctx *ctx, struct kj_stmt *st, int idx, const char *s)
{
	return bind_rc(ctx, st, sqlite3_bind_text(((struct sq_stmt *)st)->s, idx, s, -1,
						   SQLITE_TRANSIENT));
}

static kj_err
sq_bind_null(struct kj_ctx *ctx, struct kj_stmt *st, int idx)
{
	return bind_rc(ctx, st, sqlite3_bind_null(((struct sq_stmt *)st)->s, idx));
}

static kj_err
sq_step(struct kj_ctx *ctx, struct kj_stmt *st, int *row_out)
{
	struct sq_stmt *s = (struct sq_stmt *)st;
	int rc;

	if (s->done) {
		*row_out = 0;
		return KJ_OK;
	}
	rc = sqlite3_step(s->s);
	if (rc == SQLITE_ROW) {
		*row_out = 1;
		return KJ_OK;
	}
	s->done = 1;
	if (rc == SQLITE_DONE) {
		*row_out = 0;
		return KJ_OK;
	}
	*row_out = 0;
	return fail_sqlite(ctx, handle(st->db), rc);
}

static void
sq_reset(struct kj_stmt *st)
{
	struct sq_stmt *s = (struct sq_stmt *)st;

	sqlite3_reset(s->s);
	s->done = 0;
}

static void
sq_clear(struct kj_stmt *st)
{
	sqlite3_clear_bindings(((struct sq_stmt *)st)->s);
}

static int64_t
sq_col_int(struct kj_stmt *st, int col)
{
	return sqlite3_column_int64(((struct sq_stmt *)st)->s, col);
}

static const char *
sq_col_text(struct kj_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(((struct sq_stmt *)st)->s, col);
}

static int
sq_col_null(struct kj_stmt *st, int col)
{
	return sqlite3_column_type(((struct sq_stmt *)st)->s, col) == SQLITE_NULL;
}

static kj_err
sq_bulk_begin(struct kj_ctx *ctx, struct kj_db *db, const char *table, const char *const *cols,
	      int ncols, const char *suffix, struct kj_bulk **out)
{
	struct sq_bulk *b;
	struct kj_buf q;
	kj_err r;
	int i;

	kj_buf_init(&q, 0);
	kj_buf_printf(&q, "INSERT INTO %s (", table);
	for (i = 0; i < ncols; i++)
		kj_buf_printf(&q, "%s%s", i ? ", " : "", cols[i]);
	kj_buf_puts(&q, ") VALUES (");
	for (i = 0; i < ncols; i++)
		kj_buf_puts(&q, i ? ", ?" : "?");
	kj_buf_puts(&q, ")");
	if (suffix != NULL)
		kj_buf_puts(&q, suffix);
	if (kj_buf_failed(&q))
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	b = calloc(1, sizeof(*b));
	if (b == NULL) {
		kj_buf_free(&q);
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	}
	b->base.db = db;
	b->ncols = ncols;
	r = sq_prepare(ctx, db, kj_buf_cstr(&q), &b->ins);
	kj_buf_free(&q);
	if (r == KJ_OK)
		b->ins->slot = -1;
	if (r != KJ_OK) {
		free(b);
		return r;
	}
	*out = &b->base;
	return KJ_OK;
}

static kj_err
sq_bulk_row(struct kj_ctx *ctx, struct kj_bulk *kb, const char *const *vals)
{
	struct sq_bulk *b = (struct sq_bulk *)kb;
	sqlite3_stmt *s = ((struct sq_stmt *)b->ins)->s;
	int i, rc;

	for (i = 0; i < b->ncols; i++) {
		rc = vals[i] == NULL ? sqlite3_bind_null(s, i + 1)
				     : sqlite3_bind_text(s, i + 1, vals[i], -1, SQLITE_STATIC);
		if (rc != SQLITE_OK)
			return fail_sqlite(ctx, handle(kb->db), rc);
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return fail_sqlite(ctx, handle(kb->db), rc);
	return KJ_OK;
}

static kj_err
sq_bulk_end(struct kj_ctx *ctx, struct kj_bulk *kb, kj_err r)
{
	struct sq_bulk *b = (struct sq_bulk *)kb;

	(void)ctx;
	sq_stmt_free(b->ins);
	free(b);
	return r;
}

static void
sq_close(struct kj_db *db)
{
	struct sq_db *d = (struct sq_db *)db;

	if (d->base.tx_depth > 0)
		sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close_v2(d->h);
	free(d);
}

static const struct kj_db_ops sqlite_ops = {
	.exec = sq_exec,
	.prepare = sq_prepare,
	.stmt_free = sq_stmt_free,
	.bind_int = sq_bind_int,
	.bind_text = sq_bind_text,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.reset = sq_reset,
	.clear = sq_clear,
	.col_int = sq_col_int,
	.col_text = sq_col_text,
	.col_null = sq_col_null,
	.bulk_begin = sq_bulk_begin,
	.bulk_row = sq_bulk_row,
	.bulk_end = sq_bulk_end,
	.close = sq_close,
};

/* Before the first connection: no global memory statistics, whose mutex every
 * allocation of every connection would otherwise take. */
static void
configure_once(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* A new database file is its owner's alone (mode 0600, whatever the umask): it holds
 * password hashes, sessions, tokens and every organisation's weaknesses. SQLite gives the
 * -wal and -shm files it makes later the mode of the database file. An existing file
 * keeps the mode its administrator chose; a name that cannot be made here is left to
 * SQLite, which says why. */
static void
create_private(const char *path)
{
	int fd;

	if (path[0] == '\0' || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
	if (fd < 0)
		return;
	(void)fchmod(fd, S_IRUSR | S_IWUSR);	/* a umask such as 0277 would leave 0400 */
	close(fd);
}

kj_err
kj_db_sqlite_open(struct kj_ctx *ctx, const char *path, struct kj_db **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sq_db *d;
	int rc;
	kj_err r;

	pthread_once(&once, configure_once);
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	d->base.ops = &sqlite_ops;
	d->base.kind = KJ_DB_SQLITE;
	snprintf(d->base.name, sizeof(d->base.name), "sqlite:%s", path);
	create_private(path);
	rc = sqlite3_open_v2(path, &d->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		r = kj_failf(ctx, KJ_ERR_DB, "cannot open %s: %s", path,
			     d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
		sqlite3_close_v2(d->h);
		free(d);
		return r;
	}
	sqlite3_busy_timeout(d->h, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(d->h, 1);
	r = sq_exec(ctx, &d->base,
		    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
	if (r != KJ_OK) {
		kj_failf_prefix(ctx, r, "cannot open %s", path);
		sq_close(&d->base);
		return r;
	}
	*out = &d->base;
	return KJ_OK;
}
