/*
 * backup.c: kj_db_backup and kj_db_restore (backup.h).
 *
 * Owns: the output file's life (a temporary file beside it, renamed into place), SQLite's
 * online backup between two files, and running pg_dump / pg_restore as child processes
 * with an argument vector and an environment built here.
 * Must not: put a password on a command line or in a message, follow a symbolic link when
 * writing, or leave a half-written file under the name asked for.
 */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "db.h"

/* How long a busy source may hold the SQLite backup back, in tries of BUSY_SLEEP_MS. */
#define BUSY_TRIES 400
#define BUSY_SLEEP_MS 25

/* Longest schema name accepted from a search_path (PostgreSQL's own limit is 63). */
#define SCHEMA_MAX 63

/* ---- Files ------------------------------------------------------------------------------ */

/* A new empty file of mode 0600 beside path; its name goes to tmp. Returns an open fd or
 * -1 after failing ctx. */
static int
temp_beside(struct kj_ctx *ctx, const char *path, char tmp[PATH_MAX])
{
	char copy[PATH_MAX], *dir, *base, dirbuf[PATH_MAX];
	int fd;

	if (strlen(path) >= sizeof(copy) - 16) {
		kj_failf(ctx, KJ_ERR_INVALID, "%s: path too long", path);
		return -1;
	}
	kj_strlcpy(copy, path, sizeof(copy));
	dir = dirname(copy);
	kj_strlcpy(dirbuf, dir, sizeof(dirbuf));
	kj_strlcpy(copy, path, sizeof(copy));
	base = basename(copy);
	if (snprintf(tmp, PATH_MAX, "%s/.%s.tmpXXXXXX", dirbuf, base) >= PATH_MAX) {
		kj_failf(ctx, KJ_ERR_INVALID, "%s: path too long", path);
		return -1;
	}
	fd = mkstemp(tmp);	/* O_EXCL and mode 0600: never an existing file or link */
	if (fd < 0)
		kj_failf(ctx, KJ_ERR_IO, "%s: cannot create a file beside it: %s", path, strerror(errno));
	return fd;
}

/* Syncs the directory that holds path, so that a rename into it lasts. */
static void
sync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	int fd;

	kj_strlcpy(copy, path, sizeof(copy));
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Moves the finished tmp to path: with force by rename (which replaces a link, never
 * follows it), without by link, which fails if path appeared meanwhile. */
static kj_err
put_in_place(struct kj_ctx *ctx, const char *tmp, const char *path, int force)
{
	int fd;

	if ((fd = open(tmp, O_RDONLY)) >= 0) {
		if (fsync(fd) != 0) {
			close(fd);
			return kj_failf(ctx, KJ_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
		}
		close(fd);
	}
	if (force ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
		if (errno == EEXIST)
			return kj_failf(ctx, KJ_ERR_EXISTS, "%s: exists (give --force to replace it)", path);
		return kj_failf(ctx, KJ_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
	}
	if (!force)
		unlink(tmp);
	sync_dir_of(path);
	return KJ_OK;
}

/* KJ_OK when path may be written: absent, or force. */
static kj_err
check_output(struct kj_ctx *ctx, const char *path, int force)
{
	struct stat sb;

	if (*path == '\0')
		return kj_failf(ctx, KJ_ERR_USAGE, "expected a file name");
	if (lstat(path, &sb) != 0)
		return KJ_OK;
	if (!force)
		return kj_failf(ctx, KJ_ERR_EXISTS, "%s: exists (give --force to replace it)", path);
	if (S_ISDIR(sb.st_mode))
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: is a directory", path);
	return KJ_OK;
}

/* 1 when the file at path begins with magic. */
static int
file_starts_with(const char *path, const char *magic, size_t n)
{
	char head[32];
	FILE *f = fopen(path, "rb");
	int ok;

	if (f == NULL)
		return 0;
	ok = n <= sizeof(head) && fread(head, 1, n, f) == n && memcmp(head, magic, n) == 0;
	fclose(f);
	return ok;
}

/* ---- SQLite ----------------------------------------------------------------------------- */

static kj_err
sq_fail(struct kj_ctx *ctx, sqlite3 *h, const char *what, const char *path)
{
	int rc = h != NULL ? sqlite3_errcode(h) : SQLITE_NOMEM;

	if (rc == SQLITE_FULL)
		return kj_failf(ctx, KJ_ERR_UNAVAILABLE, "%s: the disk is full", path);
	return kj_failf(ctx, KJ_ERR_DB, "%s: cannot %s: %s", path, what,
			h != NULL ? sqlite3_errmsg(h) : "out of memory");
}

/* Copies the whole database src (a file name) into dst (an existing empty file), then sets
 * dst's journal mode to mode (DELETE for a backup, WAL for a database put back). */
static kj_err
sq_copy(struct kj_ctx *ctx, const char *src, int src_flags, const char *dst, const char *mode)
{
	sqlite3 *s = NULL, *d = NULL;
	sqlite3_backup *b;
	char pragma[48];
	int rc, tries = 0;
	kj_err r = KJ_OK;

	if (sqlite3_open_v2(src, &s, src_flags, NULL) != SQLITE_OK) {
		r = sq_fail(ctx, s, "open", src);
		goto out;
	}
	sqlite3_busy_timeout(s, BUSY_SLEEP_MS * BUSY_TRIES);
	if (sqlite3_open_v2(dst, &d, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		r = sq_fail(ctx, d, "open", dst);
		goto out;
	}
	if ((b = sqlite3_backup_init(d, "main", s, "main")) == NULL) {
		r = sq_fail(ctx, d, "copy", src);
		goto out;
	}
	/* One step copies every page under one read transaction: one snapshot, however the
	 * server writes meanwhile (WAL lets it). */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		if (++tries > BUSY_TRIES)
			break;
		sqlite3_sleep(BUSY_SLEEP_MS);
	}
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		r = rc == SQLITE_FULL ? kj_failf(ctx, KJ_ERR_UNAVAILABLE, "%s: the disk is full", dst)
				      : kj_failf(ctx, KJ_ERR_DB, "%s: cannot copy: %s", src, sqlite3_errstr(rc));
		goto out;
	}
	snprintf(pragma, sizeof(pragma), "PRAGMA journal_mode=%s", mode);
	if (sqlite3_exec(d, pragma, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(d, "PRAGMA quick_check", NULL, NULL, NULL) != SQLITE_OK)
		r = sq_fail(ctx, d, "finish", dst);
out:
	sqlite3_close_v2(s);
	if (d != NULL && sqlite3_close(d) != SQLITE_OK && r == KJ_OK)
		r = kj_failf(ctx, KJ_ERR_DB, "%s: cannot close", dst);
	return r;
}

/* Copies src through a temporary file beside path to path. */
static kj_err
sq_copy_to(struct kj_ctx *ctx, const char *src, int src_flags, const char *path, int force,
	   const char *mode)
{
	char tmp[PATH_MAX];
	int fd;
	kj_err r;

	if ((fd = temp_beside(ctx, path, tmp)) < 0)
		return ctx->err;
	close(fd);
	r = sq_copy(ctx, src, src_flags, tmp, mode);
	if (r == KJ_OK)
		r = put_in_place(ctx, tmp, path, force);
	if (r != KJ_OK || force)
		unlink(tmp);
	return r;
}

/* *n_out: the number of tables in the SQLite file at path (0 when it does not exist). */
static kj_err
sq_count_tables(struct kj_ctx *ctx, const char *path, int *n_out)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	kj_err r = KJ_OK;

	*n_out = 0;
	if (stat(path, &sb) != 0)
		return KJ_OK;
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", -1, &st,
			       NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		r = sq_fail(ctx, h, "read", path);
	else
		*n_out = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close_v2(h);
	return r;
}

static kj_err
sq_restore(struct kj_ctx *ctx, const char *target, const char *path, int force)
{
	char side[PATH_MAX];
	int n = 0;
	kj_err r;

	if (!file_starts_with(path, "SQLite format 3", 16))
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: not an SQLite backup (the database is SQLite)", path);
	if ((r = sq_count_tables(ctx, target, &n)) != KJ_OK)
		return r;
	if (n > 0 && !force)
		return kj_failf(ctx, KJ_ERR_EXISTS, "%s: holds %d table(s); restore into an empty "
				"database, or give --force to discard them", target, n);
	/* A write-ahead log left by the old file would be replayed onto the new one. */
	snprintf(side, sizeof(side), "%s-wal", target);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", target);
	unlink(side);
	return sq_copy_to(ctx, path, SQLITE_OPEN_READONLY, target, 1, "WAL");
}

/* ---- PostgreSQL ------------------------------------------------------------------------- */

/* The connection settings of a PostgreSQL DSN as one keyword string without the password,
 * for a tool's --dbname; the password (if any) goes to *password_out (malloc'd). */
static kj_err
pg_conninfo(struct kj_ctx *ctx, const char *dsn, struct kj_buf *out, char **password_out)
{
	PQconninfoOption *opts, *o;
	const char *p;
	char *err = NULL;

	*password_out = NULL;
	if (strncmp(dsn, "postgresql:", 11) == 0 && strncmp(dsn, "postgresql://", 13) != 0)
		dsn += 11;
	if ((opts = PQconninfoParse(dsn, &err)) == NULL) {
		PQfreemem(err);
		return kj_failf(ctx, KJ_ERR_USAGE, "the PostgreSQL DSN cannot be read");
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0')
			continue;
		if (strcmp(o->keyword, "password") == 0) {
			*password_out = strdup(o->val);
			sodium_memzero(o->val, strlen(o->val));
			continue;
		}
		kj_buf_printf(out, "%s%s='", out->len > 0 ? " " : "", o->keyword);
		for (p = o->val; *p != '\0'; p++) {
			if (*p == '\'' || *p == '\\')
				kj_buf_putc(out, '\\');
			kj_buf_putc(out, *p);
		}
		kj_buf_putc(out, '\'');
	}
	PQconninfoFree(opts);
	if (kj_buf_failed(out))
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	return KJ_OK;
}

/* The environment for a tool: envp without PGPASSWORD when password is set, then
 * PGPASSWORD=password. Entries are envp's own but the last; free with env_free. */
static char **
env_with(char *const *envp, const char *password, char **pw_entry_out)
{
	size_t n = 0, i, k = 0;
	char **env;

	*pw_entry_out = NULL;
	while (envp != NULL && envp[n] != NULL)
		n++;
	if ((env = calloc(n + 2, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (password != NULL && strncmp(envp[i], "PGPASSWORD=", 11) == 0)
			continue;
		env[k++] = envp[i];
	}
	if (password != NULL) {
		size_t len = strlen(password) + 12;

		if ((*pw_entry_out = malloc(len)) == NULL) {
			free(env);
			return NULL;
		}
		snprintf(*pw_entry_out, len, "PGPASSWORD=%s", password);
		env[k++] = *pw_entry_out;
	}
	return env;
}

/* The first line of what a tool wrote on its standard error (the file f), for a message. */
static void
first_line(FILE *f, char *out, size_t size)
{
	char *nl;

	out[0] = '\0';
	rewind(f);
	if (fgets(out, (int)size, f) == NULL)
		out[0] = '\0';
	if ((nl = strchr(out, '\n')) != NULL)
		*nl = '\0';
}

/* Runs argv (argv[0] found on the PATH) with the environment envp plus password, standard
 * input from /dev/null, standard output to out_fd (-1: /dev/null). A failure's message
 * names the tool and says what it wrote. */
static kj_err
run_tool(struct kj_ctx *ctx, char *const *argv, char *const *envp, const char *password, int out_fd)
{
	posix_spawn_file_actions_t fa;
	char **env, *pw_entry, line[300];
	FILE *errf;
	pid_t pid;
	int rc, status = 0;
	kj_err r = KJ_OK;

	if ((errf = tmpfile()) == NULL)
		return kj_failf(ctx, KJ_ERR_IO, "%s: cannot make a file for its messages: %s", argv[0],
				strerror(errno));
	if ((env = env_with(envp, password, &pw_entry)) == NULL) {
		fclose(errf);
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fileno(errf), 2);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	if (pw_entry != NULL) {
		sodium_memzero(pw_entry, strlen(pw_entry));
		free(pw_entry);
	}
	free(env);
	if (rc != 0) {
		fclose(errf);
		if (rc == ENOENT)
			return kj_failf(ctx, KJ_ERR_DB, "%s: not found on the PATH (install the PostgreSQL "
					"client programs of the server's version or newer)", argv[0]);
		return kj_failf(ctx, KJ_ERR_DB, "%s: cannot start: %s", argv[0], strerror(rc));
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		first_line(errf, line, sizeof(line));
		r = kj_failf(ctx, KJ_ERR_DB, "%s failed (%s %d)%s%s", argv[0],
			     WIFEXITED(status) ? "exit status" : "signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), line[0] ? ": " : "",
			     line);
	}
	fclose(errf);
	return r;
}

/* The schema the DSN works in: the first of its search_path, written to schema (empty for
 * the default, public: the whole database). Only plain lower-case names are taken. */
static kj_err
pg_schema(struct kj_ctx *ctx, const char *dsn, char schema[SCHEMA_MAX + 1], int *ntables_out)
{
	struct kj_ctx c2;
	struct kj_db *db = NULL;
	struct kj_stmt *st = NULL;
	const char *sp, *p;
	size_t n = 0;
	int row = 0;
	kj_err r;

	kj_ctx_init(&c2);
	schema[0] = '\0';
	if ((r = kj_db_open(&c2, dsn, &db)) != KJ_OK)
		goto out;
	if ((r = kj_db_prepare(&c2, "SELECT current_setting('search_path')", &st)) != KJ_OK ||
	    (r = kj_stmt_step(&c2, st, &row)) != KJ_OK)
		goto out;
	sp = row ? kj_stmt_text(st, 0) : "";
	for (p = sp; *p == ' ' || *p == '"'; p++)
		;
	while (p[n] != '\0' && p[n] != ',' && p[n] != '"' && p[n] != ' ')
		n++;
	if (n > SCHEMA_MAX || strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_$") < n) {
		r = kj_failf(&c2, KJ_ERR_USAGE, "search_path \"%.80s\": expected a plain lower-case "
			     "schema name first", sp);
		goto out;
	}
	memcpy(schema, p, n);
	schema[n] = '\0';
	if (strcmp(schema, "public") == 0 || strcmp(schema, "$user") == 0)
		schema[0] = '\0';
	kj_stmt_free(st);
	st = NULL;
	if ((r = kj_db_prepare(&c2, "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = ?", &st)) != KJ_OK ||
	    (r = kj_stmt_bind_text(&c2, st, 1, schema[0] ? schema : "public")) != KJ_OK ||
	    (r = kj_stmt_step(&c2, st, &row)) != KJ_OK)
		goto out;
	*ntables_out = row ? (int)kj_stmt_int(st, 0) : 0;
out:
	kj_stmt_free(st);
	kj_db_close(db);
	if (r != KJ_OK)
		return kj_failf(ctx, r, "%s", c2.msg);
	return KJ_OK;
}

static kj_err
pg_backup(struct kj_ctx *ctx, const char *dsn, const char *path, int force, char *const *envp)
{
	char schema[SCHEMA_MAX + 1], tmp[PATH_MAX], nflag[80], *password = NULL;
	char *argv[10];
	struct kj_buf conn;
	int fd = -1, n = 0, ntables = 0;
	kj_err r;

	kj_buf_init(&conn, 0);
	if ((r = pg_schema(ctx, dsn, schema, &ntables)) != KJ_OK ||
	    (r = pg_conninfo(ctx, dsn, &conn, &password)) != KJ_OK)
		goto out;
	if ((fd = temp_beside(ctx, path, tmp)) < 0) {
		r = ctx->err;
		goto out;
	}
	argv[n++] = "pg_dump";
	argv[n++] = "--format=custom";	/* compressed, one snapshot, read back by pg_restore */
	argv[n++] = "--no-owner";
	argv[n++] = "--no-acl";
	if (schema[0] != '\0') {
		snprintf(nflag, sizeof(nflag), "--schema=%s", schema);
		argv[n++] = nflag;
	}
	argv[n++] = "--dbname";
	argv[n++] = (char *)kj_buf_cstr(&conn);
	argv[n] = NULL;
	r = run_tool(ctx, argv, envp, password, fd);
	close(fd);
	if (r == KJ_OK)
		r = put_in_place(ctx, tmp, path, force);
	if (r != KJ_OK || force)
		unlink(tmp);
out:
	if (password != NULL) {
		sodium_memzero(password, strlen(password));
		free(password);
	}
	kj_buf_free(&conn);
	return r;
}

/* The schema a custom-format archive creates (read from pg_restore --list), written to
 * schema; empty when it creates none (a dump of the whole database). */
static kj_err
archive_schema(struct kj_ctx *ctx, const char *path, char *const *envp, char schema[SCHEMA_MAX + 1])
{
	char *argv[] = {"pg_restore", "--list", (char *)path, NULL};
	char line[512], *p;
	FILE *f;
	size_t n;
	kj_err r;

	schema[0] = '\0';
	if ((f = tmpfile()) == NULL)
		return kj_failf(ctx, KJ_ERR_IO, "cannot make a temporary file: %s", strerror(errno));
	if ((r = run_tool(ctx, argv, envp, NULL, fileno(f))) == KJ_OK) {
		rewind(f);
		while (fgets(line, sizeof(line), f) != NULL) {
			if (line[0] == ';' || (p = strstr(line, " SCHEMA - ")) == NULL)
				continue;
			p += 10;
			n = strcspn(p, " \n");
			if (n <= SCHEMA_MAX && strcmp(p, "public") != 0) {
				memcpy(schema, p, n);
				schema[n] = '\0';
			}
			break;
		}
	}
	fclose(f);
	return r;
}

static kj_err
pg_restore_into(struct kj_ctx *ctx, const char *dsn, const char *path, int force, char *const *envp)
{
	char schema[SCHEMA_MAX + 1], held[SCHEMA_MAX + 1], drop[128], *password = NULL;
	char *argv[10];
	struct kj_buf conn;
	struct kj_ctx c2;
	struct kj_db *db = NULL;
	int n = 0, ntables = 0;
	kj_err r;

	kj_buf_init(&conn, 0);
	if (!file_starts_with(path, "PGDMP", 5))
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: not a pg_dump archive in custom format (the "
				"database is PostgreSQL)", path);
	if ((r = pg_schema(ctx, dsn, schema, &ntables)) != KJ_OK ||
	    (r = archive_schema(ctx, path, envp, held)) != KJ_OK)
		goto out;
	if (strcmp(schema, held) != 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "%s: holds the schema %s, but the database's "
			     "search_path names %s", path, held[0] ? held : "public",
			     schema[0] ? schema : "public");
		goto out;
	}
	if (ntables > 0 && !force) {
		r = kj_failf(ctx, KJ_ERR_EXISTS, "the schema %s holds %d table(s); restore into an "
			     "empty one, or give --force to discard them", schema[0] ? schema : "public",
			     ntables);
		goto out;
	}
	/* The archive creates its schema itself; public stays and is emptied. */
	if (schema[0] != '\0')
		snprintf(drop, sizeof(drop), "DROP SCHEMA IF EXISTS %s CASCADE", schema);
	else
		snprintf(drop, sizeof(drop), "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	kj_ctx_init(&c2);
	if ((schema[0] != '\0' || ntables > 0) &&
	    ((r = kj_db_open(&c2, dsn, &db)) != KJ_OK || (r = kj_db_exec(&c2, drop)) != KJ_OK)) {
		r = kj_failf(ctx, r, "%s", c2.msg);
		goto out;
	}
	if ((r = pg_conninfo(ctx, dsn, &conn, &password)) != KJ_OK)
		goto out;
	argv[n++] = "pg_restore";
	argv[n++] = "--no-owner";
	argv[n++] = "--no-acl";
	argv[n++] = "--exit-on-error";
	argv[n++] = "--single-transaction";	/* all of it or nothing */
	argv[n++] = "--dbname";
	argv[n++] = (char *)kj_buf_cstr(&conn);
	argv[n++] = (char *)path;
	argv[n] = NULL;
	r = run_tool(ctx, argv, envp, password, -1);
out:
	kj_db_close(db);
	if (password != NULL) {
		sodium_memzero(password, strlen(password));
		free(password);
	}
	kj_buf_free(&conn);
	return r;
}

/* ---- Front ------------------------------------------------------------------------------ */

static int
is_sqlite(const char *dsn)
{
	return strncmp(dsn, "sqlite:", 7) == 0 && dsn[7] != '\0';
}

static int
is_pg(const char *dsn)
{
	return strncmp(dsn, "postgresql:", 11) == 0 || strncmp(dsn, "postgres://", 11) == 0;
}

kj_err
kj_db_backup(struct kj_ctx *ctx, const char *dsn, const char *path, int force, char *const *envp)
{
	kj_err r;

	if ((r = check_output(ctx, path, force)) != KJ_OK)
		return r;
	if (is_sqlite(dsn)) {
		if (access(dsn + 7, F_OK) != 0)
			return kj_failf(ctx, KJ_ERR_NOT_FOUND, "%s: no such database", dsn + 7);
		return sq_copy_to(ctx, dsn + 7, SQLITE_OPEN_READWRITE, path, force, "DELETE");
	}
	if (is_pg(dsn))
		return pg_backup(ctx, dsn, path, force, envp);
	return kj_failf(ctx, KJ_ERR_USAGE, "unknown database (expected sqlite:PATH or postgresql://...)");
}

kj_err
kj_db_restore(struct kj_ctx *ctx, const char *dsn, const char *path, int force, char *const *envp)
{
	struct stat sb;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "%s: no such file", path);
	if (is_sqlite(dsn))
		return sq_restore(ctx, dsn + 7, path, force);
	if (is_pg(dsn))
		return pg_restore_into(ctx, dsn, path, force, envp);
	return kj_failf(ctx, KJ_ERR_USAGE, "unknown database (expected sqlite:PATH or postgresql://...)");
}
