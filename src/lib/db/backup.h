/*
 * backup.h: a whole database copied to one file, and such a file put back.
 *
 * SQLite: the file is an SQLite database made with SQLite's online backup, consistent
 * while the server keeps writing (rollback-journal mode, so that it is one file).
 * PostgreSQL: the file is a pg_dump archive in custom format, one snapshot, of the schema
 * first in the DSN's search_path (or of the whole database when that is public), without
 * owners or privileges; pg_restore puts it back in one transaction.
 *
 * The tools run with posix_spawnp (no shell), found on the PATH of envp; a password of the
 * DSN goes to them as PGPASSWORD in their environment, never on their command line.
 */
#ifndef KJ_BACKUP_H
#define KJ_BACKUP_H

#include "../base/err.h"

/* Writes a copy of the database named by dsn to path. The copy is written to a new file
 * of mode 0600 in path's directory and renamed into place at the end, so that path is
 * either absent or whole. An existing path (a symbolic link included, which is replaced
 * and never followed) is refused with KJ_ERR_EXISTS unless force is set. envp is the
 * environment for pg_dump (PATH, PG* settings). Fails with KJ_ERR_IO when the file cannot
 * be written, KJ_ERR_DB when the database or pg_dump fails. */
kj_err kj_db_backup(struct kj_ctx *ctx, const char *dsn, const char *path, int force,
		    char *const *envp);

/* Puts the backup at path into the database named by dsn, which must be empty (no tables;
 * for SQLite the file may also be absent) unless force is set: then its contents are
 * discarded first. The backup must be of the same backend, and on PostgreSQL of the schema
 * the DSN's search_path names. On SQLite the new file replaces the old one by rename; the
 * server must not be running on it. Fails with KJ_ERR_EXISTS for a target that holds
 * tables, KJ_ERR_INVALID for a file that is not a backup of this backend. */
kj_err kj_db_restore(struct kj_ctx *ctx, const char *dsn, const char *path, int force,
		     char *const *envp);

#endif
