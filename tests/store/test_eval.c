/*
 * test_eval.c: the centre's evaluation (model/eval.h) on a real database, run on SQLite and
 * on PostgreSQL (argv[1] picks the backend). A small government built by hand gives scores
 * worked out on paper: MHA answers four requirements and is audited with a medium and a
 * high finding, MPF answers one; the plan for MHA's findings is then moved through every
 * state and the scores follow the factors. The last test takes the whole demo and follows
 * one of its plans to verified.
 *
 * The numbers (docs/EVALUATION.md):
 *   A 3.1.1(2)(a): implemented + partial              rate 0.75        score 75
 *   B 3.1.1(3)(a): not implemented + not applicable   rate 0           score 0 (advice: 0)
 *   C 2.1.1(1)(a): implemented; medium finding        rate 1, p 0.15   score 85
 *   D 2.1.1(1)(b): not applicable; high finding       no rate, p 0.30  score 70
 *   MHA = (75 + 0 + 85 + 70) / 4 = 57.5; part 2 = 77.5, part 3 = 37.5; MPF = 100.
 */
#include <math.h>
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
#include "model/access.h"
#include "model/audit.h"
#include "model/eval.h"
#include "model/inspection.h"
#include "model/org.h"
#include "model/plan.h"
#include "model/policy.h"

#include "store_harness.h"

enum { NCO_ADMIN, NCO_LEAD, MHA_CISO, MHA_OFFICER, MHA_STAFF, MHA_PEER, MPF_CISO, AUDITOR, NPEOPLE };

static const struct harness_person people[NPEOPLE] = {
	[NCO_ADMIN] = {"nco-admin", "NCO", "centre_admin", KJ_ROLE_CENTRE_ADMIN},
	[NCO_LEAD] = {"nco-lead", "NCO", "centre_analyst", KJ_ROLE_CENTRE_ANALYST},
	[MHA_CISO] = {"mha-ciso", "MHA", "org_admin", KJ_ROLE_ORG_ADMIN},
	[MHA_OFFICER] = {"mha-officer", "MHA-GA", "unit_officer", KJ_ROLE_UNIT_OFFICER},
	[MHA_STAFF] = {"mha-staff", "MHA-GA-IT", "staff", KJ_ROLE_STAFF},
	[MHA_PEER] = {"mha-peer", "MHA-GA-IT", "staff", KJ_ROLE_STAFF},
	[MPF_CISO] = {"mpf-ciso", "MPF", "org_admin", KJ_ROLE_ORG_ADMIN},
	[AUDITOR] = {"auditor", "NCO", "external_auditor", KJ_ROLE_EXTERNAL_AUDITOR},
};
static int64_t ids[NPEOPLE];

#define REQ_A "3.1.1(2)(a)"
#define REQ_B "3.1.1(3)(a)"
#define REQ_C "2.1.1(1)(a)"
#define REQ_D "2.1.1(1)(b)"

static int64_t clock_now;
#define JAN_15 INT64_C(1768435200)	/* 2026-01-15, fiscal year 2025 */

static int64_t
test_clock(void *arg)
{
	return *(int64_t *)arg;
}

static void
act(struct kj_ctx *ctx, int who)
{
	harness_act(ctx, people, ids, who);
}

/* Checklists (public ids) and findings made by setup. */
static char k_staff[37], k_peer[37], k_ciso[37], k_mpf[37], f_medium[37], f_high[37];

static int
campaign(struct kj_ctx *ctx, const char *code, const char *org, json_t *numbers)
{
	struct kj_campaign_new c = {.code = code, .org = org, .title_ja = "点検", .title_en = "Self-inspection",
				    .edition = "demo-fy2025", .opens_on = "2025-05-01", .due_on = "2025-09-30",
				    .select = json_pack("{s:o}", "numbers", numbers)};
	size_t n = 0;
	kj_err r = kj_campaign_create(ctx, &c, &n);

	json_decref(c.select);
	return r == KJ_OK && kj_campaign_set_status(ctx, code, "open") == KJ_OK ? 0 : -1;
}

static int
answer(struct kj_ctx *ctx, int who, const char *k, const char *req, const char *value)
{
	kj_err r;

	act(ctx, who);
	r = kj_answer_put(ctx, k, req, value, NULL, NULL);
	act(ctx, -1);
	return r == KJ_OK ? 0 : -1;
}

/* The hand-built year (see the top of the file). */
static int
setup(void **state)
{
	struct kj_audit_programme_new prog = {.code = "NCO-FY2025", .org = "NCO", .fiscal_year = 2025,
					      .kind = "management_audit", .title_ja = "監査", .title_en = "Audits"};
	struct kj_audit_engagement_new e = {.code = "MA-MHA", .programme = "NCO-FY2025", .org = "MHA", .edition = "demo-fy2025",
					    .title_ja = "監査", .title_en = "Audit", .starts_on = "2025-10-01",
					    .ends_on = "2025-12-15"};
	static const char *const scope[] = {REQ_B, REQ_C, REQ_D};
	struct kj_audit_finding_new fm = {.engagement = "MA-MHA", .requirement = REQ_C, .category = "finding",
					  .severity = "medium", .title = "所見", .text = "No named owner."};
	struct kj_audit_finding_new fh = {.engagement = "MA-MHA", .requirement = REQ_D, .category = "finding",
					  .severity = "high", .title = "所見", .text = "No inventory."};
	struct kj_audit_finding_new fa = {.engagement = "MA-MHA", .requirement = REQ_B, .category = "advice",
					  .title = "助言", .text = "Consider a checklist."};
	struct kj_ctx *ctx;

	if (harness_setup_demo(state) != 0)
		return -1;
	ctx = *state;
	clock_now = JAN_15;
	ctx->now = test_clock;
	ctx->now_arg = &clock_now;
	if (harness_people_create(ctx, people, ids, NPEOPLE) != 0)
		goto fail;
	act(ctx, -1);
	if (campaign(ctx, "C-MHA", "MHA", json_pack("[s, s, s, s]", REQ_A, REQ_B, REQ_C, REQ_D)) != 0 ||
	    campaign(ctx, "C-MPF", "MPF", json_pack("[s]", REQ_C)) != 0 ||
	    kj_checklist_assign(ctx, "C-MHA", "mha-staff", NULL, "staff", NULL, k_staff) != KJ_OK ||
	    kj_checklist_assign(ctx, "C-MHA", "mha-peer", NULL, "staff", NULL, k_peer) != KJ_OK ||
	    kj_checklist_assign(ctx, "C-MHA", "mha-ciso", NULL, "ciso", NULL, k_ciso) != KJ_OK ||
	    kj_checklist_assign(ctx, "C-MPF", "mpf-ciso", NULL, "ciso", NULL, k_mpf) != KJ_OK)
		goto fail;
	if (answer(ctx, MHA_STAFF, k_staff, REQ_A, "implemented") != 0 || answer(ctx, MHA_PEER, k_peer, REQ_A, "partial") != 0 ||
	    answer(ctx, MHA_STAFF, k_staff, REQ_B, "not_implemented") != 0 ||
	    answer(ctx, MHA_PEER, k_peer, REQ_B, "not_applicable") != 0 || answer(ctx, MHA_CISO, k_ciso, REQ_C, "implemented") != 0 ||
	    answer(ctx, MHA_CISO, k_ciso, REQ_D, "not_applicable") != 0 || answer(ctx, MPF_CISO, k_mpf, REQ_C, "implemented") != 0)
		goto fail;
	if (kj_audit_programme_create(ctx, &prog, (char[37]){0}) != KJ_OK ||
	    kj_audit_engagement_create(ctx, &e, (char[37]){0}) != KJ_OK ||
	    kj_audit_member_add(ctx, "MA-MHA", "nco-lead", "lead") != KJ_OK ||
	    kj_audit_scope_set(ctx, "MA-MHA", scope, 3, NULL, 0) != KJ_OK ||
	    kj_audit_engagement_advance(ctx, "MA-MHA", "fieldwork") != KJ_OK ||
	    kj_audit_finding_add(ctx, &fm, f_medium) != KJ_OK || kj_audit_finding_add(ctx, &fh, f_high) != KJ_OK ||
	    kj_audit_finding_add(ctx, &fa, (char[37]){0}) != KJ_OK || kj_audit_engagement_advance(ctx, "MA-MHA", "reporting") != KJ_OK)
		goto fail;
	act(ctx, NCO_LEAD);
	if (kj_audit_sign_off(ctx, "MA-MHA") != KJ_OK)
		goto fail;
	act(ctx, -1);
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", ctx->msg);
	harness_teardown(state);
	return -1;
}

/* ---- Reading the replies ----------------------------------------------------------------- */

static double
num_at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		fail_msg("%s: expected a number, got %s", key, v == NULL ? "nothing" : json_is_null(v) ? "null" : "another type");
	return json_number_value(v);
}

#define assert_num(o, key, want) assert_true(fabs(num_at((o), (key)) - (want)) < 1e-9)

static json_t *
gov(struct kj_ctx *ctx)
{
	json_t *j = NULL;

	ok(ctx, kj_eval_government(ctx, 2025, &j), "government");
	return j;
}

static json_t *
org(struct kj_ctx *ctx, const char *code)
{
	json_t *j = NULL;

	ok(ctx, kj_eval_org(ctx, code, 2025, &j), code);
	return j;
}

/* The element of array a whose key is value, or NULL. */
static json_t *
element(json_t *a, const char *key, const char *value)
{
	size_t i;
	json_t *o;

	json_array_foreach(a, i, o) {
		if (strcmp(json_string_value(json_object_get(o, key)), value) == 0)
			return o;
	}
	return NULL;
}

/* The row of code in a reply's "orgs"; the requirement number of an org reply. */
#define row_of(j, code) element(json_object_get((j), "orgs"), "code", (code))
#define req_of(j, number) element(json_object_get((j), "requirements"), "number", (number))

static double
score_of(struct kj_ctx *ctx, const char *code)
{
	json_t *j = org(ctx, code);
	double s = num_at(j, "score");

	json_decref(j);
	return s;
}

static const char *
stage(json_t *row, const char *name)
{
	return json_string_value(json_object_get(json_object_get(row, "stages"), name));
}

/* ---- Tests ------------------------------------------------------------------------------- */

static void
test_scores(void **state)
{
	struct kj_ctx *ctx = *state;
	json_t *j = gov(ctx), *s = json_object_get(j, "summary"), *mha = row_of(j, "MHA"), *mpf = row_of(j, "MPF"), *w;
	json_t *o;
	int64_t nevaluated = count(ctx, "SELECT COUNT(*) FROM org WHERE kind IN ('ministry', 'agency', 'corporation') "
				       "AND valid_to IS NULL");

	assert_non_null(mha);
	assert_non_null(mpf);
	assert_int_equal(json_integer_value(json_object_get(s, "orgs")), nevaluated);
	assert_int_equal(json_integer_value(json_object_get(s, "scored")), 2);
	assert_num(mha, "score", 57.5);
	assert_num(mpf, "score", 100);
	assert_num(mha, "self_rate", 0.625);
	assert_int_equal(json_integer_value(json_object_get(mha, "findings_open")), 2);
	assert_true(json_is_null(json_object_get(mha, "previous")));
	/* Parts aligned with the edition's: part 2 (index 1) and part 3 (index 2). */
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "parts"), 1), "number")), "2");
	assert_true(fabs(json_number_value(json_array_get(json_object_get(mha, "parts"), 1)) - 77.5) < 1e-9);
	assert_true(fabs(json_number_value(json_array_get(json_object_get(mha, "parts"), 2)) - 37.5) < 1e-9);
	assert_true(json_is_null(json_array_get(json_object_get(mha, "parts"), 0)));
	/* Summary: population statistics over the two scores. */
	assert_num(s, "mean", 78.75);
	assert_num(s, "stdev", 21.25);
	assert_num(s, "min", 57.5);
	assert_num(s, "max", 100);
	assert_num(s, "median", 78.75);
	/* Lowest first, the unscored last. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "orgs"), 0), "code")), "MHA");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "orgs"), 1), "code")), "MPF");
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(j, "orgs"), 2), "score")));
	/* B is weak (rate 0, the one organisation with a rate below 0.7); the advice counts
	 * as no finding. A (0.75) and C (1.0) are not weak. */
	w = json_object_get(j, "weak_requirements");
	assert_int_equal(json_array_size(w), 1);
	o = json_array_get(w, 0);
	assert_string_equal(json_string_value(json_object_get(o, "number")), REQ_B);
	assert_num(o, "mean_rate", 0);
	assert_int_equal(json_integer_value(json_object_get(o, "orgs_below")), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "findings")), 0);
	assert_string_equal(json_string_value(json_object_get(o, "part")), "3");
	json_decref(j);

	j = org(ctx, "MHA");
	assert_num(j, "score", 57.5);
	assert_int_equal(json_integer_value(json_object_get(j, "maturity")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "gov"), "rank")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "gov"), "of")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "requirements")), 4);
	assert_num(req_of(j, REQ_A), "self_rate", 0.75);
	assert_num(req_of(j, REQ_A), "score", 75);
	assert_num(req_of(j, REQ_B), "score", 0);
	assert_num(req_of(j, REQ_B), "penalty", 0);
	assert_num(req_of(j, REQ_C), "penalty", 0.15);
	assert_num(req_of(j, REQ_C), "score", 85);
	assert_true(json_is_null(json_object_get(req_of(j, REQ_D), "self_rate")));
	assert_num(req_of(j, REQ_D), "penalty", 0.3);
	assert_num(req_of(j, REQ_D), "score", 70);
	o = json_array_get(json_object_get(req_of(j, REQ_D), "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "uuid")), f_high);
	assert_string_equal(json_string_value(json_object_get(o, "severity")), "high");
	assert_true(json_is_null(json_object_get(o, "plan")));
	/* Level 2 holds (57.5 >= 40, answers); level 3 does not (below 60, no policy). */
	o = json_array_get(json_object_get(j, "maturity_steps"), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "level")), 2);
	assert_true(json_is_true(json_object_get(o, "met")));
	assert_string_equal(json_string_value(json_object_get(o, "why")), "score 57.5 >= 40; 6 answers");
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(j, "maturity_steps"), 1), "met")));
	json_decref(j);

	/* Units and the centre are not evaluated on their own. */
	refused(ctx, kj_eval_org(ctx, "MHA-GA", 2025, &j), KJ_ERR_INVALID, "ask for MHA");
	refused(ctx, kj_eval_org(ctx, "NCO", 2025, &j), KJ_ERR_INVALID, "centre");
	refused(ctx, kj_eval_org(ctx, "NO-SUCH", 2025, &j), KJ_ERR_NOT_FOUND, NULL);
	refused(ctx, kj_eval_government(ctx, 12, &j), KJ_ERR_INVALID, "fiscal year");
}

/* Moves the plan for MHA's two findings through every state and checks the score after
 * each: factors 1 (draft, submitted), 0.75 (accepted, in progress), 0.5 (done), 0
 * (verified). */
static void
test_plan_factors(void **state)
{
	struct kj_ctx *ctx = *state;
	const char *f[2] = {f_medium, f_high};
	struct kj_plan_new in = {.code = "P-MHA", .org = "MHA", .findings = f, .nfindings = 2, .text = "改善計画 Plan",
				 .due_on = "2026-06-30"};
	json_t *j, *b;

	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_create(ctx, &in, (char[37]){0}), "plan");
	act(ctx, -1);
	assert_true(fabs(score_of(ctx, "MHA") - 57.5) < 1e-9);
	ok(ctx, kj_eval_board(ctx, 2025, &b), "board");
	assert_string_equal(stage(row_of(b, "MHA"), "plan_accepted"), "in_progress");
	assert_string_equal(stage(row_of(b, "MPF"), "plan_accepted"), "not_applicable");
	json_decref(b);

	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_measure_add(ctx, "P-MHA", "Name the owners.", "mha-ciso", "2026-03-31", NULL), "measure");
	ok(ctx, kj_plan_submit(ctx, "P-MHA"), "submit");
	act(ctx, -1);
	assert_true(fabs(score_of(ctx, "MHA") - 57.5) < 1e-9);

	act(ctx, NCO_ADMIN);
	ok(ctx, kj_plan_accept(ctx, "P-MHA"), "accept");
	act(ctx, -1);
	/* C: 100 (1 - 0.1125) = 88.75; D: 100 (1 - 0.225) = 77.5; (75 + 0 + 88.75 + 77.5) / 4. */
	assert_true(fabs(score_of(ctx, "MHA") - 60.3) < 1e-9);
	j = org(ctx, "MHA");
	assert_num(req_of(j, REQ_C), "penalty", 0.1125);
	assert_num(req_of(j, REQ_C), "score", 88.8);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(req_of(j, REQ_C), "findings"), 0),
							   "plan_status")), "accepted");
	assert_string_equal(stage(json_object_get(j, "pdca"), "plan_accepted"), "done");
	assert_string_equal(stage(json_object_get(j, "pdca"), "plan_done"), "in_progress");
	json_decref(j);

	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_start(ctx, "P-MHA"), "start");
	act(ctx, -1);
	assert_true(fabs(score_of(ctx, "MHA") - 60.3) < 1e-9);

	act(ctx, MHA_CISO);
	ok(ctx, kj_plan_measure_done(ctx, "P-MHA", 1), "measure done");
	ok(ctx, kj_plan_complete(ctx, "P-MHA"), "complete");
	act(ctx, -1);
	/* (75 + 0 + 92.5 + 85) / 4 = 63.125. */
	assert_true(fabs(score_of(ctx, "MHA") - 63.1) < 1e-9);

	act(ctx, NCO_ADMIN);
	ok(ctx, kj_plan_verify(ctx, "P-MHA"), "verify");
	act(ctx, -1);
	/* (75 + 0 + 100 + 100) / 4 = 68.75. */
	j = gov(ctx);
	assert_num(row_of(j, "MHA"), "score", 68.8);
	assert_int_equal(json_integer_value(json_object_get(row_of(j, "MHA"), "findings_open")), 0);
	assert_num(json_object_get(j, "summary"), "stdev", 15.63);	/* (100 - 68.75) / 2 = 15.625 */
	json_decref(j);
	ok(ctx, kj_eval_board(ctx, 2025, &b), "board");
	assert_string_equal(stage(row_of(b, "MHA"), "plan_done"), "done");
	assert_string_equal(stage(row_of(b, "MHA"), "audited"), "done");
	assert_string_equal(stage(row_of(b, "MPF"), "audited"), "not_started");
	json_decref(b);
}

/* Maturity and the board's first stages: a policy approved in the year, every checklist
 * submitted. */
static void
test_maturity_board(void **state)
{
	struct kj_ctx *ctx = *state;
	json_t *content = json_pack("{s:s, s:[{s:s, s:s, s:s, s:[{s:s, s:s}]}]}", "edition", "demo-fy2025", "clauses", "number",
				    "1", "title", "条項", "text_en", "A clause.", "mappings", "requirement", REQ_C, "status",
				    "adopted");
	json_t *j, *b, *row;
	int vno = 0;

	ok(ctx, kj_eval_board(ctx, 2025, &b), "board");
	row = row_of(b, "MHA");
	assert_string_equal(stage(row, "policy_reviewed"), "not_started");
	assert_string_equal(stage(row, "self_inspected"), "in_progress");
	assert_string_equal(stage(row, "audited"), "done");
	assert_string_equal(stage(row, "plan_accepted"), "not_started");
	assert_int_equal(json_integer_value(json_object_get(row, "reached")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(b, "counts"), "audited"), "done")), 1);
	json_decref(b);

	/* MPF (100): level 2; a policy for the edition makes it 3; every checklist submitted
	 * (and no severe finding without a plan) 4; no measure overdue 5. */
	ok(ctx, kj_policy_doc_create(ctx, "MPF", "STD", "standard", "対策基準", "Security standard", (char[37]){0}), "policy");
	ok(ctx, kj_policy_version_add(ctx, "MPF", "STD", "test", content, &vno), "policy version");
	json_decref(content);
	j = org(ctx, "MPF");
	assert_int_equal(json_integer_value(json_object_get(j, "maturity")), 2);
	json_decref(j);
	ok(ctx, kj_eval_board(ctx, 2025, &b), "board");
	assert_string_equal(stage(row_of(b, "MPF"), "policy_reviewed"), "in_progress");
	json_decref(b);
	act(ctx, MPF_CISO);
	ok(ctx, kj_policy_transition(ctx, "MPF", "STD", vno, "approve", NULL), "approve");
	act(ctx, -1);
	j = org(ctx, "MPF");
	assert_int_equal(json_integer_value(json_object_get(j, "maturity")), 3);
	assert_string_equal(stage(json_object_get(j, "pdca"), "policy_reviewed"), "done");
	json_decref(j);
	act(ctx, MPF_CISO);
	ok(ctx, kj_checklist_submit(ctx, k_mpf), "submit");
	act(ctx, -1);
	j = org(ctx, "MPF");
	assert_int_equal(json_integer_value(json_object_get(j, "maturity")), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "maturity_steps"), 3), "why")),
			    "score 100.0 >= 90; 0 measures overdue");
	row = json_object_get(j, "pdca");
	assert_string_equal(stage(row, "self_inspected"), "done");
	assert_string_equal(stage(row, "audited"), "not_started");
	assert_int_equal(json_integer_value(json_object_get(row, "reached")), 2);
	json_decref(j);

	/* MHA's high finding has no accepted plan: level 4 fails on it even at a high score. */
	j = org(ctx, "MHA");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "maturity_steps"), 2), "why")),
			    "score 57.5 < 75; 0 of 3 checklists submitted; 1 high or critical findings without an accepted plan");
	json_decref(j);
}

/* A fresh snapshot is read without computing; a change makes the next read compute. */
static void
test_dirty(void **state)
{
	struct kj_ctx *ctx = *state;
	json_t *j = gov(ctx);
	char first[32];

	kj_strlcpy(first, json_string_value(json_object_get(j, "computed_at")), sizeof(first));
	json_decref(j);
	assert_int_equal(count(ctx, "SELECT dirty FROM eval_run WHERE fiscal_year = 2025"), 0);
	/* The trend's year before has no data: only this year's row. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM eval_run"), 1);

	clock_now += 60;
	j = gov(ctx);
	assert_string_equal(json_string_value(json_object_get(j, "computed_at")), first);
	json_decref(j);
	j = org(ctx, "MPF");
	assert_string_equal(json_string_value(json_object_get(j, "computed_at")), first);
	json_decref(j);

	/* A year without data has a snapshot once asked for. */
	j = NULL;
	ok(ctx, kj_eval_government(ctx, 2024, &j), "government 2024");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "scored")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "trend")), 1);
	json_decref(j);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM eval_run WHERE dirty = 0"), 2);

	/* Something that is no input (evidence) leaves every year fresh. */
	{
		char sha[65];

		act(ctx, MHA_STAFF);
		ok(ctx, kj_evidence_put(ctx, "evidence\n", 9, "text/plain", sha), "evidence");
		act(ctx, -1);
	}
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM eval_run WHERE dirty = 0"), 2);
	/* An answer is, for its own year only: MPF's rate on C falls to 0.5 (implemented and
	 * not implemented). */
	ok(ctx, kj_checklist_assign(ctx, "C-MPF", "nco-admin", "MPF", "ciso", NULL, (char[37]){0}), "assign");
	assert_int_equal(count(ctx, "SELECT dirty FROM eval_run WHERE fiscal_year = 2025"), 1);
	assert_int_equal(count(ctx, "SELECT dirty FROM eval_run WHERE fiscal_year = 2024"), 0);
	assert_true(fabs(score_of(ctx, "MPF") - 100) < 1e-9);
	{
		struct kj_stmt *st = NULL;
		int row;
		char k[37];

		ok(ctx, kj_db_prepare(ctx, "SELECT uuid FROM checklist WHERE user_id = ? AND org_id = ?", &st), "checklist");
		ok(ctx, kj_stmt_bind_int(ctx, st, 1, ids[NCO_ADMIN]), "bind");
		ok(ctx, kj_stmt_bind_int(ctx, st, 2, org_id(ctx, "MPF")), "bind");
		ok(ctx, kj_stmt_step(ctx, st, &row), "step");
		assert_true(row);
		kj_strlcpy(k, kj_stmt_text(st, 0), sizeof(k));
		kj_stmt_free(st);
		assert_int_equal(answer(ctx, NCO_ADMIN, k, REQ_C, "not_implemented"), 0);
	}
	assert_int_equal(count(ctx, "SELECT dirty FROM eval_run WHERE fiscal_year = 2025"), 1);
	j = gov(ctx);
	assert_string_not_equal(json_string_value(json_object_get(j, "computed_at")), first);
	assert_num(row_of(j, "MPF"), "score", 50);
	assert_num(json_object_get(j, "summary"), "stdev", 3.75);	/* 57.5 and 50 */
	json_decref(j);
	assert_int_equal(count(ctx, "SELECT dirty FROM eval_run WHERE fiscal_year = 2025"), 0);

	/* The recompute writes no audit record; a refresh neither. */
	{
		int64_t n = count(ctx, "SELECT COUNT(*) FROM audit_log");

		ok(ctx, kj_eval_refresh(ctx, 2025), "refresh");
		assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log"), n);
	}
	/* An organisation's change touches every year. */
	{
		struct kj_org o;

		ok(ctx, kj_org_rename(ctx, "MPF", NULL, NULL, "Ministry of Public Finance and Treasury", NULL, &o), "rename");
	}
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM eval_run WHERE dirty = 1"), 2);
	j = gov(ctx);
	assert_string_equal(json_string_value(json_object_get(row_of(j, "MPF"), "name_en")), "Ministry of Public Finance and Treasury");
	json_decref(j);
	/* A new day makes the running year's snapshot stale (overdue measures are judged on
	 * the day). */
	clock_now += 86400;
	j = gov(ctx);
	assert_string_not_equal(json_string_value(json_object_get(j, "computed_at")), first);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM eval_run WHERE ref_date = '2026-01-16'"), 1);
	json_decref(j);
}

/* Who reads what. */
static void
test_access(void **state)
{
	struct kj_ctx *ctx = *state;
	json_t *j = NULL;
	size_t i;
	json_t *o;

	act(ctx, MHA_STAFF);
	refused(ctx, kj_eval_government(ctx, 2025, &j), KJ_ERR_DENIED, "not allowed");
	refused(ctx, kj_eval_org(ctx, "MHA", 2025, &j), KJ_ERR_DENIED, "not allowed");
	refused(ctx, kj_eval_board(ctx, 2025, &j), KJ_ERR_DENIED, "not allowed");
	refused(ctx, kj_eval_refresh(ctx, 2025), KJ_ERR_DENIED, "not allowed");
	act(ctx, AUDITOR);
	refused(ctx, kj_eval_government(ctx, 2025, &j), KJ_ERR_DENIED, "not allowed");

	/* The organisation administrator: its own rows, every aggregate. */
	act(ctx, MHA_CISO);
	j = gov(ctx);
	assert_non_null(row_of(j, "MHA"));
	assert_null(row_of(j, "MPF"));
	json_array_foreach(json_object_get(j, "orgs"), i, o) {
		struct kj_ctx c = *ctx;

		assert_true(kj_access_org_visible(&c, org_id(ctx, json_string_value(json_object_get(o, "code")))));
	}
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "scored")), 2);
	assert_num(json_object_get(j, "summary"), "mean", 78.75);
	json_decref(j);
	j = org(ctx, "MHA");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "gov"), "rank")), 2);
	json_decref(j);
	refused(ctx, kj_eval_org(ctx, "MPF", 2025, &j), KJ_ERR_NOT_FOUND, NULL);
	ok(ctx, kj_eval_board(ctx, 2025, &j), "board");
	assert_null(row_of(j, "MPF"));
	assert_non_null(row_of(j, "MHA"));
	json_decref(j);
	ok(ctx, kj_eval_refresh(ctx, 2025), "refresh by an organisation administrator");

	/* A unit officer of a bureau: no organisation row in scope, the aggregates still. */
	act(ctx, MHA_OFFICER);
	j = gov(ctx);
	assert_int_equal(json_array_size(json_object_get(j, "orgs")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "scored")), 2);
	json_decref(j);
	refused(ctx, kj_eval_org(ctx, "MHA", 2025, &j), KJ_ERR_NOT_FOUND, NULL);
	refused(ctx, kj_eval_refresh(ctx, 2025), KJ_ERR_DENIED, "not allowed");

	act(ctx, NCO_LEAD);
	j = gov(ctx);
	assert_non_null(row_of(j, "MPF"));
	json_decref(j);
}

/* The whole demo: following a plan to verified raises its organisation's score in the
 * year of its findings and changes the government's spread. */
static int
setup_full_demo(void **state)
{
	struct kj_ctx *ctx;
	json_t *accounts = NULL;

	if (harness_setup_demo(state) != 0)
		return -1;
	ctx = *state;
	if (kj_demo_populate(ctx, &accounts) != KJ_OK) {
		fprintf(stderr, "setup: %s\n", ctx->msg);
		harness_teardown(state);
		return -1;
	}
	json_decref(accounts);
	return 0;
}

/* Acts as the demo's account name. */
static void
act_as(struct kj_ctx *ctx, const char *name)
{
	struct kj_stmt *st = NULL;
	int row;

	ok(ctx, kj_db_prepare(ctx, "SELECT id, org_id, role FROM app_user WHERE name = ?", &st), "account");
	ok(ctx, kj_stmt_bind_text(ctx, st, 1, name), "bind");
	ok(ctx, kj_stmt_step(ctx, st, &row), "step");
	assert_true(row);
	memset(&ctx->who, 0, sizeof(ctx->who));
	ctx->who.user_id = kj_stmt_int(st, 0);
	ctx->who.org_id = kj_stmt_int(st, 1);
	ctx->who.role = kj_role_parse(kj_stmt_text(st, 2));
	kj_strlcpy(ctx->who.name, name, sizeof(ctx->who.name));
	kj_stmt_free(st);
}

static void
test_demo_plan_verified(void **state)
{
	struct kj_ctx *ctx = *state;
	json_t *j = NULL, *before, *after;
	double sd_before, sd_after, sc_before, sc_after;
	struct kj_stmt *st = NULL;
	int row, n[8], nn = 0, i;

	act_as(ctx, "analyst");
	ok(ctx, kj_eval_government(ctx, 2024, &before), "government 2024");
	sd_before = num_at(json_object_get(before, "summary"), "stdev");
	sc_before = num_at(row_of(before, "MJA"), "score");
	ok(ctx, kj_eval_org(ctx, "MJA", 2024, &j), "MJA");
	assert_true(num_at(j, "score") < 100);
	json_decref(j);
	/* The demo's plans, as the board shows them: MPF's plan is verified, but the two
	 * findings of MPF's internal audit of its bureau MPF-TAX (which count for MPF) have
	 * none; MJA's plan is in progress. */
	assert_int_equal(json_integer_value(json_object_get(row_of(before, "MPF"), "findings_open")), 2);
	ok(ctx, kj_eval_board(ctx, 2024, &j), "board");
	assert_string_equal(stage(row_of(j, "MPF"), "plan_done"), "in_progress");
	assert_string_equal(stage(row_of(j, "MJA"), "plan_accepted"), "done");
	assert_string_equal(stage(row_of(j, "MJA"), "plan_done"), "in_progress");
	json_decref(j);

	ok(ctx, kj_db_prepare(ctx, "SELECT m.n FROM plan_measure m JOIN improvement_plan p ON p.id = m.plan_id "
				   "WHERE p.code = 'MJA-PLAN-FY2024' AND m.status = 'open' ORDER BY m.n", &st), "measures");
	while (kj_stmt_step(ctx, st, &row) == KJ_OK && row && nn < 8)
		n[nn++] = (int)kj_stmt_int(st, 0);
	kj_stmt_free(st);
	act_as(ctx, "mja-ciso");
	for (i = 0; i < nn; i++)
		ok(ctx, kj_plan_measure_done(ctx, "MJA-PLAN-FY2024", n[i]), "measure done");
	ok(ctx, kj_plan_complete(ctx, "MJA-PLAN-FY2024"), "complete");
	act_as(ctx, "centre-admin");
	ok(ctx, kj_plan_verify(ctx, "MJA-PLAN-FY2024"), "verify");

	act_as(ctx, "analyst");
	ok(ctx, kj_eval_government(ctx, 2024, &after), "government 2024 after");
	sd_after = num_at(json_object_get(after, "summary"), "stdev");
	sc_after = num_at(row_of(after, "MJA"), "score");
	assert_true(sc_after > sc_before);
	assert_true(fabs(sd_after - sd_before) > 1e-6);
	ok(ctx, kj_eval_org(ctx, "MJA", 2024, &j), "MJA after");
	assert_string_equal(stage(json_object_get(j, "pdca"), "plan_done"), "done");
	json_decref(j);
	/* The year after sees the new score as its previous one. */
	ok(ctx, kj_eval_government(ctx, 2025, &j), "government 2025");
	assert_true(fabs(num_at(row_of(j, "MJA"), "previous") - sc_after) < 1e-9);
	assert_int_equal(json_array_size(json_object_get(j, "trend")), 2);
	/* Laggards: below mean - stdev of their part, lowest first, at most 10; for a CISO
	 * only those in scope. */
	{
		json_t *ps, *l, *mine = NULL;
		size_t k, m, nlag = 0;

		json_array_foreach(json_object_get(j, "part_summary"), k, ps) {
			double prev = -1;

			assert_null(json_object_get(ps, "cut"));
			assert_true(json_array_size(json_object_get(ps, "laggards")) <= 10);
			json_array_foreach(json_object_get(ps, "laggards"), m, l) {
				assert_true(num_at(l, "score") < num_at(ps, "mean") - num_at(ps, "stdev") + 0.06);
				assert_true(num_at(l, "score") >= prev);
				prev = num_at(l, "score");
				nlag++;
			}
		}
		assert_true(nlag > 0);
		json_decref(j);
		act_as(ctx, "mha-ciso");
		ok(ctx, kj_eval_government(ctx, 2025, &mine), "government 2025 as mha-ciso");
		json_array_foreach(json_object_get(mine, "part_summary"), k, ps) {
			json_array_foreach(json_object_get(ps, "laggards"), m, l) {
				const char *code = json_string_value(json_object_get(l, "code"));

				assert_non_null(row_of(mine, code));
			}
		}
		json_decref(mine);
		j = NULL;
	}
	/* A change to an organisation makes every year stale; a read of FY2026 computes it and
	 * the year before, and shows FY2024 in the trend as it was, marked stale. */
	{
		struct kj_org o;

		act_as(ctx, "centre-admin");
		ok(ctx, kj_org_rename(ctx, "MJA", NULL, NULL, "Ministry of Justice", NULL, &o), "rename");
		ok(ctx, kj_eval_government(ctx, 2026, &j), "government 2026");
		assert_int_equal(json_array_size(json_object_get(j, "trend")), 3);
		assert_true(json_is_true(json_object_get(json_array_get(json_object_get(j, "trend"), 0), "stale")));
		assert_false(json_is_true(json_object_get(json_array_get(json_object_get(j, "trend"), 1), "stale")));
		json_decref(j);
		assert_int_equal(count(ctx, "SELECT dirty FROM eval_run WHERE fiscal_year = 2024"), 1);
		ok(ctx, kj_eval_org(ctx, "MJA", 2024, &j), "MJA 2024 again");
		assert_string_equal(json_string_value(json_object_get(json_object_get(j, "org"), "name_en")), "Ministry of Justice");
		json_decref(j);
		assert_int_equal(count(ctx, "SELECT dirty FROM eval_run WHERE fiscal_year = 2024"), 0);
	}
	json_decref(before);
	json_decref(after);
}

int
main(int argc, char **argv)
{
	static const struct harness_suite suite = {"evaluation", "evaluation", "eval", setup};
	static const struct harness_suite demo_suite = {"evaluation demo", "evaluation_demo", "eval-demo", setup_full_demo};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scores),	cmocka_unit_test(test_plan_factors), cmocka_unit_test(test_maturity_board),
		cmocka_unit_test(test_dirty),	cmocka_unit_test(test_access),
	};
	const struct CMUnitTest demo_tests[] = {
		cmocka_unit_test(test_demo_plan_verified),
	};
	int failed = harness_main(argc, argv, &suite, tests, sizeof(tests) / sizeof(tests[0]));

	return failed + harness_main(argc, argv, &demo_suite, demo_tests, sizeof(demo_tests) / sizeof(demo_tests[0]));
}
