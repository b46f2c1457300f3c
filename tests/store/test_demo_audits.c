/*
 * test_demo_audits.c: the audits of the demo government (kj_demo_populate), on SQLite and
 * on PostgreSQL (argv[1] picks the backend). The demo must hold the centre's and two
 * ministries' audit programmes for both fiscal years, engagements in every state, findings
 * of every kind inside their scopes, teams independent of what they audit, the follow-up
 * (recommendations and improvement plans in every state, citing only the recipient's
 * signed-off findings, one measure overdue) and an audit log whose chain holds.
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
#include "formats/demo.h"
#include "model/audit.h"
#include "model/auditlog.h"
#include "model/inspection.h"
#include "model/plan.h"

#include "store_harness.h"

/* Every engagement code of the demo, oldest first, at most this many. */
#define MAX_ENGAGEMENTS 64

static void
act_local(struct kj_ctx *ctx)
{
	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
	kj_strlcpy(ctx->who.name, "local", sizeof(ctx->who.name));
}

/* A fresh database with the whole demo: government, standard and activity. */
static int
setup(void **state)
{
	struct kj_ctx *ctx;
	json_t *accounts = NULL;

	if (harness_setup_demo(state) != 0)
		return -1;
	ctx = *state;
	act_local(ctx);
	if (kj_demo_populate(ctx, &accounts) != KJ_OK) {
		fprintf(stderr, "setup: %s\n", ctx->msg);
		harness_teardown(state);
		return -1;
	}
	json_decref(accounts);
	return 0;
}

/* The codes of the demo's engagements into codes; returns how many. */
static size_t
engagements(struct kj_ctx *ctx, char codes[][65])
{
	struct kj_stmt *st = NULL;
	size_t n = 0;
	int row;

	ok(ctx, kj_db_prepare(ctx, "SELECT code FROM audit_engagement ORDER BY id", &st), "engagement codes");
	while (kj_stmt_step(ctx, st, &row) == KJ_OK && row && n < MAX_ENGAGEMENTS)
		kj_strlcpy(codes[n++], kj_stmt_text(st, 0), 65);
	kj_stmt_free(st);
	return n;
}

/* 1 when the organisation with id member lies in the subtree of the one with id root: root
 * itself or anything below it, an agency counting as under its supervising ministry. */
static int
under(struct kj_ctx *ctx, int64_t member, int64_t root)
{
	char sql[160];
	int depth;

	for (depth = 0; member != 0 && depth < 16; depth++) {
		if (member == root)
			return 1;
		snprintf(sql, sizeof(sql), "SELECT COALESCE(parent_id, supervisor_id, 0) FROM org WHERE id = %lld", (long long)member);
		member = count(ctx, sql);
	}
	return 0;
}

static void
test_programmes_and_states(void **state)
{
	static const char *const kinds[] = {"management_audit", "penetration_test", "internal_audit"};
	static const char *const statuses[] = {"draft", "fieldwork", "reporting", "signed_off"};
	struct kj_ctx *ctx = *state;
	char sql[400];
	int y, i;

	for (y = 2024; y <= 2025; y++) {
		for (i = 0; i < 3; i++) {
			snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit_programme p JOIN audit_engagement e ON "
						   "e.programme_id = p.id WHERE p.fiscal_year = %d AND p.kind = '%s'", y, kinds[i]);
			if (count(ctx, sql) < 1)
				fail_msg("FY%d: no %s programme with an engagement", y, kinds[i]);
		}
		/* Two ministries audit their own units, one engagement each. */
		snprintf(sql, sizeof(sql), "SELECT COUNT(DISTINCT p.org_id) FROM audit_programme p JOIN org o ON o.id = p.org_id "
					   "JOIN audit_engagement e ON e.programme_id = p.id JOIN org a ON a.id = e.org_id "
					   "WHERE p.fiscal_year = %d AND p.kind = 'internal_audit' AND o.kind = 'ministry' AND "
					   "a.id <> o.id", y);
		assert_int_equal(count(ctx, sql), 2);
		/* The centre's management audits look at several ministries. */
		snprintf(sql, sizeof(sql), "SELECT COUNT(DISTINCT e.org_id) FROM audit_programme p JOIN audit_engagement e ON "
					   "e.programme_id = p.id JOIN org o ON o.id = e.org_id WHERE p.fiscal_year = %d AND "
					   "p.kind = 'management_audit' AND o.kind = 'ministry'", y);
		assert_true(count(ctx, sql) >= 3);
	}
	for (i = 0; i < 4; i++) {
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit_engagement WHERE status = '%s'", statuses[i]);
		if (count(ctx, sql) < 1)
			fail_msg("no engagement in %s", statuses[i]);
	}
	/* FY2024 is over: all signed off. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_engagement e JOIN audit_programme p ON p.id = e.programme_id "
				    "WHERE p.fiscal_year = 2024 AND e.status <> 'signed_off'"), 0);
	/* Findings of every category and severity, a few urgent, nothing in draft. */
	assert_int_equal(count(ctx, "SELECT COUNT(DISTINCT category) FROM audit_finding"), 3);
	assert_int_equal(count(ctx, "SELECT COUNT(DISTINCT severity) FROM audit_finding WHERE category = 'finding'"), 4);
	assert_in_range(count(ctx, "SELECT COUNT(*) FROM audit_finding WHERE urgent = 1"), 2, 8);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_finding f JOIN audit_engagement e ON e.id = f.engagement_id "
				    "WHERE e.status = 'draft'"), 0);
	/* Bilingual: "日本語 / English" titles, a Japanese paragraph and an English one. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_finding WHERE title NOT LIKE '% / %' OR text NOT LIKE '%。%' "
				    "OR text NOT LIKE '%.'"), 0);
}

static void
test_engagements(void **state)
{
	struct kj_ctx *ctx = *state;
	char codes[MAX_ENGAGEMENTS][65];
	size_t n = engagements(ctx, codes), i, j, k;
	int nfindings = 0;

	assert_true(n >= 10);
	/* The subtree walk itself: a division and a supervised agency are under the ministry. */
	assert_true(under(ctx, org_id(ctx, "MHA-EL-MGT"), org_id(ctx, "MHA")));
	assert_true(under(ctx, org_id(ctx, "AG01"), org_id(ctx, "MHA")));
	assert_false(under(ctx, org_id(ctx, "MHA-GA-GEN"), org_id(ctx, "MHA-EL")));
	act_local(ctx);
	for (i = 0; i < n; i++) {
		json_t *e = NULL, *f = NULL, *m, *v;
		const char *lead = NULL, *status;
		size_t nreqs;
		int fy;

		ok(ctx, kj_audit_engagement_get(ctx, codes[i], &e), codes[i]);
		ok(ctx, kj_audit_finding_list(ctx, codes[i], &f), codes[i]);
		fy = (int)json_integer_value(json_object_get(e, "fiscal_year"));
		status = json_string_value(json_object_get(e, "status"));
		/* The criteria: the edition of that year's self-inspection. */
		assert_string_equal(json_string_value(json_object_get(e, "edition")), fy == 2024 ? "demo-fy2023" : "demo-fy2025");
		/* A dozen requirements or so. */
		nreqs = json_array_size(json_object_get(e, "requirements"));
		if (nreqs < 10 || nreqs > 16)
			fail_msg("%s: %zu requirements in scope", codes[i], nreqs);
		/* Every finding names a requirement of the scope. */
		json_array_foreach(f, j, v) {
			const char *req = json_string_value(json_object_get(v, "requirement"));
			int found = 0;

			json_array_foreach(json_object_get(e, "requirements"), k, m) {
				if (strcmp(json_string_value(m), req) == 0)
					found = 1;
			}
			if (!found)
				fail_msg("%s: finding on %s, which is not in scope", codes[i], req);
			nfindings++;
		}
		/* Nobody on the team belongs to the audited organisation or below it. */
		json_array_foreach(json_object_get(e, "team"), j, m) {
			const char *org = json_string_value(json_object_get(m, "org"));
			int64_t audited = org_id(ctx, json_string_value(json_object_get(e, "org")));

			assert_true(audited != 0);
			if (under(ctx, org_id(ctx, org), audited))
				fail_msg("%s: %s of %s audits %s", codes[i], json_string_value(json_object_get(m, "user")), org,
					 json_string_value(json_object_get(e, "org")));
			if (strcmp(json_string_value(json_object_get(m, "role")), "lead") == 0)
				lead = json_string_value(json_object_get(m, "user"));
			/* An internal audit is done by the ministry's own people; the centre's by the centre. */
			if (strcmp(json_string_value(json_object_get(e, "kind")), "internal_audit") == 0) {
				char sql[200];

				snprintf(sql, sizeof(sql), "SELECT p.org_id FROM audit_programme p WHERE p.code = '%s'",
					 json_string_value(json_object_get(e, "programme")));
				assert_true(under(ctx, org_id(ctx, org), count(ctx, sql)));
			} else {
				assert_string_equal(org, "NCO");
			}
		}
		if (lead == NULL)
			fail_msg("%s: no lead auditor", codes[i]);
		/* Only the lead signs off. */
		if (strcmp(status, "signed_off") == 0)
			assert_string_equal(json_string_value(json_object_get(e, "signed_off_by")), lead);
		else
			assert_true(json_is_null(json_object_get(e, "signed_off_by")));
		if (strcmp(status, "draft") != 0 && strcmp(status, "fieldwork") != 0 && json_array_size(f) == 0)
			fail_msg("%s: in %s without findings", codes[i], status);
		json_decref(e);
		json_decref(f);
	}
	assert_true(nfindings >= 30);
	/* The same through SQL, for every finding there is. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_finding f WHERE NOT EXISTS (SELECT 1 FROM engagement_scope s "
				    "WHERE s.engagement_id = f.engagement_id AND s.item_number = f.item_number)"), 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_finding"), nfindings);
}

/* The plan with code as JSON, read by the local administrator. */
static json_t *
plan(struct kj_ctx *ctx, const char *code)
{
	json_t *p = NULL;

	act_local(ctx);
	ok(ctx, kj_plan_get(ctx, code, &p), code);
	return p;
}

static void
test_follow_up(void **state)
{
	/* The story: one plan verified (its recommendation closed), one under way with a
	 * measure overdue, one submitted awaiting the centre, and one made directly for a
	 * ministry's internal audit. */
	static const struct {
		const char *plan, *rec, *rec_status, *org, *reviewer, *status;
	} want[] = {
		{"MPF-PLAN-FY2024", "NCO-FY2024-REC-MPF", "closed", "MPF", "NCO", "verified"},
		{"MJA-PLAN-FY2024", "NCO-FY2024-REC-MJA", "accepted", "MJA", "NCO", "in_progress"},
		{"MHS-PLAN-FY2024", "NCO-FY2024-REC-MHS", "accepted", "MHS", "NCO", "submitted"},
		{"MHA-EL-PLAN-FY2024", NULL, NULL, "MHA-EL", "MHA", "in_progress"},
	};
	struct kj_ctx *ctx = *state;
	json_t *recs = NULL, *overdue = NULL, *v;
	char today[11];
	size_t i, j;
	int more = 0, late = 0;

	kj_date_format(kj_now(ctx), today);
	act_local(ctx);
	ok(ctx, kj_recommendation_list(ctx, NULL, NULL, NULL, 0, &recs, &more), "recommendations");
	assert_int_equal(json_array_size(recs), 3);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		json_t *p = plan(ctx, want[i].plan), *m;
		size_t nm = json_array_size(json_object_get(p, "measures"));

		assert_string_equal(json_string_value(json_object_get(p, "status")), want[i].status);
		assert_string_equal(json_string_value(json_object_get(p, "org")), want[i].org);
		assert_string_equal(json_string_value(json_object_get(p, "reviewer")), want[i].reviewer);
		/* Bilingual texts: a Japanese paragraph and an English one. */
		assert_non_null(strstr(json_string_value(json_object_get(p, "text")), "。\n\n"));
		if (nm < 2 || nm > 4)
			fail_msg("%s: %zu measures", want[i].plan, nm);
		json_array_foreach(json_object_get(p, "measures"), j, m) {
			char sql[200];

			snprintf(sql, sizeof(sql), "SELECT org_id FROM app_user WHERE name = '%s'",
				 json_string_value(json_object_get(m, "owner")));
			if (!under(ctx, count(ctx, sql), org_id(ctx, want[i].org)))
				fail_msg("%s: measure %zu owned by %s, outside %s", want[i].plan, j + 1,
					 json_string_value(json_object_get(m, "owner")), want[i].org);
			assert_non_null(strstr(json_string_value(json_object_get(m, "text")), " / "));
			if (json_is_true(json_object_get(m, "overdue"))) {
				assert_string_equal(json_string_value(json_object_get(m, "status")), "open");
				assert_true(strcmp(json_string_value(json_object_get(m, "due_on")), today) < 0);
				late++;
			}
		}
		/* Under way means reported on; verified means every measure done. */
		if (strcmp(want[i].status, "submitted") != 0)
			assert_true(json_array_size(json_object_get(p, "reports")) >= 1);
		if (strcmp(want[i].status, "verified") == 0)
			assert_int_equal(count(ctx, "SELECT COUNT(*) FROM plan_measure m JOIN improvement_plan p ON p.id = m.plan_id "
						    "WHERE p.status = 'verified' AND m.status <> 'done'"), 0);
		if (want[i].rec == NULL) {
			assert_true(json_is_null(json_object_get(p, "recommendation")));
		} else {
			int found = 0;

			assert_string_equal(json_string_value(json_object_get(p, "recommendation")), want[i].rec);
			json_array_foreach(recs, j, v) {
				if (strcmp(json_string_value(json_object_get(v, "code")), want[i].rec) != 0)
					continue;
				found = 1;
				assert_string_equal(json_string_value(json_object_get(v, "status")), want[i].rec_status);
				assert_string_equal(json_string_value(json_object_get(v, "issuer")), "NCO");
				assert_string_equal(json_string_value(json_object_get(v, "org")), want[i].org);
				assert_true(json_array_size(json_object_get(v, "findings")) >= 2);
			}
			assert_true(found);
		}
		json_decref(p);
	}
	assert_true(late >= 1);
	json_decref(recs);
	/* Every cited finding is the recipient's, from an engagement signed off before. */
	assert_true(count(ctx, "SELECT COUNT(*) FROM recommendation_finding") >= 6);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM recommendation_finding c JOIN recommendation r ON r.id = "
				    "c.recommendation_id JOIN audit_finding f ON f.id = c.finding_id JOIN audit_engagement e ON "
				    "e.id = f.engagement_id WHERE e.org_id <> r.org_id OR e.status <> 'signed_off' OR "
				    "SUBSTR(e.signed_off_at, 1, 10) > r.issued_on"), 0);
	assert_true(count(ctx, "SELECT COUNT(*) FROM plan_finding") >= 8);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM plan_finding c JOIN improvement_plan p ON p.id = c.plan_id "
				    "JOIN audit_finding f ON f.id = c.finding_id JOIN audit_engagement e ON e.id = f.engagement_id "
				    "WHERE e.org_id <> p.org_id OR e.status <> 'signed_off' OR e.signed_off_at > p.created_at"), 0);
	/* The overdue measure is there for escalation, for the centre and for its ministry. */
	ok(ctx, kj_plan_overdue_list(ctx, NULL, &overdue), "overdue");
	assert_true(json_array_size(overdue) >= 1);
	json_array_foreach(overdue, i, v) {
		assert_true(strcmp(json_string_value(json_object_get(v, "due_on")), today) < 0);
	}
	json_decref(overdue);
	ok(ctx, kj_plan_overdue_list(ctx, "MJA", &overdue), "overdue of MJA");
	assert_int_equal(json_array_size(overdue), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(overdue, 0), "plan")), "MJA-PLAN-FY2024");
	json_decref(overdue);
	/* A history, not a forecast: issued, reported and done before today. */
	{
		char sql[300];

		snprintf(sql, sizeof(sql), "SELECT (SELECT COUNT(*) FROM recommendation WHERE issued_on >= '%s') + (SELECT "
					   "COUNT(*) FROM plan_report WHERE reported_on >= '%s') + (SELECT COUNT(*) FROM "
					   "plan_measure WHERE done_on >= '%s')", today, today, today);
		assert_int_equal(count(ctx, sql), 0);
	}
	/* FY2024's campaign is closed: its submitted checklists stay as they are (reopening
	 * one is refused, since its holder could not answer again). */
	{
		struct kj_stmt *st = NULL;
		char uuid[37] = "";
		int row = 0;

		act_local(ctx);
		ok(ctx, kj_db_prepare(ctx, "SELECT k.uuid FROM checklist k JOIN campaign c ON c.id = k.campaign_id WHERE "
					   "c.status = 'closed' AND k.status = 'submitted' ORDER BY k.id LIMIT 1", &st), "prepare");
		ok(ctx, kj_stmt_step(ctx, st, &row), "step");
		assert_true(row);
		kj_strlcpy(uuid, kj_stmt_text(st, 0), sizeof(uuid));
		kj_stmt_free(st);
		assert_int_equal(kj_checklist_reopen(ctx, uuid), KJ_ERR_STATE);
		assert_non_null(strstr(ctx->msg, "its checklists are reopened only while it is open"));
		assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'checklist.reopen'"), 0);
	}
}

static void
test_audit_log(void **state)
{
	static const struct {
		const char *op, *sql;
	} on_record[] = {
		{"audit_programme.create", "SELECT COUNT(*) FROM audit_programme"},
		{"audit_engagement.create", "SELECT COUNT(*) FROM audit_engagement"},
		{"audit_engagement.member", "SELECT COUNT(*) FROM engagement_member"},
		{"audit_finding.add", "SELECT COUNT(*) FROM audit_finding"},
		{"audit_engagement.sign_off", "SELECT COUNT(*) FROM audit_engagement WHERE status = 'signed_off'"},
		{"recommendation.create", "SELECT COUNT(*) FROM recommendation"},
		{"improvement_plan.create", "SELECT COUNT(*) FROM improvement_plan"},
		{"improvement_plan.measure", "SELECT COUNT(*) FROM plan_measure"},
		{"improvement_plan.measure_done", "SELECT COUNT(*) FROM plan_measure WHERE status = 'done'"},
		{"improvement_plan.report", "SELECT COUNT(*) FROM plan_report"},
	};
	struct kj_ctx *ctx = *state;
	struct kj_audit_verdict v;
	size_t i;

	ok(ctx, kj_auditlog_verify(ctx, &v), "verify");
	if (v.first_bad != 0)
		fail_msg("audit log broken at %lld: %s", (long long)v.first_bad, v.why);
	assert_true(v.nrecords > 0);
	/* Every programme, engagement, member, finding and step is on record, and so is the
	 * follow-up: every recommendation, plan, measure and report. */
	for (i = 0; i < sizeof(on_record) / sizeof(on_record[0]); i++) {
		char sql[160];

		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit_log WHERE op = '%s'", on_record[i].op);
		if (count(ctx, sql) != count(ctx, on_record[i].sql))
			fail_msg("%s: %lld records for %lld rows", on_record[i].op, (long long)count(ctx, sql),
				 (long long)count(ctx, on_record[i].sql));
	}
}

int
main(int argc, char **argv)
{
	static const struct harness_suite suite = {.name = "demo audits", .schema = "demo_audits", .tmp = "demo-audits",
						   .setup = setup};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_programmes_and_states),
		cmocka_unit_test(test_engagements),
		cmocka_unit_test(test_follow_up),
		cmocka_unit_test(test_audit_log),
	};

	return harness_main(argc, argv, &suite, tests, sizeof(tests) / sizeof(tests[0]));
}
