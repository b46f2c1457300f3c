/*
 * test_base.c: the base floor: buffers, dates and fiscal years, UTF-8, UUIDs, the string
 * map, the arena, strict JSON input with paths, codes, output files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/jsonin.h"
#include "base/outfile.h"
#include "base/strmap.h"
#include "base/util.h"

static void
test_buf(void **state)
{
	struct kj_buf b;
	char *s;

	(void)state;
	kj_buf_init(&b, 0);
	assert_string_equal(kj_buf_cstr(&b), "");
	kj_buf_puts(&b, "abc");
	kj_buf_printf(&b, "-%d-%s", 42, "点検");
	assert_string_equal(kj_buf_cstr(&b), "abc-42-点検");
	s = kj_buf_take(&b);
	assert_string_equal(s, "abc-42-点検");
	free(s);
	/* A capped buffer fails stickily and keeps failing. */
	kj_buf_init(&b, 8);
	kj_buf_puts(&b, "12345678");
	assert_false(kj_buf_failed(&b));
	kj_buf_puts(&b, "9");
	assert_true(kj_buf_failed(&b));
	kj_buf_puts(&b, "");
	assert_true(kj_buf_failed(&b));
	assert_null(kj_buf_take(&b));
	kj_buf_free(&b);
}

static void
test_dates(void **state)
{
	char out[11];

	(void)state;
	assert_true(kj_date_valid("2024-02-29"));
	assert_false(kj_date_valid("2023-02-29"));
	assert_false(kj_date_valid("2100-02-29"));
	assert_true(kj_date_valid("2000-02-29"));
	assert_false(kj_date_valid("2024-13-01"));
	assert_false(kj_date_valid("2024-1-01"));
	assert_false(kj_date_valid("2024-04-31"));
	assert_int_equal(kj_fiscal_year("2025-03-31"), 2024);
	assert_int_equal(kj_fiscal_year("2025-04-01"), 2025);
	assert_int_equal(kj_fiscal_year("bad"), -1);
	assert_int_equal(kj_date_add_days("2025-07-01", -1, out), 0);
	assert_string_equal(out, "2025-06-30");
	assert_int_equal(kj_date_add_days("2024-12-31", 1, out), 0);
	assert_string_equal(out, "2025-01-01");
	assert_int_equal(kj_date_add_days("2024-03-01", -1, out), 0);
	assert_string_equal(out, "2024-02-29");
	{
		char t[21];

		kj_time_format(0, t);
		assert_string_equal(t, "1970-01-01T00:00:00Z");
		kj_time_format(1764147600, t);	/* checked with date -u -d @1764147600 */
		assert_string_equal(t, "2025-11-26T09:00:00Z");
		kj_time_format(951782399, t);
		assert_string_equal(t, "2000-02-28T23:59:59Z");
		kj_time_format(951868800, t);
		assert_string_equal(t, "2000-03-01T00:00:00Z");
		kj_time_format(-1, t);
		assert_string_equal(t, "1969-12-31T23:59:59Z");
		kj_date_format(4107542400, out);
		assert_string_equal(out, "2100-03-01");
	}
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(kj_utf8_valid("情報セキュリティ", strlen("情報セキュリティ")));
	assert_false(kj_utf8_valid("\xc3\x28", 2));		/* bad continuation */
	assert_false(kj_utf8_valid("\xe3\x81", 2));		/* truncated */
	assert_false(kj_utf8_valid("\xc0\xaf", 2));		/* overlong */
	assert_false(kj_utf8_valid("\xed\xa0\x80", 3));		/* surrogate */
	assert_false(kj_utf8_valid("a\0b", 3));			/* NUL */
	assert_true(kj_utf8_valid("\xf0\x9f\x98\x80", 4));
	assert_false(kj_utf8_valid("\xf4\x90\x80\x80", 4));	/* past U+10FFFF */
	{
		char cut[] = "ab\xe6\x83", whole[] = "情報", bad[] = "x\xffy\xc3";

		kj_utf8_repair(cut);
		assert_string_equal(cut, "ab??");
		kj_utf8_repair(whole);
		assert_string_equal(whole, "情報");
		kj_utf8_repair(bad);
		assert_string_equal(bad, "x?y?");
	}
}

static void
test_uuid_and_strlcpy(void **state)
{
	char u[37], small[5];

	(void)state;
	kj_uuid_v4(u);
	assert_true(kj_uuid_valid(u));
	assert_int_equal(u[14], '4');
	assert_false(kj_uuid_valid("not-a-uuid"));
	/* Truncation never splits a character: 点 is three bytes. */
	kj_strlcpy(small, "ab点検", sizeof(small));
	assert_string_equal(small, "ab");
}

static void
test_strmap_and_arena(void **state)
{
	struct kj_strmap m;
	struct kj_arena a;
	char *keys[5000];
	int i;

	(void)state;
	kj_arena_init(&a);
	kj_strmap_init(&m);
	for (i = 0; i < 5000; i++) {
		char k[32];

		snprintf(k, sizeof(k), "2.1.%d(1)", i);
		keys[i] = kj_arena_strdup(&a, k);
		assert_non_null(keys[i]);
		assert_int_equal(kj_strmap_put(&m, keys[i], i), 1);
	}
	assert_int_equal(kj_strmap_put(&m, keys[7], 70), 0);
	assert_int_equal(kj_strmap_get(&m, "2.1.7(1)"), 70);
	assert_int_equal(kj_strmap_get(&m, "2.1.4999(1)"), 4999);
	assert_int_equal(kj_strmap_get(&m, "2.1.5000(1)"), -1);
	/* A big allocation does not disturb the small ones around it. */
	assert_non_null(kj_arena_alloc(&a, 1u << 20));
	assert_string_equal(keys[4999], "2.1.4999(1)");
	kj_strmap_free(&m);
	kj_arena_free(&a);
}

static void
test_json_strict(void **state)
{
	struct kj_ctx ctx;
	struct kj_jpath p;
	json_t *j = NULL;
	const char *s;
	static const char *const allowed[] = {"a", "b", NULL};
	char deep[200];
	int i;

	(void)state;
	kj_ctx_init(&ctx);
	assert_int_equal(kj_json_parse(&ctx, "f.json", "{\"a\":1,\"a\":2}", 13, &j), KJ_ERR_INVALID);
	assert_non_null(strstr(ctx.msg, "f.json:1:"));
	assert_non_null(strstr(ctx.msg, "duplicate"));
	assert_int_equal(kj_json_parse(&ctx, "f.json", "{\"a\":\"\xff\"}", 9, &j), KJ_ERR_INVALID);
	assert_int_equal(kj_json_parse(&ctx, "f.json", "{\"a\":\"x\\u0000y\"}", 16, &j), KJ_ERR_INVALID);
	assert_int_equal(kj_json_parse(&ctx, "f.json", "{} x", 4, &j), KJ_ERR_INVALID);
	for (i = 0; i < 100; i++)
		deep[i] = '[';
	for (i = 100; i < 200; i++)
		deep[i] = ']';
	assert_int_equal(kj_json_parse(&ctx, "deep.json", deep, 200, &j), KJ_ERR_TOO_LARGE);

	assert_int_equal(kj_json_parse(&ctx, "f.json", "{\"a\":\"x\",\"c\":1}", 15, &j), KJ_OK);
	kj_jpath_init(&p);
	kj_jpath_key(&p, "items");
	kj_jpath_index(&p, 3);
	assert_int_equal(kj_json_allow(&ctx, "f.json", &p, j, allowed), KJ_ERR_INVALID);
	assert_string_equal(ctx.msg, "f.json: $.items[3]: unknown field \"c\" (expected one of: a, b)");
	assert_int_equal(kj_json_str(&ctx, "f.json", &p, j, "c", 0, 10, &s), KJ_ERR_INVALID);
	assert_string_equal(ctx.msg, "f.json: $.items[3].c: expected a string");
	assert_int_equal(kj_json_str(&ctx, "f.json", &p, j, "b", 1, 10, &s), KJ_ERR_INVALID);
	assert_string_equal(ctx.msg, "f.json: $.items[3].b: required");
	assert_int_equal(kj_json_str(&ctx, "f.json", &p, j, "a", 1, 0, &s), KJ_ERR_TOO_LARGE);
	json_decref(j);
}

static void
test_code_ok(void **state)
{
	(void)state;
	assert_true(kj_code_ok("MHA-GA-GEN", "ABCDEGHIMN-", 32));
	assert_true(kj_code_ok("a-", "a-", 2));
	assert_false(kj_code_ok("-X", "X-", 32));	/* would read as an option */
	assert_false(kj_code_ok("-", "-", 32));
	assert_false(kj_code_ok("", "a", 32));
	assert_false(kj_code_ok(NULL, "a", 32));
	assert_false(kj_code_ok("aaa", "a", 2));
	assert_false(kj_code_ok("ab", "a", 32));
}

/* The mode of path, or -1. */
static int
mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void
test_outfile(void **state)
{
	char dir[] = "/tmp/kijun-outfile.XXXXXX", path[64], link[64], dangling[64], *data = NULL;
	struct kj_outfile of;
	struct kj_ctx ctx;
	size_t len;
	mode_t old = umask(022);

	(void)state;
	kj_ctx_init(&ctx);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.csv", dir);
	snprintf(link, sizeof(link), "%s/link.csv", dir);
	snprintf(dangling, sizeof(dangling), "%s/dangling.csv", dir);

	/* New, then over an older file readable by all: owner-only, whole. */
	assert_int_equal(kj_outfile_write(&ctx, path, "first version\n", 14), KJ_OK);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(kj_outfile_write(&ctx, path, "second\n", 7), KJ_OK);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(kj_file_read(&ctx, path, 100, &data, &len), KJ_OK);
	assert_string_equal(data, "second\n");
	free(data);

	/* Abandoned: the older file stays, the new one is gone. */
	assert_int_equal(kj_outfile_open(&ctx, path, &of), KJ_OK);
	fputs("half", of.f);
	kj_outfile_abort(&of);
	assert_int_equal(kj_file_read(&ctx, path, 100, &data, &len), KJ_OK);
	assert_string_equal(data, "second\n");
	free(data);

	/* Symbolic links, to a file or to nothing: refused, and nothing written through them. */
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(kj_outfile_write(&ctx, link, "x", 1), KJ_ERR_IO);
	assert_non_null(strstr(ctx.msg, "symbolic link"));
	assert_int_equal(kj_file_read(&ctx, path, 100, &data, &len), KJ_OK);
	assert_string_equal(data, "second\n");
	free(data);
	snprintf(path, sizeof(path), "%s/nowhere.csv", dir);
	assert_int_equal(symlink(path, dangling), 0);
	assert_int_equal(kj_outfile_write(&ctx, dangling, "x", 1), KJ_ERR_IO);
	assert_int_equal(mode_of(path), -1);
	/* Not a regular file. */
	assert_int_equal(kj_outfile_write(&ctx, dir, "x", 1), KJ_ERR_IO);
	assert_non_null(strstr(ctx.msg, "not a regular file"));

	unlink(link);
	unlink(dangling);
	snprintf(path, sizeof(path), "%s/out.csv", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);	/* no temporary file left behind */
	umask(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_uuid_and_strlcpy),
		cmocka_unit_test(test_strmap_and_arena),
		cmocka_unit_test(test_json_strict),
		cmocka_unit_test(test_code_ok),
		cmocka_unit_test(test_outfile),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
