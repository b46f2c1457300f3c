/*
 * import.c: one door for every catalogue import: read (bounded), parse strictly, detect
 * the model, hand to its parser, then store all or nothing.
 */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "../base/jsonin.h"
#include "../base/limits.h"
#include "../base/util.h"
#include "../db/db.h"

/* The imported OSCAL catalog a profile's import names: the one whose source file stem is
 * the stem of the import's href (profiles name catalog.xml while we hold catalog.json). */
struct find_catalog {
	const char *stem;
	char code[KJ_MAX_CODE_BYTES + 1];
	int n;
};

static kj_err
catalog_for_profile(struct kj_ctx *ctx, const char *name, json_t *doc, char *code, size_t size)
{
	json_t *imp = json_array_get(json_object_get(json_object_get(doc, "profile"), "imports"), 0);
	const char *href = json_string_value(json_object_get(imp, "href"));
	struct kj_stmt *st = NULL;
	char stem[256];
	const char *base;
	char *dot;
	int row, n = 0;
	kj_err r;

	if (href == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: $.profile.imports[0].href: required", name);
	base = strrchr(href, '/');
	kj_strlcpy(stem, base ? base + 1 : href, sizeof(stem));
	if ((dot = strrchr(stem, '.')) != NULL)
		*dot = '\0';
	r = kj_db_prepare(ctx, "SELECT code, extra FROM edition WHERE source = 'oscal-catalog' ORDER BY id",
			  &st);
	if (r != KJ_OK)
		return r;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		json_t *x = json_loads(kj_stmt_text(st, 1) ? kj_stmt_text(st, 1) : "{}", 0, NULL);
		const char *sf = json_string_value(json_object_get(x, "source-file"));

		if (sf != NULL && strcmp(sf, stem) == 0) {
			kj_strlcpy(code, kj_stmt_text(st, 0), size);
			n++;
		}
		json_decref(x);
	}
	kj_stmt_free(st);
	if (r != KJ_OK)
		return r;
	if (n == 0)
		return kj_failf(ctx, KJ_ERR_NOT_FOUND,
				"%s: the profile imports \"%.200s\", and no imported catalog came from a file of "
				"that name: import the catalog first, or name it with --catalog", name, href);
	if (n > 1)
		return kj_failf(ctx, KJ_ERR_USAGE,
				"%s: several imported catalogs came from \"%.200s\": name one with --catalog",
				name, href);
	return KJ_OK;
}

kj_err
kj_standard_parse_mem(struct kj_ctx *ctx, const char *name, const char *data, size_t len,
		      const struct kj_import_opts *opts, struct kj_edition *ed)
{
	json_t *doc = NULL;
	const char *other;
	char catcode[KJ_MAX_CODE_BYTES + 1];
	struct kj_edition cat;
	kj_err r;

	if (len > KJ_MAX_CATALOG_BYTES)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: %zu bytes, more than the limit of %u", name, len,
				KJ_MAX_CATALOG_BYTES);
	if ((r = kj_json_parse(ctx, name, data, len, &doc)) != KJ_OK)
		return r;
	switch (kj_catalog_detect(doc, &other)) {
	case KJ_MODEL_KIJUN:
		r = kj_kijun_catalog_parse(ctx, name, doc, ed);
		if (r == KJ_OK && opts != NULL && opts->code != NULL) {
			/* Imported under another id, it is another edition: a new public id. */
			ed->code = kj_arena_strdup(&ed->arena, opts->code);
			ed->uuid[0] = '\0';
		}
		break;
	case KJ_MODEL_OSCAL_CATALOG:
		r = kj_oscal_catalog_parse(ctx, name, doc, opts ? opts->code : NULL, ed);
		break;
	case KJ_MODEL_OSCAL_PROFILE:
		if (ctx->db == NULL) {
			r = kj_failf(ctx, KJ_ERR_USAGE, "%s: a profile needs a database holding its catalog",
				     name);
			break;
		}
		if (opts != NULL && opts->catalog != NULL)
			kj_strlcpy(catcode, opts->catalog, sizeof(catcode));
		else if ((r = catalog_for_profile(ctx, name, doc, catcode, sizeof(catcode))) != KJ_OK)
			break;
		kj_edition_init(&cat);
		r = kj_edition_load(ctx, catcode, &cat);
		if (r == KJ_OK)
			r = kj_oscal_profile_resolve(ctx, name, doc, &cat, opts ? opts->code : NULL, ed);
		kj_edition_free(&cat);
		break;
	case KJ_MODEL_OSCAL_OTHER:
		r = kj_failf(ctx, KJ_ERR_INVALID,
			     "%s: $: this is an OSCAL %s, not a catalog or profile (expected \"catalog\" or "
			     "\"profile\" at the top)", name, other);
		break;
	default:
		r = kj_failf(ctx, KJ_ERR_INVALID,
			     "%s: $: not a catalogue (expected kijun JSON with \"format\": \"kijun-catalog\", "
			     "or an OSCAL \"catalog\" or \"profile\")", name);
		break;
	}
	json_decref(doc);
	if (r == KJ_OK)
		r = kj_edition_validate(ctx, name, ed);
	return r;
}

kj_err
kj_standard_import_mem(struct kj_ctx *ctx, const char *name, const char *data, size_t len,
		       const struct kj_import_opts *opts, char *code_out, size_t code_size,
		       size_t *nitems_out)
{
	struct kj_edition ed;
	kj_err r;

	kj_edition_init(&ed);
	r = kj_standard_parse_mem(ctx, name, data, len, opts, &ed);
	if (r == KJ_OK)
		r = kj_edition_store(ctx, name, &ed);
	if (r == KJ_OK) {
		if (code_out != NULL)
			kj_strlcpy(code_out, ed.code, code_size);
		if (nitems_out != NULL)
			*nitems_out = ed.nitems;
	}
	kj_edition_free(&ed);
	return r;
}

kj_err
kj_standard_import_file(struct kj_ctx *ctx, const char *path, const struct kj_import_opts *opts,
			char *code_out, size_t code_size, size_t *nitems_out)
{
	char *data = NULL;
	size_t len = 0;
	kj_err r;

	if ((r = kj_file_read(ctx, path, KJ_MAX_CATALOG_BYTES, &data, &len)) != KJ_OK)
		return r;
	r = kj_standard_import_mem(ctx, path, data, len, opts, code_out, code_size, nitems_out);
	free(data);
	return r;
}
