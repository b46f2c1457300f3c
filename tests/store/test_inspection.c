/*
 * test_inspection.c: policies and self-inspection on a real database, run on SQLite and
 * on PostgreSQL like the storage suite (argv[1] picks the backend).
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
#include "formats/inspection_export.h"
#include "model/account.h"
#include "model/inspection.h"
#include "model/policy.h"

#include "store_harness.h"

static int64_t
user(struct kj_ctx *ctx, const char *name, const char *org, const char *role)
{
	struct kj_user_new in = {.name = name, .org = org, .role = role, .password = "a long enough password"};
	struct kj_user u;

	ok(ctx, kj_user_create(ctx, &in, &u, NULL, 0), name);
	return u.id;
}

/* Acts as an account from now on (the local administrator again with act(ctx, 0, ...)). */
static void
act(struct kj_ctx *ctx, int64_t id, enum kj_role role, int64_t org_id, const char *name)
{
	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.user_id = id;
	ctx->who.role = id ? role : KJ_ROLE_LOCAL_ADMIN;
	ctx->who.org_id = org_id;
	kj_strlcpy(ctx->who.name, name, sizeof(ctx->who.name));
}

static void
test_policy(void **state)
{
	struct kj_ctx *ctx = *state;
	char uuid[37];
	json_t *v, *rev;
	int vno = 0;
	int64_t ciso, officer, chief;

	ciso = user(ctx, "mha-ciso", "MHA", "org_admin");
	chief = user(ctx, "mha-chief", "MHA", "org_admin");
	officer = user(ctx, "mha-officer", "MHA-GA", "unit_officer");
	ok(ctx, kj_policy_doc_create(ctx, "MHA", "STD", "standard", "内政省情報セキュリティ対策基準", "MHA security standard", uuid),
	   "doc");
	v = json_pack("{s:s, s:[{s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}, {s:s, s:[{s:s, s:s}]}]}", "edition", "demo-fy2023",
		      "clauses", "number", "1", "text_ja", "CISOを置く。", "mappings", "requirement", "2.1.1(1)(a)", "status",
		      "adopted", "requirement", "2.2.3(2)(a)", "status", "stricter", "number", "2", "mappings", "requirement",
		      "6.2.2(1)(c)", "status", "not_applicable");
	/* A unit officer cannot draft the ministry's policy: it is above the unit. */
	act(ctx, officer, KJ_ROLE_UNIT_OFFICER, org_id(ctx, "MHA-GA"), "mha-officer");
	assert_int_equal(kj_policy_version_add(ctx, "MHA", "STD", "v1.json", v, &vno), KJ_ERR_NOT_FOUND);
	/* The chief security officer drafts; the CISO approves; the author cannot. */
	act(ctx, chief, KJ_ROLE_ORG_ADMIN, org_id(ctx, "MHA"), "mha-chief");
	ok(ctx, kj_policy_version_add(ctx, "MHA", "STD", "v1.json", v, &vno), "version");
	assert_int_equal(vno, 1);
	assert_int_equal(kj_policy_transition(ctx, "MHA", "STD", 1, "approve", NULL), KJ_ERR_DENIED);
	act(ctx, ciso, KJ_ROLE_ORG_ADMIN, org_id(ctx, "MHA"), "mha-ciso");
	/* An exclusion without a reason blocks approval. */
	assert_int_equal(kj_policy_transition(ctx, "MHA", "STD", 1, "approve", NULL), KJ_ERR_INVALID);
	assert_non_null(strstr(ctx->msg, "justification"));
	json_object_set_new(json_array_get(json_object_get(json_array_get(json_object_get(v, "clauses"), 1), "mappings"), 0),
			    "justification", json_string("No paper copies are kept."));
	act(ctx, chief, KJ_ROLE_ORG_ADMIN, org_id(ctx, "MHA"), "mha-chief");
	ok(ctx, kj_policy_version_add(ctx, "MHA", "STD", "v2.json", v, &vno), "version 2");
	act(ctx, ciso, KJ_ROLE_ORG_ADMIN, org_id(ctx, "MHA"), "mha-ciso");
	assert_int_equal(kj_policy_transition(ctx, "MHA", "STD", 2, "enforce", "2023-10-01"), KJ_ERR_INVALID);
	ok(ctx, kj_policy_transition(ctx, "MHA", "STD", 2, "approve", NULL), "approve");
	ok(ctx, kj_policy_transition(ctx, "MHA", "STD", 2, "enforce", "2023-10-01"), "enforce");
	/* A requirement that is no requirement of the edition is refused with its path. */
	json_object_set_new(json_array_get(json_object_get(json_array_get(json_object_get(v, "clauses"), 0), "mappings"), 0),
			    "requirement", json_string("9.9.9(9)(z)"));
	assert_int_equal(kj_policy_version_add(ctx, "MHA", "STD", "v3.json", v, &vno), KJ_ERR_INVALID);
	assert_non_null(strstr(ctx->msg, "v3.json: $.clauses[0].mappings[0].requirement"));
	json_decref(v);

	act(ctx, 0, KJ_ROLE_LOCAL_ADMIN, 0, "local");
	ok(ctx, kj_policy_review(ctx, "MHA", NULL, &rev), "review");
	assert_string_equal(json_string_value(json_object_get(rev, "edition")), "demo-fy2023");
	assert_string_equal(json_string_value(json_object_get(rev, "newer_edition")), "demo-fy2025");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(rev, "counts"), "covered")), 3);
	assert_true(json_integer_value(json_object_get(json_object_get(rev, "counts"), "gaps")) > 100);
	/* 2.2.3(2)(a) changed and 6.2.2(1)(c) was removed in FY2025: both are stale. */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(rev, "counts"), "stale")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(rev, "counts"), "missing_reason")), 0);
	json_decref(rev);
	ok(ctx, kj_policy_review_all(ctx, "demo-fy2023", &rev), "review all");
	assert_true(json_array_size(json_object_get(rev, "organisations")) >= 12 + 20);
	json_decref(rev);
}

struct mem {
	const char *p;
	size_t len, off;
};

static long
mem_read(void *arg, char *buf, size_t size)
{
	struct mem *m = arg;
	size_t n = m->len - m->off < size ? m->len - m->off : size;

	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (long)n;
}

static void
test_campaign(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_campaign_new in;
	char k1[37], k2[37], csv[4096];
	json_t *j, *sel, *rep = NULL;
	size_t n = 0, nrows;
	int64_t staff, staff2, officer;
	struct mem m;

	staff = user(ctx, "alice", "MHA-GA-IT", "staff");
	staff2 = user(ctx, "bob", "MHA-GA-GEN", "staff");
	officer = user(ctx, "mha-officer", "MHA-GA", "unit_officer");
	(void)officer;
	memset(&in, 0, sizeof(in));
	in.code = "MHA-FY2025-1";
	in.org = "MHA";
	in.title_ja = "令和7年度 第1回自己点検";
	in.title_en = "FY2025 self-inspection, round 1";
	in.edition = "demo-fy2025";
	in.opens_on = "2025-06-01";
	in.due_on = "2025-07-31";
	sel = json_pack("{s:[s], s:s}", "chapters", "8.1.1", "role", "staff");
	in.select = sel;
	ok(ctx, kj_campaign_create(ctx, &in, &n), "campaign");
	json_decref(sel);
	assert_true(n >= 2);
	ok(ctx, kj_checklist_assign(ctx, "MHA-FY2025-1", "alice", NULL, NULL, NULL, k1), "assign alice");
	ok(ctx, kj_checklist_assign(ctx, "MHA-FY2025-1", "bob", NULL, NULL, NULL, k2), "assign bob");
	/* Answers wait for the campaign to open. */
	act(ctx, staff, KJ_ROLE_STAFF, org_id(ctx, "MHA-GA-IT"), "alice");
	assert_int_equal(kj_answer_put(ctx, k1, "8.1.1(2)(a)", "implemented", NULL, NULL), KJ_ERR_INVALID);
	act(ctx, 0, KJ_ROLE_LOCAL_ADMIN, 0, "local");
	ok(ctx, kj_campaign_set_status(ctx, "MHA-FY2025-1", "open"), "open");
	assert_int_equal(kj_campaign_set_status(ctx, "MHA-FY2025-1", "draft"), KJ_ERR_INVALID);

	act(ctx, staff, KJ_ROLE_STAFF, org_id(ctx, "MHA-GA-IT"), "alice");
	assert_int_equal(kj_answer_put(ctx, k1, "8.1.1(2)(a)", "maybe", NULL, NULL), KJ_ERR_INVALID);
	assert_non_null(strstr(ctx->msg, "implemented, partial, not_implemented, not_applicable"));
	assert_int_equal(kj_answer_put(ctx, k1, "2.1.1(1)(a)", "implemented", NULL, NULL), KJ_ERR_INVALID);
	/* Someone else's checklist: not even visible to staff. */
	assert_int_equal(kj_answer_put(ctx, k2, "8.1.1(2)(a)", "implemented", NULL, NULL), KJ_ERR_NOT_FOUND);
	ok(ctx, kj_answer_put(ctx, k1, "8.1.1(2)(a)", "not_implemented", "準備中", NULL), "answer");
	act(ctx, 0, KJ_ROLE_LOCAL_ADMIN, 0, "local");
	assert_int_equal(count(ctx, "SELECT SUM(n_not_done) FROM rollup"), 1);
	act(ctx, staff, KJ_ROLE_STAFF, org_id(ctx, "MHA-GA-IT"), "alice");
	ok(ctx, kj_answer_put(ctx, k1, "8.1.1(2)(a)", "implemented", NULL, NULL), "answer again");
	act(ctx, 0, KJ_ROLE_LOCAL_ADMIN, 0, "local");
	/* The counters moved with the answer, not added to it. */
	assert_int_equal(count(ctx, "SELECT SUM(n_not_done) FROM rollup"), 0);
	assert_int_equal(count(ctx, "SELECT SUM(n_done) FROM rollup"), 1);

	act(ctx, staff, KJ_ROLE_STAFF, org_id(ctx, "MHA-GA-IT"), "alice");
	assert_int_equal(kj_checklist_submit(ctx, k1), KJ_ERR_INVALID);	/* not all answered */
	ok(ctx, kj_checklist_get(ctx, k1, &j), "get");
	{
		json_t *it;
		size_t i;

		json_array_foreach(json_object_get(j, "items"), i, it)
			ok(ctx, kj_answer_put(ctx, k1, json_string_value(json_object_get(it, "requirement")),
					      i % 2 ? "partial" : "implemented", NULL, NULL), "answer all");
	}
	json_decref(j);
	ok(ctx, kj_checklist_submit(ctx, k1), "submit");
	assert_int_equal(kj_answer_put(ctx, k1, "8.1.1(2)(a)", "not_implemented", NULL, NULL), KJ_ERR_STATE);
	assert_int_equal(kj_checklist_reopen(ctx, k1), KJ_ERR_DENIED);
	act(ctx, officer, KJ_ROLE_UNIT_OFFICER, org_id(ctx, "MHA-GA"), "mha-officer");
	ok(ctx, kj_checklist_reopen(ctx, k1), "reopen");
	act(ctx, 0, KJ_ROLE_LOCAL_ADMIN, 0, "local");

	/* CSV: a bad file changes nothing and names every bad row and column. */
	snprintf(csv, sizeof(csv), "checklist,item,value,comment\n%s,8.1.1(2)(a),not_implemented,x\n%s,8.1.1(2)(a),sometimes,\n"
				   "00000000-0000-4000-8000-000000000000,8.1.1(2)(a),implemented,\n%s,9.9,implemented,\n",
		 k2, k2, k2);
	m = (struct mem){csv, strlen(csv), 0};
	assert_int_equal(kj_answers_import_csv(ctx, "MHA-FY2025-1", "answers.csv", mem_read, &m, &nrows, &rep), KJ_ERR_INVALID);
	assert_non_null(rep);
	assert_int_equal(json_integer_value(json_object_get(rep, "bad_rows")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(rep, "rows"), 0), "row")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(rep, "rows"), 0), "column")), "value");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(rep, "rows"), 1), "column")), "checklist");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(rep, "rows"), 2), "column")), "item");
	json_decref(rep);
	rep = NULL;
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM answer a JOIN checklist k ON k.id = a.checklist_id WHERE k.user_id IN "
				    "(SELECT id FROM app_user WHERE name = 'bob')"), 0);
	m = (struct mem){"item,checklist,value\n", 21, 0};
	assert_int_equal(kj_answers_import_csv(ctx, "MHA-FY2025-1", "h.csv", mem_read, &m, &nrows, NULL), KJ_ERR_INVALID);
	assert_non_null(strstr(ctx->msg, "header"));
	/* A good file: answers and roll-ups. */
	snprintf(csv, sizeof(csv), "\xef\xbb\xbf" "checklist,item,value,comment\r\n%s,8.1.1(2)(a),not_implemented,\"quoted, with a comma\"\r\n", k2);
	m = (struct mem){csv, strlen(csv), 0};
	ok(ctx, kj_answers_import_csv(ctx, "MHA-FY2025-1", "answers.csv", mem_read, &m, &nrows, &rep), "import");
	assert_int_equal(nrows, 1);
	assert_int_equal(count(ctx, "SELECT SUM(n_not_done) FROM rollup"), 1);
	ok(ctx, kj_rollup(ctx, "MHA-FY2025-1", "unit", NULL, &j), "rollup by unit");
	assert_int_equal(json_array_size(json_object_get(j, "rows")), 2);
	json_decref(j);
	ok(ctx, kj_rollup(ctx, "MHA-FY2025-1", "requirement", "MHA-GA-GEN", &j), "rollup under a unit");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "total"), "not_done")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "total"), "done")), 0);
	json_decref(j);
	ok(ctx, kj_campaign_export_oscal(ctx, "MHA-FY2025-1", "2025-08-01T00:00:00Z", &j), "oscal");
	assert_non_null(json_object_get(json_object_get(j, "assessment-results"), "results"));
	json_decref(j);
	(void)staff2;
}

static void
test_mandate(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_campaign_new in;
	size_t n = 0, kids = 0;
	json_t *list;

	memset(&in, 0, sizeof(in));
	in.code = "GOV-2025";
	in.org = "NCO";
	in.title_ja = "政府統一自己点検";
	in.title_en = "Government-wide self-inspection";
	in.edition = "demo-fy2025";
	in.opens_on = "2025-09-01";
	in.due_on = "2025-10-31";
	ok(ctx, kj_campaign_create(ctx, &in, &n), "campaign");
	ok(ctx, kj_campaign_mandate(ctx, "GOV-2025", NULL, &kids), "mandate");
	assert_int_equal((int64_t)kids, count(ctx, "SELECT COUNT(*) FROM org WHERE valid_to IS NULL AND kind IN "
						 "('ministry', 'agency', 'corporation')"));
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM campaign_item"), (int64_t)(n * (kids + 1)));
	ok(ctx, kj_campaign_list(ctx, "MHA", 2025, NULL, 0, &list, NULL), "list");
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "mandated_by")), "GOV-2025");
	json_decref(list);
	/* Opening the mandate opens every child. */
	ok(ctx, kj_campaign_set_status(ctx, "GOV-2025", "open"), "open");
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM campaign WHERE status = 'open'"), (int64_t)kids + 1);
}

int
main(int argc, char **argv)
{
	static const struct harness_suite suite = {.name = "inspection", .schema = "inspection", .tmp = "insp",
						   .setup = harness_setup_demo};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_campaign),
		cmocka_unit_test(test_mandate),
	};

	return harness_main(argc, argv, &suite, tests, sizeof(tests) / sizeof(tests[0]));
}
