/*
 * test_scale.c: the national-scale data set (formats/scale.h) on a real database, run on
 * SQLite and on PostgreSQL (argv[1] picks the backend), at a small size. It checks what
 * the benchmarks and the demo rely on: the roll-up counters are exactly the sums of the
 * answers, rows refer to what the model would have made them refer to, the model reads the
 * data (roll-up, evaluation, audit-log chain), the model can still add rows afterwards
 * (the ids chosen by the generator left the sequences behind them), the same seed gives
 * the same data, and a database that holds data is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db/db.h"
#include "formats/scale.h"
#include "model/account.h"
#include "model/auditlog.h"
#include "model/eval.h"
#include "model/inspection.h"
#include "model/org.h"

#include "store_harness.h"

#define LAST_FY 2024

static void
small(struct kj_scale_opts *o, int answers)
{
	memset(o, 0, sizeof(*o));
	o->norgs = 30;
	o->nministries = 4;
	o->nrequirements = 24;
	o->nyears = 3;
	o->last_fy = LAST_FY;
	o->answers = answers;
}

/* Acts as the account name. */
static void
act_as(struct kj_ctx *ctx, const char *name)
{
	struct kj_user u;

	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
	ok(ctx, kj_user_get(ctx, name, &u), "the account");
	ctx->who.user_id = u.id;
	ctx->who.role = u.role;
	ctx->who.org_id = u.org_id;
}

static void
test_counters_are_the_answers(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_scale_opts o;
	struct kj_scale_counts n;
	struct kj_audit_verdict v;
	json_t *acc = NULL, *j = NULL;

	small(&o, 1);
	ok(ctx, kj_scale_generate(ctx, &o, &n, &acc), "generate");
	assert_int_equal(n.first_fy, LAST_FY - 2);
	assert_int_equal(json_array_size(acc), 2);
	json_decref(acc);

	/* What it says it made is there. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM org WHERE kind IN ('ministry', 'agency', 'corporation')"), 30);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM org"), n.orgs);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM campaign"), n.campaigns);
	assert_int_equal(n.campaigns, 3 * 31);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM campaign_item"), n.campaign_items);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM checklist"), n.checklists);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM answer"), n.answers);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM rollup"), n.rollup_rows);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_finding"), n.findings);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM improvement_plan"), n.plans);
	assert_true(n.answers > 0 && n.findings > 0 && n.plans > 0 && n.policy_versions >= 30);

	/* Every counter row is the sum of its answers, and every group of answers has its row. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM rollup r LEFT JOIN (SELECT k.campaign_id AS c, a.item_id AS i, "
				    "k.org_id AS o, SUM(CASE WHEN a.bucket = 'done' THEN 1 ELSE 0 END) AS d, "
				    "SUM(CASE WHEN a.bucket = 'partial' THEN 1 ELSE 0 END) AS p, "
				    "SUM(CASE WHEN a.bucket = 'not_done' THEN 1 ELSE 0 END) AS nd, "
				    "SUM(CASE WHEN a.bucket = 'excluded' THEN 1 ELSE 0 END) AS x "
				    "FROM answer a JOIN checklist k ON k.id = a.checklist_id GROUP BY k.campaign_id, a.item_id, k.org_id) t "
				    "ON t.c = r.campaign_id AND t.i = r.item_id AND t.o = r.org_id "
				    "WHERE t.c IS NULL OR t.d <> r.n_done OR t.p <> r.n_partial OR t.nd <> r.n_not_done "
				    "OR t.x <> r.n_excluded"),
			 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM (SELECT DISTINCT k.campaign_id AS c, a.item_id AS i, k.org_id AS o "
				    "FROM answer a JOIN checklist k ON k.id = a.checklist_id) t LEFT JOIN rollup r "
				    "ON t.c = r.campaign_id AND t.i = r.item_id AND t.o = r.org_id WHERE r.campaign_id IS NULL"),
			 0);
	/* An answer is to an item of its checklist's campaign and role; a submitted checklist
	 * is answered whole. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM answer a JOIN checklist k ON k.id = a.checklist_id "
				    "JOIN campaign_item i ON i.id = a.item_id WHERE i.campaign_id <> k.campaign_id OR i.role <> k.role"),
			 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM checklist k JOIN campaign_item i ON i.campaign_id = k.campaign_id "
				    "AND i.role = k.role LEFT JOIN answer a ON a.checklist_id = k.id AND a.item_id = i.id "
				    "WHERE k.status = 'submitted' AND a.item_id IS NULL"),
			 0);
	/* Findings name requirements in scope; signed-off engagements were signed by their
	 * lead; plans cite findings of signed-off engagements; a document has one version in
	 * force at most; children of a mandate belong to it. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_finding f LEFT JOIN engagement_scope s "
				    "ON s.engagement_id = f.engagement_id AND s.item_number = f.item_number WHERE s.id IS NULL"),
			 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_engagement e LEFT JOIN engagement_member m "
				    "ON m.engagement_id = e.id AND m.role = 'lead' AND m.user_id = e.signed_off_by "
				    "WHERE e.status = 'signed_off' AND m.user_id IS NULL"),
			 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM plan_finding pf JOIN audit_finding f ON f.id = pf.finding_id "
				    "JOIN audit_engagement e ON e.id = f.engagement_id WHERE e.status <> 'signed_off'"),
			 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM (SELECT doc_id FROM policy_version WHERE status = 'in_force' "
				    "GROUP BY doc_id HAVING COUNT(*) > 1) t"),
			 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM campaign c JOIN campaign p ON p.id = c.mandate_id "
				    "WHERE p.fiscal_year <> c.fiscal_year OR p.edition_id <> c.edition_id"),
			 0);

	/* The model reads it. */
	ok(ctx, kj_rollup(ctx, "GOV-FY2024", "org", NULL, &j), "roll-up");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "total"), "answers")),
			 count(ctx, "SELECT COUNT(*) FROM answer a JOIN checklist k ON k.id = a.checklist_id "
				    "JOIN campaign c ON c.id = k.campaign_id WHERE c.fiscal_year = 2024"));
	json_decref(j);
	act_as(ctx, "analyst");
	ok(ctx, kj_eval_government(ctx, LAST_FY, &j), "evaluation");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "orgs")), 30);
	assert_true(json_integer_value(json_object_get(json_object_get(j, "summary"), "scored")) >= 25);
	assert_int_equal(json_array_size(json_object_get(j, "trend")), 3);
	json_decref(j);
	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
	ok(ctx, kj_auditlog_verify(ctx, &v), "verify");
	assert_int_equal(v.first_bad, 0);
	assert_true(v.nrecords > n.orgs);

	/* The model adds rows after it: the ids it chose are behind the sequences. */
	{
		struct kj_user_new u = {.name = "late-comer", .org = "MHA", .role = "staff", .password = "a long enough password"};
		struct kj_campaign_new c = {.code = "LATE", .org = "MHA", .title_ja = "追加", .title_en = "Late",
					    .edition = "scale-fy2023", .opens_on = "2024-06-01", .due_on = "2024-09-30"};
		size_t nitems = 0;

		ok(ctx, kj_user_create(ctx, &u, NULL, NULL, 0), "an account after the data set");
		ok(ctx, kj_campaign_create(ctx, &c, &nitems), "a campaign after the data set");
		assert_int_equal(nitems, 24);
	}
}

/* A fingerprint of the data: counter sums weighted by position, and a few counts. */
static void
fingerprint(struct kj_ctx *ctx, int64_t out[3])
{
	out[0] = count(ctx, "SELECT SUM(n_done * 3 + n_partial * 5 + n_not_done * 7 + n_excluded * 11 + item_id % 13) FROM rollup");
	out[1] = count(ctx, "SELECT COUNT(*) FROM audit_finding WHERE severity = 'critical'");
	out[2] = count(ctx, "SELECT COUNT(*) FROM checklist WHERE status = 'submitted'");
}

static void
test_same_seed_same_data(void **state)
{
	struct kj_ctx *ctx = *state, other;
	struct kj_scale_opts o;
	int64_t a[3], b[3], c[3];
	char max_uuid[2][37];
	struct kj_stmt *st = NULL;
	int row, i;

	small(&o, 0);
	ok(ctx, kj_scale_generate(ctx, &o, NULL, NULL), "generate");
	fingerprint(ctx, a);
	ok(ctx, kj_db_prepare(ctx, "SELECT MAX(uuid) FROM org", &st), "max uuid");
	ok(ctx, kj_stmt_step(ctx, st, &row), "max uuid");
	snprintf(max_uuid[0], sizeof(max_uuid[0]), "%s", kj_stmt_text(st, 0));
	kj_stmt_free(st);
	kj_db_close(ctx->db);
	ctx->db = NULL;

	/* Again into a fresh database: the same; then with another seed: different. */
	for (i = 0; i < 2; i++) {
		kj_ctx_init(&other);
		assert_int_equal(harness_fresh_db(&other), 0);
		o.seed = i == 0 ? 0 : 7;
		ok(&other, kj_scale_generate(&other, &o, NULL, NULL), "generate again");
		fingerprint(&other, i == 0 ? b : c);
		if (i == 0) {
			ok(&other, kj_db_prepare(&other, "SELECT MAX(uuid) FROM org", &st), "max uuid");
			ok(&other, kj_stmt_step(&other, st, &row), "max uuid");
			snprintf(max_uuid[1], sizeof(max_uuid[1]), "%s", kj_stmt_text(st, 0));
			kj_stmt_free(st);
		}
		kj_db_close(other.db);
	}
	assert_memory_equal(a, b, sizeof(a));
	assert_string_equal(max_uuid[0], max_uuid[1]);
	assert_true(a[0] != c[0]);
}

static void
test_refusals(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_scale_opts o;
	kj_err r;

	small(&o, 0);
	o.nrequirements = 3;
	refused(ctx, kj_scale_generate(ctx, &o, NULL, NULL), KJ_ERR_INVALID, "requirements");
	small(&o, 0);
	o.norgs = 2;
	refused(ctx, kj_scale_generate(ctx, &o, NULL, NULL), KJ_ERR_INVALID, "organisations");
	small(&o, 0);
	ok(ctx, kj_scale_generate(ctx, &o, NULL, NULL), "generate");
	r = kj_scale_generate(ctx, &o, NULL, NULL);
	refused(ctx, r, KJ_ERR_STATE, "empty");
	/* Nothing of the refused run stayed. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM campaign"), 3 * 31);
}

int
main(int argc, char **argv)
{
	static const struct harness_suite suite = {"scale", "scale", "scale", harness_setup};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters_are_the_answers),
		cmocka_unit_test(test_same_seed_same_data),
		cmocka_unit_test(test_refusals),
	};

	return harness_main(argc, argv, &suite, tests, sizeof(tests) / sizeof(tests[0]));
}
