/*
 * fuzz_catalog.c: drives every catalogue importer (kijun JSON, OSCAL catalog, OSCAL
 * profile against a small catalog) with arbitrary bytes, stores what parses in a fresh
 * in-memory SQLite database, and reads it back out through both exporters. Any crash,
 * leak, sanitizer report or an import that is accepted but cannot be exported again is a
 * finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db/db.h"
#include "db/migrate.h"
#include "formats/catalog.h"

static const char small_catalog[] =
	"{\"catalog\":{\"uuid\":\"3f1c6d4e-5a2b-4c8d-9e0f-1a2b3c4d5e6f\",\"metadata\":{\"title\":\"t\","
	"\"last-modified\":\"2024-01-01T00:00:00Z\",\"version\":\"1\",\"oscal-version\":\"1.0.6\"},"
	"\"groups\":[{\"id\":\"ac\",\"title\":\"Access\",\"controls\":[{\"id\":\"ac-1\",\"title\":\"One\","
	"\"controls\":[{\"id\":\"ac-1.1\",\"title\":\"Sub\"}]},{\"id\":\"ac-2\",\"title\":\"Two\"}]}]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kj_ctx ctx;
	struct kj_db *db = NULL;
	struct kj_import_opts opts = {.code = NULL, .catalog = NULL};
	struct kj_edition ed;
	char code[128];
	size_t n;

	if (sodium_init() < 0)
		abort();
	kj_ctx_init(&ctx);
	if (kj_db_open(&ctx, "sqlite::memory:", &db) != KJ_OK || kj_db_migrate(&ctx, NULL) != KJ_OK)
		abort();
	/* A catalog for profiles to resolve against; its source file is named like the
	 * href a fuzzed profile is most likely to carry. */
	if (kj_standard_import_mem(&ctx, "catalog.json", small_catalog, sizeof(small_catalog) - 1, NULL,
				   NULL, 0, NULL) != KJ_OK)
		abort();
	if (kj_standard_import_mem(&ctx, "input.json", (const char *)data, size, &opts, code,
				   sizeof(code), &n) == KJ_OK) {
		json_t *a, *b;
		char now[] = "2026-01-01T00:00:00Z";

		kj_edition_init(&ed);
		if (kj_edition_load(&ctx, code, &ed) != KJ_OK)
			abort();
		if (ed.nitems != n)
			abort();
		a = kj_kijun_catalog_write(&ed);
		b = kj_oscal_catalog_write(&ed, now);
		if (a == NULL || b == NULL)
			abort();
		json_decref(a);
		json_decref(b);
		kj_edition_free(&ed);
	} else if (ctx.msg[0] == '\0') {
		abort();	/* every failure says why */
	}
	kj_db_close(db);
	return 0;
}
