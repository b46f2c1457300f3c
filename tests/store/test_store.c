/*
 * test_store.c: the storage suite. The same tests run on SQLite (a fresh file) and on
 * PostgreSQL (the server scripts/test.sh starts; KIJUN_TEST_PG_DSN), chosen by argv[1].
 * Each test starts from an empty, migrated database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "formats/catalog.h"
#include "formats/government.h"
#include "model/account.h"
#include "model/auditlog.h"
#include "model/org.h"
#include "model/standard.h"

#include "store_harness.h"

static void
exec_ok(struct kj_ctx *ctx, const char *sql)
{
	kj_err r = kj_db_exec(ctx, sql);

	if (r != KJ_OK)
		fail_msg("%s: %s", sql, ctx->msg);
}

static void
test_migrate_idempotent(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_migration_status st[16];
	int n = 0, cur = 0, applied = -1;

	assert_int_equal(kj_db_migrate(ctx, &applied), KJ_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(kj_db_status(ctx, st, 16, &n, &cur), KJ_OK);
	assert_true(n >= 1);
	assert_int_equal(cur, st[n - 1].version);
	assert_true(st[0].applied);
	assert_int_equal(kj_db_require_current(ctx), KJ_OK);
}

/* A migration numbered below the newest applied one (merged late) is applied, not skipped:
 * here the working papers' migration is undone by hand and found missing. */
static void
test_migrate_fills_a_gap(void **state)
{
	struct kj_ctx *ctx = *state;
	int applied = -1;

	exec_ok(ctx, "DROP TABLE engagement_paper");
	exec_ok(ctx, "DELETE FROM schema_migration WHERE version = 9");
	assert_int_equal(kj_db_require_current(ctx), KJ_ERR_DB);
	assert_non_null(strstr(ctx->msg, "kijun db migrate"));
	assert_int_equal(kj_db_migrate(ctx, &applied), KJ_OK);
	assert_int_equal(applied, 1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM engagement_paper"), 0);
	assert_int_equal(kj_db_require_current(ctx), KJ_OK);
}

static void
test_schema_newer_than_binary(void **state)
{
	struct kj_ctx *ctx = *state;

	exec_ok(ctx, "INSERT INTO schema_migration (version, name, applied_at) VALUES (9999, 'future', 'x')");
	assert_int_equal(kj_db_require_current(ctx), KJ_ERR_DB);
	assert_non_null(strstr(ctx->msg, "newer"));
	assert_int_equal(kj_db_migrate(ctx, NULL), KJ_ERR_DB);
}

static void
test_transactions(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_stmt *st = NULL;
	int row;

	exec_ok(ctx, "CREATE TABLE t (id {{ID}}, name TEXT UNIQUE)");
	assert_int_equal(kj_tx_begin(ctx), KJ_OK);
	exec_ok(ctx, "INSERT INTO t (name) VALUES ('a')");
	assert_int_equal(kj_tx_begin(ctx), KJ_OK);	/* nested */
	exec_ok(ctx, "INSERT INTO t (name) VALUES ('b')");
	assert_int_equal(kj_tx_end(ctx, KJ_ERR_INVALID), KJ_ERR_INVALID);
	/* The inner failure dooms the outer transaction. */
	assert_int_not_equal(kj_tx_end(ctx, KJ_OK), KJ_OK);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM t"), 0);

	assert_int_equal(kj_db_prepare(ctx, "INSERT INTO t (name) VALUES (?) RETURNING id", &st), KJ_OK);
	assert_int_equal(kj_stmt_bind_text(ctx, st, 1, "x'; DROP TABLE t; --?"), KJ_OK);
	assert_int_equal(kj_stmt_step(ctx, st, &row), KJ_OK);
	assert_true(row);
	assert_true(kj_stmt_int(st, 0) > 0);
	kj_stmt_reset(st);
	/* The same value again breaks the unique constraint. */
	assert_int_equal(kj_stmt_step(ctx, st, &row), KJ_ERR_EXISTS);
	kj_stmt_free(st);
	/* The value went in as data, '?' and quote and all. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM t WHERE name = 'x''; DROP TABLE t; --?'"), 1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM t"), 1);
}

static void
test_bulk(void **state)
{
	struct kj_ctx *ctx = *state;
	static const char *const cols[] = {"k", "v"};
	struct kj_bulk *b = NULL;
	struct kj_stmt *st = NULL;
	char k[32];
	int i, row;

	exec_ok(ctx, "CREATE TABLE kv (k BIGINT PRIMARY KEY, v TEXT)");
	assert_int_equal(kj_bulk_begin(ctx, "kv", cols, 2, &b), KJ_OK);
	for (i = 0; i < 20000; i++) {
		const char *vals[2];

		snprintf(k, sizeof(k), "%d", i);
		vals[0] = k;
		vals[1] = i % 7 == 0 ? NULL : i % 3 == 0 ? "tab\there\nnew\\line" : "点検";
		assert_int_equal(kj_bulk_row(ctx, b, vals), KJ_OK);
	}
	assert_int_equal(kj_bulk_end(ctx, b, KJ_OK), KJ_OK);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM kv"), 20000);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM kv WHERE v IS NULL"), 2858);
	assert_int_equal(kj_db_prepare(ctx, "SELECT v FROM kv WHERE k = 3", &st), KJ_OK);
	assert_int_equal(kj_stmt_step(ctx, st, &row), KJ_OK);
	assert_string_equal(kj_stmt_text(st, 0), "tab\there\nnew\\line");
	kj_stmt_free(st);

	/* A load with a duplicate key keeps nothing. */
	assert_int_equal(kj_bulk_begin(ctx, "kv", cols, 2, &b), KJ_OK);
	for (i = 20000; i < 20100; i++) {
		const char *vals[2] = {k, "x"};

		snprintf(k, sizeof(k), "%d", i == 20050 ? 5 : i);
		kj_bulk_row(ctx, b, vals);
	}
	assert_int_equal(kj_bulk_end(ctx, b, KJ_OK), KJ_ERR_EXISTS);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM kv"), 20000);

	/* An upsert: existing keys get the new value, new keys are added. */
	assert_int_equal(kj_bulk_begin_upsert(ctx, "kv", cols, 2, 1, &b), KJ_OK);
	for (i = 19990; i < 20010; i++) {
		const char *vals[2] = {k, "replaced"};

		snprintf(k, sizeof(k), "%d", i);
		assert_int_equal(kj_bulk_row(ctx, b, vals), KJ_OK);
	}
	assert_int_equal(kj_bulk_end(ctx, b, KJ_OK), KJ_OK);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM kv"), 20010);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM kv WHERE v = 'replaced'"), 20);
	/* A refused upsert (the caller's verdict) leaves nothing. */
	assert_int_equal(kj_bulk_begin_upsert(ctx, "kv", cols, 2, 1, &b), KJ_OK);
	{
		const char *vals[2] = {"1", "again"};

		assert_int_equal(kj_bulk_row(ctx, b, vals), KJ_OK);
	}
	assert_int_equal(kj_bulk_end(ctx, b, KJ_ERR_INVALID), KJ_ERR_INVALID);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM kv WHERE v = 'again'"), 0);
}

static struct kj_org_new
org(const char *kind, const char *code, const char *parent, const char *supervisor, const char *from)
{
	struct kj_org_new in;

	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.code = code;
	in.name_ja = "名前";
	in.name_en = code;
	in.parent = parent;
	in.supervisor = supervisor;
	in.valid_from = from;
	return in;
}

static void
add(struct kj_ctx *ctx, struct kj_org_new in)
{
	kj_err r = kj_org_create(ctx, &in, NULL);

	if (r != KJ_OK)
		fail_msg("create %s: %s", in.code, ctx->msg);
}

static void
test_org_lifecycle(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_org o;
	struct kj_org_list l;
	struct kj_org_state *h;
	size_t nh;
	char path[256];
	struct kj_org_new in;

	add(ctx, org("centre", "NISC", NULL, NULL, "2015-01-09"));
	add(ctx, org("ministry", "MA", NULL, NULL, "2001-01-06"));
	add(ctx, org("ministry", "MB", NULL, NULL, "2001-01-06"));
	add(ctx, org("bureau", "MA-B1", "MA", NULL, "2001-01-06"));
	add(ctx, org("division", "MA-B1-D1", "MA-B1", NULL, "2001-01-06"));
	add(ctx, org("agency", "AG1", NULL, "MA", "2003-10-01"));

	/* Shapes the model refuses, each with a message naming the field. */
	in = org("bureau", "X1", NULL, NULL, NULL);
	assert_int_equal(kj_org_create(ctx, &in, NULL), KJ_ERR_INVALID);
	assert_non_null(strstr(ctx->msg, "parent"));
	in = org("agency", "X2", NULL, NULL, NULL);
	assert_int_equal(kj_org_create(ctx, &in, NULL), KJ_ERR_INVALID);
	assert_non_null(strstr(ctx->msg, "supervisor"));
	in = org("ministry", "MA", NULL, NULL, NULL);
	assert_int_equal(kj_org_create(ctx, &in, NULL), KJ_ERR_EXISTS);
	in = org("minister", "X3", NULL, NULL, NULL);
	assert_int_equal(kj_org_create(ctx, &in, NULL), KJ_ERR_INVALID);
	in = org("bureau", "X4", "NOPE", NULL, NULL);
	assert_int_equal(kj_org_create(ctx, &in, NULL), KJ_ERR_NOT_FOUND);
	in = org("ministry", "bad code!", NULL, NULL, NULL);
	assert_int_equal(kj_org_create(ctx, &in, NULL), KJ_ERR_INVALID);

	/* The subtree of a ministry holds its units and the agency it supervises. */
	assert_int_equal(kj_org_list(ctx, "MA", 0, &l), KJ_OK);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].code, "MA");
	assert_string_equal(l.v[1].code, "MA-B1");
	assert_int_equal(l.v[2].depth, 2);
	assert_string_equal(l.v[3].code, "AG1");
	kj_org_list_free(&l);

	/* Moving a bureau under its own division would make a cycle. */
	assert_int_equal(kj_org_move(ctx, "MA-B1", "MA-B1-D1", NULL, "2020-04-01", NULL), KJ_ERR_INVALID);
	assert_non_null(strstr(ctx->msg, "cycle"));
	assert_int_equal(kj_org_move(ctx, "MA-B1", "MB", NULL, "2020-04-01", &o), KJ_OK);
	assert_string_equal(o.parent_code, "MB");
	assert_int_equal(kj_org_path(ctx, &(struct kj_org){0}, path, 1), KJ_OK);
	assert_int_equal(kj_org_get(ctx, "MA-B1-D1", &o), KJ_OK);
	assert_int_equal(kj_org_path(ctx, &o, path, sizeof(path)), KJ_OK);
	assert_string_equal(path, "MB > MA-B1 > MA-B1-D1");

	/* The agency changes supervisor; the bureau is renamed, keeping history. */
	assert_int_equal(kj_org_move(ctx, "AG1", NULL, "MB", "2021-04-01", NULL), KJ_OK);
	assert_int_equal(kj_org_rename(ctx, "MA-B1", "MB-B1", "新局", "New bureau", "2022-04-01", &o), KJ_OK);
	assert_string_equal(o.code, "MB-B1");
	assert_string_equal(o.state_from, "2022-04-01");
	assert_int_equal(kj_org_history(ctx, &o, &h, &nh), KJ_OK);
	assert_int_equal(nh, 2);
	assert_string_equal(h[0].change, "move");
	assert_string_equal(h[0].parent_code, "MA");
	assert_string_equal(h[0].valid_to, "2020-03-31");
	assert_string_equal(h[1].change, "rename");
	assert_string_equal(h[1].code, "MA-B1");
	assert_string_equal(h[1].valid_from, "2020-04-01");
	free(h);
	/* A change dated before the current state began is refused. */
	assert_int_equal(kj_org_rename(ctx, "MB-B1", NULL, "x", NULL, "2021-01-01", NULL), KJ_ERR_INVALID);

	/* Abolition: refused while units exist; afterwards the code can be reused. */
	assert_int_equal(kj_org_abolish(ctx, "MB-B1", "2023-04-01", NULL, NULL), KJ_ERR_INVALID);
	assert_int_equal(kj_org_abolish(ctx, "MA-B1-D1", "2023-04-01", NULL, NULL), KJ_OK);
	assert_int_equal(kj_org_abolish(ctx, "MB-B1", "2023-04-01", "MB", &o), KJ_OK);
	assert_string_equal(o.valid_to, "2023-03-31");
	assert_string_equal(o.successor_code, "MB");
	assert_int_equal(kj_org_list(ctx, NULL, 0, &l), KJ_OK);
	assert_int_equal(l.n, 4);
	kj_org_list_free(&l);
	assert_int_equal(kj_org_list(ctx, NULL, 1, &l), KJ_OK);
	assert_int_equal(l.n, 6);
	kj_org_list_free(&l);
	add(ctx, org("bureau", "MB-B1", "MB", NULL, "2023-04-01"));
	assert_int_equal(kj_org_get(ctx, "MB-B1", &o), KJ_OK);
	assert_string_equal(o.valid_to, "");
}

static const char *
source_dir(void)
{
	const char *s = getenv("KIJUN_SOURCE_DIR");

	return s ? s : ".";
}

static void
import_demo(struct kj_ctx *ctx, const char *file)
{
	char path[1024];
	kj_err r;

	snprintf(path, sizeof(path), "%s/data/demo/%s", source_dir(), file);
	r = kj_standard_import_file(ctx, path, NULL, NULL, 0, NULL);
	if (r != KJ_OK)
		fail_msg("%s: %s", path, ctx->msg);
}

static void
test_edition_roundtrip(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_edition a, b;
	char path[1024], *data;
	size_t len, i;

	import_demo(ctx, "standard-fy2023.json");
	import_demo(ctx, "standard-fy2025.json");
	/* Parse the file in memory and compare with what the database gives back. */
	snprintf(path, sizeof(path), "%s/data/demo/standard-fy2025.json", source_dir());
	assert_int_equal(kj_file_read(ctx, path, 1u << 24, &data, &len), KJ_OK);
	kj_edition_init(&a);
	kj_edition_init(&b);
	assert_int_equal(kj_standard_parse_mem(ctx, path, data, len, NULL, &a), KJ_OK);
	free(data);
	assert_int_equal(kj_edition_load(ctx, "demo-fy2025", &b), KJ_OK);
	assert_int_equal(a.nitems, b.nitems);
	assert_int_equal(a.ncorr, b.ncorr);
	for (i = 0; i < a.nitems; i++) {
		assert_string_equal(a.items[i].number, b.items[i].number);
		assert_string_equal(a.items[i].kind, b.items[i].kind);
		assert_int_equal(a.items[i].parent, b.items[i].parent);
		assert_int_equal(a.items[i].depth, b.items[i].depth);
		if (a.items[i].text_ja)
			assert_string_equal(a.items[i].text_ja, b.items[i].text_ja);
		if (a.items[i].applies_to)
			assert_string_equal(a.items[i].applies_to, b.items[i].applies_to);
	}
	assert_string_equal(b.supersedes, "demo-fy2023");
	kj_edition_free(&a);
	kj_edition_free(&b);
	/* The same edition again is refused, and nothing changes. */
	snprintf(path, sizeof(path), "%s/data/demo/standard-fy2025.json", source_dir());
	assert_int_equal(kj_standard_import_file(ctx, path, NULL, NULL, 0, NULL), KJ_ERR_EXISTS);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM edition"), 2);
}

static void
test_import_all_or_nothing(void **state)
{
	struct kj_ctx *ctx = *state;
	/* The last item's number breaks the edition's numbering scheme: nothing of the
	 * edition may stay, though every item before it was fine. */
	static const char bad[] =
		"{\"format\":\"kijun-catalog\",\"version\":1,\"edition\":{\"id\":\"e1\",\"label_en\":\"E\","
		"\"numbering\":{\"levels\":[{\"kind\":\"requirement\",\"pattern\":\"^[0-9]+\\\\([a-z]\\\\)$\"}]}},"
		"\"items\":[{\"kind\":\"part\",\"number\":\"1\",\"title_en\":\"P\",\"items\":["
		"{\"kind\":\"group\",\"number\":\"1(1)\",\"title_en\":\"G\",\"items\":["
		"{\"kind\":\"requirement\",\"number\":\"1(a)\",\"text_en\":\"ok\"},"
		"{\"kind\":\"requirement\",\"number\":\"1-b\",\"text_en\":\"bad\"}]}]}]}";
	int64_t audit_before = count(ctx, "SELECT COUNT(*) FROM audit_log");

	assert_int_equal(kj_standard_import_mem(ctx, "bad.json", bad, sizeof(bad) - 1, NULL, NULL, 0, NULL),
			 KJ_ERR_INVALID);
	assert_non_null(strstr(ctx->msg, "1-b"));
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM edition"), 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM item"), 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log"), audit_before);
}

static void
test_government_import(void **state)
{
	struct kj_ctx *ctx = *state;
	char path[1024], *data;
	size_t len, n = 0;
	struct kj_org o;
	static const char bad[] = "{\"format\":\"kijun-government\",\"version\":1,\"organisations\":["
				  "{\"code\":\"M\",\"kind\":\"ministry\",\"name_ja\":\"省\",\"name_en\":\"M\"},"
				  "{\"code\":\"B\",\"kind\":\"bureau\",\"parent\":\"Q\",\"name_ja\":\"局\",\"name_en\":\"B\"}]}";

	snprintf(path, sizeof(path), "%s/data/demo/government.json", source_dir());
	assert_int_equal(kj_file_read(ctx, path, 1u << 24, &data, &len), KJ_OK);
	assert_int_equal(kj_government_import_mem(ctx, path, data, len, &n), KJ_OK);
	free(data);
	assert_true(n >= 12 + 20 + 2);
	assert_true(count(ctx, "SELECT COUNT(*) FROM org WHERE kind = 'ministry'") >= 12);
	assert_true(count(ctx, "SELECT COUNT(*) FROM org WHERE kind IN ('agency', 'corporation')") >= 20);
	/* The centre's 2025 reorganisation is history: the old centre ended, NCO succeeded. */
	assert_int_equal(kj_org_get(ctx, "NISC", &o), KJ_OK);
	assert_string_equal(o.valid_to, "2025-06-30");
	assert_string_equal(o.successor_code, "NCO");

	/* A bad entry leaves nothing of its document behind. */
	n = (size_t)count(ctx, "SELECT COUNT(*) FROM org");
	assert_int_equal(kj_government_import_mem(ctx, "bad.json", bad, sizeof(bad) - 1, NULL), KJ_ERR_NOT_FOUND);
	assert_non_null(strstr(ctx->msg, "bad.json: $.organisations[1]"));
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM org"), (int64_t)n);
}

static void
verify(struct kj_ctx *ctx, struct kj_audit_verdict *v)
{
	assert_int_equal(kj_auditlog_verify(ctx, v), KJ_OK);
}

static void
test_audit_chain(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_audit_verdict v;

	add(ctx, org("ministry", "MA", NULL, NULL, "2001-01-06"));
	add(ctx, org("ministry", "MB", NULL, NULL, "2001-01-06"));
	add(ctx, org("bureau", "MA-1", "MA", NULL, "2001-01-06"));
	assert_int_equal(kj_org_rename(ctx, "MA-1", NULL, "改名", NULL, "2010-01-01", NULL), KJ_OK);
	import_demo(ctx, "standard-fy2023.json");
	verify(ctx, &v);
	assert_int_equal(v.nrecords, 5);
	assert_int_equal(v.first_bad, 0);

	/* Edit a record's content: verify names it. */
	exec_ok(ctx, "UPDATE audit_log SET actor = 'someone else' WHERE seq = 3");
	verify(ctx, &v);
	assert_int_equal(v.first_bad, 3);
	assert_non_null(strstr(v.why, "edited"));
	exec_ok(ctx, "UPDATE audit_log SET actor = 'local:local' WHERE seq = 3");
	verify(ctx, &v);
	assert_int_equal(v.first_bad, 0);

	/* Rewrite a state digest consistently in one record: the next link breaks. */
	exec_ok(ctx, "UPDATE audit_log SET digest = 'ff' WHERE seq = 2");
	verify(ctx, &v);
	assert_int_equal(v.first_bad, 2);
}

static void
test_audit_delete_and_reorder(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_audit_verdict v;

	add(ctx, org("ministry", "MA", NULL, NULL, "2001-01-06"));
	add(ctx, org("ministry", "MB", NULL, NULL, "2001-01-06"));
	add(ctx, org("ministry", "MC", NULL, NULL, "2001-01-06"));
	add(ctx, org("ministry", "MD", NULL, NULL, "2001-01-06"));

	/* Deleting the last record is caught by the head. */
	exec_ok(ctx, "DELETE FROM audit_log WHERE seq = 4");
	verify(ctx, &v);
	assert_int_equal(v.first_bad, 4);
	/* Deleting one in the middle leaves a gap. */
	exec_ok(ctx, "DELETE FROM audit_log WHERE seq = 2");
	verify(ctx, &v);
	assert_int_equal(v.first_bad, 2);
	assert_non_null(strstr(v.why, "missing"));
}

static void
test_audit_reorder(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_audit_verdict v;

	add(ctx, org("ministry", "MA", NULL, NULL, "2001-01-06"));
	add(ctx, org("ministry", "MB", NULL, NULL, "2001-01-06"));
	add(ctx, org("ministry", "MC", NULL, NULL, "2001-01-06"));
	/* Swap records 2 and 3 by renumbering them. */
	exec_ok(ctx, "UPDATE audit_log SET seq = 100 WHERE seq = 2");
	exec_ok(ctx, "UPDATE audit_log SET seq = 2 WHERE seq = 3");
	exec_ok(ctx, "UPDATE audit_log SET seq = 3 WHERE seq = 100");
	verify(ctx, &v);
	assert_int_equal(v.first_bad, 2);
}

static int64_t fake_time;

static int64_t
fake_now(void *arg)
{
	(void)arg;
	return fake_time;
}

/* A session slides with use, but never past a day from its login. */
static void
test_session_absolute_lifetime(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_user_new in = {.name = "sliding", .org = "MA", .role = "staff", .password = "Open-gate-Pw-3141"};
	struct kj_principal admin = ctx->who;
	struct kj_session s;
	struct kj_user u;
	int hours;

	add(ctx, org("ministry", "MA", NULL, NULL, "2001-01-06"));
	ok(ctx, kj_user_create(ctx, &in, &u, NULL, 0), "user");
	fake_time = kj_now(ctx);
	ctx->now = fake_now;
	ok(ctx, kj_session_create(ctx, &u, "127.0.0.1", &s), "session");
	/* Used every 6 hours, it lives on until its 24th hour... */
	for (hours = 6; hours <= 23; hours += 6) {
		fake_time += 6 * 3600;
		ctx->who = admin;
		ok(ctx, kj_session_resume(ctx, s.token, NULL), "resume within the day");
		assert_true(ctx->who.session_id > 0);
	}
	/* ...and not past it, though used 6 hours ago. */
	fake_time += 6 * 3600;
	ctx->who = admin;
	refused(ctx, kj_session_resume(ctx, s.token, NULL), KJ_ERR_AUTH, "expired");
	ctx->who = admin;
}

int
main(int argc, char **argv)
{
	static const struct harness_suite suite = {.name = "store", .schema = NULL, .tmp = "store", .setup = harness_setup};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_idempotent),
		cmocka_unit_test(test_migrate_fills_a_gap),
		cmocka_unit_test(test_schema_newer_than_binary),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_org_lifecycle),
		cmocka_unit_test(test_edition_roundtrip),
		cmocka_unit_test(test_import_all_or_nothing),
		cmocka_unit_test(test_government_import),
		cmocka_unit_test(test_audit_chain),
		cmocka_unit_test(test_audit_delete_and_reorder),
		cmocka_unit_test(test_audit_reorder),
		cmocka_unit_test(test_session_absolute_lifetime),
	};

	return harness_main(argc, argv, &suite, tests, sizeof(tests) / sizeof(tests[0]));
}
