/*
 * test_diff.c: the edition diff. With the demo editions' correspondence table every kind
 * of change must come out as the table says (data/demo/CHANGES.md is the oracle); without
 * a table, the similarity fallback must still find each kind on a small made-up pair.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "base/util.h"
#include "engine/diff.h"
#include "formats/catalog.h"

static void
load(struct kj_ctx *ctx, const char *file, struct kj_edition *ed)
{
	char path[1024], *data;
	size_t len;

	snprintf(path, sizeof(path), "%s/data/demo/%s", getenv("KIJUN_SOURCE_DIR"), file);
	kj_edition_init(ed);
	if (kj_file_read(ctx, path, 1u << 24, &data, &len) != KJ_OK ||
	    kj_standard_parse_mem(ctx, path, data, len, NULL, ed) != KJ_OK)
		fail_msg("%s", ctx->msg);
	free(data);
}

static const struct kj_diff_entry *
find(const struct kj_diff *d, const struct kj_edition *old, const struct kj_edition *nw,
     const char *o, const char *n)
{
	size_t i, k;

	for (i = 0; i < d->n; i++) {
		const struct kj_diff_entry *e = &d->v[i];
		int ho = o == NULL, hn = n == NULL;

		for (k = 0; k < e->nold; k++)
			ho |= o != NULL && strcmp(old->items[e->old[k]].number, o) == 0;
		for (k = 0; k < e->nnew; k++)
			hn |= n != NULL && strcmp(nw->items[e->new_[k]].number, n) == 0;
		if (ho && hn && (o != NULL || e->nold == 0) && (n != NULL || e->nnew == 0))
			return e;
	}
	return NULL;
}

static void
test_similarity(void **state)
{
	(void)state;
	assert_true(kj_text_similarity("abc def", "abc def") > 0.999);
	assert_true(kj_text_similarity("abcdef", "uvwxyz") < 0.001);
	assert_true(kj_text_similarity("職員等は、情報を適切に取り扱わなければならない。",
				       "職員等は、情報を常に適切に取り扱わなければならない。") > 0.8);
	/* Case and runs of white space do not count. */
	assert_true(kj_text_similarity("Keep  the LOG", "keep the log") > 0.999);
}

static void
test_demo_with_table(void **state)
{
	struct kj_ctx ctx;
	struct kj_edition a, b;
	struct kj_diff d;
	const struct kj_diff_entry *e;

	(void)state;
	kj_ctx_init(&ctx);
	load(&ctx, "standard-fy2023.json", &a);
	load(&ctx, "standard-fy2025.json", &b);
	assert_int_equal(kj_diff_editions(&ctx, &a, &b, 1, &d), KJ_OK);
	assert_true(d.used_table);
	/* The counts of CHANGES.md: renumbered counts both with and without text changes. */
	assert_int_equal(d.count[KJ_CHANGE_SAME], 220);
	assert_int_equal(d.count[KJ_CHANGE_CHANGED], 10);
	assert_int_equal(d.count[KJ_CHANGE_RENUMBERED], 16 + 3);
	assert_int_equal(d.count[KJ_CHANGE_SPLIT], 3);
	assert_int_equal(d.count[KJ_CHANGE_MERGED], 3);
	assert_int_equal(d.count[KJ_CHANGE_ADDED], 25);
	assert_int_equal(d.count[KJ_CHANGE_REMOVED], 7);

	e = find(&d, &a, &b, "7.1.4(1)(a)", "7.1.4(1)(c)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_SPLIT);
	assert_int_equal(e->nnew, 3);
	e = find(&d, &a, &b, "3.1.1(5)(b)", "3.1.1(5)(a)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_MERGED);
	assert_int_equal(e->nold, 2);
	e = find(&d, &a, &b, "2.1.2(1)(a)", "2.1.3(1)(a)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_RENUMBERED);
	assert_false(e->text_changed);
	e = find(&d, &a, &b, "2.1.2(1)(b)", "2.1.3(1)(b)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_RENUMBERED);
	assert_true(e->text_changed);
	e = find(&d, &a, &b, "2.2.3(2)(a)", "2.2.3(2)(a)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_CHANGED);
	e = find(&d, &a, &b, NULL, "7.3.1(1)(a)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_ADDED);
	e = find(&d, &a, &b, "6.2.2(1)(c)", NULL);
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_REMOVED);
	kj_diff_free(&d);

	/* Without the table the fallback still finds splits and merges in the demo. */
	assert_int_equal(kj_diff_editions(&ctx, &a, &b, 0, &d), KJ_OK);
	assert_false(d.used_table);
	assert_true(d.count[KJ_CHANGE_SPLIT] >= 1);
	assert_true(d.count[KJ_CHANGE_MERGED] >= 1);
	assert_true(d.count[KJ_CHANGE_SAME] >= 200);
	kj_diff_free(&d);
	kj_edition_free(&a);
	kj_edition_free(&b);
}

#define REQ(n, t) "{\"kind\":\"requirement\",\"number\":\"" n "\",\"text_en\":\"" t "\"}"

static void
parse_str(struct kj_ctx *ctx, const char *json, struct kj_edition *ed)
{
	kj_edition_init(ed);
	if (kj_standard_parse_mem(ctx, "t.json", json, strlen(json), NULL, ed) != KJ_OK)
		fail_msg("%s", ctx->msg);
}

static void
test_fallback_kinds(void **state)
{
	static const char old[] = "{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"o\",\"label_en\":\"E\"},"
		"\"items\":[{\"kind\":\"group\",\"number\":\"1\",\"title_en\":\"G\",\"items\":["
		REQ("1(a)", "Staff must lock their terminals when they leave their desks.") ","
		REQ("1(b)", "The chief officer must keep an inventory of servers and review it every year.") ","
		REQ("1(c)", "System owners must apply security patches within thirty days. System owners must test every patch before applying it in production.") ","
		REQ("1(d)", "Passwords must be at least eight characters long.") ","
		REQ("1(e)", "Backups must be kept in a separate building.") ","
		REQ("1(f)", "Visitors must sign the entry register.") ","
		REQ("1(g)", "Visitors must be escorted inside controlled areas.") "]}]}";
	static const char nw[] = "{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"n\",\"label_en\":\"E\"},"
		"\"items\":[{\"kind\":\"group\",\"number\":\"1\",\"title_en\":\"G\",\"items\":["
		REQ("1(a)", "Staff must lock their terminals when they leave their desks.") ","
		REQ("1(b)", "Removable media must be encrypted before leaving the building.") ","
		REQ("1(c)", "The chief officer must keep an inventory of servers and review it every year.") ","
		REQ("1(d)", "System owners must apply security patches within thirty days.") ","
		REQ("1(e)", "System owners must test every patch before applying it in production.") ","
		REQ("1(f)", "Passwords must be at least twelve characters long.") ","
		REQ("1(g)", "Visitors must sign the entry register and be escorted inside controlled areas.") "]}]}";
	struct kj_ctx ctx;
	struct kj_edition a, b;
	struct kj_diff d;
	const struct kj_diff_entry *e;

	(void)state;
	kj_ctx_init(&ctx);
	parse_str(&ctx, old, &a);
	parse_str(&ctx, nw, &b);
	assert_int_equal(kj_diff_editions(&ctx, &a, &b, 1, &d), KJ_OK);
	assert_false(d.used_table);
	e = find(&d, &a, &b, "1(a)", "1(a)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_SAME);
	e = find(&d, &a, &b, "1(b)", "1(c)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_RENUMBERED);
	e = find(&d, &a, &b, "1(c)", "1(e)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_SPLIT);
	assert_int_equal(e->nnew, 2);
	e = find(&d, &a, &b, "1(d)", "1(f)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_RENUMBERED);
	assert_true(e->text_changed);
	e = find(&d, &a, &b, "1(f)", "1(g)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_MERGED);
	e = find(&d, &a, &b, NULL, "1(b)");
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_ADDED);
	e = find(&d, &a, &b, "1(e)", NULL);
	assert_non_null(e);
	assert_int_equal(e->kind, KJ_CHANGE_REMOVED);
	kj_diff_free(&d);
	kj_edition_free(&a);
	kj_edition_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_similarity),
		cmocka_unit_test(test_demo_with_table),
		cmocka_unit_test(test_fallback_kinds),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
