/*
 * migrate.c: applies the numbered migrations of migrations/ (built into the binary) and
 * reports which are applied. The schema version lives in the table schema_migration.
 */
#include "migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/embedded.h"
#include "../base/util.h"
#include "db.h"

static int
migration_version(const char *name)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v;
}

static kj_err
ensure_table(struct kj_ctx *ctx)
{
	return kj_db_exec(ctx, "CREATE TABLE IF NOT EXISTS schema_migration ("
			       "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
			       "applied_at TEXT NOT NULL)");
}

static kj_err
current_version(struct kj_ctx *ctx, int *out)
{
	struct kj_stmt *st = NULL;
	kj_err r;
	int row;

	r = kj_db_prepare(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migration", &st);
	if (r == KJ_OK)
		r = kj_stmt_step(ctx, st, &row);
	if (r == KJ_OK)
		*out = row ? (int)kj_stmt_int(st, 0) : 0;
	kj_stmt_free(st);
	return r;
}

/* *done_out: 1 when migration v is recorded as applied. */
static kj_err
applied(struct kj_ctx *ctx, int v, int *done_out)
{
	struct kj_stmt *st = NULL;
	kj_err r;

	r = kj_db_prepare(ctx, "SELECT 1 FROM schema_migration WHERE version = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, v)) == KJ_OK)
		r = kj_stmt_step(ctx, st, done_out);
	kj_stmt_free(st);
	return r;
}

/* Leaves *cur alone when every known migration is recorded; otherwise sets it to the one
 * below the first missing, so the caller asks for a migration. */
static kj_err
all_applied(struct kj_ctx *ctx, int *cur)
{
	const struct kj_embedded *m;
	int done = 0;
	kj_err r;

	for (m = kj_embedded_migrations; m->name != NULL; m++) {
		if ((r = applied(ctx, migration_version(m->name), &done)) != KJ_OK)
			return r;
		if (!done) {
			*cur = migration_version(m->name) - 1;
			return KJ_OK;
		}
	}
	return KJ_OK;
}

static int
newest_known(void)
{
	const struct kj_embedded *m;
	int v = 0;

	for (m = kj_embedded_migrations; m->name != NULL; m++) {
		if (migration_version(m->name) > v)
			v = migration_version(m->name);
	}
	return v;
}

kj_err
kj_db_migrate(struct kj_ctx *ctx, int *napplied_out)
{
	return kj_db_migrate_to(ctx, newest_known(), napplied_out);
}

kj_err
kj_db_migrate_to(struct kj_ctx *ctx, int to, int *napplied_out)
{
	const struct kj_embedded *m;
	struct kj_stmt *ins = NULL;
	char now[21];
	int cur = 0, n = 0;
	kj_err r;

	if (to < 1 || to > newest_known())
		return kj_failf(ctx, KJ_ERR_USAGE, "--to: expected a schema version from 1 to %d",
				newest_known());
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = ensure_table(ctx)) != KJ_OK)
		goto out;
	if ((r = current_version(ctx, &cur)) != KJ_OK)
		goto out;
	if (cur > newest_known()) {
		r = kj_failf(ctx, KJ_ERR_DB,
			     "the database schema is version %d, newer than this kijun knows (%d)",
			     cur, newest_known());
		goto out;
	}
	if (cur > to) {
		r = kj_failf(ctx, KJ_ERR_USAGE, "--to: the schema is already at version %d; "
			     "migrations are never undone", cur);
		goto out;
	}
	r = kj_db_prepare(ctx, "INSERT INTO schema_migration (version, name, applied_at) "
			       "VALUES (?, ?, ?)", &ins);
	if (r != KJ_OK)
		goto out;
	kj_time_format(kj_now(ctx), now);
	for (m = kj_embedded_migrations; m->name != NULL; m++) {
		int v = migration_version(m->name), done = 0;

		if (v > to)
			break;

		/* Each migration not yet recorded is applied, in order: one numbered below the
		 * newest applied (work merged from two branches) is not skipped. */
		if (v <= cur && (r = applied(ctx, v, &done)) != KJ_OK)
			goto out;
		if (v <= cur && done)
			continue;
		if ((r = kj_db_exec(ctx, m->data)) != KJ_OK) {
			kj_failf_prefix(ctx, r, "migration %s", m->name);
			goto out;
		}
		kj_stmt_reset(ins);
		if ((r = kj_stmt_bind_int(ctx, ins, 1, v)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, ins, 2, m->name)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, ins, 3, now)) != KJ_OK ||
		    (r = kj_stmt_run(ctx, ins)) != KJ_OK)
			goto out;
		n++;
	}
out:
	kj_stmt_free(ins);
	r = kj_tx_end(ctx, r);
	if (r == KJ_OK && napplied_out != NULL)
		*napplied_out = n;
	return r;
}

kj_err
kj_db_status(struct kj_ctx *ctx, struct kj_migration_status *out, int max, int *n_out,
	     int *current_out)
{
	const struct kj_embedded *m;
	struct kj_stmt *st = NULL;
	int n = 0, row;
	kj_err r;

	if ((r = ensure_table(ctx)) != KJ_OK)
		return r;
	if ((r = current_version(ctx, current_out)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "SELECT applied_at FROM schema_migration WHERE version = ?", &st);
	if (r != KJ_OK)
		return r;
	for (m = kj_embedded_migrations; m->name != NULL && n < max; m++, n++) {
		out[n].version = migration_version(m->name);
		out[n].name = m->name;
		out[n].applied = 0;
		out[n].applied_at[0] = '\0';
		kj_stmt_reset(st);
		if ((r = kj_stmt_bind_int(ctx, st, 1, out[n].version)) != KJ_OK ||
		    (r = kj_stmt_step(ctx, st, &row)) != KJ_OK)
			break;
		if (row) {
			out[n].applied = 1;
			kj_strlcpy(out[n].applied_at, kj_stmt_text(st, 0), sizeof(out[n].applied_at));
		}
	}
	kj_stmt_free(st);
	*n_out = n;
	return r;
}

kj_err
kj_db_require_current(struct kj_ctx *ctx)
{
	int cur = 0;
	kj_err r;

	if ((r = ensure_table(ctx)) != KJ_OK)
		return r;
	if ((r = current_version(ctx, &cur)) != KJ_OK)
		return r;
	if (cur == newest_known() && (r = all_applied(ctx, &cur)) != KJ_OK)
		return r;
	if (cur < newest_known())
		return kj_failf(ctx, KJ_ERR_DB,
				"the database schema is at version %d, this kijun needs %d: run "
				"\"kijun db migrate\"", cur, newest_known());
	if (cur > newest_known())
		return kj_failf(ctx, KJ_ERR_DB,
				"the database schema is version %d, newer than this kijun knows (%d)",
				cur, newest_known());
	return KJ_OK;
}
