/*
 * migrate.h: the numbered schema migrations built into the binary.
 */
#ifndef KJ_MIGRATE_H
#define KJ_MIGRATE_H

#include "../base/err.h"

struct kj_migration_status {
	int version;		/* number of the migration */
	const char *name;	/* file name, such as 0001_foundation.sql */
	int applied;
	char applied_at[32];	/* when it was applied, if it was */
};

/* Applies every migration not yet applied, all of them in one transaction: either the
 * schema reaches the newest version or nothing changes. *napplied_out (may be NULL) gets
 * how many were applied. Refuses a database whose schema is newer than this binary. */
kj_err kj_db_migrate(struct kj_ctx *ctx, int *napplied_out);
/* Like kj_db_migrate, but stops after migration number to (1 .. newest): a database of an
 * earlier version, for the tests of upgrades. Fails with KJ_ERR_USAGE when to is out of
 * range or below the version the database already has. */
kj_err kj_db_migrate_to(struct kj_ctx *ctx, int to, int *napplied_out);

/* Fills out[0..n) with every known migration and whether it is applied; *n_out gets the
 * count (at most max). *current_out gets the schema version of the database (0 when
 * empty). */
kj_err kj_db_status(struct kj_ctx *ctx, struct kj_migration_status *out, int max, int *n_out,
		    int *current_out);

/* Fails with KJ_ERR_DB and a hint to run "kijun db migrate" unless the schema is current. */
kj_err kj_db_require_current(struct kj_ctx *ctx);

#endif
