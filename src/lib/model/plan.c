/*
 * plan.c: recommendations, improvement plans, their measures and progress reports
 * (plan.h).
 *
 * Owns the tables recommendation, recommendation_finding, improvement_plan, plan_finding,
 * plan_measure and plan_report; reads audit_finding, audit_engagement and audit_programme
 * (audit.c's) to check what is cited. Every change checks access first, then its rules,
 * then writes with its audit record in one transaction. A change that depends on a plan's
 * status first bumps the plan's version where the status still holds, which locks the row
 * on PostgreSQL, so two changes at once cannot both pass on a stale status.
 */
#include "plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/limits.h"
#include "../base/util.h"
#include "../db/db.h"
#include "access.h"
#include "account.h"
#include "auditlog.h"
#include "kit.h"
#include "notify.h"
#include "org.h"

#define PLAN_STEPS "draft, submitted, accepted, in_progress, done, verified, one step at a time"

/* ---- Helpers --------------------------------------------------------------------------- */

/* A due date: a real date, not before today (earliest) nor after latest (NULL: no bound;
 * what names it in the message). */
static kj_err
need_due(struct kj_ctx *ctx, const char *due, const char *today, const char *latest, const char *what)
{
	if (due == NULL || !kj_date_valid(due))
		return kj_failf(ctx, KJ_ERR_INVALID, "due_on: expected a date YYYY-MM-DD");
	if (strcmp(due, today) < 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "due_on: %s is before today (%s); expected a date on or after it", due, today);
	if (latest != NULL && strcmp(due, latest) > 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "due_on: %s is after %s's due date %s; expected a date on or before it", due,
				what, latest);
	return KJ_OK;
}

/* 1 when the principal writes for organisation org: the local administrator, or its
 * administrator or a unit officer with org in scope, but not an officer of reviewer (the
 * organisation that reviews what is written) unless it reviews itself. */
static int
writes_for(struct kj_ctx *ctx, int64_t org, int64_t reviewer)
{
	if (ctx->who.role == KJ_ROLE_LOCAL_ADMIN)
		return 1;
	if (ctx->who.role != KJ_ROLE_ORG_ADMIN && ctx->who.role != KJ_ROLE_UNIT_OFFICER)
		return 0;
	if (ctx->who.org_id == reviewer && reviewer != org)
		return 0;
	return kj_access_org_visible(ctx, org);
}

/* 1 when the principal acts for reviewer: the centre's administrator for the centre, an
 * organisation's administrator for its own organisation (and the local administrator). */
static int
reviews_for(struct kj_ctx *ctx, int64_t reviewer, const char *reviewer_kind)
{
	if (ctx->who.role == KJ_ROLE_LOCAL_ADMIN)
		return 1;
	if (strcmp(reviewer_kind, "centre") == 0)
		return ctx->who.role == KJ_ROLE_CENTRE_ADMIN;
	return ctx->who.role == KJ_ROLE_ORG_ADMIN && ctx->who.org_id == reviewer;
}

/* The index of s in the NULL-terminated names, or -1. */
static int
find_name(const char *const *names, const char *s)
{
	int i = 0;

	while (s != NULL && names[i] != NULL && strcmp(names[i], s) != 0)
		i++;
	return s != NULL && names[i] != NULL ? i : -1;
}

/* ---- Citing findings ------------------------------------------------------------------- */

/*
 * Resolves the public ids of findings cited for organisation o into their keys (ids_out,
 * n entries). Each must be visible, of a signed-off engagement that audited o, and named
 * once. *owner_out (may be NULL) is the organisation owning their engagements' programme,
 * or -1 when they come from programmes of different owners. what names the citing thing.
 */
static kj_err
cite(struct kj_ctx *ctx, const char *const *findings, size_t n, const struct kj_org *o, const char *what,
     int64_t *ids_out, int64_t *owner_out)
{
	struct kj_stmt *st = NULL;
	size_t i, j;
	int row;
	kj_err r = KJ_OK;

	if (owner_out != NULL)
		*owner_out = 0;
	if (n > KJ_MAX_CAMPAIGN_ITEMS)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "findings: at most %d", KJ_MAX_CAMPAIGN_ITEMS);
	for (i = 0; i < n && r == KJ_OK; i++) {
		int64_t eng_org, owner;

		if (findings[i] == NULL || !kj_uuid_valid(findings[i]))
			return kj_failf(ctx, KJ_ERR_INVALID, "findings[%zu]: expected the public id of an audit finding", i);
		r = kj_sql(ctx, &st, "SELECT f.id, e.code, e.status, e.org_id, eo.code, p.org_id FROM audit_finding f "
				      "JOIN audit_engagement e ON e.id = f.engagement_id JOIN org eo ON eo.id = e.org_id "
				      "JOIN audit_programme p ON p.id = e.programme_id WHERE f.uuid = ?", "t", findings[i]);
		if (r != KJ_OK || (r = kj_stmt_step(ctx, st, &row)) != KJ_OK)
			break;
		eng_org = row ? kj_stmt_int(st, 3) : 0;
		owner = row ? kj_stmt_int(st, 5) : 0;
		/* What the principal could not read is absent: an engagement out of scope, or
		 * not signed off and not of its own programme. */
		if (!row || (!kj_access_sees_all(ctx) &&
			     (!kj_access_org_visible(ctx, eng_org) ||
			      (strcmp(kj_stmt_text(st, 2), "signed_off") != 0 && owner != ctx->who.org_id))))
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "findings[%zu]: no audit finding \"%s\"", i, findings[i]);
		else if (eng_org != o->id)
			r = kj_failf(ctx, KJ_ERR_INVALID, "findings[%zu]: a finding of engagement %s, which audited %s, not %s; a %s "
							  "cannot cite findings of another organisation",
				     i, kj_stmt_text(st, 1), kj_stmt_text(st, 4), o->code, what);
		else if (strcmp(kj_stmt_text(st, 2), "signed_off") != 0)
			r = kj_failf(ctx, KJ_ERR_STATE, "findings[%zu]: engagement %s is in %s, not signed off; a %s cites findings of "
							"signed-off engagements only", i, kj_stmt_text(st, 1), kj_stmt_text(st, 2), what);
		if (r == KJ_OK) {
			ids_out[i] = kj_stmt_int(st, 0);
			if (owner_out != NULL)
				*owner_out = i == 0 || *owner_out == owner ? owner : -1;
		}
		kj_stmt_free(st);
		st = NULL;
		for (j = 0; r == KJ_OK && j < i; j++) {
			if (ids_out[j] == ids_out[i])
				r = kj_failf(ctx, KJ_ERR_INVALID, "findings[%zu]: named twice", i);
		}
	}
	kj_stmt_free(st);
	return r;
}

/* Writes the cited findings of a recommendation or plan (sql takes the owner's key and a
 * finding's). */
static kj_err
insert_citations(struct kj_ctx *ctx, const char *sql, int64_t owner, const int64_t *ids, size_t n)
{
	struct kj_stmt *st = NULL;
	size_t i;
	kj_err r = KJ_OK;

	for (i = 0; i < n && r == KJ_OK; i++) {
		if ((r = kj_sql(ctx, &st, sql, "ii", owner, ids[i])) == KJ_OK)
			r = kj_sql_once(ctx, st, NULL);
	}
	return r;
}

/* ---- Recommendations ------------------------------------------------------------------- */

struct rec {
	int64_t id, issuer_id, org_id;
	char uuid[37], code[KJ_MAX_CODE_BYTES + 1], status[12], due_on[11];
	char issuer_code[KJ_MAX_CODE_BYTES + 1], issuer_kind[16], org_code[KJ_MAX_CODE_BYTES + 1];
};

/* The recommendation with code, if the principal sees its organisation. */
static kj_err
rec_by_code(struct kj_ctx *ctx, const char *code, struct rec *out)
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	memset(out, 0, sizeof(*out));
	if (code == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "recommendation: required");
	r = kj_sql(ctx, &st, "SELECT r.id, r.uuid, r.code, r.status, r.due_on, r.issuer_org_id, i.code, i.kind, r.org_id, "
			      "o.code FROM recommendation r JOIN org i ON i.id = r.issuer_org_id JOIN org o ON o.id = r.org_id "
			      "WHERE r.code = ?", "t", code);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		out->id = kj_stmt_int(st, 0);
		kj_strlcpy(out->uuid, kj_stmt_text(st, 1), sizeof(out->uuid));
		kj_strlcpy(out->code, kj_stmt_text(st, 2), sizeof(out->code));
		kj_strlcpy(out->status, kj_stmt_text(st, 3), sizeof(out->status));
		kj_strlcpy(out->due_on, kj_stmt_text(st, 4), sizeof(out->due_on));
		out->issuer_id = kj_stmt_int(st, 5);
		kj_strlcpy(out->issuer_code, kj_stmt_text(st, 6), sizeof(out->issuer_code));
		kj_strlcpy(out->issuer_kind, kj_stmt_text(st, 7), sizeof(out->issuer_kind));
		out->org_id = kj_stmt_int(st, 8);
		kj_strlcpy(out->org_code, kj_stmt_text(st, 9), sizeof(out->org_code));
	}
	kj_stmt_free(st);
	if (r == KJ_OK && (!row || !kj_access_org_visible(ctx, out->org_id)))
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "recommendation: no recommendation \"%.64s\"", code);
	return r;
}

/* Who issues to whom: the centre's administrator for the centre, to any organisation; a
 * ministry's administrator for the ministry, to an agency or corporation it supervises. */
static kj_err
check_issuer(struct kj_ctx *ctx, const struct kj_org *issuer, const struct kj_org *o)
{
	kj_err r;

	if (strcmp(issuer->kind, "centre") == 0) {
		if ((r = kj_access_require(ctx, KJ_PERM_ENGAGEMENT_WRITE, issuer->id)) != KJ_OK)
			return kj_failf(ctx, r, "only the centre's administrator issues the centre's recommendations");
	} else if (strcmp(issuer->kind, "ministry") == 0) {
		if ((r = kj_access_require(ctx, KJ_PERM_INSPECTION_MANAGE, issuer->id)) != KJ_OK)
			return r;
		if (ctx->who.role != KJ_ROLE_LOCAL_ADMIN && (ctx->who.role != KJ_ROLE_ORG_ADMIN || ctx->who.org_id != issuer->id))
			return kj_failf(ctx, KJ_ERR_DENIED, "only %s's administrator issues its recommendations", issuer->code);
		if ((strcmp(o->kind, "agency") != 0 && strcmp(o->kind, "corporation") != 0) || o->supervisor_id != issuer->id)
			return kj_failf(ctx, KJ_ERR_INVALID, "org: %s is not an agency or corporation that %s supervises; a ministry "
							     "recommends to those only", o->code, issuer->code);
	} else {
		return kj_failf(ctx, KJ_ERR_INVALID, "issuer: %s is a %s; recommendations come from the centre or from a "
						     "supervising ministry", issuer->code, issuer->kind);
	}
	if (strcmp(o->kind, "centre") == 0 || o->id == issuer->id)
		return kj_failf(ctx, KJ_ERR_INVALID, "org: %s cannot receive a recommendation from %s", o->code, issuer->code);
	if (o->valid_to[0] != '\0')
		return kj_failf(ctx, KJ_ERR_INVALID, "org: %s was abolished on %s", o->code, o->valid_to);
	return KJ_OK;
}

/* Looks up the organisation with code for field, or fails naming the field. */
static kj_err
org_named(struct kj_ctx *ctx, const char *field, const char *code, struct kj_org *o)
{
	kj_err r;

	if (code == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: required", field);
	if ((r = kj_org_get(ctx, code, o)) != KJ_OK)
		return kj_failf_prefix(ctx, r, "%s", field);
	return KJ_OK;
}

kj_err
kj_recommendation_create(struct kj_ctx *ctx, const struct kj_recommendation_new *in, char uuid_out[37])
{
	struct kj_org issuer, o;
	struct kj_stmt *st = NULL;
	int64_t *ids = NULL;
	char now[21], day[11], uuid[37];
	const char *authority = in->authority != NULL ? in->authority : "issuer";
	kj_err r;

	kj_today(ctx, day);
	if ((r = kj_need_code(ctx, in->code)) != KJ_OK || (r = kj_need_text(ctx, "text", in->text, KJ_MAX_TEXT_BYTES, 0)) != KJ_OK ||
	    (r = need_due(ctx, in->due_on, day, NULL, NULL)) != KJ_OK)
		return r;
	if (in->nfindings == 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "findings: expected at least one audit finding");
	if (strcmp(authority, "issuer") != 0 && strcmp(authority, "council") != 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "authority: expected issuer or council");
	if ((r = kj_refuse_read_only(ctx)) != KJ_OK || (r = org_named(ctx, "issuer", in->issuer, &issuer)) != KJ_OK ||
	    (r = org_named(ctx, "org", in->org, &o)) != KJ_OK || (r = check_issuer(ctx, &issuer, &o)) != KJ_OK)
		return r;
	/* The council recommends through the centre, never through a ministry. */
	if (strcmp(authority, "council") == 0 && strcmp(issuer.kind, "centre") != 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "authority: the council's recommendations are issued by the centre, not by "
						     "%s", issuer.code);
	if ((ids = calloc(in->nfindings, sizeof(*ids))) == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	if ((r = cite(ctx, in->findings, in->nfindings, &o, "recommendation", ids, NULL)) != KJ_OK ||
	    (r = kj_tx_begin(ctx)) != KJ_OK) {
		free(ids);
		return r;
	}
	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	r = kj_sql(ctx, &st, "INSERT INTO recommendation (uuid, code, issuer_org_id, org_id, text, issued_on, due_on, status, "
			      "created_by, created_at, changed_at, authority) VALUES (?, ?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?, ?) "
			      "RETURNING id",
		    "ttiitttattt", uuid, in->code, issuer.id, o.id, in->text, day, in->due_on, now, now, authority);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &(int){0})) == KJ_OK) {
		int64_t id = kj_stmt_int(st, 0);

		kj_stmt_free(st);
		st = NULL;
		r = insert_citations(ctx, "INSERT INTO recommendation_finding (recommendation_id, finding_id) VALUES (?, ?)", id,
				     ids, in->nfindings);
	}
	kj_stmt_free(st);
	if (r == KJ_ERR_EXISTS)
		r = kj_failf(ctx, r, "code: a recommendation \"%s\" already exists", in->code);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "recommendation", uuid, o.id, "recommendation.create",
			   json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "code", in->code, "issuer", issuer.code, "org",
				     o.code, "text", in->text, "due_on", in->due_on, "findings", (json_int_t)in->nfindings, "status",
				     "issued", "authority", authority));
	r = kj_tx_end(ctx, r);
	free(ids);
	if (r == KJ_OK)
		memcpy(uuid_out, uuid, sizeof(uuid));
	return r;
}

/* The plan of recommendation id must be verified before it closes. */
static kj_err
ready_to_close(struct kj_ctx *ctx, const struct rec *rc)
{
	struct kj_stmt *st = NULL;
	char plan[KJ_MAX_CODE_BYTES + 1] = "", status[12] = "";
	int row;
	kj_err r;

	if ((r = kj_sql(ctx, &st, "SELECT code, status FROM improvement_plan WHERE recommendation_id = ?", "i", rc->id)) != KJ_OK)
		return r;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		kj_strlcpy(plan, kj_stmt_text(st, 0), sizeof(plan));
		kj_strlcpy(status, kj_stmt_text(st, 1), sizeof(status));
	}
	kj_stmt_free(st);
	if (r == KJ_OK && plan[0] == '\0')
		return kj_failf(ctx, KJ_ERR_STATE, "recommendation %s has no improvement plan yet; it closes once its plan is "
						   "verified", rc->code);
	if (r == KJ_OK && strcmp(status, "verified") != 0)
		return kj_failf(ctx, KJ_ERR_STATE, "recommendation %s: plan %s is %s, not verified; it closes once its plan is "
						   "verified", rc->code, plan, status);
	return r;
}

kj_err
kj_recommendation_set_status(struct kj_ctx *ctx, const char *code, const char *status)
{
	static const char *const names[] = {"issued", "accepted", "closed", "withdrawn", NULL};
	struct kj_stmt *st = NULL;
	struct rec rc;
	char now[21];
	int to, row = 0;
	kj_err r;

	if ((to = find_name(names, status)) < 1)
		return kj_failf(ctx, KJ_ERR_INVALID, "status: expected accepted, closed or withdrawn");
	if ((r = kj_refuse_read_only(ctx)) != KJ_OK || (r = rec_by_code(ctx, code, &rc)) != KJ_OK)
		return r;
	if (to == 1 && !writes_for(ctx, rc.org_id, rc.issuer_id))
		return kj_failf(ctx, KJ_ERR_DENIED, "only the officers of %s accept recommendation %s", rc.org_code, rc.code);
	if (to != 1 && !reviews_for(ctx, rc.issuer_id, rc.issuer_kind))
		return kj_failf(ctx, KJ_ERR_DENIED, "only the issuer (%s) %s recommendation %s", rc.issuer_code,
				to == 2 ? "closes" : "withdraws", rc.code);
	if ((to == 1 && strcmp(rc.status, "issued") != 0) || (to == 2 && strcmp(rc.status, "accepted") != 0) ||
	    (to == 3 && strcmp(rc.status, "issued") != 0 && strcmp(rc.status, "accepted") != 0))
		return kj_failf(ctx, KJ_ERR_STATE, "status: recommendation %s is %s and cannot move to %s (expected issued → "
						   "accepted → closed, or withdrawn while issued or accepted)",
				rc.code, rc.status, status);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if (to == 2)
		r = ready_to_close(ctx, &rc);
	kj_time_format(kj_now(ctx), now);
	if (r == KJ_OK && (r = kj_sql(ctx, &st, "UPDATE recommendation SET status = ?, changed_at = ?, version = version + 1 "
						 "WHERE id = ? AND status = ? RETURNING id", "ttit", status, now, rc.id,
				       rc.status)) == KJ_OK)
		r = kj_sql_once(ctx, st, &row);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_CONFLICT, "recommendation %s changed meanwhile; read it again", rc.code);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "recommendation", rc.uuid, rc.org_id, "recommendation.status",
			   json_pack("{s:s, s:s, s:s}", "code", rc.code, "status", status, "by", ctx->who.name));
	return kj_tx_end(ctx, r);
}

/* The public ids of the findings sql (taking one key) names, as a JSON array. */
static kj_err
citations_json(struct kj_ctx *ctx, const char *sql, int64_t id, json_t **out)
{
	struct kj_stmt *st = NULL;
	json_t *a = json_array();
	int row;
	kj_err r;

	if ((r = kj_sql(ctx, &st, sql, "i", id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
			json_array_append_new(a, json_string(kj_stmt_text(st, 0)));
	}
	kj_stmt_free(st);
	return kj_hand_over(r, a, out);
}

kj_err
kj_recommendation_list(struct kj_ctx *ctx, const char *org, const char *issuer, const char *after, int limit,
		       json_t **out, int *more_out)
{
	struct kj_org o, i;
	struct kj_stmt *st = NULL;
	json_t *a, *row_json, *cited;
	int row;
	kj_err r;

	memset(&o, 0, sizeof(o));
	memset(&i, 0, sizeof(i));
	if (more_out != NULL)
		*more_out = 0;
	if ((org != NULL && (r = org_named(ctx, "org", org, &o)) != KJ_OK) ||
	    (issuer != NULL && (r = org_named(ctx, "issuer", issuer, &i)) != KJ_OK))
		return r;
	a = json_array();
	r = kj_sql(ctx, &st, "SELECT r.id, r.uuid, r.code, i.code, o.code, r.text, r.issued_on, r.due_on, r.status, r.org_id, "
			      "p.code, r.authority FROM recommendation r JOIN org i ON i.id = r.issuer_org_id JOIN org o ON o.id = r.org_id "
			      "LEFT JOIN improvement_plan p ON p.recommendation_id = r.id WHERE (? = 0 OR r.org_id = ?) "
			      "AND (? = 0 OR r.issuer_org_id = ?) AND r.code > ? ORDER BY r.code",
		    "iiiit", org ? o.id : 0, org ? o.id : 0, issuer ? i.id : 0, issuer ? i.id : 0, after ? after : "");
	while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		if (!kj_access_org_visible(ctx, kj_stmt_int(st, 9)))
			continue;
		if (limit > 0 && json_array_size(a) == (size_t)limit) {
			if (more_out != NULL)
				*more_out = 1;
			break;
		}
		if ((r = citations_json(ctx, "SELECT f.uuid FROM recommendation_finding c JOIN audit_finding f ON f.id = c.finding_id "
					     "WHERE c.recommendation_id = ? ORDER BY f.id", kj_stmt_int(st, 0), &cited)) != KJ_OK)
			break;
		row_json = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s?}", "id", kj_stmt_text(st, 1), "code",
				     kj_stmt_text(st, 2), "issuer", kj_stmt_text(st, 3), "org", kj_stmt_text(st, 4), "text",
				     kj_stmt_text(st, 5), "issued_on", kj_stmt_text(st, 6), "due_on", kj_stmt_text(st, 7), "status",
				     kj_stmt_text(st, 8), "authority", kj_stmt_text(st, 11), "findings", cited, "plan",
				     kj_stmt_is_null(st, 10) ? NULL : kj_stmt_text(st, 10));
		json_array_append_new(a, row_json);
	}
	kj_stmt_free(st);
	return kj_hand_over(r, a, out);
}

/* ---- Plans ----------------------------------------------------------------------------- */

struct plan {
	int64_t id, org_id, reviewer_id;
	char uuid[37], code[KJ_MAX_CODE_BYTES + 1], status[12], due_on[11], started_on[11];
	char org_code[KJ_MAX_CODE_BYTES + 1], reviewer_code[KJ_MAX_CODE_BYTES + 1], reviewer_kind[16];
	char rec_code[KJ_MAX_CODE_BYTES + 1], rec_status[12];	/* "" without a recommendation */
};

/* The plan with code, if the principal sees its organisation. */
static kj_err
plan_by_code(struct kj_ctx *ctx, const char *code, struct plan *p)
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	memset(p, 0, sizeof(*p));
	if (code == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "plan: required");
	r = kj_sql(ctx, &st, "SELECT p.id, p.uuid, p.code, p.status, p.due_on, p.started_at, p.org_id, o.code, "
			      "p.reviewer_org_id, v.code, v.kind, r.code, r.status FROM improvement_plan p JOIN org o ON "
			      "o.id = p.org_id JOIN org v ON v.id = p.reviewer_org_id LEFT JOIN recommendation r ON "
			      "r.id = p.recommendation_id WHERE p.code = ?", "t", code);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		p->id = kj_stmt_int(st, 0);
		kj_strlcpy(p->uuid, kj_stmt_text(st, 1), sizeof(p->uuid));
		kj_strlcpy(p->code, kj_stmt_text(st, 2), sizeof(p->code));
		kj_strlcpy(p->status, kj_stmt_text(st, 3), sizeof(p->status));
		kj_strlcpy(p->due_on, kj_stmt_text(st, 4), sizeof(p->due_on));
		if (!kj_stmt_is_null(st, 5))
			kj_strlcpy(p->started_on, kj_stmt_text(st, 5), sizeof(p->started_on));
		p->org_id = kj_stmt_int(st, 6);
		kj_strlcpy(p->org_code, kj_stmt_text(st, 7), sizeof(p->org_code));
		p->reviewer_id = kj_stmt_int(st, 8);
		kj_strlcpy(p->reviewer_code, kj_stmt_text(st, 9), sizeof(p->reviewer_code));
		kj_strlcpy(p->reviewer_kind, kj_stmt_text(st, 10), sizeof(p->reviewer_kind));
		if (!kj_stmt_is_null(st, 11)) {
			kj_strlcpy(p->rec_code, kj_stmt_text(st, 11), sizeof(p->rec_code));
			kj_strlcpy(p->rec_status, kj_stmt_text(st, 12), sizeof(p->rec_status));
		}
	}
	kj_stmt_free(st);
	if (r == KJ_OK && (!row || !kj_access_org_visible(ctx, p->org_id)))
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "plan: no improvement plan \"%.64s\"", code);
	return r;
}

/* Looks the plan up for a change by the organisation's officers (reviewer 0) or by its
 * reviewer (1), while it is in status (NULL: any). */
static kj_err
plan_for_change(struct kj_ctx *ctx, const char *code, int reviewer, const char *status, const char *what, struct plan *p)
{
	kj_err r;

	if ((r = kj_refuse_read_only(ctx)) != KJ_OK || (r = plan_by_code(ctx, code, p)) != KJ_OK)
		return r;
	if (!reviewer && !writes_for(ctx, p->org_id, p->reviewer_id))
		return kj_failf(ctx, KJ_ERR_DENIED, "plan %s: only the officers of %s (its administrator, or a unit officer for "
						    "their unit) %s", p->code, p->org_code, what);
	if (reviewer && !reviews_for(ctx, p->reviewer_id, p->reviewer_kind))
		return kj_failf(ctx, KJ_ERR_DENIED, "plan %s: only the reviewer (%s) may %s", p->code, p->reviewer_code, what);
	if (strcmp(p->rec_status, "withdrawn") == 0)
		return kj_failf(ctx, KJ_ERR_STATE, "plan %s: recommendation %s was withdrawn; the plan changes no more", p->code,
				p->rec_code);
	if (status != NULL && strcmp(p->status, status) != 0)
		return kj_failf(ctx, KJ_ERR_STATE, "plan %s is %s; expected %s to %s", p->code, p->status, status, what);
	return KJ_OK;
}

/* Inside the change's transaction: bumps the plan's version where its status still holds,
 * locking its row; KJ_ERR_CONFLICT when another change came first. */
static kj_err
lock_plan(struct kj_ctx *ctx, const struct plan *p)
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	if ((r = kj_sql(ctx, &st, "UPDATE improvement_plan SET version = version + 1 WHERE id = ? AND status = ? RETURNING id",
			 "it", p->id, p->status)) == KJ_OK)
		r = kj_sql_once(ctx, st, &row);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_CONFLICT, "plan %s changed meanwhile; read it again", p->code);
	return r;
}

/* The organisation, reviewer and findings of a new plan: from its recommendation, or
 * directly from the findings it cites. */
static kj_err
plan_origin(struct kj_ctx *ctx, const struct kj_plan_new *in, struct kj_org *o, struct rec *rc, int64_t *reviewer,
	    int64_t *ids)
{
	int64_t owner = 0;
	kj_err r;

	memset(rc, 0, sizeof(*rc));
	if (in->recommendation != NULL) {
		if ((r = rec_by_code(ctx, in->recommendation, rc)) != KJ_OK)
			return r;
		if (in->org != NULL && strcmp(in->org, rc->org_code) != 0)
			return kj_failf(ctx, KJ_ERR_INVALID, "org: recommendation %s goes to %s, not %.64s", rc->code, rc->org_code,
					in->org);
		if ((r = org_named(ctx, "org", rc->org_code, o)) != KJ_OK)
			return r;
		*reviewer = rc->issuer_id;
	} else {
		if ((r = org_named(ctx, "org", in->org, o)) != KJ_OK)
			return r;
		if (in->nfindings == 0)
			return kj_failf(ctx, KJ_ERR_INVALID, "findings: a plan without a recommendation cites at least one "
							     "audit finding");
	}
	if (!writes_for(ctx, o->id, in->recommendation != NULL ? rc->issuer_id : 0))
		return kj_failf(ctx, KJ_ERR_DENIED, "only the officers of %s (its administrator, or a unit officer for their "
						    "unit) write its improvement plans", o->code);
	if ((r = cite(ctx, in->findings, in->nfindings, o, "plan", ids, &owner)) != KJ_OK)
		return r;
	if (in->recommendation == NULL) {
		if (owner < 0)
			return kj_failf(ctx, KJ_ERR_INVALID, "findings: they come from audit programmes of different owners; a plan "
							     "without a recommendation answers one auditor");
		*reviewer = owner;
		if (!writes_for(ctx, o->id, owner))
			return kj_failf(ctx, KJ_ERR_DENIED, "only the officers of %s write its improvement plans, not those of the "
							    "auditing organisation that reviews them", o->code);
	} else if (strcmp(rc->status, "accepted") != 0) {
		return kj_failf(ctx, KJ_ERR_STATE, "recommendation %s is %s: a plan is made for an accepted recommendation "
						   "only", rc->code, rc->status);
	}
	return KJ_OK;
}

/* Writes the plan's row and citations: the findings given, or else its recommendation's. */
static kj_err
insert_plan(struct kj_ctx *ctx, const struct kj_plan_new *in, const char *uuid, const struct kj_org *o,
	    const struct rec *rc, int64_t reviewer, const int64_t *ids)
{
	struct kj_stmt *st = NULL;
	char now[21];
	int64_t id = 0;
	int row = 0;
	kj_err r;

	kj_time_format(kj_now(ctx), now);
	r = kj_sql(ctx, &st, "INSERT INTO improvement_plan (uuid, code, org_id, recommendation_id, reviewer_org_id, text, "
			      "due_on, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?) RETURNING id",
		    "ttiiittat", uuid, in->code, o->id, rc->id, reviewer, in->text, in->due_on, now);
	/* No recommendation binds NULL, not 0. */
	if (r == KJ_OK && rc->id == 0)
		r = kj_stmt_bind_null(ctx, st, 4);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		id = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	if (r == KJ_ERR_EXISTS)
		return kj_failf(ctx, r, "code: an improvement plan \"%s\" already exists, or recommendation %s has a plan "
					"already", in->code, rc->code[0] ? rc->code : "-");
	if (r != KJ_OK || !row)
		return r != KJ_OK ? r : kj_failf(ctx, KJ_ERR_INTERNAL, "plan %s was not written", in->code);
	if (in->nfindings > 0)
		return insert_citations(ctx, "INSERT INTO plan_finding (plan_id, finding_id) VALUES (?, ?)", id, ids,
					in->nfindings);
	if ((r = kj_sql(ctx, &st, "INSERT INTO plan_finding (plan_id, finding_id) SELECT p.id, c.finding_id FROM "
				   "improvement_plan p JOIN recommendation_finding c ON c.recommendation_id = p.recommendation_id "
				   "WHERE p.id = ?", "i", id)) == KJ_OK)
		r = kj_sql_once(ctx, st, NULL);
	return r;
}

/* The recommendation's plan, if it has one already (EXISTS with its code). */
static kj_err
one_plan_each(struct kj_ctx *ctx, const struct rec *rc)
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	if (rc->id == 0)
		return KJ_OK;
	if ((r = kj_sql(ctx, &st, "SELECT code FROM improvement_plan WHERE recommendation_id = ?", "i", rc->id)) != KJ_OK)
		return r;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		r = kj_failf(ctx, KJ_ERR_EXISTS, "recommendation: %s has a plan already (%s)", rc->code, kj_stmt_text(st, 0));
	kj_stmt_free(st);
	return r;
}

kj_err
kj_plan_create(struct kj_ctx *ctx, const struct kj_plan_new *in, char uuid_out[37])
{
	struct kj_org o;
	struct rec rc;
	int64_t reviewer = 0, *ids = NULL;
	char day[11], uuid[37];
	kj_err r;

	kj_today(ctx, day);
	if ((r = kj_need_code(ctx, in->code)) != KJ_OK || (r = kj_need_text(ctx, "text", in->text, KJ_MAX_TEXT_BYTES, 0)) != KJ_OK ||
	    (r = kj_refuse_read_only(ctx)) != KJ_OK)
		return r;
	if (in->nfindings > 0 && (ids = calloc(in->nfindings, sizeof(*ids))) == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	if ((r = plan_origin(ctx, in, &o, &rc, &reviewer, ids)) == KJ_OK &&
	    (r = need_due(ctx, in->due_on, day, rc.id ? rc.due_on : NULL, rc.id ? "its recommendation" : NULL)) == KJ_OK &&
	    (r = kj_tx_begin(ctx)) == KJ_OK) {
		kj_uuid_v4(uuid);
		r = one_plan_each(ctx, &rc);
		if (r == KJ_OK)
			r = insert_plan(ctx, in, uuid, &o, &rc, reviewer, ids);
		if (r == KJ_OK)
			r = kj_log_state(ctx, "improvement_plan", uuid, o.id, "improvement_plan.create",
				   json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s}", "code", in->code, "org", o.code, "recommendation",
					     rc.id ? rc.code : NULL, "text", in->text, "due_on", in->due_on, "status", "draft"));
		r = kj_tx_end(ctx, r);
		if (r == KJ_OK)
			memcpy(uuid_out, uuid, sizeof(uuid));
	}
	free(ids);
	return r;
}

kj_err
kj_plan_measure_add(struct kj_ctx *ctx, const char *plan, const char *text, const char *owner, const char *due_on,
		    int *n_out)
{
	struct plan p;
	struct kj_user u;
	struct kj_stmt *st = NULL;
	char now[21], day[11];
	int64_t n = 0;
	int row = 0;
	kj_err r;

	kj_today(ctx, day);
	if ((r = kj_need_text(ctx, "text", text, KJ_MAX_TEXT_BYTES, 0)) != KJ_OK ||
	    (r = plan_for_change(ctx, plan, 0, "draft", "add measures", &p)) != KJ_OK ||
	    (r = need_due(ctx, due_on, day, p.due_on, "the plan")) != KJ_OK)
		return r;
	if (owner == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "owner: required");
	if ((r = kj_user_get(ctx, owner, &u)) != KJ_OK)
		return kj_failf_prefix(ctx, r, "owner");
	if (u.disabled)
		return kj_failf(ctx, KJ_ERR_INVALID, "owner: the account %s is disabled", u.name);
	if (!kj_org_below(ctx, u.org_id, p.org_id))
		return kj_failf(ctx, KJ_ERR_INVALID, "owner: %s belongs to %s, not to %s or its units", u.name, u.org_code,
				p.org_code);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	kj_time_format(kj_now(ctx), now);
	if ((r = lock_plan(ctx, &p)) == KJ_OK &&
	    (r = kj_sql(ctx, &st, "SELECT COALESCE(MAX(n), 0) + 1 FROM plan_measure WHERE plan_id = ?", "i", p.id)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		n = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	if (r == KJ_OK && (r = kj_sql(ctx, &st, "INSERT INTO plan_measure (plan_id, n, text, owner_id, due_on, status, "
						 "created_at) VALUES (?, ?, ?, ?, ?, 'open', ?)", "iititt", p.id, n, text, u.id,
				       due_on, now)) == KJ_OK)
		r = kj_sql_once(ctx, st, NULL);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "improvement_plan", p.uuid, p.org_id, "improvement_plan.measure",
			   json_pack("{s:s, s:I, s:s, s:s, s:s}", "plan", p.code, "n", (json_int_t)n, "text", text, "owner", u.name,
				     "due_on", due_on));
	r = kj_tx_end(ctx, r);
	if (r == KJ_OK && n_out != NULL)
		*n_out = (int)n;
	return r;
}

kj_err
kj_plan_measure_done(struct kj_ctx *ctx, const char *plan, int n)
{
	struct plan p;
	struct kj_stmt *st = NULL;
	char day[11], status[8] = "";
	int row = 0;
	kj_err r;

	if ((r = plan_for_change(ctx, plan, 0, "in_progress", "mark measures done", &p)) != KJ_OK)
		return r;
	if ((r = kj_sql(ctx, &st, "SELECT status FROM plan_measure WHERE plan_id = ? AND n = ?", "ii", p.id, (int64_t)n)) != KJ_OK)
		return r;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		kj_strlcpy(status, kj_stmt_text(st, 0), sizeof(status));
	kj_stmt_free(st);
	if (r == KJ_OK && !row)
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "measure: plan %s has no measure %d", p.code, n);
	if (r == KJ_OK && strcmp(status, "done") == 0)
		return kj_failf(ctx, KJ_ERR_STATE, "measure: measure %d of plan %s is done already", n, p.code);
	if (r != KJ_OK || (r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	kj_today(ctx, day);
	if ((r = lock_plan(ctx, &p)) == KJ_OK &&
	    (r = kj_sql(ctx, &st, "UPDATE plan_measure SET status = 'done', done_on = ?, done_by = ? WHERE plan_id = ? AND "
				   "n = ? AND status = 'open' RETURNING id", "taii", day, p.id, (int64_t)n)) == KJ_OK)
		r = kj_sql_once(ctx, st, &row);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_CONFLICT, "measure %d of plan %s changed meanwhile; read it again", n, p.code);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "improvement_plan", p.uuid, p.org_id, "improvement_plan.measure_done",
			   json_pack("{s:s, s:i, s:s, s:s}", "plan", p.code, "n", n, "status", "done", "done_on", day));
	return kj_tx_end(ctx, r);
}

/* ---- Status ---------------------------------------------------------------------------- */

static const struct step {
	const char *from, *to, *verb, *sql;
	int reviewer;	/* 1: the reviewer takes the step, and the UPDATE also binds who */
} steps[] = {
	{"draft", "submitted", "submit it",
	 "UPDATE improvement_plan SET status = 'submitted', submitted_at = ?, version = version + 1 WHERE id = ? AND "
	 "status = 'draft' RETURNING id", 0},
	{"submitted", "accepted", "accept it",
	 "UPDATE improvement_plan SET status = 'accepted', accepted_at = ?, accepted_by = ?, version = version + 1 WHERE "
	 "id = ? AND status = 'submitted' RETURNING id", 1},
	{"accepted", "in_progress", "start it",
	 "UPDATE improvement_plan SET status = 'in_progress', started_at = ?, version = version + 1 WHERE id = ? AND "
	 "status = 'accepted' RETURNING id", 0},
	{"in_progress", "done", "complete it",
	 "UPDATE improvement_plan SET status = 'done', done_at = ?, version = version + 1 WHERE id = ? AND "
	 "status = 'in_progress' RETURNING id", 0},
	{"done", "verified", "verify it",
	 "UPDATE improvement_plan SET status = 'verified', verified_at = ?, verified_by = ?, version = version + 1 WHERE "
	 "id = ? AND status = 'done' RETURNING id", 1},
};

/* What a step needs besides the status: a measure to submit, every measure done to
 * complete. Inside the step's transaction. */
static kj_err
step_ready(struct kj_ctx *ctx, const struct plan *p, const struct step *s)
{
	struct kj_stmt *st = NULL;
	int64_t total = 0, open = 0;
	int row = 0;
	kj_err r;

	if ((r = kj_sql(ctx, &st, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0) FROM "
				   "plan_measure WHERE plan_id = ?", "i", p->id)) != KJ_OK)
		return r;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		total = kj_stmt_int(st, 0);
		open = kj_stmt_int(st, 1);
	}
	kj_stmt_free(st);
	if (r == KJ_OK && strcmp(s->to, "submitted") == 0 && total == 0)
		r = kj_failf(ctx, KJ_ERR_STATE, "plan %s has no measures; it is submitted with at least one", p->code);
	if (r == KJ_OK && strcmp(s->to, "done") == 0 && open > 0)
		r = kj_failf(ctx, KJ_ERR_STATE, "plan %s has %lld open measure%s; it is done when every measure is done", p->code,
			     (long long)open, open == 1 ? "" : "s");
	return r;
}

static kj_err
take_step(struct kj_ctx *ctx, const char *plan, size_t k)
{
	const struct step *s = &steps[k];
	struct kj_stmt *st = NULL;
	struct plan p;
	char now[21];
	int row = 0;
	kj_err r;

	if ((r = plan_for_change(ctx, plan, s->reviewer, NULL, s->verb, &p)) != KJ_OK)
		return r;
	if (strcmp(p.status, s->from) != 0)
		return kj_failf(ctx, KJ_ERR_STATE, "status: plan %s is %s and cannot move to %s (expected %s first; " PLAN_STEPS ")",
				p.code, p.status, s->to, s->from);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	kj_time_format(kj_now(ctx), now);
	if ((r = step_ready(ctx, &p, s)) == KJ_OK &&
	    (r = s->reviewer ? kj_sql(ctx, &st, s->sql, "tai", now, p.id) : kj_sql(ctx, &st, s->sql, "ti", now, p.id)) == KJ_OK)
		r = kj_sql_once(ctx, st, &row);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_CONFLICT, "plan %s changed meanwhile; read it again", p.code);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "improvement_plan", p.uuid, p.org_id, "improvement_plan.status",
			   json_pack("{s:s, s:s, s:s}", "code", p.code, "status", s->to, "by", ctx->who.name));
	return kj_tx_end(ctx, r);
}

kj_err
kj_plan_submit(struct kj_ctx *ctx, const char *plan)
{
	return take_step(ctx, plan, 0);
}

kj_err
kj_plan_accept(struct kj_ctx *ctx, const char *plan)
{
	return take_step(ctx, plan, 1);
}

kj_err
kj_plan_start(struct kj_ctx *ctx, const char *plan)
{
	return take_step(ctx, plan, 2);
}

kj_err
kj_plan_complete(struct kj_ctx *ctx, const char *plan)
{
	return take_step(ctx, plan, 3);
}

kj_err
kj_plan_verify(struct kj_ctx *ctx, const char *plan)
{
	return take_step(ctx, plan, 4);
}

kj_err
kj_plan_send_back(struct kj_ctx *ctx, const char *plan, const char *reason, char status_out[16])
{
	struct kj_stmt *st = NULL;
	struct plan p;
	const char *to;
	char title[160];
	struct kj_notice n = {.kind = "plan_returned", .entity = "improvement_plan", .title = title, .body = reason};
	int row = 0;
	kj_err r;

	if ((r = plan_for_change(ctx, plan, 1, NULL, "send it back", &p)) != KJ_OK)
		return r;
	if (strcmp(p.status, "submitted") == 0)
		to = "draft";
	else if (strcmp(p.status, "done") == 0)
		to = "in_progress";
	else
		return kj_failf(ctx, KJ_ERR_STATE, "status: plan %s is %s; only a submitted plan (back to draft) or a done one "
						   "(back to in_progress) is sent back", p.code, p.status);
	if ((r = kj_need_text(ctx, "reason", reason, KJ_MAX_TEXT_BYTES, 0)) != KJ_OK)
		return r;
	if (strlen(reason) > KJ_MAX_COMMENT_BYTES)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "reason: longer than %u bytes", KJ_MAX_COMMENT_BYTES);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	/* Back a step: the time of the step undone is cleared with it. */
	r = kj_sql(ctx, &st, strcmp(to, "draft") == 0
				      ? "UPDATE improvement_plan SET status = 'draft', submitted_at = NULL, version = version + 1 "
					"WHERE id = ? AND status = 'submitted' RETURNING id"
				      : "UPDATE improvement_plan SET status = 'in_progress', done_at = NULL, version = version + 1 "
					"WHERE id = ? AND status = 'done' RETURNING id",
		    "i", p.id);
	if (r == KJ_OK)
		r = kj_sql_once(ctx, st, &row);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_CONFLICT, "plan %s changed meanwhile; read it again", p.code);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "improvement_plan", p.uuid, p.org_id, "improvement_plan.send_back",
			   json_pack("{s:s, s:s, s:s, s:s}", "code", p.code, "status", to, "reason", reason, "by", ctx->who.name));
	/* The organisation's administrators learn why at once. */
	if (r == KJ_OK) {
		snprintf(title, sizeof(title), "改善計画の差戻し / Plan sent back: %s (%s)", p.code, to);
		n.entity_id = p.uuid;
		n.org_id = p.org_id;
		r = kj_notify_org_and_centre(ctx, &n, NULL);
	}
	if ((r = kj_tx_end(ctx, r)) == KJ_OK && status_out != NULL)
		kj_strlcpy(status_out, to, 16);
	return r;
}

/* ---- Progress reports ------------------------------------------------------------------ */

kj_err
kj_plan_report_add(struct kj_ctx *ctx, const char *plan, const char *reported_on, int percent, const char *text)
{
	struct plan p;
	struct kj_stmt *st = NULL;
	char now[21], day[11], last[11] = "";
	int row = 0;
	kj_err r;

	kj_today(ctx, day);
	if (reported_on == NULL || !kj_date_valid(reported_on))
		return kj_failf(ctx, KJ_ERR_INVALID, "reported_on: expected a date YYYY-MM-DD");
	if (percent < 0 || percent > 100)
		return kj_failf(ctx, KJ_ERR_INVALID, "percent: expected 0 to 100, not %d", percent);
	if ((r = kj_need_text(ctx, "text", text, KJ_MAX_TEXT_BYTES, 0)) != KJ_OK ||
	    (r = plan_for_change(ctx, plan, 0, "in_progress", "report progress", &p)) != KJ_OK)
		return r;
	if (strcmp(reported_on, day) > 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "reported_on: %s is in the future (today is %s)", reported_on, day);
	if (strncmp(reported_on, p.started_on, 10) < 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "reported_on: %s is before plan %s started (%.10s)", reported_on, p.code,
				p.started_on);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = lock_plan(ctx, &p)) == KJ_OK &&
	    (r = kj_sql(ctx, &st, "SELECT MAX(reported_on) FROM plan_report WHERE plan_id = ?", "i", p.id)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row && !kj_stmt_is_null(st, 0))
		kj_strlcpy(last, kj_stmt_text(st, 0), sizeof(last));
	kj_stmt_free(st);
	if (r == KJ_OK && strcmp(reported_on, last) < 0)
		r = kj_failf(ctx, KJ_ERR_INVALID, "reported_on: %s is before the last report of plan %s (%s); reports come in "
						  "order", reported_on, p.code, last);
	kj_time_format(kj_now(ctx), now);
	if (r == KJ_OK && (r = kj_sql(ctx, &st, "INSERT INTO plan_report (plan_id, reported_on, percent, text, created_by, "
						 "created_at) VALUES (?, ?, ?, ?, ?, ?)", "ititat", p.id, reported_on,
				       (int64_t)percent, text, now)) == KJ_OK)
		r = kj_sql_once(ctx, st, NULL);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "improvement_plan", p.uuid, p.org_id, "improvement_plan.report",
			   json_pack("{s:s, s:s, s:i, s:s}", "plan", p.code, "reported_on", reported_on, "percent", percent, "text",
				     text));
	return kj_tx_end(ctx, r);
}

/* ---- Reading --------------------------------------------------------------------------- */

/* Appends to a the rows of sql (taking the plan's key), each made by make. */
static kj_err
plan_rows(struct kj_ctx *ctx, const char *sql, int64_t id, json_t *a, const char *day,
	  json_t *(*make)(struct kj_stmt *st, const char *day))
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	if ((r = kj_sql(ctx, &st, sql, "i", id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
			json_array_append_new(a, make(st, day));
	}
	kj_stmt_free(st);
	return r;
}

static json_t *
measure_json(struct kj_stmt *st, const char *day)
{
	int open = strcmp(kj_stmt_text(st, 4), "open") == 0;

	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:b}", "n", (json_int_t)kj_stmt_int(st, 0), "text", kj_stmt_text(st, 1),
			 "owner", kj_stmt_text(st, 2), "due_on", kj_stmt_text(st, 3), "status", kj_stmt_text(st, 4), "done_on",
			 kj_stmt_text(st, 5), "overdue", open && strcmp(kj_stmt_text(st, 3), day) < 0);
}

static json_t *
report_json(struct kj_stmt *st, const char *day)
{
	(void)day;
	return json_pack("{s:s, s:I, s:s, s:s?}", "reported_on", kj_stmt_text(st, 0), "percent", (json_int_t)kj_stmt_int(st, 1),
			 "text", kj_stmt_text(st, 2), "by", kj_stmt_text(st, 3));
}

/* The plan's own row as JSON, or NULL. */
static kj_err
plan_head_json(struct kj_ctx *ctx, const struct plan *p, json_t **out)
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	*out = NULL;
	r = kj_sql(ctx, &st, "SELECT p.text, p.due_on, c.name, p.created_at, p.submitted_at, a.name, p.accepted_at, "
			      "p.started_at, p.done_at, v.name, p.verified_at, p.version FROM improvement_plan p "
			      "LEFT JOIN app_user c ON c.id = p.created_by LEFT JOIN app_user a ON a.id = p.accepted_by "
			      "LEFT JOIN app_user v ON v.id = p.verified_by WHERE p.id = ?", "i", p->id);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		*out = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:I}",
				 "id", p->uuid, "code", p->code, "org", p->org_code, "recommendation",
				 p->rec_code[0] ? p->rec_code : NULL, "reviewer", p->reviewer_code, "status", p->status, "text",
				 kj_stmt_text(st, 0), "created_by", kj_stmt_text(st, 2), "due_on", kj_stmt_text(st, 1),
				 "created_at", kj_stmt_text(st, 3), "submitted_at", kj_stmt_text(st, 4), "accepted_by",
				 kj_stmt_text(st, 5), "accepted_at", kj_stmt_text(st, 6), "started_at", kj_stmt_text(st, 7),
				 "done_at", kj_stmt_text(st, 8), "verified_by", kj_stmt_text(st, 9), "verified_at",
				 kj_stmt_text(st, 10), "version", (json_int_t)kj_stmt_int(st, 11));
	kj_stmt_free(st);
	if (r == KJ_OK && *out == NULL)
		r = kj_failf(ctx, KJ_ERR_INTERNAL, "plan %s could not be read", p->code);
	return r;
}

kj_err
kj_plan_get(struct kj_ctx *ctx, const char *plan, json_t **out)
{
	struct plan p;
	json_t *j = NULL, *cited = NULL, *measures = json_array(), *reports = json_array();
	char day[11];
	kj_err r;

	kj_today(ctx, day);
	if ((r = plan_by_code(ctx, plan, &p)) == KJ_OK && (r = plan_head_json(ctx, &p, &j)) == KJ_OK &&
	    (r = citations_json(ctx, "SELECT f.uuid FROM plan_finding c JOIN audit_finding f ON f.id = c.finding_id WHERE "
				     "c.plan_id = ? ORDER BY f.id", p.id, &cited)) == KJ_OK &&
	    (r = plan_rows(ctx, "SELECT m.n, m.text, u.name, m.due_on, m.status, m.done_on FROM plan_measure m JOIN app_user u "
				"ON u.id = m.owner_id WHERE m.plan_id = ? ORDER BY m.n", p.id, measures, day, measure_json)) == KJ_OK)
		r = plan_rows(ctx, "SELECT r.reported_on, r.percent, r.text, u.name FROM plan_report r LEFT JOIN app_user u ON "
				   "u.id = r.created_by WHERE r.plan_id = ? ORDER BY r.reported_on, r.id", p.id, reports, day,
			      report_json);
	if (r != KJ_OK) {
		json_decref(j);
		json_decref(cited);
		json_decref(measures);
		json_decref(reports);
		return r;
	}
	json_object_set_new(j, "findings", cited);
	json_object_set_new(j, "measures", measures);
	json_object_set_new(j, "reports", reports);
	*out = j;
	return KJ_OK;
}

kj_err
kj_plan_overdue_list(struct kj_ctx *ctx, const char *org, json_t **out)
{
	struct kj_org o;
	struct kj_stmt *st = NULL;
	json_t *a;
	char day[11];
	int row;
	kj_err r;

	memset(&o, 0, sizeof(o));
	if (org != NULL) {
		if ((r = org_named(ctx, "org", org, &o)) != KJ_OK)
			return r;
		if (!kj_access_org_visible(ctx, o.id))
			return kj_failf(ctx, KJ_ERR_NOT_FOUND, "org: no organisation \"%.64s\"", org);
	}
	kj_today(ctx, day);
	a = json_array();
	r = kj_sql(ctx, &st, "SELECT p.code, o.code, r.code, v.code, m.n, m.text, u.name, m.due_on, p.status, p.org_id "
			      "FROM plan_measure m JOIN improvement_plan p ON p.id = m.plan_id JOIN org o ON o.id = p.org_id "
			      "JOIN org v ON v.id = p.reviewer_org_id JOIN app_user u ON u.id = m.owner_id LEFT JOIN "
			      "recommendation r ON r.id = p.recommendation_id WHERE m.status = 'open' AND m.due_on < ? "
			      "AND (r.status IS NULL OR r.status <> 'withdrawn') "
			      "ORDER BY m.due_on, p.code, m.n", "t", day);
	while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		int64_t plan_org = kj_stmt_int(st, 9);

		if (!kj_access_org_visible(ctx, plan_org) || (org != NULL && !kj_org_below(ctx, plan_org, o.id)))
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:s, s:I, s:s, s:s, s:s, s:s}", "plan", kj_stmt_text(st, 0),
						   "org", kj_stmt_text(st, 1), "recommendation", kj_stmt_text(st, 2),
						   "reviewer", kj_stmt_text(st, 3), "n", (json_int_t)kj_stmt_int(st, 4), "text",
						   kj_stmt_text(st, 5), "owner", kj_stmt_text(st, 6), "due_on",
						   kj_stmt_text(st, 7), "plan_status", kj_stmt_text(st, 8)));
	}
	kj_stmt_free(st);
	return kj_hand_over(r, a, out);
}

/* One row of the plan list: columns as kj_plan_list selects them. */
static json_t *
plan_summary_json(struct kj_stmt *st)
{
	return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "id", kj_stmt_text(st, 0), "code",
			 kj_stmt_text(st, 1), "org", kj_stmt_text(st, 2), "recommendation", kj_stmt_text(st, 3), "reviewer",
			 kj_stmt_text(st, 4), "text", kj_stmt_text(st, 5), "due_on", kj_stmt_text(st, 6), "status",
			 kj_stmt_text(st, 7), "version", (json_int_t)kj_stmt_int(st, 8), "measures",
			 (json_int_t)kj_stmt_int(st, 10), "open", (json_int_t)kj_stmt_int(st, 11), "overdue",
			 (json_int_t)kj_stmt_int(st, 12));
}

/* Rows read per query while a page of the plan list fills: scope is checked here, not in
 * SQL, so a page may need more than one chunk, and no query holds more than one chunk. */
#define PLAN_LIST_CHUNK 256

kj_err
kj_plan_list(struct kj_ctx *ctx, const char *org, const char *status, const char *reviewer, const char *after,
	     int limit, json_t **out, int *more_out)
{
	static const char *const statuses[] = {"draft", "submitted", "accepted", "in_progress", "done", "verified", NULL};
	struct kj_org o, v;
	struct kj_stmt *st = NULL;
	json_t *a;
	char day[11], last[KJ_MAX_CODE_BYTES + 1];
	int row, nrows = PLAN_LIST_CHUNK, full = 0;
	kj_err r = KJ_OK;

	memset(&o, 0, sizeof(o));
	memset(&v, 0, sizeof(v));
	if (more_out != NULL)
		*more_out = 0;
	if (status != NULL && find_name(statuses, status) < 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "status: expected draft, submitted, accepted, in_progress, done or verified, "
						     "not \"%.32s\"", status);
	if ((org != NULL && (r = org_named(ctx, "org", org, &o)) != KJ_OK) ||
	    (reviewer != NULL && (r = org_named(ctx, "reviewer", reviewer, &v)) != KJ_OK))
		return r;
	kj_today(ctx, day);
	kj_strlcpy(last, after != NULL ? after : "", sizeof(last));
	a = json_array();
	/* A chunk that came back short was the last one. */
	while (r == KJ_OK && !full && nrows == PLAN_LIST_CHUNK) {
		r = kj_sql(ctx, &st, "SELECT p.uuid, p.code, o.code, r.code, v.code, p.text, p.due_on, p.status, p.version, "
				      "p.org_id, (SELECT COUNT(*) FROM plan_measure m WHERE m.plan_id = p.id), (SELECT COUNT(*) "
				      "FROM plan_measure m WHERE m.plan_id = p.id AND m.status = 'open'), (SELECT COUNT(*) FROM "
				      "plan_measure m WHERE m.plan_id = p.id AND m.status = 'open' AND m.due_on < ?) FROM "
				      "improvement_plan p JOIN org o ON o.id = p.org_id JOIN org v ON v.id = p.reviewer_org_id "
				      "LEFT JOIN recommendation r ON r.id = p.recommendation_id WHERE (? = 0 OR p.org_id = ?) AND "
				      "(? = 0 OR p.reviewer_org_id = ?) AND (? = '' OR p.status = ?) AND p.code > ? "
				      "ORDER BY p.code LIMIT ?",
			    "tiiiittti", day, o.id, o.id, v.id, v.id, status ? status : "", status ? status : "", last,
			    (int64_t)PLAN_LIST_CHUNK);
		nrows = 0;
		while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			nrows++;
			kj_strlcpy(last, kj_stmt_text(st, 1), sizeof(last));
			if (full || !kj_access_org_visible(ctx, kj_stmt_int(st, 9)))
				continue;
			if (limit > 0 && json_array_size(a) == (size_t)limit) {
				full = 1;
				continue;
			}
			json_array_append_new(a, plan_summary_json(st));
		}
		kj_stmt_free(st);
		st = NULL;
	}
	if (more_out != NULL)
		*more_out = full;
	return kj_hand_over(r, a, out);
}
