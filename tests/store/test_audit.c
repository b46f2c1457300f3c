/*
 * test_audit.c: audit programmes, engagements, teams, scopes, findings and sign-off on a
 * real database, run on SQLite and on PostgreSQL like the storage suite (argv[1] picks the
 * backend). Every refusal is checked to leave nothing behind.
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
#include "model/access.h"
#include "model/account.h"
#include "model/audit.h"
#include "model/auditlog.h"
#include "model/notify.h"
#include "model/policy.h"

#include "store_harness.h"

/* The people of the tests, made by setup. */
enum { NCO_ADMIN, NCO_LEAD, NCO_AUD, MHA_CISO, MHA_OFFICER, MHA_STAFF, MHA_AUDIT, MPF_CISO, AG01_STAFF, AG01_OFFICER, EXT_AUD,
       NPEOPLE };

static const struct harness_person people[NPEOPLE] = {
	[NCO_ADMIN] = {"nco-admin", "NCO", "centre_admin", KJ_ROLE_CENTRE_ADMIN},
	[NCO_LEAD] = {"nco-lead", "NCO", "centre_analyst", KJ_ROLE_CENTRE_ANALYST},
	[NCO_AUD] = {"nco-aud", "NCO", "centre_analyst", KJ_ROLE_CENTRE_ANALYST},
	[MHA_CISO] = {"mha-ciso", "MHA", "org_admin", KJ_ROLE_ORG_ADMIN},
	[MHA_OFFICER] = {"mha-officer", "MHA-GA", "unit_officer", KJ_ROLE_UNIT_OFFICER},
	[MHA_STAFF] = {"mha-staff", "MHA-GA-IT", "staff", KJ_ROLE_STAFF},
	[MHA_AUDIT] = {"mha-audit", "MHA-GA-GEN", "unit_officer", KJ_ROLE_UNIT_OFFICER},
	[MPF_CISO] = {"mpf-ciso", "MPF", "org_admin", KJ_ROLE_ORG_ADMIN},
	[AG01_STAFF] = {"ag01-staff", "AG01", "staff", KJ_ROLE_STAFF},
	[AG01_OFFICER] = {"ag01-officer", "AG01", "unit_officer", KJ_ROLE_UNIT_OFFICER},
	[EXT_AUD] = {"ext-aud", "NCO", "external_auditor", KJ_ROLE_EXTERNAL_AUDITOR},
};
static int64_t ids[NPEOPLE];

/* A clock that says now_value, to step into and out of an engagement's dates. */
static int64_t now_value;

static int64_t
fixed_clock(void *arg)
{
	(void)arg;
	return now_value;
}

/* Acts as one of the people from now on; as the local administrator with -1. */
static void
act(struct kj_ctx *ctx, int who)
{
	harness_act(ctx, people, ids, who);
}

/* A fresh database with the demo data and the people. */
static int
setup(void **state)
{
	struct kj_ctx *ctx;

	if (harness_setup_demo(state) != 0)
		return -1;
	ctx = *state;
	if (harness_people_create(ctx, people, ids, NPEOPLE) != 0) {
		fprintf(stderr, "setup: %s\n", ctx->msg);
		harness_teardown(state);
		return -1;
	}
	return 0;
}

static kj_err
programme(struct kj_ctx *ctx, const char *code, const char *org, int fy, const char *kind)
{
	struct kj_audit_programme_new in = {.code = code, .org = org, .fiscal_year = fy, .kind = kind,
					    .title_ja = "監査計画", .title_en = "Audit programme"};
	char uuid[37];

	return kj_audit_programme_create(ctx, &in, uuid);
}

static kj_err
engagement(struct kj_ctx *ctx, const char *code, const char *prog, const char *org, const char *from, const char *to)
{
	struct kj_audit_engagement_new in = {.code = code, .programme = prog, .org = org, .edition = "demo-fy2025",
					     .title_ja = "マネジメント監査", .title_en = "Management audit",
					     .starts_on = from, .ends_on = to};
	char uuid[37];

	return kj_audit_engagement_create(ctx, &in, uuid);
}

static kj_err
finding(struct kj_ctx *ctx, const char *eng, const char *req, const char *category, const char *severity, int urgent)
{
	struct kj_audit_finding_new in = {.engagement = eng, .requirement = req, .category = category,
					  .severity = severity, .urgent = urgent, .title = "監査所見",
					  .text = "The self-inspection plan names no responsible officer."};
	char uuid[37];

	return kj_audit_finding_add(ctx, &in, uuid);
}

static void
test_programme(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_audit_programme_new in;
	char uuid[37];
	int64_t before;

	/* The centre's administrator plans the centre's programmes. */
	act(ctx, NCO_ADMIN);
	ok(ctx, programme(ctx, "NCO-FY2025-MA", "NCO", 2025, "management_audit"), "management audit");
	ok(ctx, programme(ctx, "NCO-FY2025-PT", "NCO", 2025, "penetration_test"), "penetration test");
	ok(ctx, programme(ctx, "NCO-FY2025-EX", "NCO", 2025, "external_firm"), "external firm");
	refused(ctx, programme(ctx, "NCO-FY2025-IA", "NCO", 2025, "internal_audit"), KJ_ERR_INVALID, "internal_audit");
	refused(ctx, programme(ctx, "NCO-FY2025-MA", "NCO", 2025, "management_audit"), KJ_ERR_EXISTS, "NCO-FY2025-MA");
	refused(ctx, programme(ctx, "bad code!", "NCO", 2025, "management_audit"), KJ_ERR_INVALID, "code");
	refused(ctx, programme(ctx, "NCO-X", "NCO", 2025, "inspection"), KJ_ERR_INVALID, "kind");
	refused(ctx, programme(ctx, "NCO-X", "NCO", 1999, "management_audit"), KJ_ERR_INVALID, "fiscal_year");
	refused(ctx, programme(ctx, "NCO-X", "NOPE", 2025, "management_audit"), KJ_ERR_NOT_FOUND, "org");
	memset(&in, 0, sizeof(in));
	in.code = "NCO-X";
	in.org = "NCO";
	in.fiscal_year = 2025;
	in.kind = "management_audit";
	in.title_ja = "監査";
	refused(ctx, kj_audit_programme_create(ctx, &in, uuid), KJ_ERR_INVALID, "title_en");
	/* The abolished NISC cannot plan any more; a bureau never plans. */
	refused(ctx, programme(ctx, "NISC-X", "NISC", 2025, "management_audit"), KJ_ERR_INVALID, "abolished");
	refused(ctx, programme(ctx, "MHA-GA-X", "MHA-GA", 2025, "internal_audit"), KJ_ERR_INVALID, "bureau");

	/* An organisation's administrator plans its own internal audit, nothing of the centre's. */
	act(ctx, MHA_CISO);
	ok(ctx, programme(ctx, "MHA-FY2025-IA", "MHA", 2025, "internal_audit"), "internal audit");
	ok(ctx, programme(ctx, "MHA-FY2025-EX", "MHA", 2025, "external_firm"), "external firm of MHA");
	refused(ctx, programme(ctx, "MHA-FY2025-MA", "MHA", 2025, "management_audit"), KJ_ERR_INVALID, "the centre's");
	refused(ctx, programme(ctx, "MHA-NCO", "NCO", 2025, "management_audit"), KJ_ERR_NOT_FOUND, NULL);
	refused(ctx, programme(ctx, "MHA-MPF", "MPF", 2025, "internal_audit"), KJ_ERR_NOT_FOUND, NULL);
	/* Unit officers do not plan audits, not even of their own agency. */
	act(ctx, AG01_OFFICER);
	refused(ctx, programme(ctx, "AG01-IA", "AG01", 2025, "internal_audit"), KJ_ERR_DENIED, "administrator");
	act(ctx, MHA_OFFICER);
	refused(ctx, programme(ctx, "MHA-IA2", "MHA", 2025, "internal_audit"), KJ_ERR_NOT_FOUND, NULL);
	act(ctx, NCO_LEAD);
	refused(ctx, programme(ctx, "NCO-Y", "NCO", 2025, "management_audit"), KJ_ERR_DENIED, NULL);

	/* Each programme made has its audit record; the refusals left none. */
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_programme"), 5);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'audit_programme.create'"), 5);
	before = count(ctx, "SELECT COUNT(*) FROM audit_log");
	refused(ctx, programme(ctx, "NCO-FY2025-PT", "NCO", 2025, "penetration_test"), KJ_ERR_EXISTS, NULL);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log"), before);
}

/* The centre's management audit of MHA in FY2025 and MHA's internal audit of two bureaus. */
static void
plan_fy2025(struct kj_ctx *ctx)
{
	act(ctx, NCO_ADMIN);
	ok(ctx, programme(ctx, "NCO-FY2025-MA", "NCO", 2025, "management_audit"), "programme");
	ok(ctx, engagement(ctx, "MA-MHA", "NCO-FY2025-MA", "MHA", "2025-10-01", "2025-12-15"), "engagement");
	act(ctx, MHA_CISO);
	ok(ctx, programme(ctx, "MHA-FY2025-IA", "MHA", 2025, "internal_audit"), "internal programme");
	ok(ctx, engagement(ctx, "IA-LG", "MHA-FY2025-IA", "MHA-LG", "2026-01-10", "2026-03-31"), "internal engagement");
	ok(ctx, engagement(ctx, "IA-GA", "MHA-FY2025-IA", "MHA-GA", "2025-04-01", "2025-04-01"), "one-day engagement");
}

static void
test_engagement(void **state)
{
	struct kj_ctx *ctx = *state;
	struct kj_audit_engagement_new in;
	char uuid[37];
	json_t *j;

	plan_fy2025(ctx);
	act(ctx, NCO_ADMIN);
	/* Dates in order and within the programme's fiscal year (April to March). */
	refused(ctx, engagement(ctx, "E2", "NCO-FY2025-MA", "MPF", "2025-12-01", "2025-11-30"), KJ_ERR_INVALID, "before starts_on");
	refused(ctx, engagement(ctx, "E2", "NCO-FY2025-MA", "MPF", "2025-03-31", "2025-05-01"), KJ_ERR_INVALID,
		"not within fiscal year 2025");
	refused(ctx, engagement(ctx, "E2", "NCO-FY2025-MA", "MPF", "2026-03-01", "2026-04-01"), KJ_ERR_INVALID,
		"2025-04-01 to 2026-03-31");
	refused(ctx, engagement(ctx, "E2", "NCO-FY2025-MA", "MPF", "2025-02-30", "2025-05-01"), KJ_ERR_INVALID, "YYYY-MM-DD");
	refused(ctx, engagement(ctx, "E2", "NCO-FY2099-MA", "MPF", "2025-06-01", "2025-07-01"), KJ_ERR_NOT_FOUND, "programme");
	refused(ctx, engagement(ctx, "MA-MHA", "NCO-FY2025-MA", "MPF", "2025-06-01", "2025-07-01"), KJ_ERR_EXISTS, "MA-MHA");
	refused(ctx, engagement(ctx, "E2", "NCO-FY2025-MA", "NISC", "2025-06-01", "2025-07-01"), KJ_ERR_INVALID, "abolished");
	memset(&in, 0, sizeof(in));
	in = (struct kj_audit_engagement_new){.code = "E2", .programme = "NCO-FY2025-MA", .org = "MPF", .edition = "demo-fy1999",
					      .title_ja = "監査", .title_en = "Audit", .starts_on = "2025-06-01",
					      .ends_on = "2025-07-01"};
	refused(ctx, kj_audit_engagement_create(ctx, &in, uuid), KJ_ERR_NOT_FOUND, "edition");
	in.edition = "demo-fy2025";
	in.policy = "STD";
	refused(ctx, kj_audit_engagement_create(ctx, &in, uuid), KJ_ERR_NOT_FOUND, "policy");
	/* The criteria take the organisation's security standard when it has one. */
	act(ctx, -1);
	ok(ctx, kj_policy_doc_create(ctx, "MPF", "STD", "standard", "財政省情報セキュリティ対策基準", "MPF security standard", uuid),
	   "policy");
	act(ctx, NCO_ADMIN);
	in.policy = NULL;
	ok(ctx, kj_audit_engagement_create(ctx, &in, uuid), "engagement with policy");
	ok(ctx, kj_audit_engagement_get(ctx, "E2", &j), "get");
	assert_string_equal(json_string_value(json_object_get(j, "policy")), "STD");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "draft");
	assert_string_equal(json_string_value(json_object_get(j, "programme")), "NCO-FY2025-MA");
	json_decref(j);
	ok(ctx, kj_audit_engagement_get(ctx, "MA-MHA", &j), "get without policy");
	assert_true(json_is_null(json_object_get(j, "policy")));
	json_decref(j);

	/* An organisation's programme audits the organisation and its own units only. */
	act(ctx, MHA_CISO);
	refused(ctx, engagement(ctx, "IA-MPF", "MHA-FY2025-IA", "MPF", "2025-06-01", "2025-07-01"), KJ_ERR_NOT_FOUND, "org");
	refused(ctx, engagement(ctx, "IA-X", "NCO-FY2025-MA", "MHA", "2025-06-01", "2025-07-01"), KJ_ERR_DENIED, NULL);
	/* The centre may act for MHA, but still not beyond it. */
	act(ctx, NCO_ADMIN);
	refused(ctx, engagement(ctx, "IA-MPF", "MHA-FY2025-IA", "MPF", "2025-06-01", "2025-07-01"), KJ_ERR_INVALID,
		"MPF is not MHA or one of its units");
	act(ctx, MPF_CISO);
	refused(ctx, engagement(ctx, "IA-X", "MHA-FY2025-IA", "MPF", "2025-06-01", "2025-07-01"), KJ_ERR_NOT_FOUND, "programme");
	/* Planners see the engagement; others in no way concerned do not. */
	refused(ctx, kj_audit_engagement_get(ctx, "MA-MHA", &j), KJ_ERR_NOT_FOUND, "MA-MHA");
	act(ctx, MHA_CISO);
	refused(ctx, kj_audit_engagement_get(ctx, "MA-MHA", &j), KJ_ERR_NOT_FOUND, NULL);
	ok(ctx, kj_audit_engagement_get(ctx, "IA-LG", &j), "own engagement");
	json_decref(j);
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_engagement"), 4);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'audit_engagement.create'"), 4);
}

static void
test_team(void **state)
{
	struct kj_ctx *ctx = *state;
	int64_t (*saved_clock)(void *);
	json_t *j;

	plan_fy2025(ctx);
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-lead", "lead"), "lead");
	ok(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-aud", "member"), "member");
	refused(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-aud", "member"), KJ_ERR_EXISTS, "already");
	refused(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-admin", "lead"), KJ_ERR_EXISTS, "has a lead auditor already (nco-lead)");
	refused(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-admin", "observer"), KJ_ERR_INVALID, "lead or member");
	refused(ctx, kj_audit_member_add(ctx, "MA-MHA", "nobody", "member"), KJ_ERR_NOT_FOUND, "user");
	refused(ctx, kj_audit_member_add(ctx, "NO-SUCH", "nco-aud", "member"), KJ_ERR_NOT_FOUND, "engagement");
	/* Independence: nobody audits the organisation or the unit they belong to, and a
	 * supervised agency counts as under its ministry. */
	refused(ctx, kj_audit_member_add(ctx, "MA-MHA", "mha-staff", "member"), KJ_ERR_INVALID, "independent");
	assert_non_null(strstr(ctx->msg, "mha-staff belongs to MHA-GA-IT"));
	refused(ctx, kj_audit_member_add(ctx, "MA-MHA", "mha-ciso", "member"), KJ_ERR_INVALID, "independent");
	refused(ctx, kj_audit_member_add(ctx, "MA-MHA", "ag01-staff", "member"), KJ_ERR_INVALID, "independent");

	act(ctx, MHA_CISO);
	/* The internal auditor of the general affairs division audits another bureau, not its own. */
	ok(ctx, kj_audit_member_add(ctx, "IA-LG", "mha-audit", "lead"), "internal lead");
	ok(ctx, kj_audit_member_add(ctx, "IA-LG", "mha-ciso", "member"), "CISO above the bureau audits it");
	refused(ctx, kj_audit_member_add(ctx, "IA-GA", "mha-audit", "lead"), KJ_ERR_INVALID, "MHA-GA-GEN");
	refused(ctx, kj_audit_member_add(ctx, "IA-GA", "mha-officer", "lead"), KJ_ERR_INVALID, "independent");
	/* Only planners put people on the team. */
	refused(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-admin", "member"), KJ_ERR_NOT_FOUND, NULL);
	act(ctx, NCO_AUD);
	refused(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-admin", "member"), KJ_ERR_DENIED, "planners");
	act(ctx, MPF_CISO);
	refused(ctx, kj_audit_member_add(ctx, "IA-LG", "mpf-ciso", "member"), KJ_ERR_NOT_FOUND, NULL);

	/* The team sees its engagement. */
	act(ctx, NCO_AUD);
	ok(ctx, kj_audit_engagement_get(ctx, "MA-MHA", &j), "member reads");
	assert_int_equal(json_array_size(json_object_get(j, "team")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(j, "team"), 0), "role")), "lead");
	json_decref(j);
	/* A read-only token reads what its account may, and changes nothing. */
	act(ctx, MHA_CISO);
	ctx->who.read_only = 1;
	ok(ctx, kj_audit_engagement_get(ctx, "IA-LG", &j), "read-only planner reads");
	json_decref(j);
	refused(ctx, kj_audit_member_add(ctx, "IA-LG", "mha-officer", "member"), KJ_ERR_DENIED, "read-only");
	refused(ctx, programme(ctx, "MHA-RO", "MHA", 2025, "internal_audit"), KJ_ERR_DENIED, "read-only");
	act(ctx, MHA_AUDIT);
	ctx->who.read_only = 1;
	refused(ctx, kj_audit_engagement_advance(ctx, "IA-LG", "fieldwork"), KJ_ERR_DENIED, "read-only");
	refused(ctx, finding(ctx, "IA-LG", "2.1.1(1)(a)", "advice", NULL, 0), KJ_ERR_DENIED, "read-only");
	/* An external auditor on the team reads the audited organisation while the engagement
	 * runs (2025-10-01 to 2025-12-15), and nothing else. */
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_audit_member_add(ctx, "MA-MHA", "ext-aud", "member"), "external auditor");
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM engagement g JOIN org o ON o.id = g.org_id WHERE o.code = 'MHA' "
				    "AND g.valid_from = '2025-10-01' AND g.valid_to = '2025-12-15'"), 1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM engagement"), 1);
	act(ctx, EXT_AUD);
	saved_clock = ctx->now;
	ctx->now = fixed_clock;
	now_value = 1762000000;	/* 2025-11-01 */
	assert_true(kj_access_org_visible(ctx, org_id(ctx, "MHA-GA-IT")));
	assert_false(kj_access_org_visible(ctx, org_id(ctx, "MPF")));
	now_value = 1767300000;	/* 2026-01-01: the engagement is over */
	assert_false(kj_access_org_visible(ctx, org_id(ctx, "MHA")));
	ctx->now = saved_clock;
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM engagement_member"), 5);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'audit_engagement.member'"), 5);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'engagement.create'"), 1);
}

static void
test_scope(void **state)
{
	struct kj_ctx *ctx = *state;
	const char *reqs[] = {"2.1.1(1)(a)", "2.3.2(1)(a)", "8.1.1(2)(a)"};
	const char *bad[] = {"2.1.1(1)(a)", "9.9.9(9)(z)"};
	const char *heading[] = {"2.1.1(1)"};
	const char *twice[] = {"2.1.1(1)(a)", "2.1.1(1)(a)"};
	const char *units[] = {"MHA-GA", "MHA-LG-FIN"};
	const char *other[] = {"MPF-GA"};
	const char *itself[] = {"MHA"};
	json_t *j;

	plan_fy2025(ctx);
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_audit_scope_set(ctx, "MA-MHA", bad, 2, NULL, 0), KJ_ERR_INVALID, "requirements[1]: \"9.9.9(9)(z)\"");
	refused(ctx, kj_audit_scope_set(ctx, "MA-MHA", heading, 1, NULL, 0), KJ_ERR_INVALID, "not a requirement");
	refused(ctx, kj_audit_scope_set(ctx, "MA-MHA", twice, 2, NULL, 0), KJ_ERR_INVALID, "twice");
	refused(ctx, kj_audit_scope_set(ctx, "MA-MHA", reqs, 0, NULL, 0), KJ_ERR_INVALID, "at least one");
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM engagement_scope"), 0);
	/* A unit must lie below the audited organisation, not be it or stand elsewhere. */
	refused(ctx, kj_audit_scope_set(ctx, "MA-MHA", reqs, 3, other, 1), KJ_ERR_INVALID, "MPF-GA is not a unit of MHA");
	refused(ctx, kj_audit_scope_set(ctx, "MA-MHA", reqs, 3, itself, 1), KJ_ERR_INVALID, "not a unit");
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_audit_scope_set(ctx, "MA-MHA", reqs, 3, units, 2), "scope");
	/* Setting it again replaces it. */
	ok(ctx, kj_audit_scope_set(ctx, "MA-MHA", reqs, 2, units, 1), "scope again");
	ok(ctx, kj_audit_engagement_get(ctx, "MA-MHA", &j), "get");
	assert_int_equal(json_array_size(json_object_get(j, "requirements")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "units"), 0)), "MHA-GA");
	json_decref(j);
	/* The team's lead may adjust the scope; other members may not. */
	ok(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-lead", "lead"), "lead");
	ok(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-aud", "member"), "member");
	act(ctx, NCO_LEAD);
	ok(ctx, kj_audit_scope_set(ctx, "MA-MHA", reqs, 3, units, 2), "lead sets scope");
	act(ctx, NCO_AUD);
	refused(ctx, kj_audit_scope_set(ctx, "MA-MHA", reqs, 1, NULL, 0), KJ_ERR_DENIED, "lead auditor");
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM engagement_scope WHERE item_number IS NOT NULL"), 3);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM engagement_scope WHERE org_id IS NOT NULL"), 2);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'audit_engagement.scope'"), 3);
}

static void
test_findings(void **state)
{
	struct kj_ctx *ctx = *state;
	const char *reqs[] = {"2.1.1(1)(a)", "2.3.2(1)(a)"};
	const char *fewer[] = {"2.3.2(1)(a)"};
	struct kj_audit_finding_new in;
	struct kj_audit_verdict v;
	char uuid[37], notice[37];
	int64_t next;
	json_t *j;

	plan_fy2025(ctx);
	act(ctx, NCO_ADMIN);
	/* Fieldwork needs a lead auditor and a scope. */
	refused(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "fieldwork"), KJ_ERR_INVALID, "no lead auditor");
	ok(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-lead", "lead"), "lead");
	ok(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-aud", "member"), "member");
	refused(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "fieldwork"), KJ_ERR_INVALID, "no requirements in scope");
	ok(ctx, kj_audit_scope_set(ctx, "MA-MHA", reqs, 2, NULL, 0), "scope");
	/* No skipped step, no unknown status. */
	refused(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "reporting"), KJ_ERR_STATE, "expected fieldwork");
	refused(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "closed"), KJ_ERR_INVALID, "status");
	refused(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "draft"), KJ_ERR_STATE, "cannot move to draft");
	/* Findings wait for fieldwork. */
	act(ctx, NCO_AUD);
	refused(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "finding", "high", 0), KJ_ERR_STATE, "draft");
	act(ctx, NCO_LEAD);
	ok(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "fieldwork"), "fieldwork");
	refused(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "signed_off"), KJ_ERR_STATE, "expected reporting");

	act(ctx, NCO_AUD);
	refused(ctx, finding(ctx, "MA-MHA", "8.1.1(2)(a)", "finding", "high", 0), KJ_ERR_INVALID,
		"8.1.1(2)(a) is not in the scope of engagement MA-MHA");
	refused(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "remark", NULL, 0), KJ_ERR_INVALID, "category");
	refused(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "finding", NULL, 0), KJ_ERR_INVALID, "severity: required");
	refused(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "finding", "severe", 0), KJ_ERR_INVALID, "severity");
	refused(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "good_practice", NULL, 1), KJ_ERR_INVALID, "urgent");
	memset(&in, 0, sizeof(in));
	in = (struct kj_audit_finding_new){.engagement = "MA-MHA", .requirement = "2.1.1(1)(a)", .category = "advice",
					   .title = "助言"};
	refused(ctx, kj_audit_finding_add(ctx, &in, uuid), KJ_ERR_INVALID, "text");
	act(ctx, NCO_ADMIN);
	refused(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "finding", "high", 0), KJ_ERR_DENIED, "auditors");
	act(ctx, MHA_CISO);
	refused(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "finding", "high", 0), KJ_ERR_NOT_FOUND, NULL);
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_finding"), 0);

	act(ctx, NCO_AUD);
	ok(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "finding", "critical", 1), "urgent finding");
	act(ctx, NCO_LEAD);
	ok(ctx, finding(ctx, "MA-MHA", "2.3.2(1)(a)", "good_practice", NULL, 0), "good practice");
	ok(ctx, finding(ctx, "MA-MHA", "2.3.2(1)(a)", "advice", "low", 0), "advice");
	/* The urgent one is known at once to MHA's CISO and the centre's administrator, and to
	 * nobody else; the others notify no one. */
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM notification"), 2);
	act(ctx, MHA_CISO);
	ok(ctx, kj_notification_list(ctx, 1, 0, 10, &j, &next), "CISO's notices");
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "kind")), "urgent_finding");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "org")), "MHA");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(j, 0), "title")), "監査所見"));
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(j, 0), "body")), "2.1.1(1)(a), critical"));
	kj_strlcpy(notice, json_string_value(json_object_get(json_array_get(j, 0), "id")), sizeof(notice));
	json_decref(j);
	act(ctx, MPF_CISO);
	ok(ctx, kj_notification_list(ctx, 0, 0, 10, &j, &next), "another CISO's notices");
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	refused(ctx, kj_notification_read(ctx, notice), KJ_ERR_NOT_FOUND, "notification");
	act(ctx, NCO_AUD);
	ok(ctx, kj_notification_list(ctx, 0, 0, 10, &j, &next), "an analyst's notices");
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	act(ctx, MHA_CISO);
	ok(ctx, kj_notification_read(ctx, notice), "read");
	ok(ctx, kj_notification_read(ctx, notice), "read again");
	ok(ctx, kj_notification_list(ctx, 1, 0, 10, &j, &next), "unread after reading");
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	ok(ctx, kj_notification_list(ctx, 0, 0, 10, &j, &next), "all after reading");
	assert_int_equal(json_array_size(j), 1);
	assert_false(json_is_null(json_object_get(json_array_get(j, 0), "read_at")));
	json_decref(j);
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'notification.read'"), 1);
	act(ctx, NCO_LEAD);
	/* The scope cannot drop a requirement with findings; the refused change leaves the old scope. */
	refused(ctx, kj_audit_scope_set(ctx, "MA-MHA", fewer, 1, NULL, 0), KJ_ERR_INVALID, "2.1.1(1)(a) has findings");
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM engagement_scope"), 2);

	/* The audited organisation does not read findings before sign-off. */
	act(ctx, MHA_CISO);
	refused(ctx, kj_audit_finding_list(ctx, "MA-MHA", &j), KJ_ERR_NOT_FOUND, NULL);
	/* Planners or the lead move it to reporting; the scope is then fixed. */
	act(ctx, NCO_AUD);
	refused(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "reporting"), KJ_ERR_DENIED, NULL);
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "reporting"), "reporting");
	refused(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "fieldwork"), KJ_ERR_STATE, "cannot move to fieldwork");
	refused(ctx, kj_audit_scope_set(ctx, "MA-MHA", reqs, 2, NULL, 0), KJ_ERR_STATE, "reporting");
	act(ctx, NCO_AUD);
	ok(ctx, finding(ctx, "MA-MHA", "2.3.2(1)(a)", "finding", "medium", 0), "finding while reporting");

	/* Only the lead auditor signs off: not a member, not the centre's administrator. */
	refused(ctx, kj_audit_sign_off(ctx, "MA-MHA"), KJ_ERR_DENIED, "only the lead auditor of engagement MA-MHA (nco-lead)");
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_audit_sign_off(ctx, "MA-MHA"), KJ_ERR_DENIED, "lead auditor");
	act(ctx, -1);
	refused(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "signed_off"), KJ_ERR_DENIED, "lead auditor");
	act(ctx, NCO_LEAD);
	ok(ctx, kj_audit_sign_off(ctx, "MA-MHA"), "sign off");
	refused(ctx, kj_audit_sign_off(ctx, "MA-MHA"), KJ_ERR_STATE, "no further step");

	/* Signed off: nothing more is added. */
	act(ctx, NCO_AUD);
	refused(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "advice", NULL, 0), KJ_ERR_STATE, "signed off");
	act(ctx, NCO_ADMIN);
	refused(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-admin", "member"), KJ_ERR_STATE, "signed off");

	act(ctx, NCO_LEAD);
	ok(ctx, kj_audit_finding_list(ctx, "MA-MHA", &j), "list");
	assert_int_equal(json_array_size(j), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "requirement")), "2.1.1(1)(a)");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "severity")), "critical");
	assert_true(json_is_true(json_object_get(json_array_get(j, 0), "urgent")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "created_by")), "nco-aud");
	assert_true(json_is_null(json_object_get(json_array_get(j, 1), "severity")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "category")), "good_practice");
	json_decref(j);
	ok(ctx, kj_audit_engagement_get(ctx, "MA-MHA", &j), "get");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "signed_off");
	assert_string_equal(json_string_value(json_object_get(j, "signed_off_by")), "nco-lead");
	json_decref(j);
	/* Now the audited organisation's CISO reads them; its staff and other ministries do not. */
	act(ctx, MHA_CISO);
	ok(ctx, kj_audit_finding_list(ctx, "MA-MHA", &j), "audited CISO reads");
	assert_int_equal(json_array_size(j), 4);
	json_decref(j);
	act(ctx, MHA_STAFF);
	refused(ctx, kj_audit_finding_list(ctx, "MA-MHA", &j), KJ_ERR_NOT_FOUND, NULL);
	act(ctx, MPF_CISO);
	refused(ctx, kj_audit_finding_list(ctx, "MA-MHA", &j), KJ_ERR_NOT_FOUND, NULL);

	/* Every change is in the audit log, and the chain holds. */
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'audit_finding.add'"), 4);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'audit_engagement.status'"), 2);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'audit_engagement.sign_off'"), 1);
	ok(ctx, kj_auditlog_verify(ctx, &v), "verify");
	assert_int_equal(v.first_bad, 0);
}

/* Working papers stay with the auditors; the report goes to the audited CISO at sign-off. */
static void
test_papers_report(void **state)
{
	struct kj_ctx *ctx = *state;
	const char *reqs[] = {"2.1.1(1)(a)", "2.3.2(1)(a)"};
	static const char note[] = "聴取記録: 情報セキュリティ責任者との面談 (interview notes)\n";
	char paper[37], uuid[37];
	unsigned char *data = NULL;
	size_t len = 0;
	json_t *j, *meta = NULL;
	int64_t next;

	plan_fy2025(ctx);
	act(ctx, NCO_ADMIN);
	ok(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-lead", "lead"), "lead");
	ok(ctx, kj_audit_member_add(ctx, "MA-MHA", "nco-aud", "member"), "member");
	ok(ctx, kj_audit_scope_set(ctx, "MA-MHA", reqs, 2, NULL, 0), "scope");
	ok(ctx, kj_audit_paper_add(ctx, "MA-MHA", "監査計画書.txt", "audit plan\n", 11, NULL, uuid), "planner files a paper");
	act(ctx, NCO_LEAD);
	ok(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "fieldwork"), "fieldwork");
	act(ctx, NCO_AUD);
	ok(ctx, kj_audit_paper_add(ctx, "MA-MHA", "interview.txt", note, sizeof(note) - 1, "text/plain", paper), "member");
	/* Bad files and strangers are refused, leaving nothing. */
	refused(ctx, kj_audit_paper_add(ctx, "MA-MHA", "empty.txt", "", 0, NULL, uuid), KJ_ERR_INVALID, "empty");
	refused(ctx, kj_audit_paper_add(ctx, "MA-MHA", "x.bin", "\x00\x01\xfe\xff", 4, NULL, uuid), KJ_ERR_INVALID,
		"not a PDF, PNG, JPEG or UTF-8 text");
	refused(ctx, kj_audit_paper_add(ctx, "MA-MHA", "x.pdf", note, sizeof(note) - 1, "application/pdf", uuid),
		KJ_ERR_INVALID, "declared as application/pdf");
	refused(ctx, kj_audit_paper_add(ctx, "MA-MHA", "", note, sizeof(note) - 1, NULL, uuid), KJ_ERR_INVALID, "name");
	refused(ctx, kj_audit_paper_add(ctx, "NO-SUCH", "n.txt", note, sizeof(note) - 1, NULL, uuid), KJ_ERR_NOT_FOUND,
		"NO-SUCH");
	act(ctx, MHA_CISO);
	refused(ctx, kj_audit_paper_add(ctx, "MA-MHA", "n.txt", note, sizeof(note) - 1, NULL, uuid), KJ_ERR_NOT_FOUND, NULL);
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM engagement_paper"), 2);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM audit_log WHERE op = 'engagement_paper.add'"), 2);

	act(ctx, NCO_LEAD);
	ok(ctx, kj_audit_paper_list(ctx, "MA-MHA", &j), "papers");
	assert_int_equal(json_array_size(j), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "name")), "interview.txt");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "added_by")), "nco-aud");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 1), "size")), (json_int_t)(sizeof(note) - 1));
	json_decref(j);
	ok(ctx, kj_audit_paper_get(ctx, "MA-MHA", paper, &meta, &data, &len), "content");
	assert_int_equal(len, sizeof(note) - 1);
	assert_memory_equal(data, note, len);
	assert_string_equal(json_string_value(json_object_get(meta, "media_type")), "text/plain");
	free(data);
	json_decref(meta);
	refused(ctx, kj_audit_paper_get(ctx, "MA-MHA", "no-such-paper", &meta, &data, &len), KJ_ERR_NOT_FOUND, "no-such-paper");

	act(ctx, NCO_AUD);
	ok(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "finding", "medium", 0), "medium");
	ok(ctx, finding(ctx, "MA-MHA", "2.3.2(1)(a)", "good_practice", NULL, 0), "good practice");
	ok(ctx, finding(ctx, "MA-MHA", "2.3.2(1)(a)", "finding", "critical", 0), "critical");
	ok(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "advice", NULL, 0), "advice");
	ok(ctx, finding(ctx, "MA-MHA", "2.1.1(1)(a)", "finding", "low", 0), "low");
	/* The draft report: the most severe finding first, the counts. */
	ok(ctx, kj_audit_report(ctx, "MA-MHA", &j), "draft report");
	assert_false(json_is_true(json_object_get(j, "final")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "total")), 5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "findings")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(j, "summary"), "by_severity"), "critical")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(j, "summary"), "by_category"), "advice")), 1);
	assert_int_equal(json_array_size(json_object_get(json_object_get(j, "findings"), "finding")), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(json_object_get(j, "findings"), "finding"), 0), "severity")), "critical");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(json_object_get(j, "findings"), "finding"), 2), "severity")), "low");
	json_decref(j);
	act(ctx, MHA_CISO);
	refused(ctx, kj_audit_report(ctx, "MA-MHA", &j), KJ_ERR_NOT_FOUND, NULL);

	act(ctx, NCO_LEAD);
	ok(ctx, kj_audit_engagement_advance(ctx, "MA-MHA", "reporting"), "reporting");
	ok(ctx, kj_audit_sign_off(ctx, "MA-MHA"), "sign off");
	refused(ctx, kj_audit_paper_add(ctx, "MA-MHA", "late.txt", note, sizeof(note) - 1, NULL, uuid), KJ_ERR_STATE, "signed off");
	/* The CISO is told the report is ready, reads it, and not the papers. */
	act(ctx, MHA_CISO);
	ok(ctx, kj_notification_list(ctx, 1, 0, 10, &j, &next), "CISO's notices");
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "kind")), "audit_report");
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(j, 0), "body")), "3 findings (critical 1, high 0, medium 1, low 1)"));
	json_decref(j);
	ok(ctx, kj_audit_report(ctx, "MA-MHA", &j), "final report");
	assert_true(json_is_true(json_object_get(j, "final")));
	json_decref(j);
	refused(ctx, kj_audit_paper_list(ctx, "MA-MHA", &j), KJ_ERR_DENIED, "auditors' own");
	refused(ctx, kj_audit_paper_get(ctx, "MA-MHA", paper, &meta, &data, &len), KJ_ERR_DENIED, "auditors' own");
	act(ctx, MPF_CISO);
	refused(ctx, kj_audit_report(ctx, "MA-MHA", &j), KJ_ERR_NOT_FOUND, NULL);
	act(ctx, -1);
	assert_int_equal(count(ctx, "SELECT COUNT(*) FROM notification WHERE kind = 'audit_report'"), 2);
}

int
main(int argc, char **argv)
{
	static const struct harness_suite suite = {.name = "audits", .schema = "audits", .tmp = "audit", .setup = setup};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_programme),
		cmocka_unit_test(test_engagement),
		cmocka_unit_test(test_team),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_findings),
		cmocka_unit_test(test_papers_report),
	};

	return harness_main(argc, argv, &suite, tests, sizeof(tests) / sizeof(tests[0]));
}
