/*
 * db.h: the one database interface. Two backends sit behind it, chosen by the DSN:
 * SQLite (db_sqlite.c; "sqlite:PATH", the default "sqlite:kijun.db") and PostgreSQL
 * (db_pg.c; "postgresql://..." or "postgres://..." URIs, or "host=... dbname=..."
 * keyword strings prefixed with "postgresql:").
 *
 * SQL is written once with '?' placeholders; the PostgreSQL backend rewrites them to $n.
 * A few tokens stand for what the dialects spell differently, in any SQL given here:
 *   {{ID}}    an auto-numbered 64-bit primary key column type
 *   {{BLOB}}  a byte-string column type
 * Both dialects understand INSERT ... RETURNING and ON CONFLICT ... DO UPDATE, so those are
 * written directly. Times and dates are stored as ISO 8601 text in UTC, which sorts and
 * compares the same on both.
 *
 * Text results stay valid until the next step, reset or free of the statement.
 *
 * Rules that keep the two backends alike:
 * - After any failure inside a transaction, end the transaction: PostgreSQL refuses every
 *   further statement in it. To insert-or-keep, write ON CONFLICT instead of catching
 *   KJ_ERR_EXISTS and going on.
 * - PostgreSQL infers a parameter's type from where it stands: write CAST(? AS TEXT) IS NULL,
 *   not ? IS NULL.
 * - Placeholders are found outside '...' and "..." and -- comments only; do not write a
 *   '?' in $$ bodies or block comments.
 * - A PostgreSQL SELECT holds its whole result at the first step: page large reads.
 * - Bulk loads: PostgreSQL reports a bad row at kj_bulk_end, SQLite at kj_bulk_row; a
 *   failed row makes the whole load fail at kj_bulk_end either way.
 */
#ifndef KJ_DB_H
#define KJ_DB_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

enum kj_db_kind { KJ_DB_SQLITE = 1, KJ_DB_PG = 2 };

struct kj_db;
struct kj_stmt;
struct kj_bulk;

/* Opens the database named by dsn and stores it in ctx->db as well as *out. Fails with
 * KJ_ERR_USAGE for a DSN of no known form, KJ_ERR_DB when the database cannot be opened. */
kj_err kj_db_open(struct kj_ctx *ctx, const char *dsn, struct kj_db **out);
/* Closes db (NULL is fine). Rolls back an open transaction. */
void kj_db_close(struct kj_db *db);
enum kj_db_kind kj_db_kind(const struct kj_db *db);
/* The DSN with any password removed, for messages. */
const char *kj_db_name(const struct kj_db *db);

/* Runs one or more statements that take no parameters and return no rows (migrations). */
kj_err kj_db_exec(struct kj_ctx *ctx, const char *sql);

/* Prepares one statement. Free it with kj_stmt_free. */
kj_err kj_db_prepare(struct kj_ctx *ctx, const char *sql, struct kj_stmt **out);
void kj_stmt_free(struct kj_stmt *st);
/* Binds parameter idx (1-based). Text is copied. A NULL text binds SQL NULL. */
kj_err kj_stmt_bind_int(struct kj_ctx *ctx, struct kj_stmt *st, int idx, int64_t v);
kj_err kj_stmt_bind_text(struct kj_ctx *ctx, struct kj_stmt *st, int idx, const char *s);
kj_err kj_stmt_bind_null(struct kj_ctx *ctx, struct kj_stmt *st, int idx);
/* Runs the statement (first call) or moves to its next row. *row_out is 1 when a row is
 * there to read, 0 when the statement is done. A unique-constraint violation fails with
 * KJ_ERR_EXISTS, a foreign-key violation with KJ_ERR_INVALID, anything else KJ_ERR_DB. */
kj_err kj_stmt_step(struct kj_ctx *ctx, struct kj_stmt *st, int *row_out);
/* Makes the statement ready to run again; the bindings stay. */
void kj_stmt_reset(struct kj_stmt *st);
/* Columns of the current row, 0-based. NULL reads as 0 or NULL. */
int64_t kj_stmt_int(struct kj_stmt *st, int col);
const char *kj_stmt_text(struct kj_stmt *st, int col);
int kj_stmt_is_null(struct kj_stmt *st, int col);

/* Convenience: runs a statement to completion, expecting no row or ignoring rows. */
kj_err kj_stmt_run(struct kj_ctx *ctx, struct kj_stmt *st);

/*
 * Transactions nest by counting: only the outermost begin and end reach the database. If
 * any inner level ends with a failure, the outermost end rolls back.
 */
kj_err kj_tx_begin(struct kj_ctx *ctx);
/* Commits when r is KJ_OK (and nothing inside failed), rolls back otherwise. Returns r, or
 * the commit's failure. */
kj_err kj_tx_end(struct kj_ctx *ctx, kj_err r);
/* Begins a transaction that reads (SQLite: deferred, so it takes no write lock unless a
 * statement in it writes). Nested kj_tx_begin calls inside it only count. End it with
 * kj_tx_end. A request that only reads takes its snapshot and locks once this way. */
kj_err kj_tx_begin_read(struct kj_ctx *ctx);
/* 1 inside kj_tx_begin ... kj_tx_end. */
int kj_tx_active(struct kj_ctx *ctx);

/*
 * Bulk load: rows go to one table as fast as the backend allows (COPY on PostgreSQL,
 * one prepared INSERT reused in a transaction on SQLite). Values are text (NULL for SQL
 * NULL); the column types convert them. The load runs in the caller's transaction if there
 * is one, else in its own. kj_bulk_end finishes and frees; on failure nothing of the load
 * stays (the transaction is rolled back when the load owns it).
 */
kj_err kj_bulk_begin(struct kj_ctx *ctx, const char *table, const char *const *cols, int ncols,
		     struct kj_bulk **out);
/* Like kj_bulk_begin, but a row whose first nkeys columns match a row of the table (a
 * unique key) replaces that row's other columns. SQLite loads with one prepared INSERT ...
 * ON CONFLICT DO UPDATE; PostgreSQL copies into a temporary table and merges it with one
 * INSERT ... ON CONFLICT at kj_bulk_end. The rows of one load must not repeat a key. */
kj_err kj_bulk_begin_upsert(struct kj_ctx *ctx, const char *table, const char *const *cols, int ncols,
			    int nkeys, struct kj_bulk **out);
kj_err kj_bulk_row(struct kj_ctx *ctx, struct kj_bulk *b, const char *const *vals);
/* r is the caller's verdict: KJ_OK to keep the rows. Returns r or the load's failure. */
kj_err kj_bulk_end(struct kj_ctx *ctx, struct kj_bulk *b, kj_err r);

#endif
