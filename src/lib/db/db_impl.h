/*
 * db_impl.h: what the backends implement. Only db.c, db_sqlite.c and db_pg.c include it.
 */
#ifndef KJ_DB_IMPL_H
#define KJ_DB_IMPL_H

#include "db.h"

struct kj_db_ops {
	kj_err (*exec)(struct kj_ctx *ctx, struct kj_db *db, const char *sql);
	kj_err (*prepare)(struct kj_ctx *ctx, struct kj_db *db, const char *sql,
			  struct kj_stmt **out);
	void (*stmt_free)(struct kj_stmt *st);
	kj_err (*bind_int)(struct kj_ctx *ctx, struct kj_stmt *st, int idx, int64_t v);
	kj_err (*bind_text)(struct kj_ctx *ctx, struct kj_stmt *st, int idx, const char *s);
	kj_err (*bind_null)(struct kj_ctx *ctx, struct kj_stmt *st, int idx);
	kj_err (*step)(struct kj_ctx *ctx, struct kj_stmt *st, int *row_out);
	void (*reset)(struct kj_stmt *st);
	/* Forgets the bindings (a cached statement handed out again starts clean). */
	void (*clear)(struct kj_stmt *st);
	int64_t (*col_int)(struct kj_stmt *st, int col);
	const char *(*col_text)(struct kj_stmt *st, int col);
	int (*col_null)(struct kj_stmt *st, int col);
	/* suffix (may be NULL) follows the INSERT's VALUES on backends that load with
	 * INSERT (an ON CONFLICT clause); backends that load with COPY ignore it. */
	kj_err (*bulk_begin)(struct kj_ctx *ctx, struct kj_db *db, const char *table,
			     const char *const *cols, int ncols, const char *suffix, struct kj_bulk **out);
	kj_err (*bulk_row)(struct kj_ctx *ctx, struct kj_bulk *b, const char *const *vals);
	/* Finishes the load (r is the verdict so far) and frees b; db.c ends the transaction. */
	kj_err (*bulk_end)(struct kj_ctx *ctx, struct kj_bulk *b, kj_err r);
	void (*close)(struct kj_db *db);
};

/* Prepared statements kept per connection, keyed by their SQL: a server answering the
 * same requests prepares each statement once, not once per request. */
#define KJ_STMT_CACHE 128

struct kj_stmt_slot {
	char *sql;
	uint64_t hash;
	struct kj_stmt *st;
	int in_use;
};

/* Every backend's db and stmt structs start with these. */
struct kj_db {
	const struct kj_db_ops *ops;
	enum kj_db_kind kind;
	int tx_depth;		/* nesting of kj_tx_begin */
	int tx_failed;		/* an inner level ended with a failure */
	unsigned nstage;	/* temporary staging tables made, for unique names */
	char name[256];		/* DSN without secrets */
	struct kj_stmt_slot cache[KJ_STMT_CACHE];
	int ncache;
};

struct kj_stmt {
	struct kj_db *db;
	int slot;		/* index in db->cache, or -1 when not cached */
};

struct kj_bulk {
	struct kj_db *db;
	char *merge_sql;	/* run at the end of a COPY-staged upsert, then drop_sql */
	char *drop_sql;
	int failed;	/* a row failed: the load cannot be kept */
	kj_err err;	/* the first failed row's code and message */
	char msg[256];
};

kj_err kj_db_sqlite_open(struct kj_ctx *ctx, const char *path, struct kj_db **out);
kj_err kj_db_pg_open(struct kj_ctx *ctx, const char *conninfo, struct kj_db **out);

/* Replaces the {{...}} dialect tokens of db.h; for PostgreSQL also turns '?' into $n
 * outside string literals and quoted names. Returns a malloc'd string (NULL when out of
 * memory); *nparams_out gets the number of placeholders. */
char *kj_db_rewrite(const char *sql, enum kj_db_kind kind, int *nparams_out);

#endif
