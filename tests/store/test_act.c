/*
 * test_act.c: proposals for the next edition, the publication of an edition with its
 * impact per organisation, and emergency directives (model/act.h), on a real database, run
 * on SQLite and on PostgreSQL like the storage suite (argv[1] picks the backend). The
 * impact rows are checked against data/demo/CHANGES.md, the hand-written oracle of what
 * changed from demo-fy2023 to demo-fy2025. Every refusal is checked to leave no rows and no
 * audit-log records behind. The last test runs the whole demo and checks what it adds.
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
#include "model/act.h"
#include "model/audit.h"
#include "model/inspection.h"
#include "model/plan.h"
#include "model/policy.h"

#include "store_harness.h"

enum { NCO_ADMIN, NCO_ANALYST, MHA_CISO, MHA_OFFICER, MHA_STAFF, MHA_STAFF2, MPF_CISO, AG01_CISO, NPEOPLE };

static const struct harness_person people[NPEOPLE] = {
	[NCO_ADMIN] = {"nco-admin", "NCO", "centre_admin", KJ_ROLE_CENTRE_ADMIN},
	[NCO_ANALYST] = {"nco-analyst", "NCO", "centre_analyst", KJ_ROLE_CENTRE_ANALYST},
	[MHA_CISO] = {"mha-ciso", "MHA", "org_admin", KJ_ROLE_ORG_ADMIN},
	[MHA_OFFICER] = {"mha-officer", "MHA-GA", "unit_officer", KJ_ROLE_UNIT_OFFICER},
	[MHA_STAFF] = {"mha-staff", "MHA-GA-IT", "staff", KJ_ROLE_STAFF},
	[MHA_STAFF2] = {"mha-staff2", "MHA-GA-IT", "staff", KJ_ROLE_STAFF},
	[MPF_CISO] = {"mpf-ciso", "MPF", "org_admin", KJ_ROLE_ORG_ADMIN},
	[AG01_CISO] = {"ag01-ciso", "AG01", "org_admin", KJ_ROLE_ORG_ADMIN},
};
static int64_t ids[NPEOPLE];

static int64_t clock_now;
#define JAN_15 INT64_C(1768435200)	/* 2026-01-15 */
#define MAR_01 INT64_C(1772323200)	/* 2026-03-01 */

static int64_t
test_clock(void *arg)
{
	return *(int64_t *)arg;
}

/* The findings of MHA's signed-off audit on demo-fy2023: one on a requirement FY2025
 * changed (2.2.3(2)(a)), one on a requirement it kept (8.1.1(2)(a)); and one of MPF. */
enum { F_CHANGED, F_SAME, F_MPF, NFINDINGS };
static char found[NFINDINGS][37];

static void
act(struct kj_ctx *ctx, int who)
{
	harness_act(ctx, people, ids, who);
}

/* A new version of org's policy on edition, approved and (when enforce) in force, its
 * clauses mapping the numbers in groups separated by NULL, a clause per group. */
static kj_err
policy(struct kj_ctx *ctx, const char *org, const char *edition, const char *const *numbers, size_t n, int enforce)
{
	json_t *clauses = json_array(), *maps = NULL, *content;
	char uuid[37], num[16];
	int vno = 0, clause = 0;
	size_t i;
	kj_err r;

	for (i = 0; i <= n; i++) {
		if (i == n || numbers[i] == NULL) {
			snprintf(num, sizeof(num), "%d", ++clause);
			json_array_append_new(clauses, json_pack("{s:s, s:s, s:s, s:o}", "number", num, "title", "条項", "text_en",
								 "A clause.", "mappings", maps != NULL ? maps : json_array()));
			maps = NULL;
			continue;
		}
		if (maps == NULL)
			maps = json_array();
		json_array_append_new(maps, json_pack("{s:s, s:s}", "requirement", numbers[i], "status", "adopted"));
	}
	content = json_pack("{s:s, s:o}", "edition", edition, "clauses", clauses);
	r = kj_policy_doc_create(ctx, org, "STD", "standard", "対策基準", "Security standard", uuid);
	if (r == KJ_OK || r == KJ_ERR_EXISTS)
		r = kj_policy_version_add(ctx, org, "STD", "test", content, &vno);
	json_decref(content);
	if (r == KJ_OK)
		r = kj_policy_transition(ctx, org, "STD", vno, "approve", NULL);
	if (r == KJ_OK && enforce)
		r = kj_policy_transition(ctx, org, "STD", vno, "enforce", "2025-04-01");
	return r;
}

/* The centre's audit of org on demo-fy2023, signed off, with a finding on each number. */
static int
audited(struct kj_ctx *ctx, const char *code, const char *org, const char *const *reqs, size_t n, char (*out)[37])
{
	struct kj_audit_engagement_new e = {.code = code, .programme = "NCO-FY2025", .org = org, .edition = "demo-fy2023",
					    .title_ja = "監査", .title_en = "Audit", .starts_on = "2025-10-01",
					    .ends_on = "2025-12-15"};
	size_t i;

	act(ctx, -1);
	if (kj_audit_engagement_create(ctx, &e, (char[37]){0}) != KJ_OK ||
	    kj_audit_member_add(ctx, code, people[NCO_ANALYST].name, "lead") != KJ_OK ||
	    kj_audit_scope_set(ctx, code, reqs, n, NULL, 0) != KJ_OK || kj_audit_engagement_advance(ctx, code, "fieldwork") != KJ_OK)
		return -1;
	for (i = 0; i < n; i++) {
		struct kj_audit_finding_new f = {.engagement = code, .requirement = reqs[i], .category = "finding",
						 .severity = "high", .title = "所見", .text = "Not done as required."};

		if (kj_audit_finding_add(ctx, &f, out[i]) != KJ_OK)
			return -1;
	}
	if (kj_audit_engagement_advance(ctx, code, "reporting") != KJ_OK)
		return -1;
	act(ctx, NCO_ANALYST);
	return kj_audit_sign_off(ctx, code) != KJ_OK ? -1 : 0;
}

/* Answers item of the holder's checklist in campaign with value. */
static kj_err
answer(struct kj_ctx *ctx, int who, const char *item, const char *value)
{
	struct kj_stmt *st = NULL;
	char uuid[37] = "";
	int row = 0;
	kj_err r;

	if ((r = kj_db_prepare(ctx, "SELECT uuid FROM checklist WHERE user_id = ?", &st)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 1, ids[who])) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		kj_strlcpy(uuid, kj_stmt_text(st, 0), sizeof(uuid));
	kj_stmt_free(st);
	if (r != KJ_OK)
		return r;
	act(ctx, who);
	r = kj_answer_put(ctx, uuid, item, value, NULL, NULL);
	act(ctx, -1);
	return r;
}

/*
 * The demo government and editions, the people, and what the FY2025 edition touches:
 * MHA's policy in force on FY2023 (clauses on a changed, a renumbered, a split, a merged, a
 * removed and a kept requirement), its open campaign CMP-MHA on FY2023 with two staff
 * answers, its plan for a signed-off audit; MPF's policy already on FY2025; AG01's policy
 * on FY2023 touching nothing that changed.
 */
static int
setup(void **state)
{
	static const char *const mha_policy[] = {"2.2.3(2)(a)", "8.1.1(2)(a)", NULL, "2.1.2(1)(a)", NULL, "2.2.4(1)(a)",
						 "3.1.1(5)(b)", NULL, "2.2.1(1)(c)"};
	static const char *const mpf_policy[] = {"2.2.3(2)(a)", "2.1.3(1)(a)"};
	static const char *const ag01_policy[] = {"8.1.1(2)(a)"};
	static const char *const mha_reqs[] = {"2.2.3(2)(a)", "8.1.1(2)(a)"};
	static const char *const mpf_reqs[] = {"2.1.2(1)(a)"};
	struct kj_audit_programme_new nco = {.code = "NCO-FY2025", .org = "NCO", .fiscal_year = 2025,
					     .kind = "management_audit", .title_ja = "監査", .title_en = "Audits"};
	json_t *sel = json_pack("{s:[s, s, s]}", "numbers", "2.2.3(2)(a)", "3.1.1(5)(b)", "8.1.1(2)(a)");
	struct kj_campaign_new cmp = {.code = "CMP-MHA", .org = "MHA", .title_ja = "自己点検", .title_en = "Self-inspection",
				      .edition = "demo-fy2023", .opens_on = "2025-06-02", .due_on = "2026-03-31", .select = sel};
	const char *cited[2];
	struct kj_ctx *ctx;
	size_t n;

	if (harness_setup_demo(state) != 0) {
		json_decref(sel);
		return -1;
	}
	ctx = *state;
	if (harness_people_create(ctx, people, ids, NPEOPLE) != 0)
		goto fail;
	act(ctx, -1);
	if (policy(ctx, "MHA", "demo-fy2023", mha_policy, 9, 1) != KJ_OK || policy(ctx, "MPF", "demo-fy2025", mpf_policy, 2, 1) != KJ_OK ||
	    policy(ctx, "AG01", "demo-fy2023", ag01_policy, 1, 1) != KJ_OK || kj_audit_programme_create(ctx, &nco, (char[37]){0}) != KJ_OK ||
	    audited(ctx, "MA-MHA", "MHA", mha_reqs, 2, &found[F_CHANGED]) != 0 ||
	    audited(ctx, "MA-MPF", "MPF", mpf_reqs, 1, &found[F_MPF]) != 0)
		goto fail;
	act(ctx, -1);
	if (kj_campaign_create(ctx, &cmp, &n) != KJ_OK || kj_checklist_assign(ctx, "CMP-MHA", "mha-staff", NULL, NULL, NULL, (char[37]){0}) != KJ_OK ||
	    kj_checklist_assign(ctx, "CMP-MHA", "mha-staff2", NULL, NULL, NULL, (char[37]){0}) != KJ_OK ||
	    kj_campaign_set_status(ctx, "CMP-MHA", "open") != KJ_OK)
		goto fail;
	clock_now = JAN_15;
	ctx->now = test_clock;
	ctx->now_arg = &clock_now;
	cited[0] = found[F_CHANGED];
	cited[1] = found[F_SAME];
	if (answer(ctx, MHA_STAFF, "8.1.1(2)(a)", "partial") != KJ_OK ||
	    answer(ctx, MHA_STAFF2, "8.1.1(2)(a)", "implemented") != KJ_OK ||
	    kj_plan_create(ctx,
			   &(struct kj_plan_new){.code = "PLAN-MHA", .org = "MHA", .findings = cited, .nfindings = 2,
						 .text = "改善 Improve", .due_on = "2026-06-30"},
			   (char[37]){0}) != KJ_OK)
		goto fail;
	json_decref(sel);
	act(ctx, -1);
	return 0;
fail:
	fprintf(stderr, "setup: %s\n", ctx->msg);
	json_decref(sel);
	harness_teardown(state);
	return -1;
}

/* What a refusal must not leave: rows of this module's tables and audit-log records. */
static int64_t
footprint(struct kj_ctx *ctx)
{
	return count(ctx, "SELECT (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM proposal) + (SELECT COUNT(*) FROM "
			  "proposal_evidence) + (SELECT COUNT(*) FROM edition_publication) + (SELECT COUNT(*) FROM "
			  "edition_impact) + (SELECT COUNT(*) FROM edition_impact_org) + (SELECT COUNT(*) FROM directive) + "
			  "(SELECT COUNT(*) FROM directive_target) + (SELECT COUNT(*) FROM notification)");
}

/* The impact row of MHA as "what ref old>new change" lines, in stored order. */
static void
impact_lines(struct kj_ctx *ctx, char *out, size_t size)
{
	struct kj_stmt *st = NULL;
	size_t len = 0;
	int row;

	out[0] = '\0';
	ok(ctx, kj_db_prepare(ctx, "SELECT what, ref, COALESCE(detail, '-'), old_number, COALESCE(new_number, '-'), change FROM "
				   "edition_impact i JOIN org o ON o.id = i.org_id WHERE o.code = 'MHA' ORDER BY i.id", &st),
	   "impact rows");
	while (kj_stmt_step(ctx, st, &row) == KJ_OK && row && len < size) {
		const char *detail = kj_stmt_text(st, 2);

		/* A finding's id differs each run: show that there is one. */
		len += (size_t)snprintf(out + len, size - len, "%s %s %s %s>%s %s\n", kj_stmt_text(st, 0), kj_stmt_text(st, 1),
					kj_uuid_valid(detail) ? "F" : detail, kj_stmt_text(st, 3), kj_stmt_text(st, 4),
					kj_stmt_text(st, 5));
	}
	kj_stmt_free(st);
}

static void
test_publish(void **state)
{
	struct kj_ctx *ctx = *state;
	int64_t before = footprint(ctx);
	json_t *j = NULL, *o;
	char lines[2048];

	/* Refusals, each leaving nothing behind. */
	act(ctx, NCO_ANALYST);
	refused(ctx, kj_edition_publish(ctx, "demo-fy2025", "2026-07-31", NULL), KJ_ERR_DENIED, "only the centre's administrator");
	act(ctx, MHA_CISO);
	refused(ctx, kj_edition_publish(ctx, "demo-fy2025", "2026-07-31", NULL), KJ_ERR_DENIED, "publishes editions");
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_edition_publish(ctx, "no-such", "2026-07-31", NULL), KJ_ERR_NOT_FOUND, "no-such");
	refused(ctx, kj_edition_publish(ctx, "demo-fy2025", "2026-01-14", NULL), KJ_ERR_INVALID,
		"revise_by: 2026-01-14 is before the day of publication (2026-01-15)");
	refused(ctx, kj_edition_publish(ctx, "demo-fy2025", "2026-02-30", NULL), KJ_ERR_INVALID, "YYYY-MM-DD");
	refused(ctx, kj_edition_publish(ctx, "demo-fy2023", "2026-07-31", NULL), KJ_ERR_INVALID, "supersedes no edition");
	assert_int_equal(footprint(ctx), before);
	/* Nothing published: no impact to read. */
	refused(ctx, kj_edition_impact(ctx, "demo-fy2025", NULL, &j), KJ_ERR_NOT_FOUND, "has not been published");

	ok(ctx, kj_edition_publish(ctx, "demo-fy2025", "2026-07-31", &j), "publish");
	assert_string_equal(json_string_value(json_object_get(j, "supersedes")), "demo-fy2023");
	assert_int_equal(json_integer_value(json_object_get(j, "organisations")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "rows")), 8);
	json_decref(j);
	/* The rows, hand-checked against data/demo/CHANGES.md: 2.2.3(2)(a) changed text;
	 * 2.1.2(1)(a) renumbered to 2.1.3(1)(a); 2.2.4(1)(a) split into (a) and (b); 3.1.1(5)(b)
	 * merged into 3.1.1(5)(a); 2.2.1(1)(c) removed; 8.1.1(2)(a) is the same and absent. */
	impact_lines(ctx, lines, sizeof(lines));
	assert_string_equal(lines, "policy_clause STD v1 §1 2.2.3(2)(a)>2.2.3(2)(a) changed\n"
				   "policy_clause STD v1 §2 2.1.2(1)(a)>2.1.3(1)(a) renumbered\n"
				   "policy_clause STD v1 §3 2.2.4(1)(a)>2.2.4(1)(a),2.2.4(1)(b) split\n"
				   "policy_clause STD v1 §3 3.1.1(5)(b)>3.1.1(5)(a) merged\n"
				   "policy_clause STD v1 §4 2.2.1(1)(c)>- removed\n"
				   "campaign CMP-MHA - 2.2.3(2)(a)>2.2.3(2)(a) changed\n"
				   "campaign CMP-MHA - 3.1.1(5)(b)>3.1.1(5)(a) merged\n"
				   "plan PLAN-MHA F 2.2.3(2)(a)>2.2.3(2)(a) changed\n");
	/* MHA's administrator is told, with the date; the centre's is not flooded. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM notification n JOIN app_user u ON u.id = n.user_id WHERE u.name = "
				    "'mha-ciso' AND n.kind = 'edition_published' AND n.title LIKE '%2026-07-31%'"), 1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM notification WHERE kind = 'edition_published'"), 1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'edition.publish'"), 1);
	/* Twice is refused, and leaves nothing more. */
	before = footprint(ctx);
	refused(ctx, kj_edition_publish(ctx, "demo-fy2025", "2026-07-31", NULL), KJ_ERR_EXISTS, "published already, on 2026-01-15");
	assert_int_equal(footprint(ctx), before);

	/* Reading: the centre sees MHA; MHA's CISO its own with the rows; MPF's CISO nothing. */
	act(ctx, NCO_ANALYST);
	ok(ctx, kj_edition_impact(ctx, "demo-fy2025", NULL, &j), "impact");
	o = json_array_get(json_object_get(j, "organisations"), 0);
	assert_int_equal(json_array_size(json_object_get(j, "organisations")), 1);
	assert_string_equal(json_string_value(json_object_get(o, "org")), "MHA");
	assert_int_equal(json_integer_value(json_object_get(o, "policy_clauses")), 5);
	assert_int_equal(json_integer_value(json_object_get(o, "campaign_items")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "plan_findings")), 1);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "pending");
	assert_false(json_is_true(json_object_get(o, "overdue")));
	json_decref(j);
	act(ctx, MPF_CISO);
	ok(ctx, kj_edition_impact(ctx, "demo-fy2025", NULL, &j), "impact as MPF");
	assert_int_equal(json_array_size(json_object_get(j, "organisations")), 0);
	json_decref(j);
	refused(ctx, kj_edition_impact(ctx, "demo-fy2025", "MHA", &j), KJ_ERR_NOT_FOUND, "no organisation");
	act(ctx, MHA_CISO);
	ok(ctx, kj_edition_impact(ctx, "demo-fy2025", "MHA", &j), "impact of MHA");
	o = json_array_get(json_object_get(j, "organisations"), 0);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 8);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "items"), 2), "change")), "split");
	assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(o, "items"), 2), "new")), 2);
	json_decref(j);

	/* Acknowledging: only MHA's administrator, once. */
	before = footprint(ctx);
	act(ctx, MPF_CISO);
	refused(ctx, kj_edition_impact_ack(ctx, "demo-fy2025", "MHA"), KJ_ERR_NOT_FOUND, "no organisation");
	act(ctx, MHA_OFFICER);
	refused(ctx, kj_edition_impact_ack(ctx, "demo-fy2025", "MHA"), KJ_ERR_NOT_FOUND, "no organisation");
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_edition_impact_ack(ctx, "demo-fy2025", "MHA"), KJ_ERR_DENIED, "only MHA's administrator");
	refused(ctx, kj_edition_impact_ack(ctx, "demo-fy2025", "AG01"), KJ_ERR_DENIED, "only AG01's administrator");
	act(ctx, AG01_CISO);
	refused(ctx, kj_edition_impact_ack(ctx, "demo-fy2025", "AG01"), KJ_ERR_NOT_FOUND, "touches nothing of AG01");
	assert_int_equal(footprint(ctx), before);
	act(ctx, MHA_CISO);
	ok(ctx, kj_edition_impact_ack(ctx, "demo-fy2025", "MHA"), "ack");
	refused(ctx, kj_edition_impact_ack(ctx, "demo-fy2025", "MHA"), KJ_ERR_STATE, "acknowledged edition demo-fy2025 already");

	/* Past the date without a policy for the new edition: overdue; then revised once one is
	 * approved, read from the policies. */
	clock_now = MAR_01 + 200 * INT64_C(86400);
	ok(ctx, kj_edition_impact(ctx, "demo-fy2025", "MHA", &j), "impact later");
	o = json_array_get(json_object_get(j, "organisations"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "acknowledged");
	assert_string_equal(json_string_value(json_object_get(o, "acknowledged_by")), "mha-ciso");
	assert_true(json_is_true(json_object_get(o, "overdue")));
	json_decref(j);
	{
		static const char *const newer[] = {"2.2.3(2)(a)", "2.1.3(1)(a)"};

		act(ctx, -1);
		ok(ctx, policy(ctx, "MHA", "demo-fy2025", newer, 2, 0), "MHA revises");
	}
	ok(ctx, kj_edition_impact(ctx, "demo-fy2025", NULL, &j), "impact revised");
	o = json_array_get(json_object_get(j, "organisations"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "revised");
	assert_false(json_is_true(json_object_get(o, "overdue")));
	json_decref(j);
}

static kj_err
propose(struct kj_ctx *ctx, const char *code, const char *org, const char *edition, const char *kind, const char *item,
	const struct kj_evidence_new *ev, size_t nev)
{
	struct kj_proposal_new in = {.code = code, .org = org, .edition = edition, .kind = kind, .item = item,
				     .text_ja = "責任者を文書で指名すること。", .text_en = "Name the responsible officer in writing.",
				     .rationale = "Audits keep finding this.", .evidence = ev, .nevidence = nev};

	return kj_proposal_create(ctx, &in, (char[37]){0});
}

static void
test_proposals(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_evidence_new ev[3] = {{.kind = "finding", .ref = found[F_CHANGED]},
					{.kind = "weak_requirement", .ref = "8.1.1(2)(a)", .fiscal_year = 2025, .note = "low"},
					{.kind = "incident", .ref = "INC-2025-007", .note = "USB drive lost"}};
	struct kj_evidence_new bad;
	int64_t before = footprint(ctx);
	json_t *j = NULL, *e;
	int more = 0;

	/* Refusals, each leaving nothing behind. */
	act(ctx, MHA_STAFF);
	refused(ctx, propose(ctx, "P1", NULL, "demo-fy2023", "change", "2.2.3(2)(a)", ev, 3), KJ_ERR_DENIED, "write proposals");
	act(ctx, MPF_CISO);
	refused(ctx, propose(ctx, "P1", "MHA", "demo-fy2023", "change", "2.2.3(2)(a)", ev, 1), KJ_ERR_NOT_FOUND, "no organisation");
	refused(ctx, propose(ctx, "P1", NULL, "demo-fy2023", "change", "2.2.3(2)(a)", ev, 1), KJ_ERR_NOT_FOUND,
		"evidence[0].ref: no audit finding");
	act(ctx, NCO_ANALYST);
	refused(ctx, propose(ctx, "bad code", NULL, "demo-fy2023", "change", "2.2.3(2)(a)", ev, 3), KJ_ERR_INVALID, "code");
	refused(ctx, propose(ctx, "P1", NULL, "no-such", "change", "2.2.3(2)(a)", ev, 3), KJ_ERR_NOT_FOUND, "no edition");
	refused(ctx, propose(ctx, "P1", NULL, "demo-fy2023", "rewrite", "2.2.3(2)(a)", ev, 3), KJ_ERR_INVALID, "kind");
	refused(ctx, propose(ctx, "P1", NULL, "demo-fy2023", "add", "2.2.3(2)(a)", ev, 3), KJ_ERR_INVALID, "leave item out");
	refused(ctx, propose(ctx, "P1", NULL, "demo-fy2023", "change", NULL, ev, 3), KJ_ERR_INVALID, "item: required");
	refused(ctx, propose(ctx, "P1", NULL, "demo-fy2023", "remove", "9.9.9(9)(z)", ev, 3), KJ_ERR_INVALID,
		"edition demo-fy2023 has no requirement");
	refused(ctx, propose(ctx, "P1", NULL, "demo-fy2023", "change", "2.2.3(2)(a)", ev, 0), KJ_ERR_INVALID, "at least one");
	bad = (struct kj_evidence_new){.kind = "finding", .ref = "00000000-0000-4000-8000-000000000000"};
	refused(ctx, propose(ctx, "P1", NULL, "demo-fy2023", "change", "2.2.3(2)(a)", &bad, 1), KJ_ERR_NOT_FOUND,
		"evidence[0].ref: no audit finding");
	bad = (struct kj_evidence_new){.kind = "weak_requirement", .ref = "8.1.1(2)(a)", .fiscal_year = 2019};
	refused(ctx, propose(ctx, "P1", NULL, "demo-fy2023", "change", "2.2.3(2)(a)", &bad, 1), KJ_ERR_INVALID,
		"no self-inspection of FY2019");
	bad = (struct kj_evidence_new){.kind = "rumour", .ref = "x"};
	refused(ctx, propose(ctx, "P1", NULL, "demo-fy2023", "change", "2.2.3(2)(a)", &bad, 1), KJ_ERR_INVALID, "evidence[0].kind");
	assert_int_equal(footprint(ctx), before);

	/* The analyst's proposal for the next edition (demo-fy2025: nothing supersedes it). */
	ok(ctx, propose(ctx, "P1", NULL, "next", "change", "2.2.3(2)(a)", ev, 3), "propose");
	refused(ctx, propose(ctx, "P1", NULL, "next", "change", "2.2.3(2)(a)", ev, 3), KJ_ERR_EXISTS, "already exists");
	ok(ctx, kj_proposal_get(ctx, "P1", &j), "get");
	assert_string_equal(json_string_value(json_object_get(j, "edition")), "demo-fy2025");
	assert_string_equal(json_string_value(json_object_get(j, "org")), "NCO");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "draft");
	e = json_object_get(j, "evidence");
	assert_int_equal(json_array_size(e), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "item")), "2.2.3(2)(a)");
	assert_string_equal(json_string_value(json_object_get(json_array_get(e, 0), "engagement")), "MA-MHA");
	/* 8.1.1(2)(a) in FY2025: one partial, one implemented: (1 + 0.5) / 2. */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(e, 1), "fiscal_year")), 2025);
	assert_true(json_real_value(json_object_get(json_array_get(e, 1), "rate")) == 0.75);
	assert_true(json_is_null(json_object_get(json_array_get(e, 2), "rate")));
	json_decref(j);

	/* MHA's CISO proposes for MHA, citing MHA's finding; others do not see it. */
	act(ctx, MHA_CISO);
	ok(ctx, propose(ctx, "P2", NULL, "demo-fy2023", "add", NULL, ev, 1), "propose as MHA");
	act(ctx, MPF_CISO);
	refused(ctx, kj_proposal_get(ctx, "P2", &j), KJ_ERR_NOT_FOUND, "no proposal");
	ok(ctx, kj_proposal_list(ctx, NULL, NULL, NULL, 0, &j, &more), "list as MPF");
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	act(ctx, NCO_ANALYST);
	ok(ctx, kj_proposal_list(ctx, NULL, NULL, NULL, 1, &j, &more), "list page");
	assert_int_equal(json_array_size(j), 1);
	assert_int_equal(more, 1);
	json_decref(j);

	/* The steps: the proposer submits, the centre's administrator decides. */
	before = footprint(ctx);
	act(ctx, MHA_CISO);
	refused(ctx, kj_proposal_set_status(ctx, "P2", "accepted", NULL, NULL), KJ_ERR_DENIED, "decides proposals");
	refused(ctx, kj_proposal_set_status(ctx, "P1", "submitted", NULL, NULL), KJ_ERR_NOT_FOUND, "no proposal");
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_proposal_set_status(ctx, "P2", "submitted", NULL, NULL), KJ_ERR_DENIED, "only its proposers (MHA)");
	refused(ctx, kj_proposal_set_status(ctx, "P2", "accepted", NULL, NULL), KJ_ERR_STATE, "is draft and cannot move");
	refused(ctx, kj_proposal_set_status(ctx, "P2", "dropped", NULL, NULL), KJ_ERR_INVALID, "status: expected");
	assert_int_equal(footprint(ctx), before);
	act(ctx, MHA_CISO);
	ok(ctx, kj_proposal_set_status(ctx, "P2", "submitted", NULL, NULL), "submit");
	act(ctx, NCO_ANALYST);
	refused(ctx, kj_proposal_set_status(ctx, "P2", "accepted", NULL, NULL), KJ_ERR_DENIED, "decides proposals");
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_proposal_set_status(ctx, "P2", "accepted", NULL, "Next edition."), "accept");
	refused(ctx, kj_proposal_set_status(ctx, "P2", "adopted", "demo-fy2023", NULL), KJ_ERR_INVALID,
		"demo-fy2023 does not supersede demo-fy2023");
	ok(ctx, kj_proposal_set_status(ctx, "P2", "adopted", "demo-fy2025", NULL), "adopt");
	ok(ctx, kj_proposal_get(ctx, "P2", &j), "get adopted");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "adopted");
	assert_string_equal(json_string_value(json_object_get(j, "adopted_edition")), "demo-fy2025");
	assert_string_equal(json_string_value(json_object_get(j, "decision_note")), "Next edition.");
	assert_string_equal(json_string_value(json_object_get(j, "decided_by")), "nco-admin");
	json_decref(j);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op LIKE 'proposal.%'"), 5);
}

static kj_err
issue(struct kj_ctx *ctx, const char *code, const char *due, const char *const *orgs, size_t norgs, const char *const *kinds,
      size_t nkinds, size_t *n)
{
	struct kj_directive_new in = {.code = code, .title_ja = "VPN装置の緊急更新", .title_en = "Patch VPN appliances now",
				      .text_ja = "全てのVPN装置に修正を適用すること。", .text_en = "Patch every VPN appliance.",
				      .due_on = due, .orgs = orgs, .norgs = norgs, .kinds = kinds, .nkinds = nkinds};

	return kj_directive_issue(ctx, &in, (char[37]){0}, n);
}

static void
test_directives(void **state)
{
	static const char *const ministries[] = {"ministry"};
	static const char *const some[] = {"MHA", "AG01"};
	static const char *const unknown[] = {"MHA", "NOPE"};
	static const char *const twice[] = {"MHA", "MHA"};
	static const char *const centre[] = {"NCO"};
	struct kj_ctx *ctx = *state;
	int64_t before = footprint(ctx);
	json_t *j = NULL;
	size_t n = 0;
	int more = 0;

	act(ctx, NCO_ANALYST);
	refused(ctx, issue(ctx, "D1", "2026-02-15", NULL, 0, ministries, 1, &n), KJ_ERR_DENIED, "issues directives");
	act(ctx, NCO_ADMIN);
	refused(ctx, issue(ctx, "D1", "2026-01-14", NULL, 0, ministries, 1, &n), KJ_ERR_INVALID,
		"due_on: 2026-01-14 is before the day of issue (2026-01-15)");
	refused(ctx, issue(ctx, "D1", "2026-02-15", unknown, 2, NULL, 0, &n), KJ_ERR_NOT_FOUND, "orgs[1]");
	refused(ctx, issue(ctx, "D1", "2026-02-15", twice, 2, NULL, 0, &n), KJ_ERR_INVALID, "named twice");
	refused(ctx, issue(ctx, "D1", "2026-02-15", centre, 1, NULL, 0, &n), KJ_ERR_INVALID, "NCO is a centre");
	refused(ctx, issue(ctx, "D1", "2026-02-15", (const char *const[]){"MHA-GA"}, 1, NULL, 0, &n), KJ_ERR_INVALID,
		"MHA-GA is a bureau; directives go to ministries, agencies and corporations");
	refused(ctx, issue(ctx, "D1", "2026-02-15", some, 2, ministries, 1, &n), KJ_ERR_INVALID, "not both");
	refused(ctx, issue(ctx, "D1", "2026-02-15", NULL, 0, NULL, 0, &n), KJ_ERR_INVALID, "not neither");
	refused(ctx, issue(ctx, "D1", "2026-02-15", NULL, 0, (const char *const[]){"bureau"}, 1, &n), KJ_ERR_INVALID, "kinds[0]");
	assert_int_equal(footprint(ctx), before);

	/* To every ministry in existence: the 14 of data/demo/government.json. */
	ok(ctx, issue(ctx, "D1", "2026-02-15", NULL, 0, ministries, 1, &n), "issue to ministries");
	assert_int_equal(n, 14);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM notification n JOIN app_user u ON u.id = n.user_id WHERE "
				    "n.kind = 'directive' AND u.name IN ('mha-ciso', 'mpf-ciso')"), 2);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM notification n JOIN app_user u ON u.id = n.user_id WHERE "
				    "n.kind = 'directive' AND u.name IN ('ag01-ciso', 'nco-admin')"), 0);
	ok(ctx, issue(ctx, "D2", "2026-03-31", some, 2, NULL, 0, &n), "issue to two");
	assert_int_equal(n, 2);

	/* Answers: only the target's administrator; acknowledge, then complete. */
	before = footprint(ctx);
	act(ctx, MPF_CISO);
	refused(ctx, kj_directive_ack(ctx, "D1", "MHA"), KJ_ERR_NOT_FOUND, "no organisation");
	refused(ctx, kj_directive_ack(ctx, "D2", "MHA"), KJ_ERR_NOT_FOUND, "no directive");
	act(ctx, MHA_OFFICER);
	refused(ctx, kj_directive_ack(ctx, "D1", "MHA"), KJ_ERR_NOT_FOUND, "no directive");
	act(ctx, MHA_CISO);
	refused(ctx, kj_directive_ack(ctx, "D1", "AG01"), KJ_ERR_NOT_FOUND, "does not go to AG01");
	refused(ctx, kj_directive_ack(ctx, "D2", "AG01"), KJ_ERR_DENIED, "only AG01's administrator");
	refused(ctx, kj_directive_complete(ctx, "D1", "MHA", NULL), KJ_ERR_STATE, "acknowledge it first");
	assert_int_equal(footprint(ctx), before);
	ok(ctx, kj_directive_ack(ctx, "D1", "MHA"), "ack");
	refused(ctx, kj_directive_ack(ctx, "D1", "MHA"), KJ_ERR_STATE, "already");
	ok(ctx, kj_directive_complete(ctx, "D1", "MHA", "All patched."), "complete");
	refused(ctx, kj_directive_complete(ctx, "D1", "MHA", NULL), KJ_ERR_STATE, "completed directive D1 already");

	/* MHA's CISO sees D1 with MHA alone among its targets (the other ministries lie out of
	 * its scope). */
	ok(ctx, kj_directive_get(ctx, "D1", &j), "get D1");
	assert_int_equal(json_array_size(json_object_get(j, "targets")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "counts"), "completed")), 1);
	json_decref(j);
	act(ctx, MPF_CISO);
	ok(ctx, kj_directive_list(ctx, NULL, 0, &j, &more), "list as MPF");
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "code")), "D1");
	json_decref(j);

	/* Past the due date, the open targets are overdue; MHA's is done. */
	clock_now = MAR_01;
	act(ctx, NCO_ANALYST);
	ok(ctx, kj_directive_overdue(ctx, NULL, &j), "overdue");
	assert_int_equal(json_array_size(j), 13);
	json_decref(j);
	ok(ctx, kj_directive_overdue(ctx, "MPF", &j), "overdue of MPF");
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);

	/* Withdrawn: no more answers, nothing overdue. */
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_directive_set_status(ctx, "D1", "withdrawn"), "withdraw");
	refused(ctx, kj_directive_set_status(ctx, "D1", "closed"), KJ_ERR_STATE, "withdrawn already");
	act(ctx, MPF_CISO);
	refused(ctx, kj_directive_ack(ctx, "D1", "MPF"), KJ_ERR_STATE, "takes no more answers");
	ok(ctx, kj_directive_overdue(ctx, NULL, &j), "overdue after");
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
}

/* The whole demo: what it adds for the act is there and consistent with CHANGES.md. */
static void
test_demo(void **state)
{
	/* Every old number data/demo/CHANGES.md lists as changed, renumbered, split, merged or
	 * removed, as a SQL list. */
	static const char *const changed_sql =
		"('2.2.3(2)(a)','2.2.4(2)(c)','2.3.2(2)(a)','4.1.1(2)(a)','4.2.1(1)(b)','6.2.3(1)(b)','6.4.3(1)(a)','7.1.1(1)(a)',"
		"'7.2.1(1)(a)','8.1.2(1)(b)','2.1.2(1)(a)','2.1.2(2)(a)','2.1.2(2)(a)(ア)','2.1.2(2)(a)(イ)','2.1.2(2)(a)(ウ)',"
		"'2.1.2(2)(a)(エ)','2.1.2(2)-1','2.2.4(1)(b)','3.1.1(5)(c)','4.2.2(1)(a)','4.2.2(1)(c)','4.2.2(1)-1','4.2.2(2)(a)',"
		"'6.1.1(1)(c)','6.4.2(1)(c)','7.1.4(1)(b)','2.1.2(1)(b)','2.1.2(2)(b)','4.2.2(1)(b)','2.2.4(1)(a)','6.1.1(1)(b)',"
		"'7.1.4(1)(a)','3.1.1(5)(a)','3.1.1(5)(b)','5.2.4(1)(b)','5.2.4(1)(c)','6.4.2(1)(a)','6.4.2(1)(b)','2.2.1(1)(c)',"
		"'4.2.3(1)(c)','5.1.1(1)(c)','6.2.2(1)(c)','6.3.1(1)(c)','6.3.1(1)-1','8.1.1(2)(d)')";
	struct kj_ctx *ctx = *state;
	json_t *accounts = NULL;
	char sql[2048];

	act(ctx, -1);
	ok(ctx, kj_demo_populate(ctx, &accounts), "demo");
	json_decref(accounts);

	/* Proposals: three, each with evidence citing demo findings, in three states. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM proposal WHERE code LIKE 'PROP-%'"), 3);
	assert_int_equal(count(ctx, "SELECT COUNT(DISTINCT status) FROM proposal WHERE code LIKE 'PROP-%'"), 3);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM proposal p WHERE p.code LIKE 'PROP-%' AND NOT EXISTS (SELECT 1 FROM "
				    "proposal_evidence e WHERE e.proposal_id = p.id AND e.kind = 'finding')"), 0);
	/* The directive: to all 14 ministries, some acknowledged, fewer completed. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM directive_target t JOIN directive d ON d.id = t.directive_id WHERE "
				    "d.code = 'NCO-DIR-FY2025-01'"), 14);
	assert_true(count(ctx, "SELECT COUNT(*) FROM directive_target WHERE acknowledged_at IS NOT NULL") >
		    count(ctx, "SELECT COUNT(*) FROM directive_target WHERE completed_at IS NOT NULL"));
	assert_true(count(ctx, "SELECT COUNT(*) FROM directive_target WHERE completed_at IS NOT NULL") > 0);
	/* The publication of demo-fy2025: exactly the in-force FY2023 mappings to numbers that
	 * CHANGES.md says changed, one row each; none to a number it leaves the same. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM edition_publication p JOIN edition e ON e.id = p.edition_id WHERE "
				    "e.code = 'demo-fy2025'"), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT COUNT(*) FROM clause_mapping m JOIN policy_clause c ON c.id = m.clause_id JOIN policy_version v ON "
		 "v.id = c.version_id JOIN edition e ON e.id = v.edition_id WHERE v.status = 'in_force' AND e.code = "
		 "'demo-fy2023' AND m.item_number IN %s", changed_sql);
	assert_true(count(ctx, sql) > 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM edition_impact WHERE what = 'policy_clause'"), count(ctx, sql));
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM edition_impact WHERE old_number NOT IN %s", changed_sql);
	assert_int_equal(count(ctx, sql), 0);
	/* A few rows by hand from CHANGES.md. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM edition_impact WHERE old_number = '2.1.2(1)(a)' AND (new_number <> "
				    "'2.1.3(1)(a)' OR change <> 'renumbered')"), 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM edition_impact WHERE old_number = '7.1.4(1)(a)' AND (new_number <> "
				    "'7.1.4(1)(a),7.1.4(1)(b),7.1.4(1)(c)' OR change <> 'split')"), 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM edition_impact WHERE old_number = '5.2.4(1)(c)' AND (new_number <> "
				    "'5.2.4(1)(b)' OR change <> 'merged')"), 0);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM edition_impact WHERE old_number = '8.1.1(2)(d)' AND (new_number IS "
				    "NOT NULL OR change <> 'removed')"), 0);
	assert_true(count(ctx, "SELECT COUNT(*) FROM edition_impact WHERE what = 'plan'") > 0);
	/* Each organisation touched was told, and some have acknowledged. */
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM edition_impact_org i WHERE NOT EXISTS (SELECT 1 FROM notification n "
				    "JOIN app_user u ON u.id = n.user_id WHERE n.kind = 'edition_published' AND n.org_id = "
				    "i.org_id AND u.role = 'org_admin')"), 0);
	assert_true(count(ctx, "SELECT COUNT(*) FROM edition_impact_org WHERE acknowledged_at IS NOT NULL") > 0);
}

int
main(int argc, char **argv)
{
	static const struct harness_suite suite = {"act", "act", "act", setup};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish),
		cmocka_unit_test(test_proposals),
		cmocka_unit_test(test_directives),
	};
	const struct CMUnitTest demo_tests[] = {
		cmocka_unit_test(test_demo),
	};
	static const struct harness_suite demo_suite = {"act demo", "act_demo", "act-demo", harness_setup_demo};
	int failed = harness_main(argc, argv, &suite, tests, sizeof(tests) / sizeof(tests[0]));

	return failed + harness_main(argc, argv, &demo_suite, demo_tests, sizeof(demo_tests) / sizeof(demo_tests[0]));
}
