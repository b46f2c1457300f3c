/*
 * fuzz_government.c: drives the organisation-list importer with arbitrary bytes against a
 * fresh in-memory database. A rejected input must leave no organisation behind.
 */
#include <stdint.h>
#include <stdlib.h>

#include <sodium.h>

#include "db/db.h"
#include "db/migrate.h"
#include "formats/government.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long
count_orgs(struct kj_ctx *ctx)
{
	struct kj_stmt *st = NULL;
	long n = -1;
	int row;

	if (kj_db_prepare(ctx, "SELECT COUNT(*) FROM org", &st) == KJ_OK &&
	    kj_stmt_step(ctx, st, &row) == KJ_OK && row)
		n = (long)kj_stmt_int(st, 0);
	kj_stmt_free(st);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kj_ctx ctx;
	struct kj_db *db = NULL;
	size_t n = 0;

	if (sodium_init() < 0)
		abort();
	kj_ctx_init(&ctx);
	if (kj_db_open(&ctx, "sqlite::memory:", &db) != KJ_OK || kj_db_migrate(&ctx, NULL) != KJ_OK)
		abort();
	if (kj_government_import_mem(&ctx, "input.json", (const char *)data, size, &n) != KJ_OK) {
		if (ctx.msg[0] == '\0' || count_orgs(&ctx) != 0)
			abort();	/* a failure says why and leaves nothing behind */
	} else if (count_orgs(&ctx) != (long)n) {
		abort();
	}
	kj_db_close(db);
	return 0;
}
