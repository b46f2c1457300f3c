/*
 * test_catalog.c: the catalogue formats. kijun JSON in and out, every kind of bad input
 * with the message it must give, NIST SP 800-53 rev5 through OSCAL import and export, and
 * profiles resolved into baselines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sodium.h>

#include "base/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "formats/catalog.h"

static const char *
shared(void)
{
	const char *s = getenv("KIJUN_SHARED_DATA");

	if (s == NULL || *s == '\0')
		s = getenv("KIJUN_SHARED_DATA_DEFAULT");
	return s ? s : "../shared/data";
}

static int
have_shared(void)
{
	struct stat st;
	char p[1024];

	snprintf(p, sizeof(p), "%s/oscal", shared());
	if (stat(p, &st) == 0)
		return 1;
	fprintf(stderr, "skipped: %s is missing\n", p);
	return 0;
}

static char *
slurp(struct kj_ctx *ctx, const char *path, size_t *len)
{
	char *data = NULL;

	if (kj_file_read(ctx, path, 64u << 20, &data, len) != KJ_OK)
		fail_msg("%s", ctx->msg);
	return data;
}

static void
parse_file(struct kj_ctx *ctx, const char *path, struct kj_edition *ed)
{
	size_t len;
	char *data = slurp(ctx, path, &len);

	kj_edition_init(ed);
	if (kj_standard_parse_mem(ctx, path, data, len, NULL, ed) != KJ_OK)
		fail_msg("%s", ctx->msg);
	free(data);
}

static size_t
count_kind(const struct kj_edition *ed, const char *kind)
{
	size_t i, n = 0;

	for (i = 0; i < ed->nitems; i++)
		n += strcmp(ed->items[i].kind, kind) == 0;
	return n;
}

static void
test_demo_editions(void **state)
{
	struct kj_ctx ctx;
	struct kj_edition a, b;
	char path[1024];
	json_t *j;
	char *s;
	size_t i;

	(void)state;
	kj_ctx_init(&ctx);
	snprintf(path, sizeof(path), "%s/data/demo/standard-fy2023.json", getenv("KIJUN_SOURCE_DIR"));
	parse_file(&ctx, path, &a);
	/* The issue asks for all eight parts and at least 80 requirements. */
	assert_int_equal(count_kind(&a, "part"), 8);
	assert_true(count_kind(&a, "requirement") >= 80);
	assert_true(count_kind(&a, "measure") > 0);
	assert_true(count_kind(&a, "subitem") > 0);
	for (i = 0; i < a.nitems; i++) {
		if (kj_item_is_requirement(a.items[i].kind))
			assert_true(a.items[i].text_ja != NULL && a.items[i].text_en != NULL);
	}

	/* kijun JSON out and in again gives the same edition. */
	j = kj_kijun_catalog_write(&a);
	s = json_dumps(j, 0);
	json_decref(j);
	kj_edition_init(&b);
	if (kj_standard_parse_mem(&ctx, "again.json", s, strlen(s), NULL, &b) != KJ_OK)
		fail_msg("%s", ctx.msg);
	free(s);
	assert_int_equal(a.nitems, b.nitems);
	for (i = 0; i < a.nitems; i++) {
		assert_string_equal(a.items[i].number, b.items[i].number);
		assert_int_equal(a.items[i].parent, b.items[i].parent);
		assert_string_equal(a.items[i].kind, b.items[i].kind);
	}
	assert_string_equal(a.numbering, b.numbering);
	kj_edition_free(&a);
	kj_edition_free(&b);
}

struct bad_case {
	const char *json;
	const char *expect;	/* a part of the message */
};

static void
test_bad_input(void **state)
{
	static const struct bad_case cases[] = {
		{"{\"format\": \"kijun-catalog\",\n  \"version\": 1,\n  \"edition\": {", "bad.json:3:"},
		{"[1,2]", "bad.json: $: not a catalogue"},
		{"{\"format\":\"kijun-catalog\",\"version\":2,\"edition\":{\"id\":\"e\",\"label_en\":\"E\"},\"items\":[]}",
		 "bad.json: $.version: expected 1"},
		{"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e\",\"label_en\":\"E\",\"colour\":1},\"items\":[]}",
		 "bad.json: $.edition: unknown field \"colour\""},
		{"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e\",\"label_en\":\"E\"},\"items\":["
		 "{\"kind\":\"part\",\"number\":\"1\",\"title_en\":\"P\",\"items\":[{\"kind\":\"group\",\"number\":\"1(1)\",\"title_en\":\"G\",\"size\":3}]}]}",
		 "bad.json: $.items[0].items[0]: unknown field \"size\""},
		{"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e\",\"label_en\":\"E\"},\"items\":["
		 "{\"kind\":\"part\",\"number\":\"1\",\"title_en\":\"P\"},{\"kind\":\"part\",\"number\":\"1\",\"title_en\":\"Q\"}]}",
		 "bad.json: $.items[1].number: \"1\" is used twice"},
		{"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e\",\"label_en\":\"E\"},\"items\":["
		 "{\"kind\":\"part\",\"number\":\"1\",\"title_en\":\"P\"},{\"kind\":\"requirement\",\"number\":\"1(a)\",\"parent\":\"1(9)\",\"text_en\":\"x\"}]}",
		 "bad.json: $.items[1].parent: no item numbered \"1(9)\""},
		{"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e\",\"label_en\":\"E\"},\"items\":["
		 "{\"kind\":\"part\",\"number\":\"1\",\"parent\":\"2\",\"title_en\":\"a\"},{\"kind\":\"part\",\"number\":\"2\",\"parent\":\"1\",\"title_en\":\"b\"}]}",
		 "the parents form a cycle"},
		{"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e\",\"label_en\":\"E\"},\"items\":["
		 "{\"kind\":\"group\",\"number\":\"1\",\"title_en\":\"G\",\"items\":[{\"kind\":\"subitem\",\"number\":\"1(ア)\",\"text_ja\":\"x\"}]}]}",
		 "$.items[0].items[0].kind: a subitem belongs under a requirement or measure"},
		{"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e\",\"label_en\":\"E\"},\"items\":["
		 "{\"kind\":\"requirement\",\"number\":\"1\",\"text_en\":\"x\",\"level\":\"high\"}]}",
		 "$.items[0].level: expected basic, enhanced or additional, not \"high\""},
		{"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e\",\"label_en\":\"E\"},\"items\":["
		 "{\"kind\":\"requirement\",\"number\":\"1\"}]}",
		 "$.items[0].text_ja: a requirement, measure or sub-item needs text_ja or text_en"},
		{"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e\",\"label_en\":\"E\",\"effective_on\":\"2025-02-30\"},\"items\":[]}",
		 "$.edition.effective_on: expected a date"},
		{"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e\",\"label_en\":\"E\",\"numbering\":{\"levels\":[{\"kind\":\"part\",\"pattern\":\"^[0-9]$\"}]}},\"items\":["
		 "{\"kind\":\"part\",\"number\":\"10\",\"title_en\":\"P\"}]}",
		 "item 10: the number does not follow the edition's numbering for a part"},
		{"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e\",\"label_en\":\"E\"},\"items\":[{\"kind\":\"part\",\"number\":\"1\",\"title_en\":\"P\"}],"
		 "\"correspondence\":[{\"old\":\"1\",\"new\":\"7\"}]}",
		 "$.correspondence[0].new: no item numbered \"7\""},
		{"{\"catalog\":{\"uuid\":\"not-a-uuid\",\"metadata\":{\"title\":\"t\"}}}", "$.catalog.uuid: expected a UUID"},
		{"{\"catalog\":{\"uuid\":\"3f1c6d4e-5a2b-4c8d-9e0f-1a2b3c4d5e6f\",\"metadata\":{\"title\":\"t\"},"
		 "\"groups\":[{\"id\":\"g\",\"title\":\"G\",\"controls\":[{\"id\":\"c\"}]}]}}",
		 "$.catalog.groups[0].controls[0].title: required"},
		{"{\"assessment-results\":{}}", "this is an OSCAL assessment-results, not a catalog or profile"},
	};
	struct kj_ctx ctx;
	size_t i;

	(void)state;
	kj_ctx_init(&ctx);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kj_edition ed;
		kj_err r;

		kj_edition_init(&ed);
		kj_ctx_clear(&ctx);
		r = kj_standard_parse_mem(&ctx, "bad.json", cases[i].json, strlen(cases[i].json), NULL, &ed);
		kj_edition_free(&ed);
		if (r == KJ_OK)
			fail_msg("case %zu was accepted", i);
		if (strstr(ctx.msg, cases[i].expect) == NULL)
			fail_msg("case %zu: got \"%s\", expected it to contain \"%s\"", i, ctx.msg, cases[i].expect);
	}
}

static void
test_oversize(void **state)
{
	struct kj_ctx ctx;
	struct kj_edition ed;
	size_t n = (64u << 20) + 1;
	char *big = malloc(n);

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	kj_ctx_init(&ctx);
	kj_edition_init(&ed);
	assert_int_equal(kj_standard_parse_mem(&ctx, "big.json", big, n, NULL, &ed), KJ_ERR_TOO_LARGE);
	assert_non_null(strstr(ctx.msg, "big.json"));
	kj_edition_free(&ed);
	free(big);
}

static void
test_nist_roundtrip(void **state)
{
	struct kj_ctx ctx;
	struct kj_edition ed;
	char path[1024];
	json_t *orig, *out, *oc, *xc;
	size_t len;
	char *data;

	(void)state;
	if (!have_shared())
		skip();
	kj_ctx_init(&ctx);
	snprintf(path, sizeof(path), "%s/oscal/nist-800-53-rev5/NIST_SP-800-53_rev5_catalog.json", shared());
	data = slurp(&ctx, path, &len);
	orig = json_loadb(data, len, 0, NULL);
	free(data);
	assert_non_null(orig);
	parse_file(&ctx, path, &ed);
	/* Every control and enhancement: 1189, in 20 families. */
	assert_int_equal(count_kind(&ed, "family"), 20);
	assert_int_equal(count_kind(&ed, "control") + count_kind(&ed, "enhancement"), 1189);
	out = kj_oscal_catalog_write(&ed, "2026-01-01T00:00:00Z");
	assert_non_null(out);
	oc = json_object_get(orig, "catalog");
	xc = json_object_get(out, "catalog");
	/* Groups, controls, parameters, parts and back-matter come back exactly. */
	assert_true(json_equal(json_object_get(oc, "groups"), json_object_get(xc, "groups")));
	assert_true(json_equal(json_object_get(oc, "back-matter"), json_object_get(xc, "back-matter")));
	assert_string_equal(json_string_value(json_object_get(xc, "uuid")), json_string_value(json_object_get(oc, "uuid")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(xc, "metadata"), "oscal-version")), "1.0.6");
	json_decref(orig);
	json_decref(out);
	kj_edition_free(&ed);
}

static void
import_or_fail(struct kj_ctx *ctx, const char *path, const char *code)
{
	struct kj_import_opts o = {.code = code, .catalog = NULL};

	if (kj_standard_import_file(ctx, path, &o, NULL, 0, NULL) != KJ_OK)
		fail_msg("%s: %s", path, ctx->msg);
}

static void
test_nist_baselines(void **state)
{
	static const struct {
		const char *name;
		size_t n;
	} baselines[] = {{"LOW", 149}, {"MODERATE", 287}, {"HIGH", 370}, {"PRIVACY", 96}};
	struct kj_ctx ctx;
	struct kj_db *db;
	char path[1024], code[64];
	size_t i;

	(void)state;
	if (!have_shared())
		skip();
	kj_ctx_init(&ctx);
	assert_int_equal(kj_db_open(&ctx, "sqlite::memory:", &db), KJ_OK);
	assert_int_equal(kj_db_migrate(&ctx, NULL), KJ_OK);
	snprintf(path, sizeof(path), "%s/oscal/nist-800-53-rev5/NIST_SP-800-53_rev5_catalog.json", shared());
	import_or_fail(&ctx, path, "nist");
	for (i = 0; i < 4; i++) {
		struct kj_edition ed;
		long at;

		snprintf(path, sizeof(path), "%s/oscal/nist-800-53-rev5/NIST_SP-800-53_rev5_%s-baseline_profile.json",
			 shared(), baselines[i].name);
		snprintf(code, sizeof(code), "nist-%zu", i);
		import_or_fail(&ctx, path, code);
		kj_edition_init(&ed);
		assert_int_equal(kj_edition_load(&ctx, code, &ed), KJ_OK);
		assert_int_equal(count_kind(&ed, "control") + count_kind(&ed, "enhancement"), baselines[i].n);
		assert_string_equal(ed.source, "oscal-profile");
		if (i == 0) {
			/* LOW keeps AT-2(2) under AT-2, and leaves AC-2(1) out. */
			at = kj_edition_find(&ed, "at-2.2");
			assert_true(at >= 0);
			assert_string_equal(ed.items[ed.items[at].parent].number, "at-2");
			assert_int_equal(kj_edition_find(&ed, "ac-2.1"), -1);
		}
		kj_edition_free(&ed);
	}
	kj_db_close(db);
}

static void
test_profile_modify(void **state)
{
	static const char cat[] =
		"{\"catalog\":{\"uuid\":\"3f1c6d4e-5a2b-4c8d-9e0f-1a2b3c4d5e6f\",\"metadata\":{\"title\":\"t\","
		"\"last-modified\":\"2024-01-01T00:00:00Z\",\"version\":\"1\",\"oscal-version\":\"1.0.6\"},"
		"\"groups\":[{\"id\":\"ac\",\"title\":\"Access\",\"controls\":["
		"{\"id\":\"ac-1\",\"title\":\"One\",\"params\":[{\"id\":\"ac-1_prm_1\",\"label\":\"freq\"}],"
		"\"props\":[{\"name\":\"label\",\"value\":\"AC-1\"}],"
		"\"parts\":[{\"id\":\"ac-1_smt\",\"name\":\"statement\",\"prose\":\"Do {{ insert: param, ac-1_prm_1 }}.\"},"
		"{\"id\":\"ac-1_gdn\",\"name\":\"guidance\",\"prose\":\"Why.\"}],"
		"\"controls\":[{\"id\":\"ac-1.1\",\"title\":\"Sub\"}]},"
		"{\"id\":\"ac-2\",\"title\":\"Two\"},{\"id\":\"ac-3\",\"title\":\"Three\"}]},"
		"{\"id\":\"au\",\"title\":\"Audit\",\"controls\":[{\"id\":\"au-1\",\"title\":\"A\"}]}]}}";
	static const char prof[] =
		"{\"profile\":{\"uuid\":\"0b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e\",\"metadata\":{\"title\":\"p\"},"
		"\"imports\":[{\"href\":\"cat.json\",\"include-controls\":[{\"with-ids\":[\"ac-1\"],\"with-child-controls\":\"yes\"},"
		"{\"matching\":[{\"pattern\":\"ac-*\"}]}],\"exclude-controls\":[{\"with-ids\":[\"ac-2\"]}]}],"
		"\"modify\":{\"set-parameters\":[{\"param-id\":\"ac-1_prm_1\",\"values\":[\"monthly\"]}],"
		"\"alters\":[{\"control-id\":\"ac-1\",\"removes\":[{\"by-name\":\"guidance\"}],"
		"\"adds\":[{\"position\":\"ending\",\"props\":[{\"name\":\"priority\",\"value\":\"P1\"}]}]}]}}}";
	struct kj_ctx ctx;
	struct kj_db *db;
	struct kj_edition ed;
	json_t *x;
	long i;

	(void)state;
	kj_ctx_init(&ctx);
	assert_int_equal(kj_db_open(&ctx, "sqlite::memory:", &db), KJ_OK);
	assert_int_equal(kj_db_migrate(&ctx, NULL), KJ_OK);
	assert_int_equal(kj_standard_import_mem(&ctx, "cat.json", cat, sizeof(cat) - 1, NULL, NULL, 0, NULL), KJ_OK);
	/* The profile names cat.json: the catalog imported from a file of that name is found. */
	assert_int_equal(kj_standard_import_mem(&ctx, "prof.json", prof, sizeof(prof) - 1, NULL, NULL, 0, NULL), KJ_OK);
	kj_edition_init(&ed);
	assert_int_equal(kj_edition_load(&ctx, "prof", &ed), KJ_OK);
	assert_int_equal(ed.nitems, 4);	/* ac, ac-1, ac-1.1, ac-3; not ac-2, not au */
	assert_int_equal(kj_edition_find(&ed, "ac-2"), -1);
	assert_int_equal(kj_edition_find(&ed, "au"), -1);
	i = kj_edition_find(&ed, "ac-1");
	assert_true(i >= 0);
	x = json_loads(ed.items[i].extra, 0, NULL);
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(json_object_get(x, "params"), 0), "values"), 0)), "monthly");
	assert_int_equal(json_array_size(json_object_get(x, "parts")), 1);
	assert_int_equal(json_array_size(json_object_get(x, "props")), 2);
	json_decref(x);
	kj_edition_free(&ed);
	/* A profile whose catalog is not imported says so. */
	kj_db_exec(&ctx, "DELETE FROM edition");
	assert_int_equal(kj_standard_import_mem(&ctx, "p2.json", prof, sizeof(prof) - 1, NULL, NULL, 0, NULL),
			 KJ_ERR_NOT_FOUND);
	assert_non_null(strstr(ctx.msg, "import the catalog first"));
	kj_db_close(db);
}

static void
test_group_without_id(void **state)
{
	static const char cat[] =
		"{\"catalog\":{\"uuid\":\"3f1c6d4e-5a2b-4c8d-9e0f-1a2b3c4d5e6f\",\"metadata\":{\"title\":\"t\"},"
		"\"groups\":[{\"title\":\"No id\",\"controls\":[{\"id\":\"c-1\",\"title\":\"C\"}]}]}}";
	struct kj_ctx ctx;
	struct kj_edition ed;
	json_t *out, *g;

	(void)state;
	kj_ctx_init(&ctx);
	kj_edition_init(&ed);
	assert_int_equal(kj_standard_parse_mem(&ctx, "c.json", cat, sizeof(cat) - 1, NULL, &ed), KJ_OK);
	assert_int_equal(ed.nitems, 2);
	out = kj_oscal_catalog_write(&ed, "2026-01-01T00:00:00Z");
	g = json_array_get(json_object_get(json_object_get(out, "catalog"), "groups"), 0);
	/* The number kijun made up for it does not become an OSCAL id. */
	assert_null(json_object_get(g, "id"));
	assert_string_equal(json_string_value(json_object_get(g, "title")), "No id");
	json_decref(out);
	kj_edition_free(&ed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_editions),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_nist_roundtrip),
		cmocka_unit_test(test_nist_baselines),
		cmocka_unit_test(test_profile_modify),
		cmocka_unit_test(test_group_without_id),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
