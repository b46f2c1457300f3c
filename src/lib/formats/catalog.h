/*
 * catalog.h: catalogue formats in and out: kijun JSON (docs/catalog-format.md), OSCAL
 * catalogs and OSCAL profiles (resolved against an imported catalog into a baseline).
 *
 * Parsers fill a struct kj_edition (initialised by the caller) and leave storing to
 * kj_edition_store, so that a parse failure never touches the database. Every message
 * names the source and the JSON path.
 */
#ifndef KJ_CATALOG_H
#define KJ_CATALOG_H

#include <jansson.h>

#include "../base/err.h"
#include "../model/standard.h"

enum kj_catalog_model {
	KJ_MODEL_UNKNOWN = 0,
	KJ_MODEL_KIJUN,		/* {"format": "kijun-catalog", ...} */
	KJ_MODEL_OSCAL_CATALOG,	/* {"catalog": {...}} */
	KJ_MODEL_OSCAL_PROFILE,	/* {"profile": {...}} */
	KJ_MODEL_OSCAL_OTHER	/* another OSCAL model: not a catalogue */
};

/* Which model a parsed document is. */
enum kj_catalog_model kj_catalog_detect(json_t *doc, const char **other_out);

/* kijun JSON → edition. */
kj_err kj_kijun_catalog_parse(struct kj_ctx *ctx, const char *name, json_t *doc,
			      struct kj_edition *ed);
/* edition → kijun JSON (a new reference; NULL when out of memory). */
json_t *kj_kijun_catalog_write(const struct kj_edition *ed);

/* OSCAL catalog → edition. code names the edition (NULL: derived from name). */
kj_err kj_oscal_catalog_parse(struct kj_ctx *ctx, const char *name, json_t *doc,
			      const char *code, struct kj_edition *ed);
/* OSCAL profile applied to catalog → edition (the resolved baseline). */
kj_err kj_oscal_profile_resolve(struct kj_ctx *ctx, const char *name, json_t *doc,
				const struct kj_edition *catalog, const char *code,
				struct kj_edition *ed);
/* edition → OSCAL 1.0.6 catalog (a new reference; NULL when out of memory). now is the
 * export time (ISO 8601) written as last-modified. */
json_t *kj_oscal_catalog_write(const struct kj_edition *ed, const char *now);

/* An OSCAL token (for ids such as control-id) standing for a kijun number:
 * "2.1.1(1)(a)" gives "kj-2.1.1_1_a". Numbers that are tokens already stay as they are. */
void kj_oscal_token(const char *number, char *out, size_t size);

/* Reads, detects and parses a catalogue file of any supported model and stores it.
 * For a profile, catalog names the imported catalog edition to resolve against (NULL:
 * the one the profile's import names, when exactly one imported catalog matches). code
 * overrides the edition's id (NULL: from the file). On success *code_out (may be NULL)
 * gets the stored edition's code, in buf of size bufsize. */
struct kj_import_opts {
	const char *code;
	const char *catalog;
};
kj_err kj_standard_import_file(struct kj_ctx *ctx, const char *path,
			       const struct kj_import_opts *opts, char *code_out, size_t code_size,
			       size_t *nitems_out);
/* The same for a document already in memory (the demo data, the fuzz harness). */
kj_err kj_standard_import_mem(struct kj_ctx *ctx, const char *name, const char *data, size_t len,
			      const struct kj_import_opts *opts, char *code_out, size_t code_size,
			      size_t *nitems_out);
/* Parses without storing (validation included): the fuzz harness and "import --check". */
kj_err kj_standard_parse_mem(struct kj_ctx *ctx, const char *name, const char *data, size_t len,
			     const struct kj_import_opts *opts, struct kj_edition *ed);

#endif
