/*
 * db_pg.c: the PostgreSQL backend of db.h, over libpq.
 *
 * Owns: one connection per kj_db (client_min_messages=warning, TimeZone=UTC, UTF-8),
 * statements run as unnamed PQexecParams with text parameters, and bulk loads through
 * COPY FROM STDIN in text format.
 * Must not: print (libpq's notices are dropped), or let a password reach a message or the
 * database's name.
 *
 * Statements are not prepared on the server: kj_db_prepare only rewrites the SQL, and the
 * first step sends SQL and parameters in one round trip, so a syntax error shows at that
 * step rather than at prepare. The step reads the whole result into memory; other
 * statements may then run while its rows are read, as they may on SQLite.
 *
 * After a failed statement PostgreSQL ignores everything until the transaction ends, and a
 * COMMIT of such a transaction rolls back; exec reports that as a failure, and kj_tx_end
 * rolls back, so a caller cannot be told that such a transaction was written.
 */
#include "db_impl.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "../base/buf.h"
#include "../base/util.h"

/* COPY data is sent in pieces of about this size: big enough to keep the round trips
 * few, small enough not to matter for memory. */
#define COPY_FLUSH_BYTES (256 * 1024)

/* The type OID of boolean (catalog/pg_type_d.h is a server header). */
#define PG_BOOL_OID 16

/* Passwords found in a DSN, kept only while opening, to scrub them from messages. */
#define MAX_SECRETS 8

struct pg_db {
	struct kj_db base;
	PGconn *conn;
	unsigned nprepared;	/* names of server-side prepared statements: kj1, kj2, ... */
};

struct pg_stmt {
	struct kj_stmt base;
	char *sql;		/* rewritten, with $n placeholders */
	int nparams;
	char **vals;		/* nparams bound values as text; NULL is SQL NULL */
	PGresult *res;		/* the run's result; NULL before the first step */
	int nrows;
	int row;		/* the current row, -1 before the first */
	int done;
	char name[16];		/* server-side prepared name, once a cached statement has one */
};

struct pg_bulk {
	struct kj_bulk base;
	int ncols;
	struct kj_buf out;	/* COPY data not sent yet */
	kj_err err;		/* a row failed: the load must not be kept */
};

struct secrets {
	char *s[MAX_SECRETS];
	int n;
	int failed;		/* out of memory while collecting */
};

static PGconn *
conn_of(struct kj_db *db)
{
	return ((struct pg_db *)db)->conn;
}

/* libpq prints notices on stderr unless told otherwise; the library never prints. */
static void
quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void
secret_add(struct secrets *sec, const char *p, size_t n)
{
	char *c;

	if (n == 0 || sec->n >= MAX_SECRETS)
		return;
	c = malloc(n + 1);
	if (c == NULL) {
		sec->failed = 1;
		return;
	}
	memcpy(c, p, n);
	c[n] = '\0';
	sec->s[sec->n++] = c;
}

static void
secrets_free(struct secrets *sec)
{
	int i;

	for (i = 0; i < sec->n; i++) {
		sodium_memzero(sec->s[i], strlen(sec->s[i]));
		free(sec->s[i]);
	}
	sec->n = 0;
}

/*
 * A copy of m on one line (runs of white space become one space, none at the ends), with
 * every secret in sec (may be NULL) replaced by "***". malloc'd; NULL when out of memory.
 */
static char *
clean_message(const char *m, const struct secrets *sec)
{
	struct kj_buf a, b;
	const char *p, *hit;
	size_t n;
	int i, space = 0;

	kj_buf_init(&a, 0);
	for (p = m; *p != '\0'; p++) {
		if (isspace((unsigned char)*p)) {
			space = 1;
			continue;
		}
		if (space && a.len > 0)
			kj_buf_putc(&a, ' ');
		space = 0;
		kj_buf_putc(&a, *p);
	}
	for (i = 0; sec != NULL && i < sec->n && !kj_buf_failed(&a); i++) {
		n = strlen(sec->s[i]);
		if (strstr(kj_buf_cstr(&a), sec->s[i]) == NULL)
			continue;
		kj_buf_init(&b, 0);
		p = kj_buf_cstr(&a);
		while ((hit = strstr(p, sec->s[i])) != NULL) {
			kj_buf_append(&b, p, (size_t)(hit - p));
			kj_buf_puts(&b, "***");
			p = hit + n;
		}
		kj_buf_puts(&b, p);
		/* a held the secret: wipe it before it goes. */
		if (a.data != NULL)
			sodium_memzero(a.data, a.cap);
		kj_buf_free(&a);
		a = b;
	}
	if (sec != NULL && sec->failed) {
		/* Some secret could not be noted: show nothing of what libpq said. */
		if (a.data != NULL)
			sodium_memzero(a.data, a.cap);
		kj_buf_free(&a);
		kj_buf_init(&a, 0);
		kj_buf_puts(&a, "details withheld");
	}
	if (a.len == 0 && !kj_buf_failed(&a))
		kj_buf_puts(&a, "unknown error");
	return kj_buf_take(&a);
}

/* Maps a failed result (res may be NULL: then the connection's message) to kj_err, as
 * fail_sqlite does: unique violations are KJ_ERR_EXISTS, foreign keys and other
 * constraints KJ_ERR_INVALID, the rest KJ_ERR_DB. */
static kj_err
fail_pg(struct kj_ctx *ctx, PGconn *conn, const PGresult *res)
{
	const char *state = NULL, *m = NULL;
	char *msg;
	kj_err r;

	if (res != NULL) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		if (m == NULL || *m == '\0')
			m = PQresultErrorMessage(res);
	}
	if (m == NULL || *m == '\0')
		m = PQerrorMessage(conn);
	/* A lost connection, a server shutting down or starting, a full disk: nothing was
	 * written and the same request may work later. */
	if (PQstatus(conn) == CONNECTION_BAD ||
	    (state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)))
		return kj_failf(ctx, KJ_ERR_UNAVAILABLE,
				"database: the connection to PostgreSQL is lost; try again when it is back");
	if (state != NULL && strncmp(state, "53", 2) == 0)
		return kj_failf(ctx, KJ_ERR_UNAVAILABLE, "database: PostgreSQL is out of disk space or "
				"memory; nothing was written");
	msg = clean_message(m != NULL ? m : "", NULL);
	if (msg == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	if (state != NULL && strcmp(state, "23505") == 0)
		r = kj_failf(ctx, KJ_ERR_EXISTS, "already exists (%s)", msg);
	else if (state != NULL && strcmp(state, "23503") == 0)
		r = kj_failf(ctx, KJ_ERR_INVALID, "refers to something that does not exist (%s)", msg);
	else if (state != NULL && strncmp(state, "23", 2) == 0)
		r = kj_failf(ctx, KJ_ERR_INVALID, "constraint failed (%s)", msg);
	else
		r = kj_failf(ctx, KJ_ERR_DB, "database: %s", msg);
	free(msg);
	return r;
}

/* Ends a COPY the connection is in (status st of its last result) without sending or
 * keeping data. */
static void
end_copy(PGconn *conn, ExecStatusType st)
{
	char *data;

	if (st == PGRES_COPY_IN || st == PGRES_COPY_BOTH) {
		PQputCopyEnd(conn, "aborted");
	} else if (st == PGRES_COPY_OUT) {
		while (PQgetCopyData(conn, &data, 0) > 0)
			PQfreemem(data);
	}
}

/* Reads and drops every remaining result, so that the connection takes commands again. */
static void
drain(PGconn *conn)
{
	PGresult *res;
	ExecStatusType st;

	while ((res = PQgetResult(conn)) != NULL) {
		st = PQresultStatus(res);
		PQclear(res);
		if (st == PGRES_COPY_IN || st == PGRES_COPY_BOTH) {
			/* Once PQputCopyEnd fails the connection is gone; stop asking. */
			if (PQputCopyEnd(conn, "aborted") < 0)
				break;
		} else if (st == PGRES_COPY_OUT) {
			end_copy(conn, st);
		}
	}
}

/* KJ_OK for the result of a command that went well; the mapped failure otherwise. A COPY
 * started by a statement (not by the bulk functions) is ended and refused. */
static kj_err
check_result(struct kj_ctx *ctx, PGconn *conn, const PGresult *res)
{
	ExecStatusType st;

	if (res == NULL)
		return fail_pg(ctx, conn, NULL);
	st = PQresultStatus(res);
	switch (st) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		return KJ_OK;
	case PGRES_COPY_IN:
	case PGRES_COPY_OUT:
	case PGRES_COPY_BOTH:
		end_copy(conn, st);
		drain(conn);
		return kj_failf(ctx, KJ_ERR_DB, "database: copy is only for bulk loads");
	default:
		return fail_pg(ctx, conn, res);
	}
}

/* 1 when sql is a lone COMMIT or END (what kj_tx_end sends). */
static int
is_commit(const char *sql)
{
	size_t n;

	while (isspace((unsigned char)*sql))
		sql++;
	if (strncasecmp(sql, "COMMIT", 6) == 0)
		n = 6;
	else if (strncasecmp(sql, "END", 3) == 0)
		n = 3;
	else
		return 0;
	for (sql += n; *sql != '\0'; sql++)
		if (!isspace((unsigned char)*sql) && *sql != ';')
			return 0;
	return 1;
}

static kj_err pg_exec(struct kj_ctx *ctx, struct kj_db *db, const char *sql);

static kj_err
lost(struct kj_ctx *ctx)
{
	return kj_failf(ctx, KJ_ERR_UNAVAILABLE,
			"database: the connection to PostgreSQL is lost; try again when it is back");
}

/* The session's settings, on a new connection or one opened again. */
static kj_err
session_setup(struct kj_ctx *ctx, struct kj_db *db)
{
	/* kijun's text is UTF-8 whatever the database's own encoding. */
	if (PQsetClientEncoding(conn_of(db), "UTF8") != 0)
		return fail_pg(ctx, conn_of(db), NULL);
	return pg_exec(ctx, db, "SET client_min_messages = warning; SET TimeZone = 'UTC'");
}

/* Opens db's broken connection again, with the same settings. The new session knows none
 * of the old one's prepared statements: the cached statements forget their names. */
static kj_err
revive(struct kj_ctx *ctx, struct kj_db *db)
{
	int i;

	PQreset(conn_of(db));
	if (PQstatus(conn_of(db)) != CONNECTION_OK)
		return lost(ctx);
	PQsetNoticeProcessor(conn_of(db), quiet, NULL);
	for (i = 0; i < KJ_STMT_CACHE; i++)
		if (db->cache[i].st != NULL)
			((struct pg_stmt *)db->cache[i].st)->name[0] = '\0';
	return session_setup(ctx, db);
}

/* KJ_OK when sql may be sent: the connection is up, or was down outside a transaction and
 * is opened again. Inside a transaction (or at its COMMIT) a lost connection took the
 * transaction with it; a new one must not pretend to go on with it. */
static kj_err
usable(struct kj_ctx *ctx, struct kj_db *db, const char *sql)
{
	if (PQstatus(conn_of(db)) == CONNECTION_OK)
		return KJ_OK;
	if (db->tx_depth > 0 || is_commit(sql))
		return lost(ctx);
	return revive(ctx, db);
}

static kj_err
pg_exec(struct kj_ctx *ctx, struct kj_db *db, const char *sql)
{
	PGconn *conn = conn_of(db);
	PGresult *res;
	char *q;
	kj_err r;

	if ((r = usable(ctx, db, sql)) != KJ_OK)
		return r;
	q = kj_db_rewrite(sql, KJ_DB_PG, NULL);
	if (q == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	res = PQexec(conn, q);
	free(q);
	r = check_result(ctx, conn, res);
	/* COMMIT of a transaction in which a statement failed rolls back and says so only in
	 * its command tag. */
	if (r == KJ_OK && is_commit(sql) && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		r = kj_failf(ctx, KJ_ERR_DB,
			     "database: a statement of the transaction failed; nothing was written");
	PQclear(res);
	return r;
}

static kj_err
pg_prepare(struct kj_ctx *ctx, struct kj_db *db, const char *sql, struct kj_stmt **out)
{
	struct pg_stmt *st;

	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	st->base.db = db;
	st->row = -1;
	st->sql = kj_db_rewrite(sql, KJ_DB_PG, &st->nparams);
	if (st->sql == NULL)
		goto nomem;
	if (st->nparams > 0) {
		st->vals = calloc((size_t)st->nparams, sizeof(*st->vals));
		if (st->vals == NULL)
			goto nomem;
	}
	*out = &st->base;
	return KJ_OK;
nomem:
	free(st->sql);
	free(st);
	return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
}

static void
pg_clear(struct kj_stmt *kst)
{
	struct pg_stmt *st = (struct pg_stmt *)kst;
	int i;

	for (i = 0; i < st->nparams; i++) {
		free(st->vals[i]);
		st->vals[i] = NULL;
	}
}

static void
pg_stmt_free(struct kj_stmt *kst)
{
	struct pg_stmt *st = (struct pg_stmt *)kst;
	int i;

	PQclear(st->res);
	for (i = 0; i < st->nparams; i++)
		free(st->vals[i]);
	free(st->vals);
	free(st->sql);
	free(st);
}

/* Stores v (taken over; NULL for SQL NULL) as parameter idx. */
static kj_err
bind_value(struct kj_ctx *ctx, struct kj_stmt *kst, int idx, char *v)
{
	struct pg_stmt *st = (struct pg_stmt *)kst;

	if (idx < 1 || idx > st->nparams) {
		free(v);
		return kj_failf(ctx, KJ_ERR_DB, "database: parameter %d out of range (1..%d)", idx,
				st->nparams);
	}
	free(st->vals[idx - 1]);
	st->vals[idx - 1] = v;
	return KJ_OK;
}

static kj_err
pg_bind_int(struct kj_ctx *ctx, struct kj_stmt *st, int idx, int64_t v)
{
	char s[24], *c;

	snprintf(s, sizeof(s), "%" PRId64, v);
	c = strdup(s);
	if (c == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	return bind_value(ctx, st, idx, c);
}

static kj_err
pg_bind_text(struct kj_ctx *ctx, struct kj_stmt *st, int idx, const char *s)
{
	char *c;

	c = strdup(s);
	if (c == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	return bind_value(ctx, st, idx, c);
}

static kj_err
pg_bind_null(struct kj_ctx *ctx, struct kj_stmt *st, int idx)
{
	return bind_value(ctx, st, idx, NULL);
}

/* Sends st with its bindings; st->res gets the result. */
static kj_err
send_stmt(struct kj_ctx *ctx, struct pg_stmt *st)
{
	struct kj_stmt *kst = &st->base;
	PGconn *conn = conn_of(kst->db);
	kj_err r;

	/* Parameter types are left to the server, which infers them from where they stand, as
	 * it would for quoted literals. */
	if (kst->slot >= 0 && st->name[0] == '\0') {
		/* A cached statement is parsed and planned once per connection. */
		struct pg_db *d = (struct pg_db *)kst->db;
		char name[16];
		PGresult *pr;

		snprintf(name, sizeof(name), "kj%u", ++d->nprepared);
		pr = PQprepare(conn, name, st->sql, st->nparams, NULL);
		if (PQresultStatus(pr) == PGRES_COMMAND_OK)
			memcpy(st->name, name, sizeof(name));
		PQclear(pr);
	}
	if (st->name[0] != '\0')
		st->res = PQexecPrepared(conn, st->name, st->nparams, (const char *const *)st->vals, NULL, NULL, 0);
	else
		st->res = PQexecParams(conn, st->sql, st->nparams, NULL, (const char *const *)st->vals, NULL,
				       NULL, 0);
	r = check_result(ctx, conn, st->res);
	if (r != KJ_OK) {
		PQclear(st->res);
		st->res = NULL;
	}
	return r;
}

/* 1 for SQL that may be sent again when the connection broke under it: a BEGIN or a
 * SELECT changes nothing, whether or not the server saw it. */
static int
safe_to_repeat(const char *sql)
{
	while (isspace((unsigned char)*sql))
		sql++;
	return strncasecmp(sql, "BEGIN", 5) == 0 || strncasecmp(sql, "SELECT", 6) == 0;
}

static kj_err
pg_step(struct kj_ctx *ctx, struct kj_stmt *kst, int *row_out)
{
	struct pg_stmt *st = (struct pg_stmt *)kst;
	kj_err r;

	*row_out = 0;
	if (st->done)
		return KJ_OK;
	if (st->res == NULL) {
		r = usable(ctx, kst->db, st->sql);
		if (r == KJ_OK)
			r = send_stmt(ctx, st);
		/* A connection that PostgreSQL dropped (a restart) is found broken only when it
		 * is used: outside a transaction, open it again and send once more. */
		if (r == KJ_ERR_UNAVAILABLE && kst->db->tx_depth == 0 && safe_to_repeat(st->sql) &&
		    PQstatus(conn_of(kst->db)) == CONNECTION_BAD && revive(ctx, kst->db) == KJ_OK)
			r = send_stmt(ctx, st);
		if (r != KJ_OK) {
			st->done = 1;
			return r;
		}
		st->nrows = PQresultStatus(st->res) == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
		st->row = -1;
	}
	if (st->row + 1 < st->nrows) {
		st->row++;
		*row_out = 1;
		return KJ_OK;
	}
	st->done = 1;
	return KJ_OK;
}

static void
pg_reset(struct kj_stmt *kst)
{
	struct pg_stmt *st = (struct pg_stmt *)kst;

	PQclear(st->res);
	st->res = NULL;
	st->nrows = 0;
	st->row = -1;
	st->done = 0;
}

/* 1 when there is a current row with column col. */
static int
has_cell(const struct pg_stmt *st, int col)
{
	return st->res != NULL && st->row >= 0 && st->row < st->nrows && col >= 0 &&
	       col < PQnfields(st->res);
}

static int64_t
pg_col_int(struct kj_stmt *kst, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)kst;
	const char *v;

	if (!has_cell(st, col) || PQgetisnull(st->res, st->row, col))
		return 0;
	v = PQgetvalue(st->res, st->row, col);
	/* Booleans read as 1 and 0, as SQLite stores them. */
	if (PQftype(st->res, col) == PG_BOOL_OID)
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

static const char *
pg_col_text(struct kj_stmt *kst, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)kst;

	if (!has_cell(st, col) || PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

static int
pg_col_null(struct kj_stmt *kst, int col)
{
	struct pg_stmt *st = (struct pg_stmt *)kst;

	return !has_cell(st, col) || PQgetisnull(st->res, st->row, col);
}

static kj_err
pg_bulk_begin(struct kj_ctx *ctx, struct kj_db *db, const char *table, const char *const *cols,
	      int ncols, const char *suffix, struct kj_bulk **out)
{
	PGconn *conn = conn_of(db);
	struct pg_bulk *b = NULL;
	PGresult *res = NULL;
	struct kj_buf q;
	kj_err r;
	int i;

	(void)suffix;	/* COPY cannot upsert: db.c stages and merges instead */
	kj_buf_init(&q, 0);
	kj_buf_printf(&q, "COPY %s (", table);
	for (i = 0; i < ncols; i++)
		kj_buf_printf(&q, "%s%s", i ? ", " : "", cols[i]);
	kj_buf_puts(&q, ") FROM STDIN");
	b = calloc(1, sizeof(*b));
	if (kj_buf_failed(&q) || b == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	b->base.db = db;
	b->ncols = ncols;
	kj_buf_init(&b->out, 0);
	res = PQexec(conn, kj_buf_cstr(&q));
	if (res != NULL && PQresultStatus(res) == PGRES_COPY_IN) {
		r = KJ_OK;
	} else if (res != NULL && PQresultStatus(res) != PGRES_FATAL_ERROR &&
		   PQresultStatus(res) != PGRES_NONFATAL_ERROR) {
		/* Some other outcome; leave the connection usable. */
		end_copy(conn, PQresultStatus(res));
		drain(conn);
		r = kj_failf(ctx, KJ_ERR_DB, "database: %s did not start a copy", table);
	} else {
		r = fail_pg(ctx, conn, res);
	}
out:
	PQclear(res);
	kj_buf_free(&q);
	if (r != KJ_OK) {
		free(b);
		return r;
	}
	*out = &b->base;
	return KJ_OK;
}

/* Sends what is buffered. */
static kj_err
bulk_flush(struct kj_ctx *ctx, struct pg_bulk *b)
{
	PGconn *conn = conn_of(b->base.db);

	if (b->out.len == 0)
		return KJ_OK;
	if (PQputCopyData(conn, b->out.data, (int)b->out.len) != 1)
		return fail_pg(ctx, conn, NULL);
	kj_buf_reset(&b->out);
	return KJ_OK;
}

/* Appends v in COPY text format: backslash, tab, newline and carriage return escaped,
 * NULL as \N. */
static void
copy_value(struct kj_buf *out, const char *v)
{
	size_t n;

	if (v == NULL) {
		kj_buf_puts(out, "\\N");
		return;
	}
	for (;;) {
		n = strcspn(v, "\\\t\n\r");
		kj_buf_append(out, v, n);
		v += n;
		switch (*v) {
		case '\0':
			return;
		case '\\':
			kj_buf_puts(out, "\\\\");
			break;
		case '\t':
			kj_buf_puts(out, "\\t");
			break;
		case '\n':
			kj_buf_puts(out, "\\n");
			break;
		default:
			kj_buf_puts(out, "\\r");
			break;
		}
		v++;
	}
}

static kj_err
pg_bulk_row(struct kj_ctx *ctx, struct kj_bulk *kb, const char *const *vals)
{
	struct pg_bulk *b = (struct pg_bulk *)kb;
	int i;

	if (b->err != KJ_OK)
		return kj_failf(ctx, b->err, "load: an earlier row failed");
	for (i = 0; i < b->ncols; i++) {
		if (i > 0)
			kj_buf_putc(&b->out, '\t');
		copy_value(&b->out, vals[i]);
	}
	kj_buf_putc(&b->out, '\n');
	/* A failed append may have left half a row: the load cannot be kept. */
	if (kj_buf_failed(&b->out))
		b->err = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	else if (b->out.len >= COPY_FLUSH_BYTES)
		b->err = bulk_flush(ctx, b);
	return b->err;
}

static kj_err
pg_bulk_end(struct kj_ctx *ctx, struct kj_bulk *kb, kj_err r)
{
	struct pg_bulk *b = (struct pg_bulk *)kb;
	PGconn *conn = conn_of(kb->db);
	PGresult *res;
	int first = 1;
	ExecStatusType st;

	if (r == KJ_OK && b->err != KJ_OK)
		r = kj_failf(ctx, b->err, "load: a row failed; nothing was written");
	if (r == KJ_OK)
		r = bulk_flush(ctx, b);
	if (r == KJ_OK) {
		if (PQputCopyEnd(conn, NULL) != 1)
			r = fail_pg(ctx, conn, NULL);
	} else {
		PQputCopyEnd(conn, "aborted");
	}
	/* The first result tells how the COPY went; read the rest so that the connection
	 * takes commands again. */
	while ((res = PQgetResult(conn)) != NULL) {
		st = PQresultStatus(res);
		if (st == PGRES_COPY_IN) {
			/* Still copying: the end did not get through, the connection is gone. */
			PQclear(res);
			if (r == KJ_OK)
				r = fail_pg(ctx, conn, NULL);
			break;
		}
		if (first && r == KJ_OK)
			r = check_result(ctx, conn, res);
		first = 0;
		PQclear(res);
	}
	kj_buf_free(&b->out);
	free(b);
	return r;
}

static void
pg_close(struct kj_db *db)
{
	struct pg_db *d = (struct pg_db *)db;

	if (d->conn != NULL) {
		if (d->base.tx_depth > 0)
			PQclear(PQexec(d->conn, "ROLLBACK"));
		PQfinish(d->conn);
	}
	free(d);
}

static const struct kj_db_ops pg_ops = {
	.exec = pg_exec,
	.prepare = pg_prepare,
	.stmt_free = pg_stmt_free,
	.bind_int = pg_bind_int,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.reset = pg_reset,
	.clear = pg_clear,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.col_null = pg_col_null,
	.bulk_begin = pg_bulk_begin,
	.bulk_row = pg_bulk_row,
	.bulk_end = pg_bulk_end,
	.close = pg_close,
};

/* 1 when the n bytes at key, percent-decoded as libpq decodes URI query keys, spell
 * "password". */
static int
uri_key_is_password(const char *key, size_t n)
{
	static const char want[] = "password";
	size_t i, j = 0;
	unsigned int c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)key[i];
		if (c == '%' && i + 2 < n && isxdigit((unsigned char)key[i + 1]) &&
		    isxdigit((unsigned char)key[i + 2])) {
			char hex[3] = { key[i + 1], key[i + 2], '\0' };

			c = (unsigned int)strtoul(hex, NULL, 16);
			i += 2;
		}
		if (j >= sizeof(want) - 1 || c != (unsigned char)want[j])
			return 0;
		j++;
	}
	return j == sizeof(want) - 1;
}

/* The URI form: drops the password of user:password@ and any password query parameter. */
static void
redact_uri(const char *uri, struct kj_buf *name, struct secrets *sec)
{
	const char *p = strstr(uri, "://") + 3;
	const char *at, *colon, *q, *param, *end, *eq;
	char sep = '?';

	kj_buf_append(name, uri, (size_t)(p - uri));
	/* As in libpq, user information ends at an '@' met before any '/'. */
	at = p + strcspn(p, "@/");
	if (*at == '@') {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon != NULL) {
			kj_buf_append(name, p, (size_t)(colon - p));
			secret_add(sec, colon + 1, (size_t)(at - colon - 1));
		} else {
			kj_buf_append(name, p, (size_t)(at - p));
		}
		kj_buf_putc(name, '@');
		p = at + 1;
	}
	q = strchr(p, '?');
	if (q == NULL) {
		kj_buf_puts(name, p);
		return;
	}
	kj_buf_append(name, p, (size_t)(q - p));
	for (param = q + 1; *param != '\0'; param = *end != '\0' ? end + 1 : end) {
		end = param + strcspn(param, "&");
		eq = memchr(param, '=', (size_t)(end - param));
		if (eq != NULL && uri_key_is_password(param, (size_t)(eq - param))) {
			secret_add(sec, eq + 1, (size_t)(end - eq - 1));
			continue;
		}
		if (end == param)
			continue;
		kj_buf_putc(name, sep);
		kj_buf_append(name, param, (size_t)(end - param));
		sep = '&';
	}
}

/* The keyword form (key=value, values perhaps quoted, as libpq parses them): drops the
 * password pair. A malformed rest is dropped too, since where its password is cannot be
 * told. */
static void
redact_keywords(const char *s, struct kj_buf *name, struct secrets *sec)
{
	const char *p = s, *start, *keyend, *val, *valend;
	int first = 1;

	kj_buf_puts(name, "postgresql:");
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != '=' && !isspace((unsigned char)*p))
			p++;
		keyend = p;
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=')
			break;
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\'') {
			val = ++p;
			while (*p != '\0' && *p != '\'') {
				if (*p == '\\' && p[1] != '\0')
					p++;
				p++;
			}
			valend = p;
			if (*p == '\'')
				p++;
		} else {
			val = p;
			while (*p != '\0' && !isspace((unsigned char)*p)) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				p++;
			}
			valend = p;
		}
		if (keyend - start == 8 && memcmp(start, "password", 8) == 0) {
			secret_add(sec, val, (size_t)(valend - val));
			continue;
		}
		if (!first)
			kj_buf_putc(name, ' ');
		kj_buf_append(name, start, (size_t)(p - start));
		first = 0;
	}
}

/* Fills name (of size namesize) with conninfo less its passwords, and sec with the
 * passwords as written and as libpq reads them. */
static void
redact(const char *conninfo, char *name, size_t namesize, struct secrets *sec)
{
	PQconninfoOption *opts, *o;
	struct kj_buf b;
	char *err = NULL;

	kj_buf_init(&b, 0);
	if (strncmp(conninfo, "postgresql://", 13) == 0 || strncmp(conninfo, "postgres://", 11) == 0)
		redact_uri(conninfo, &b, sec);
	else
		redact_keywords(conninfo, &b, sec);
	kj_strlcpy(name, kj_buf_failed(&b) ? "postgresql" : kj_buf_cstr(&b), namesize);
	kj_buf_free(&b);
	opts = PQconninfoParse(conninfo, &err);
	if (err != NULL)
		PQfreemem(err);
	for (o = opts; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL)
			secret_add(sec, o->val, strlen(o->val));
	PQconninfoFree(opts);
}

/* Connects with conninfo (a postgresql:// URI or a keyword string) and stores the database
 * in *out. Fails with KJ_ERR_DB, the server's or libpq's message naming the database
 * without its password; nothing is left open on failure. */
kj_err
kj_db_pg_open(struct kj_ctx *ctx, const char *conninfo, struct kj_db **out)
{
	struct secrets sec;
	struct pg_db *d;
	char *msg;
	kj_err r;

	memset(&sec, 0, sizeof(sec));
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	d->base.ops = &pg_ops;
	d->base.kind = KJ_DB_PG;
	redact(conninfo, d->base.name, sizeof(d->base.name), &sec);
	d->conn = PQconnectdb(conninfo);
	if (d->conn == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (PQstatus(d->conn) != CONNECTION_OK) {
		PGPing ping = PQping(conninfo);

		msg = clean_message(PQerrorMessage(d->conn), &sec);
		/* A server that does not answer (or is starting or stopping) may later. */
		r = kj_failf(ctx, ping == PQPING_NO_RESPONSE || ping == PQPING_REJECT ? KJ_ERR_UNAVAILABLE : KJ_ERR_DB,
			     "cannot open %s: %s", d->base.name, msg != NULL ? msg : "out of memory");
		free(msg);
		goto out;
	}
	PQsetNoticeProcessor(d->conn, quiet, NULL);
	r = session_setup(ctx, &d->base);
	if (r != KJ_OK)
		kj_failf_prefix(ctx, r, "cannot open %s", d->base.name);
out:
	secrets_free(&sec);
	if (r != KJ_OK) {
		pg_close(&d->base);
		return r;
	}
	*out = &d->base;
	return KJ_OK;
}
