/*
 * test_plan.c: recommendations, improvement plans, measures, progress reports and overdue
 * measures on a real database, run on SQLite and on PostgreSQL like the storage suite
 * (argv[1] picks the backend). The findings come from engagements made and signed off with
 * audit.h; every refusal is checked to leave nothing behind.
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
#include "model/account.h"
#include "model/audit.h"
#include "model/auditlog.h"
#include "model/inspection.h"
#include "model/notify.h"
#include "model/plan.h"

#include "store_harness.h"

/* The people of the tests, made by setup. */
enum {
	NCO_ADMIN, NCO_LEAD, MHA_CISO, MHA_OFFICER, MHA_STAFF, MHA_AUDIT, LG_OFFICER, MPF_CISO, AG01_CISO, AG01_OFFICER,
	NPEOPLE
};

static const struct harness_person people[NPEOPLE] = {
	[NCO_ADMIN] = {"nco-admin", "NCO", "centre_admin", KJ_ROLE_CENTRE_ADMIN},
	[NCO_LEAD] = {"nco-lead", "NCO", "centre_analyst", KJ_ROLE_CENTRE_ANALYST},
	[MHA_CISO] = {"mha-ciso", "MHA", "org_admin", KJ_ROLE_ORG_ADMIN},
	[MHA_OFFICER] = {"mha-officer", "MHA-GA", "unit_officer", KJ_ROLE_UNIT_OFFICER},
	[MHA_STAFF] = {"mha-staff", "MHA-GA-IT", "staff", KJ_ROLE_STAFF},
	[MHA_AUDIT] = {"mha-audit", "MHA-GA-GEN", "unit_officer", KJ_ROLE_UNIT_OFFICER},
	[LG_OFFICER] = {"lg-officer", "MHA-LG", "unit_officer", KJ_ROLE_UNIT_OFFICER},
	[MPF_CISO] = {"mpf-ciso", "MPF", "org_admin", KJ_ROLE_ORG_ADMIN},
	[AG01_CISO] = {"ag01-ciso", "AG01", "org_admin", KJ_ROLE_ORG_ADMIN},
	[AG01_OFFICER] = {"ag01-officer", "AG01", "unit_officer", KJ_ROLE_UNIT_OFFICER},
};
static int64_t ids[NPEOPLE];

/* The test clock, in seconds since the epoch. */
static int64_t clock_now;
#define JAN_15 INT64_C(1768435200)	/* 2026-01-15 */
#define FEB_20 INT64_C(1771545600)	/* 2026-02-20 */
#define MAR_01 INT64_C(1772323200)	/* 2026-03-01 */

static int64_t
test_clock(void *arg)
{
	return *(int64_t *)arg;
}

/* The findings made by setup (public ids). */
enum { F_MHA_1, F_MHA_2, F_MHA_OPEN, F_MPF, F_LG, F_AG01, NFINDINGS };
static char found[NFINDINGS][37];

/* Acts as one of the people from now on; as the local administrator with -1. */
static void
act(struct kj_ctx *ctx, int who)
{
	harness_act(ctx, people, ids, who);
}

/* An engagement of programme prog auditing org, led by lead, with a finding for each of
 * out[0..nout), moved on to reporting and, when sign is set, signed off. */
static int
audited(struct kj_ctx *ctx, const char *code, const char *prog, const char *org, int lead, int sign, char (*out)[37],
	size_t nout)
{
	static const char *const reqs[] = {"2.1.1(1)(a)", "2.3.2(1)(a)"};
	struct kj_audit_engagement_new e = {.code = code, .programme = prog, .org = org, .edition = "demo-fy2025",
					    .title_ja = "監査", .title_en = "Audit", .starts_on = "2025-10-01",
					    .ends_on = "2025-12-15"};
	size_t i;

	act(ctx, -1);
	if (kj_audit_engagement_create(ctx, &e, (char[37]){0}) != KJ_OK ||
	    kj_audit_member_add(ctx, code, people[lead].name, "lead") != KJ_OK ||
	    kj_audit_scope_set(ctx, code, reqs, 2, NULL, 0) != KJ_OK || kj_audit_engagement_advance(ctx, code, "fieldwork") != KJ_OK)
		return -1;
	for (i = 0; i < nout; i++) {
		struct kj_audit_finding_new f = {.engagement = code, .requirement = reqs[i % 2], .category = "finding",
						 .severity = "high", .title = "所見", .text = "No responsible officer is named."};

		if (kj_audit_finding_add(ctx, &f, out[i]) != KJ_OK)
			return -1;
	}
	if (kj_audit_engagement_advance(ctx, code, "reporting") != KJ_OK)
		return -1;
	act(ctx, lead);
	return sign && kj_audit_sign_off(ctx, code) != KJ_OK ? -1 : 0;
}

/* A fresh database with the demo data, the people, and the audits: the centre's signed-off
 * audits of MHA, MPF and AG01, one of MHA still in reporting, and MHA's signed-off internal
 * audit of its bureau MHA-LG. */
static int
setup(void **state)
{
	struct kj_audit_programme_new nco = {.code = "NCO-FY2025", .org = "NCO", .fiscal_year = 2025,
					     .kind = "management_audit", .title_ja = "監査", .title_en = "Audits"};
	struct kj_audit_programme_new mha = {.code = "MHA-FY2025", .org = "MHA", .fiscal_year = 2025,
					     .kind = "internal_audit", .title_ja = "内部監査", .title_en = "Internal audit"};
	struct kj_ctx *ctx;

	if (harness_setup_demo(state) != 0)
		return -1;
	ctx = *state;
	if (harness_people_create(ctx, people, ids, NPEOPLE) != 0)
		goto fail;
	if (kj_audit_programme_create(ctx, &nco, (char[37]){0}) != KJ_OK ||
	    kj_audit_programme_create(ctx, &mha, (char[37]){0}) != KJ_OK ||
	    audited(ctx, "MA-MHA", "NCO-FY2025", "MHA", NCO_LEAD, 1, &found[F_MHA_1], 2) != 0 ||
	    audited(ctx, "MA-MHA2", "NCO-FY2025", "MHA", NCO_LEAD, 0, &found[F_MHA_OPEN], 1) != 0 ||
	    audited(ctx, "MA-MPF", "NCO-FY2025", "MPF", NCO_LEAD, 1, &found[F_MPF], 1) != 0 ||
	    audited(ctx, "IA-LG", "MHA-FY2025", "MHA-LG", MHA_AUDIT, 1, &found[F_LG], 1) != 0 ||
	    audited(ctx, "MA-AG01", "NCO-FY2025", "AG01", NCO_LEAD, 1, &found[F_AG01], 1) != 0)
		goto fail;
	clock_now = JAN_15;
	ctx->now = test_clock;
	ctx->now_arg = &clock_now;
	act(ctx, -1);
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", ctx->msg);
	harness_teardown(state);
	return -1;
}

static kj_err
recommend(struct kj_ctx *ctx, const char *code, const char *issuer, const char *org, const char *due, int f1, int f2)
{
	const char *f[2] = {f1 >= 0 ? found[f1] : "not-a-uuid", f2 >= 0 ? found[f2] : NULL};
	struct kj_recommendation_new in = {.code = code, .issuer = issuer, .org = org, .findings = f,
					   .nfindings = f2 >= 0 ? 2 : 1, .text = "責任者を定めること。Name a responsible officer.",
					   .due_on = due};
	char uuid[37];

	return kj_recommendation_create(ctx, &in, uuid);
}

static kj_err
plan(struct kj_ctx *ctx, const char *code, const char *rec, const char *org, const char *due, int finding)
{
	const char *f[1] = {finding >= 0 ? found[finding] : NULL};
	struct kj_plan_new in = {.code = code, .recommendation = rec, .org = org, .findings = f,
				 .nfindings = finding >= 0 ? 1 : 0, .text = "改善計画 Improvement plan", .due_on = due};
	char uuid[37];

	return kj_plan_create(ctx, &in, uuid);
}

static int64_t
log_count(struct kj_ctx *ctx)
{
	return count(ctx, "SELECT COUNT(*) FROM audit_log");
}

static void
test_recommendation(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_recommendation_new in;
	const char *twice[] = {found[F_MHA_1], found[F_MHA_1]};
	const char *unknown[] = {"00000000-0000-4000-8000-000000000000"};
	int64_t before = log_count(ctx);
	int more = 0;
	json_t *j;

	act(ctx, NCO_ADMIN);
	/* Bad input, each refused with what was expected. */
	refused(ctx, recommend(ctx, "bad code!", "NCO", "MHA", "2026-06-30", F_MHA_1, -1), KJ_ERR_INVALID, "code");
	refused(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-02-30", F_MHA_1, -1), KJ_ERR_INVALID, "YYYY-MM-DD");
	refused(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-01-14", F_MHA_1, -1), KJ_ERR_INVALID, "before today (2026-01-15)");
	refused(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-06-30", -1, -1), KJ_ERR_INVALID, "findings[0]: expected");
	refused(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-06-30", F_MHA_1, F_MPF), KJ_ERR_INVALID,
		"findings[1]: a finding of engagement MA-MPF, which audited MPF, not MHA");
	refused(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-06-30", F_MHA_OPEN, -1), KJ_ERR_STATE,
		"engagement MA-MHA2 is in reporting, not signed off");
	refused(ctx, recommend(ctx, "R1", "NCO", "NCO", "2026-06-30", F_MHA_1, -1), KJ_ERR_INVALID, "cannot receive");
	refused(ctx, recommend(ctx, "R1", "MHA-GA", "MHA", "2026-06-30", F_MHA_1, -1), KJ_ERR_INVALID, "bureau");
	refused(ctx, recommend(ctx, "R1", "NCO", "NOPE", "2026-06-30", F_MHA_1, -1), KJ_ERR_NOT_FOUND, "org");
	in = (struct kj_recommendation_new){.code = "R1", .issuer = "NCO", .org = "MHA", .findings = twice, .nfindings = 2,
					    .text = "x", .due_on = "2026-06-30"};
	refused(ctx, kj_recommendation_create(ctx, &in, (char[37]){0}), KJ_ERR_INVALID, "findings[1]: named twice");
	in.findings = unknown;
	in.nfindings = 1;
	refused(ctx, kj_recommendation_create(ctx, &in, (char[37]){0}), KJ_ERR_NOT_FOUND, "no audit finding");
	in.nfindings = 0;
	refused(ctx, kj_recommendation_create(ctx, &in, (char[37]){0}), KJ_ERR_INVALID, "at least one");
	in.nfindings = 1;
	in.findings = twice;
	in.text = NULL;
	refused(ctx, kj_recommendation_create(ctx, &in, (char[37]){0}), KJ_ERR_INVALID, "text: required");
	/* Only the centre's administrator issues the centre's; others do not see it at all. */
	act(ctx, NCO_LEAD);
	refused(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-06-30", F_MHA_1, -1), KJ_ERR_DENIED, "administrator");
	act(ctx, MHA_CISO);
	refused(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-06-30", F_MHA_1, -1), KJ_ERR_NOT_FOUND, "issuer");
	act(ctx, NCO_ADMIN);
	ctx->who.read_only = 1;
	refused(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-06-30", F_MHA_1, -1), KJ_ERR_DENIED, "read-only");
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM recommendation"), 0);
	assert_int_equal(log_count(ctx), before);

	act(ctx, NCO_ADMIN);
	ok(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-06-30", F_MHA_1, F_MHA_2), "centre to MHA");
	refused(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-06-30", F_MHA_1, -1), KJ_ERR_EXISTS, "R1");
	/* The council recommends through the centre: R2 carries its authority. */
	{
		const char *fm[1] = {found[F_MPF]};
		struct kj_recommendation_new c = {.code = "R2", .issuer = "NCO", .org = "MPF", .findings = fm, .nfindings = 1,
						  .text = "本部勧告 / The council's recommendation", .due_on = "2026-01-15",
						  .authority = "cabinet"};

		refused(ctx, kj_recommendation_create(ctx, &c, (char[37]){0}), KJ_ERR_INVALID, "authority: expected issuer or council");
		c.authority = "council";
		ok(ctx, kj_recommendation_create(ctx, &c, (char[37]){0}), "centre to MPF for the council, due today");
	}
	/* A supervising ministry recommends to its agency, and only to it, and only its CISO. */
	act(ctx, MHA_CISO);
	{
		const char *fa[1] = {found[F_AG01]};
		struct kj_recommendation_new c = {.code = "R5", .issuer = "MHA", .org = "AG01", .findings = fa, .nfindings = 1,
						  .text = "x", .due_on = "2026-09-30", .authority = "council"};

		refused(ctx, kj_recommendation_create(ctx, &c, (char[37]){0}), KJ_ERR_INVALID,
			"the council's recommendations are issued by the centre, not by MHA");
	}
	ok(ctx, recommend(ctx, "R3", "MHA", "AG01", "2026-09-30", F_AG01, -1), "MHA to AG01");
	refused(ctx, recommend(ctx, "R4", "MHA", "MHA-LG", "2026-09-30", F_LG, -1), KJ_ERR_INVALID,
		"MHA-LG is not an agency or corporation that MHA supervises");
	act(ctx, NCO_ADMIN);
	refused(ctx, recommend(ctx, "R4", "MHA", "AG01", "2026-09-30", F_AG01, -1), KJ_ERR_DENIED, "only MHA's administrator");
	act(ctx, MPF_CISO);
	refused(ctx, recommend(ctx, "R4", "MPF", "AG01", "2026-09-30", F_AG01, -1), KJ_ERR_NOT_FOUND, "org");
	act(ctx, MHA_OFFICER);
	refused(ctx, recommend(ctx, "R4", "MHA", "AG01", "2026-09-30", F_AG01, -1), KJ_ERR_NOT_FOUND, NULL);
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM recommendation"), 3);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM recommendation_finding"), 4);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'recommendation.create'"), 3);
	assert_int_equal(log_count(ctx), before + 3);

	/* Lists follow scope. */
	act(ctx, NCO_LEAD);
	ok(ctx, kj_recommendation_list(ctx, NULL, NULL, NULL, 0, &j, NULL), "all");
	assert_int_equal(json_array_size(j), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "code")), "R1");
	assert_int_equal(json_array_size(json_object_get(json_array_get(j, 0), "findings")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "status")), "issued");
	assert_true(json_is_null(json_object_get(json_array_get(j, 0), "plan")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "authority")), "issuer");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "authority")), "council");
	json_decref(j);
	ok(ctx, kj_recommendation_list(ctx, NULL, NULL, NULL, 1, &j, &more), "page");
	assert_int_equal(json_array_size(j), 1);
	assert_int_equal(more, 1);
	json_decref(j);
	ok(ctx, kj_recommendation_list(ctx, NULL, NULL, "R2", 1, &j, &more), "last page");
	assert_int_equal(json_array_size(j), 1);
	assert_int_equal(more, 0);
	json_decref(j);
	ok(ctx, kj_recommendation_list(ctx, NULL, "MHA", NULL, 0, &j, NULL), "by issuer");
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "org")), "AG01");
	json_decref(j);
	act(ctx, MHA_CISO);
	ok(ctx, kj_recommendation_list(ctx, NULL, NULL, NULL, 0, &j, NULL), "MHA's scope");
	assert_int_equal(json_array_size(j), 2);
	json_decref(j);
	ok(ctx, kj_recommendation_list(ctx, "MHA", NULL, NULL, 0, &j, NULL), "to MHA");
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "issuer")), "NCO");
	json_decref(j);
	act(ctx, AG01_OFFICER);
	ok(ctx, kj_recommendation_list(ctx, NULL, NULL, NULL, 0, &j, NULL), "AG01's scope");
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);
	act(ctx, MPF_CISO);
	refused(ctx, kj_recommendation_list(ctx, "MHA", NULL, NULL, 0, &j, NULL), KJ_ERR_NOT_FOUND, "org");
	act(ctx, MHA_OFFICER);
	ok(ctx, kj_recommendation_list(ctx, NULL, NULL, NULL, 0, &j, NULL), "a bureau's scope");
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
}

static void
test_recommendation_status(void **state)
{
	struct kj_ctx *ctx = *state;
	int64_t before;

	act(ctx, NCO_ADMIN);
	ok(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-06-30", F_MHA_1, -1), "R1");
	ok(ctx, recommend(ctx, "R2", "NCO", "MHA", "2026-06-30", F_MHA_2, -1), "R2");
	act(ctx, MHA_CISO);
	ok(ctx, recommend(ctx, "R3", "MHA", "AG01", "2026-06-30", F_AG01, -1), "R3");
	before = log_count(ctx);

	/* The organisation accepts; the issuer closes and withdraws; no step is skipped. */
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_recommendation_set_status(ctx, "R1", "accepted"), KJ_ERR_DENIED, "officers of MHA");
	refused(ctx, kj_recommendation_set_status(ctx, "R1", "closed"), KJ_ERR_STATE, "issued and cannot move to closed");
	refused(ctx, kj_recommendation_set_status(ctx, "R1", "issued"), KJ_ERR_INVALID, "status");
	refused(ctx, kj_recommendation_set_status(ctx, "R1", "done"), KJ_ERR_INVALID, "status");
	refused(ctx, kj_recommendation_set_status(ctx, "R9", "withdrawn"), KJ_ERR_NOT_FOUND, "R9");
	act(ctx, MHA_OFFICER);
	refused(ctx, kj_recommendation_set_status(ctx, "R1", "accepted"), KJ_ERR_NOT_FOUND, "R1");
	act(ctx, MHA_CISO);
	ctx->who.read_only = 1;
	refused(ctx, kj_recommendation_set_status(ctx, "R1", "accepted"), KJ_ERR_DENIED, "read-only");
	act(ctx, MHA_CISO);
	refused(ctx, kj_recommendation_set_status(ctx, "R1", "withdrawn"), KJ_ERR_DENIED, "only the issuer (NCO)");
	/* The issuing ministry does not accept for its agency. */
	refused(ctx, kj_recommendation_set_status(ctx, "R3", "accepted"), KJ_ERR_DENIED, "officers of AG01");
	act(ctx, -1);
	assert_int_equal(log_count(ctx), before);

	act(ctx, MHA_CISO);
	ok(ctx, kj_recommendation_set_status(ctx, "R1", "accepted"), "accept");
	refused(ctx, kj_recommendation_set_status(ctx, "R1", "accepted"), KJ_ERR_STATE, "accepted and cannot move to accepted");
	act(ctx, AG01_OFFICER);
	ok(ctx, kj_recommendation_set_status(ctx, "R3", "accepted"), "agency accepts");
	/* Closing waits for a verified plan. */
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_recommendation_set_status(ctx, "R1", "closed"), KJ_ERR_STATE, "no improvement plan yet");
	ok(ctx, kj_recommendation_set_status(ctx, "R2", "withdrawn"), "withdraw issued");
	ok(ctx, kj_recommendation_set_status(ctx, "R1", "withdrawn"), "withdraw accepted");
	refused(ctx, kj_recommendation_set_status(ctx, "R1", "withdrawn"), KJ_ERR_STATE, "withdrawn and cannot move");
	act(ctx, MHA_CISO);
	refused(ctx, kj_recommendation_set_status(ctx, "R2", "accepted"), KJ_ERR_STATE, "withdrawn");
	refused(ctx, plan(ctx, "P1", "R1", NULL, "2026-05-31", -1), KJ_ERR_STATE, "recommendation R1 is withdrawn");
	ok(ctx, kj_recommendation_set_status(ctx, "R3", "withdrawn"), "a ministry withdraws its own");
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'recommendation.status'"), 5);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM recommendation WHERE status = 'withdrawn'"), 3);
}

/* The whole cycle of a plan for the centre's recommendation R1 to MHA. */
static void
test_plan_cycle(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_audit_verdict v;
	int64_t before;
	json_t *j, *m;
	int n = 0;

	act(ctx, NCO_ADMIN);
	ok(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-06-30", F_MHA_1, F_MHA_2), "R1");
	act(ctx, MHA_CISO);
	refused(ctx, plan(ctx, "P1", "R1", NULL, "2026-05-31", -1), KJ_ERR_STATE, "R1 is issued");
	ok(ctx, kj_recommendation_set_status(ctx, "R1", "accepted"), "accept R1");
	before = log_count(ctx);
	refused(ctx, plan(ctx, "P1", "R1", NULL, "2026-07-01", -1), KJ_ERR_INVALID, "after its recommendation's due date 2026-06-30");
	refused(ctx, plan(ctx, "P1", "R1", NULL, "2026-01-14", -1), KJ_ERR_INVALID, "before today");
	refused(ctx, plan(ctx, "P1", "R1", "MPF", "2026-05-31", -1), KJ_ERR_INVALID, "goes to MHA, not MPF");
	refused(ctx, plan(ctx, "P1", "R1", NULL, "2026-05-31", F_MPF), KJ_ERR_NOT_FOUND, "no audit finding");
	refused(ctx, plan(ctx, "P1", "R1", NULL, "2026-05-31", F_MHA_OPEN), KJ_ERR_NOT_FOUND, "no audit finding");
	refused(ctx, plan(ctx, "P1", "R9", NULL, "2026-05-31", -1), KJ_ERR_NOT_FOUND, "R9");
	act(ctx, NCO_ADMIN);
	refused(ctx, plan(ctx, "P1", "R1", NULL, "2026-05-31", F_MPF), KJ_ERR_DENIED, "only the officers of MHA");
	act(ctx, -1);
	refused(ctx, plan(ctx, "P1", "R1", NULL, "2026-05-31", F_MPF), KJ_ERR_INVALID, "cannot cite findings of another organisation");
	act(ctx, MHA_OFFICER);
	refused(ctx, plan(ctx, "P1", "R1", NULL, "2026-05-31", -1), KJ_ERR_NOT_FOUND, "R1");
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM improvement_plan"), 0);
	assert_int_equal(log_count(ctx), before);

	act(ctx, MHA_CISO);
	ok(ctx, plan(ctx, "P1", "R1", NULL, "2026-05-31", -1), "plan");
	refused(ctx, plan(ctx, "P2", "R1", NULL, "2026-05-31", -1), KJ_ERR_EXISTS, "R1 has a plan already (P1)");
	refused(ctx, plan(ctx, "P1", NULL, "MHA", "2026-05-31", F_MHA_1), KJ_ERR_EXISTS, "P1");
	/* Measures: an owner of MHA or its units, due in order. */
	refused(ctx, kj_plan_measure_add(ctx, "P1", "Name the officer", "mpf-ciso", "2026-03-31", &n), KJ_ERR_NOT_FOUND, "owner");
	act(ctx, -1);
	refused(ctx, kj_plan_measure_add(ctx, "P1", "Name the officer", "mpf-ciso", "2026-03-31", &n), KJ_ERR_INVALID,
		"mpf-ciso belongs to MPF, not to MHA or its units");
	act(ctx, MHA_CISO);
	refused(ctx, kj_plan_measure_add(ctx, "P1", "Name the officer", "mha-staff", "2026-06-01", &n), KJ_ERR_INVALID,
		"after the plan's due date 2026-05-31");
	refused(ctx, kj_plan_measure_add(ctx, "P1", "Name the officer", "mha-staff", "2026-01-01", &n), KJ_ERR_INVALID,
		"before today");
	refused(ctx, kj_plan_measure_add(ctx, "P1", "", "mha-staff", "2026-03-31", &n), KJ_ERR_INVALID, "text: required");
	refused(ctx, kj_plan_measure_add(ctx, "P1", "Name the officer", NULL, "2026-03-31", &n), KJ_ERR_INVALID, "owner");
	refused(ctx, kj_plan_measure_add(ctx, "P1", "Name the officer", "nobody", "2026-03-31", &n), KJ_ERR_NOT_FOUND, "owner");
	/* Submitting needs a measure. */
	refused(ctx, kj_plan_submit(ctx, "P1"), KJ_ERR_STATE, "no measures");
	ok(ctx, kj_plan_measure_add(ctx, "P1", "Name the officer", "mha-staff", "2026-03-31", &n), "measure 1");
	assert_int_equal(n, 1);
	ok(ctx, kj_plan_measure_add(ctx, "P1", "Train the officer", "mha-officer", "2026-05-31", &n), "measure 2");
	assert_int_equal(n, 2);
	/* Others: the centre does not write it; a bureau's officer does not see it. */
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_plan_measure_add(ctx, "P1", "x", "mha-staff", "2026-03-31", &n), KJ_ERR_DENIED, "officers of MHA");
	refused(ctx, kj_plan_submit(ctx, "P1"), KJ_ERR_DENIED, "officers of MHA");
	act(ctx, MHA_OFFICER);
	refused(ctx, kj_plan_submit(ctx, "P1"), KJ_ERR_NOT_FOUND, "P1");
	act(ctx, MPF_CISO);
	refused(ctx, kj_plan_get(ctx, "P1", &j), KJ_ERR_NOT_FOUND, "P1");

	/* No skipped step; the reviewer (the issuer, NCO) accepts, not MHA. */
	act(ctx, MHA_CISO);
	refused(ctx, kj_plan_start(ctx, "P1"), KJ_ERR_STATE, "draft and cannot move to in_progress (expected accepted first");
	refused(ctx, kj_plan_measure_done(ctx, "P1", 1), KJ_ERR_STATE, "P1 is draft");
	refused(ctx, kj_plan_report_add(ctx, "P1", "2026-01-15", 10, "started"), KJ_ERR_STATE, "P1 is draft");
	ok(ctx, kj_plan_submit(ctx, "P1"), "submit");
	refused(ctx, kj_plan_submit(ctx, "P1"), KJ_ERR_STATE, "submitted and cannot move to submitted");
	refused(ctx, kj_plan_measure_add(ctx, "P1", "More", "mha-staff", "2026-03-31", &n), KJ_ERR_STATE, "submitted; expected draft to add measures");
	refused(ctx, kj_plan_accept(ctx, "P1"), KJ_ERR_DENIED, "only the reviewer (NCO)");
	act(ctx, NCO_LEAD);
	refused(ctx, kj_plan_accept(ctx, "P1"), KJ_ERR_DENIED, "reviewer");
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_plan_verify(ctx, "P1"), KJ_ERR_STATE, "expected done first");
	/* The reviewer sends it back to draft with a reason, once; it is revised and submitted again. */
	refused(ctx, kj_plan_send_back(ctx, "P1", "", NULL), KJ_ERR_INVALID, "reason: required");
	act(ctx, MHA_CISO);
	refused(ctx, kj_plan_send_back(ctx, "P1", "Too vague", NULL), KJ_ERR_DENIED, "only the reviewer (NCO)");
	act(ctx, NCO_ADMIN);
	{
		char to[16];

		ok(ctx, kj_plan_send_back(ctx, "P1", "期限が遅すぎる / Bring measure 2 forward", to), "send back");
		assert_string_equal(to, "draft");
	}
	refused(ctx, kj_plan_send_back(ctx, "P1", "again", NULL), KJ_ERR_STATE, "P1 is draft; only a submitted plan");
	act(ctx, MHA_CISO);
	{
		int64_t next;

		ok(ctx, kj_notification_list(ctx, 1, 0, 10, &j, &next), "the CISO is told");
	}
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "kind")), "plan_returned");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "body")), "期限が遅すぎる / Bring measure 2 forward");
	json_decref(j);
	ok(ctx, kj_plan_get(ctx, "P1", &j), "back in draft");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "draft");
	assert_true(json_is_null(json_object_get(j, "submitted_at")));
	json_decref(j);
	ok(ctx, kj_plan_submit(ctx, "P1"), "submit again");
	act(ctx, NCO_ADMIN);
	ctx->who.read_only = 1;
	refused(ctx, kj_plan_accept(ctx, "P1"), KJ_ERR_DENIED, "read-only");
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_plan_accept(ctx, "P1"), "accept");
	refused(ctx, kj_plan_start(ctx, "P1"), KJ_ERR_DENIED, "officers of MHA");
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_start(ctx, "P1"), "start");

	/* Progress reports: dated in order, not in the future, 0 to 100. */
	clock_now = FEB_20;
	refused(ctx, kj_plan_report_add(ctx, "P1", "2026-02-20", 101, "x"), KJ_ERR_INVALID, "percent");
	refused(ctx, kj_plan_report_add(ctx, "P1", "2026-02-20", -1, "x"), KJ_ERR_INVALID, "percent");
	refused(ctx, kj_plan_report_add(ctx, "P1", "2026-02-21", 10, "x"), KJ_ERR_INVALID, "in the future");
	refused(ctx, kj_plan_report_add(ctx, "P1", "2026-01-14", 10, "x"), KJ_ERR_INVALID, "before plan P1 started (2026-01-15)");
	refused(ctx, kj_plan_report_add(ctx, "P1", "2026-13-01", 10, "x"), KJ_ERR_INVALID, "YYYY-MM-DD");
	refused(ctx, kj_plan_report_add(ctx, "P1", "2026-02-01", 10, NULL), KJ_ERR_INVALID, "text");
	ok(ctx, kj_plan_report_add(ctx, "P1", "2026-02-01", 30, "担当者を指名した Officer named"), "report");
	refused(ctx, kj_plan_report_add(ctx, "P1", "2026-01-31", 40, "x"), KJ_ERR_INVALID, "before the last report");
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_plan_report_add(ctx, "P1", "2026-02-20", 40, "x"), KJ_ERR_DENIED, "officers of MHA");
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_report_add(ctx, "P1", "2026-02-20", 60, "研修を計画した Training planned"), "second report");

	/* Done when every measure is done. */
	refused(ctx, kj_plan_complete(ctx, "P1"), KJ_ERR_STATE, "2 open measures");
	ok(ctx, kj_plan_measure_done(ctx, "P1", 1), "measure 1 done");
	refused(ctx, kj_plan_measure_done(ctx, "P1", 1), KJ_ERR_STATE, "done already");
	refused(ctx, kj_plan_measure_done(ctx, "P1", 9), KJ_ERR_NOT_FOUND, "no measure 9");
	refused(ctx, kj_plan_complete(ctx, "P1"), KJ_ERR_STATE, "1 open measure;");
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_plan_measure_done(ctx, "P1", 2), KJ_ERR_DENIED, "officers of MHA");
	refused(ctx, kj_recommendation_set_status(ctx, "R1", "closed"), KJ_ERR_STATE, "plan P1 is in_progress, not verified");
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_measure_done(ctx, "P1", 2), "measure 2 done");
	ok(ctx, kj_plan_complete(ctx, "P1"), "complete");
	refused(ctx, kj_plan_report_add(ctx, "P1", "2026-02-20", 100, "x"), KJ_ERR_STATE, "P1 is done");
	refused(ctx, kj_plan_verify(ctx, "P1"), KJ_ERR_DENIED, "only the reviewer (NCO)");
	/* Verification finds a gap: back to in_progress, a report, done again. */
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_plan_send_back(ctx, "P1", "研修記録がない / No record of the training", NULL), "send back from done");
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_report_add(ctx, "P1", "2026-02-20", 100, "研修記録を提出 Training record filed"), "report after");
	ok(ctx, kj_plan_complete(ctx, "P1"), "complete again");
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_plan_verify(ctx, "P1"), "verify");
	refused(ctx, kj_plan_verify(ctx, "P1"), KJ_ERR_STATE, "verified and cannot move to verified");
	ok(ctx, kj_recommendation_set_status(ctx, "R1", "closed"), "close R1");

	/* Read back: by the organisation's staff in scope too, not by a bureau outside. */
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_get(ctx, "P1", &j), "get");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "verified");
	assert_string_equal(json_string_value(json_object_get(j, "recommendation")), "R1");
	assert_string_equal(json_string_value(json_object_get(j, "reviewer")), "NCO");
	assert_string_equal(json_string_value(json_object_get(j, "accepted_by")), "nco-admin");
	assert_true(json_is_string(json_object_get(j, "verified_at")));
	assert_string_equal(json_string_value(json_object_get(j, "verified_by")), "nco-admin");
	assert_true(json_is_integer(json_object_get(j, "version")) && json_integer_value(json_object_get(j, "version")) > 1);
	assert_string_equal(json_string_value(json_object_get(j, "verified_by")), "nco-admin");
	assert_string_equal(json_string_value(json_object_get(j, "created_by")), "mha-ciso");
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "measures")), 2);
	m = json_array_get(json_object_get(j, "measures"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "owner")), "mha-staff");
	assert_string_equal(json_string_value(json_object_get(m, "status")), "done");
	assert_string_equal(json_string_value(json_object_get(m, "done_on")), "2026-02-20");
	assert_true(json_is_false(json_object_get(m, "overdue")));
	assert_int_equal(json_array_size(json_object_get(j, "reports")), 3);
	m = json_array_get(json_object_get(j, "reports"), 1);
	assert_int_equal(json_integer_value(json_object_get(m, "percent")), 60);
	assert_string_equal(json_string_value(json_object_get(m, "by")), "mha-ciso");
	json_decref(j);
	act(ctx, MHA_OFFICER);
	refused(ctx, kj_plan_get(ctx, "P1", &j), KJ_ERR_NOT_FOUND, "P1");
	act(ctx, NCO_LEAD);
	ok(ctx, kj_recommendation_list(ctx, "MHA", NULL, NULL, 0, &j, NULL), "list");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "plan")), "P1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "status")), "closed");
	json_decref(j);

	/* Every change is in the audit log, and the chain holds. */
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'improvement_plan.create'"), 1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'improvement_plan.measure'"), 2);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'improvement_plan.measure_done'"), 2);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'improvement_plan.report'"), 3);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'improvement_plan.status'"), 7);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'improvement_plan.send_back'"), 2);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM plan_report"), 3);
	ok(ctx, kj_auditlog_verify(ctx, &v), "verify");
	assert_int_equal(v.first_bad, 0);
}

/* Plans made directly for findings, and plans for a ministry's recommendation to its agency. */
static void
test_plan_direct(void **state)
{
	struct kj_ctx *ctx = *state;
	json_t *j;

	/* MHA's internal audit of MHA-LG: the bureau's officer plans, MHA reviews. */
	act(ctx, LG_OFFICER);
	refused(ctx, plan(ctx, "P-LG", NULL, "MHA-LG", "2026-06-30", -1), KJ_ERR_INVALID, "at least one audit finding");
	refused(ctx, plan(ctx, "P-LG", NULL, "MHA-LG", "2026-06-30", F_AG01), KJ_ERR_NOT_FOUND, "no audit finding");
	refused(ctx, plan(ctx, "P-LG", NULL, NULL, "2026-06-30", F_LG), KJ_ERR_INVALID, "org: required");
	act(ctx, MHA_CISO);
	refused(ctx, plan(ctx, "P-LG", NULL, "MHA-LG", "2026-06-30", F_MHA_1), KJ_ERR_INVALID,
		"audited MHA, not MHA-LG; a plan cannot cite findings of another organisation");
	refused(ctx, plan(ctx, "P-LG", NULL, "MHA-LG", "2026-06-30", F_LG), KJ_ERR_DENIED, "auditing organisation");
	act(ctx, LG_OFFICER);
	ok(ctx, plan(ctx, "P-LG", NULL, "MHA-LG", "2026-06-30", F_LG), "direct plan");
	ok(ctx, kj_plan_measure_add(ctx, "P-LG", "Fix it", "lg-officer", "2026-02-01", NULL), "measure");
	act(ctx, MHA_CISO);
	refused(ctx, kj_plan_submit(ctx, "P-LG"), KJ_ERR_DENIED, "officers of MHA-LG");
	act(ctx, LG_OFFICER);
	ok(ctx, kj_plan_submit(ctx, "P-LG"), "submit");
	refused(ctx, kj_plan_accept(ctx, "P-LG"), KJ_ERR_DENIED, "only the reviewer (MHA)");
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_plan_accept(ctx, "P-LG"), KJ_ERR_DENIED, "only the reviewer (MHA)");
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_accept(ctx, "P-LG"), "MHA accepts");
	ok(ctx, kj_plan_get(ctx, "P-LG", &j), "get");
	assert_true(json_is_null(json_object_get(j, "recommendation")));
	assert_string_equal(json_string_value(json_object_get(j, "reviewer")), "MHA");
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "findings"), 0)), found[F_LG]);
	json_decref(j);

	/* MHA's recommendation to AG01: AG01's officers plan, MHA's CISO reviews and does not write. */
	ok(ctx, recommend(ctx, "R-AG", "MHA", "AG01", "2026-06-30", F_AG01, -1), "recommend to AG01");
	act(ctx, AG01_CISO);
	ok(ctx, kj_recommendation_set_status(ctx, "R-AG", "accepted"), "AG01 accepts");
	act(ctx, MHA_CISO);
	refused(ctx, plan(ctx, "P-AG", "R-AG", NULL, "2026-06-30", -1), KJ_ERR_DENIED, "only the officers of AG01");
	act(ctx, AG01_OFFICER);
	ok(ctx, plan(ctx, "P-AG", "R-AG", NULL, "2026-06-30", -1), "AG01 plans");
	ok(ctx, kj_plan_measure_add(ctx, "P-AG", "Patch", "ag01-ciso", "2026-01-31", NULL), "measure");
	ok(ctx, kj_plan_submit(ctx, "P-AG"), "submit");
	act(ctx, AG01_CISO);
	refused(ctx, kj_plan_accept(ctx, "P-AG"), KJ_ERR_DENIED, "only the reviewer (MHA)");
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_accept(ctx, "P-AG"), "MHA accepts its agency's plan");
	act(ctx, MPF_CISO);
	refused(ctx, kj_plan_get(ctx, "P-AG", &j), KJ_ERR_NOT_FOUND, NULL);
	/* A withdrawn recommendation stops its plan. */
	act(ctx, MHA_CISO);
	ok(ctx, kj_recommendation_set_status(ctx, "R-AG", "withdrawn"), "withdraw");
	act(ctx, AG01_OFFICER);
	refused(ctx, kj_plan_start(ctx, "P-AG"), KJ_ERR_STATE, "R-AG was withdrawn");
	/* Its measures, past due, are no longer escalated. */
	clock_now = MAR_01;
	ok(ctx, kj_plan_overdue_list(ctx, "AG01", &j), "nothing overdue for a withdrawn recommendation");
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM improvement_plan"), 2);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM plan_finding"), 2);
}

/* Recommendation R1 to MHA, accepted, and its plan P1 in draft with three measures, due
 * on 1 and 15 February and 30 June; acting as MHA's CISO after. */
static void
p1_in_draft(struct kj_ctx *ctx)
{
	act(ctx, NCO_ADMIN);
	ok(ctx, recommend(ctx, "R1", "NCO", "MHA", "2026-06-30", F_MHA_1, -1), "R1");
	act(ctx, MHA_CISO);
	ok(ctx, kj_recommendation_set_status(ctx, "R1", "accepted"), "accept");
	ok(ctx, plan(ctx, "P1", "R1", NULL, "2026-06-30", -1), "plan");
	ok(ctx, kj_plan_measure_add(ctx, "P1", "Name the officer", "mha-staff", "2026-02-01", NULL), "measure 1");
	ok(ctx, kj_plan_measure_add(ctx, "P1", "Train", "mha-officer", "2026-02-15", NULL), "measure 2");
	ok(ctx, kj_plan_measure_add(ctx, "P1", "Audit again", "mha-ciso", "2026-06-30", NULL), "measure 3");
}

static void
test_overdue(void **state)
{
	struct kj_ctx *ctx = *state;
	json_t *j, *m;

	p1_in_draft(ctx);
	act(ctx, LG_OFFICER);
	ok(ctx, plan(ctx, "P-LG", NULL, "MHA-LG", "2026-06-30", F_LG), "direct plan");
	ok(ctx, kj_plan_measure_add(ctx, "P-LG", "Fix it", "lg-officer", "2026-01-20", NULL), "LG measure");
	act(ctx, NCO_ADMIN);
	ok(ctx, recommend(ctx, "R2", "NCO", "MPF", "2026-06-30", F_MPF, -1), "R2");
	act(ctx, MPF_CISO);
	ok(ctx, kj_recommendation_set_status(ctx, "R2", "accepted"), "accept R2");
	ok(ctx, plan(ctx, "P2", "R2", NULL, "2026-06-30", -1), "MPF plan");
	ok(ctx, kj_plan_measure_add(ctx, "P2", "Fix", "mpf-ciso", "2026-02-10", NULL), "MPF measure");

	/* Nothing is overdue yet. */
	act(ctx, NCO_LEAD);
	ok(ctx, kj_plan_overdue_list(ctx, NULL, &j), "none yet");
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);

	/* On 1 March, four measures are past due; one of them gets done, in progress. */
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_submit(ctx, "P1"), "submit");
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_plan_accept(ctx, "P1"), "accept");
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_start(ctx, "P1"), "start");
	clock_now = MAR_01;
	ok(ctx, kj_plan_measure_done(ctx, "P1", 2), "measure 2 done late");
	act(ctx, NCO_LEAD);
	ok(ctx, kj_plan_overdue_list(ctx, NULL, &j), "everything");
	assert_int_equal(json_array_size(j), 3);
	m = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(m, "plan")), "P-LG");
	assert_string_equal(json_string_value(json_object_get(m, "reviewer")), "MHA");
	assert_true(json_is_null(json_object_get(m, "recommendation")));
	m = json_array_get(j, 1);
	assert_string_equal(json_string_value(json_object_get(m, "plan")), "P1");
	assert_int_equal(json_integer_value(json_object_get(m, "n")), 1);
	assert_string_equal(json_string_value(json_object_get(m, "owner")), "mha-staff");
	assert_string_equal(json_string_value(json_object_get(m, "due_on")), "2026-02-01");
	assert_string_equal(json_string_value(json_object_get(m, "plan_status")), "in_progress");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 2), "org")), "MPF");
	json_decref(j);
	/* Per organisation: its subtree. */
	ok(ctx, kj_plan_overdue_list(ctx, "MHA", &j), "MHA and below");
	assert_int_equal(json_array_size(j), 2);
	json_decref(j);
	ok(ctx, kj_plan_overdue_list(ctx, "MHA-LG", &j), "MHA-LG");
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);
	refused(ctx, kj_plan_overdue_list(ctx, "NOPE", &j), KJ_ERR_NOT_FOUND, "org");
	/* Scope: MHA's CISO sees its own two; MPF's CISO does not see MHA at all. */
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_overdue_list(ctx, NULL, &j), "MHA's scope");
	assert_int_equal(json_array_size(j), 2);
	json_decref(j);
	ok(ctx, kj_plan_get(ctx, "P1", &j), "get");
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(j, "measures"), 0), "overdue")));
	assert_true(json_is_false(json_object_get(json_array_get(json_object_get(j, "measures"), 1), "overdue")));
	assert_true(json_is_false(json_object_get(json_array_get(json_object_get(j, "measures"), 2), "overdue")));
	json_decref(j);
	act(ctx, MPF_CISO);
	refused(ctx, kj_plan_overdue_list(ctx, "MHA", &j), KJ_ERR_NOT_FOUND, "org");
	ok(ctx, kj_plan_overdue_list(ctx, NULL, &j), "MPF's scope");
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);
}

/* The codes of every page of kj_plan_list (filters org, status, reviewer) read with limit,
 * joined by spaces in the order read, into out; checks that the pages add up: each full
 * but the last, more set on all but the last. */
static void
list_pages(struct kj_ctx *ctx, const char *org, const char *status, const char *reviewer, int limit, char *out,
	   size_t size)
{
	char after[64] = "";
	int more = 1, pages = 0;
	json_t *j, *x;
	size_t i;

	out[0] = '\0';
	while (more) {
		ok(ctx, kj_plan_list(ctx, org, status, reviewer, after[0] ? after : NULL, limit, &j, &more), "page");
		assert_true(more == 0 || json_array_size(j) == (size_t)limit);
		json_array_foreach(j, i, x) {
			size_t len = strlen(out);

			kj_strlcpy(after, json_string_value(json_object_get(x, "code")), sizeof(after));
			snprintf(out + len, size - len, "%s%s", len ? " " : "", after);
		}
		json_decref(j);
		assert_true(++pages < 1000);
	}
}

/* The plans of kj_plan_list are exactly those kj_plan_get reads, for every principal, and
 * pages of any size add up to the whole list. NMPF plans of MPF sort first, more than the
 * list reads in one query, so a principal who does not see MPF reads past more than one
 * chunk of them for a page. */
#define NMPF 270
static void
test_plan_list(void **state)
{
	static const int who[] = {NCO_LEAD, NCO_ADMIN, MHA_CISO, MHA_OFFICER, MHA_STAFF, LG_OFFICER, MPF_CISO, AG01_CISO};
	struct kj_ctx *ctx = *state;
	static char all[8192], paged[8192];
	char code[16];
	json_t *j, *x;
	int64_t before;
	size_t i, k, listed;
	int n, more = 0;

	act(ctx, MPF_CISO);
	for (n = 0; n < NMPF; n++) {
		snprintf(code, sizeof(code), "A-%03d", n);
		ok(ctx, plan(ctx, code, NULL, "MPF", "2026-06-30", F_MPF), "MPF plan");
	}
	p1_in_draft(ctx);
	ok(ctx, kj_plan_submit(ctx, "P1"), "submit");
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_plan_accept(ctx, "P1"), "accept");
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_start(ctx, "P1"), "start");
	act(ctx, LG_OFFICER);
	ok(ctx, plan(ctx, "P-LG", NULL, "MHA-LG", "2026-06-30", F_LG), "direct plan");
	act(ctx, AG01_CISO);
	ok(ctx, plan(ctx, "P-AG", NULL, "AG01", "2026-06-30", F_AG01), "AG01 plan");
	clock_now = MAR_01;
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_measure_done(ctx, "P1", 2), "measure 2 done");
	before = log_count(ctx);

	/* Listed iff readable, for each principal; and paged by 7 or 1, the same list. */
	for (k = 0; k < sizeof(who) / sizeof(who[0]); k++) {
		act(ctx, who[k]);
		ok(ctx, kj_plan_list(ctx, NULL, NULL, NULL, NULL, 0, &j, &more), "the whole list");
		assert_int_equal(more, 0);
		listed = json_array_size(j);
		json_array_foreach(j, i, x) {
			json_t *p = NULL;

			ok(ctx, kj_plan_get(ctx, json_string_value(json_object_get(x, "code")), &p), "a listed plan reads");
			json_decref(p);
		}
		json_decref(j);
		act(ctx, -1);
		ok(ctx, kj_plan_list(ctx, NULL, NULL, NULL, NULL, 0, &j, &more), "every plan");
		act(ctx, who[k]);
		n = 0;
		json_array_foreach(j, i, x) {
			json_t *p = NULL;

			n += kj_plan_get(ctx, json_string_value(json_object_get(x, "code")), &p) == KJ_OK;
			json_decref(p);
		}
		json_decref(j);
		assert_int_equal(n, (int)listed);
		list_pages(ctx, NULL, NULL, NULL, 0, all, sizeof(all));
		list_pages(ctx, NULL, NULL, NULL, 7, paged, sizeof(paged));
		assert_string_equal(paged, all);
		if (listed < 20) {
			list_pages(ctx, NULL, NULL, NULL, 1, paged, sizeof(paged));
			assert_string_equal(paged, all);
		}
	}
	/* MHA's CISO: MHA, its bureau and the agency it supervises, none of MPF's. */
	act(ctx, MHA_CISO);
	list_pages(ctx, NULL, NULL, NULL, 0, all, sizeof(all));
	assert_true(strstr(all, "P-AG") != NULL && strstr(all, "P-LG") != NULL && strstr(all, "P1") != NULL);
	assert_int_equal(strlen(all), strlen("P-AG P-LG P1"));
	act(ctx, -1);
	list_pages(ctx, NULL, NULL, NULL, 0, all, sizeof(all));
	assert_int_equal(strlen(all), NMPF * 6 - 1 + strlen(" P-AG P-LG P1"));

	/* Filters: the organisation itself (not its units), the status, the reviewer. */
	act(ctx, NCO_LEAD);
	list_pages(ctx, "MHA", NULL, NULL, 0, all, sizeof(all));
	assert_string_equal(all, "P1");
	list_pages(ctx, NULL, "in_progress", NULL, 0, all, sizeof(all));
	assert_string_equal(all, "P1");
	list_pages(ctx, NULL, NULL, "MHA", 0, all, sizeof(all));
	assert_string_equal(all, "P-LG");
	list_pages(ctx, "MPF", "draft", "NCO", 50, all, sizeof(all));
	assert_int_equal(strlen(all), NMPF * 6 - 1);
	list_pages(ctx, "MPF", "verified", NULL, 0, all, sizeof(all));
	assert_string_equal(all, "");
	refused(ctx, kj_plan_list(ctx, NULL, "closed", NULL, NULL, 0, &j, NULL), KJ_ERR_INVALID, "status: expected draft");
	refused(ctx, kj_plan_list(ctx, "NOPE", NULL, NULL, NULL, 0, &j, NULL), KJ_ERR_NOT_FOUND, "org");
	refused(ctx, kj_plan_list(ctx, NULL, NULL, "NOPE", NULL, 0, &j, NULL), KJ_ERR_NOT_FOUND, "reviewer");
	act(ctx, MPF_CISO);
	refused(ctx, kj_plan_list(ctx, "MHA", NULL, NULL, NULL, 0, &j, NULL), KJ_ERR_NOT_FOUND, "org");

	/* A row: the plan's head and its measures counted. */
	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_list(ctx, "MHA", NULL, NULL, NULL, 0, &j, NULL), "MHA's plan");
	assert_int_equal(json_array_size(j), 1);
	x = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(x, "recommendation")), "R1");
	assert_string_equal(json_string_value(json_object_get(x, "reviewer")), "NCO");
	assert_string_equal(json_string_value(json_object_get(x, "status")), "in_progress");
	assert_string_equal(json_string_value(json_object_get(x, "due_on")), "2026-06-30");
	assert_int_equal(json_integer_value(json_object_get(x, "measures")), 3);
	assert_int_equal(json_integer_value(json_object_get(x, "open")), 2);
	assert_int_equal(json_integer_value(json_object_get(x, "overdue")), 1);
	assert_int_equal(strlen(json_string_value(json_object_get(x, "id"))), 36);
	json_decref(j);
	/* Reading writes nothing. */
	assert_int_equal(log_count(ctx), before);
}

/* A campaign may choose the requirements named in open audit findings about the
 * organisation and what lies below it (agencies under their ministry): signed-off
 * engagements only, findings only. */
static void
test_campaign_from_findings(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_campaign_new in = {.title_ja = "監査所見の確認", .title_en = "Following up findings", .edition = "demo-fy2025",
				     .opens_on = "2026-01-20", .due_on = "2026-02-28"};
	size_t n = 0;

	act(ctx, -1);
	in.select = json_pack("{s:b}", "findings", 1);
	in.code = "FIND-MHA";
	in.org = "MHA";
	ok(ctx, kj_campaign_create(ctx, &in, &n), "MHA from findings");
	assert_int_equal(n, 2);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM campaign_item i JOIN campaign c ON c.id = i.campaign_id WHERE "
				    "c.code = 'FIND-MHA' AND i.item_number IN ('2.1.1(1)(a)', '2.3.2(1)(a)')"), 2);
	in.code = "FIND-MPF";
	in.org = "MPF";
	ok(ctx, kj_campaign_create(ctx, &in, &n), "MPF from findings");
	assert_int_equal(n, 1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM campaign_item i JOIN campaign c ON c.id = i.campaign_id WHERE "
				    "c.code = 'FIND-MPF' AND i.item_number = '2.1.1(1)(a)'"), 1);
	/* An organisation without open findings chooses nothing, and says so. */
	in.code = "FIND-MJA";
	in.org = "MJA";
	refused(ctx, kj_campaign_create(ctx, &in, &n), KJ_ERR_INVALID, "chooses no requirement");
	/* Combined with a filter, the findings add to what the filter chose. */
	json_decref(in.select);
	in.select = json_pack("{s:b, s:[s]}", "findings", 1, "numbers", "8.1.1(2)(a)");
	in.code = "FIND-MPF2";
	in.org = "MPF";
	ok(ctx, kj_campaign_create(ctx, &in, &n), "findings and numbers");
	assert_int_equal(n, 2);
	json_decref(in.select);
	in.select = json_pack("{s:s}", "findings", "yes");
	in.code = "FIND-BAD";
	refused(ctx, kj_campaign_create(ctx, &in, &n), KJ_ERR_INVALID, "select.findings");
	json_decref(in.select);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM campaign WHERE code IN ('FIND-MJA', 'FIND-BAD')"), 0);
}

int
main(int argc, char **argv)
{
	static const struct harness_suite suite = {.name = "plans", .schema = "plans", .tmp = "plan", .setup = setup};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recommendation),
		cmocka_unit_test(test_recommendation_status),
		cmocka_unit_test(test_plan_cycle),
		cmocka_unit_test(test_plan_direct),
		cmocka_unit_test(test_overdue),
		cmocka_unit_test(test_plan_list),
		cmocka_unit_test(test_campaign_from_findings),
	};

	return harness_main(argc, argv, &suite, tests, sizeof(tests) / sizeof(tests[0]));
}
