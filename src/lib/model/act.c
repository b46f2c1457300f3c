/*
 * act.c: proposals for the next edition, the publication of an edition with its impact
 * on every organisation, and emergency directives (act.h).
 *
 * Owns the tables proposal, proposal_evidence, edition_publication, edition_impact_org,
 * edition_impact, directive and directive_target. Reads the standard (editions, items and
 * the diff through the correspondence table), policies, campaigns and their roll-up
 * counters, audit findings and improvement plans, and leaves notifications through
 * notify.h; it changes none of those. Every change checks access, then its rules, then
 * writes with its audit record in one transaction. A change that depends on a status
 * updates the row where the status still holds, so two changes at once cannot both pass.
 */
#include "act.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/limits.h"
#include "../base/strmap.h"
#include "../base/util.h"
#include "../db/db.h"
#include "../engine/diff.h"
#include "access.h"
#include "auditlog.h"
#include "kit.h"
#include "notify.h"
#include "org.h"
#include "standard.h"

#define MAX_EVIDENCE 100
#define MAX_REF_BYTES 200
#define PROPOSAL_STEPS "draft → submitted → accepted or rejected → adopted"

/* ---- Helpers --------------------------------------------------------------------------- */

static kj_err
writable(struct kj_ctx *ctx)
{
	if (ctx->who.role == KJ_ROLE_NONE)
		return kj_failf(ctx, KJ_ERR_AUTH, "not logged in");
	return ctx->who.read_only ? kj_failf(ctx, KJ_ERR_DENIED, "not allowed with a read-only token") : KJ_OK;
}

/* The centre's administrator (or the local administrator) does what. */
static kj_err
centre_admin(struct kj_ctx *ctx, const char *what)
{
	kj_err r = writable(ctx);

	if (r == KJ_OK && kj_access_require(ctx, KJ_PERM_STANDARD_WRITE, 0) != KJ_OK)
		r = kj_failf(ctx, KJ_ERR_DENIED, "only the centre's administrator %s", what);
	return r;
}

/* 1 when the principal is the administrator of org_id (or the local administrator). */
static int
org_admin_of(struct kj_ctx *ctx, int64_t org_id)
{
	return ctx->who.role == KJ_ROLE_LOCAL_ADMIN || (ctx->who.role == KJ_ROLE_ORG_ADMIN && ctx->who.org_id == org_id);
}

/* The organisation with code for field, seen by the principal (else absent). */
static kj_err
visible_org(struct kj_ctx *ctx, const char *field, const char *code, struct kj_org *o)
{
	kj_err r;

	if (code == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: required", field);
	if ((r = kj_org_get(ctx, code, o)) != KJ_OK)
		return kj_failf_prefix(ctx, r, "%s", field);
	if (!kj_access_org_visible(ctx, o->id))
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "%s: no organisation with code \"%.64s\"", field, code);
	return KJ_OK;
}

/* The key of the edition with code, and its code as stored, or absent. */
static kj_err
edition_named(struct kj_ctx *ctx, const char *field, const char *code, int64_t *id, char out[KJ_MAX_CODE_BYTES + 1])
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	if (code == NULL || *code == '\0')
		return kj_failf(ctx, KJ_ERR_INVALID, "%s: required", field);
	if ((r = kj_sql(ctx, &st, "SELECT id, code FROM edition WHERE code = ?", "t", code)) != KJ_OK)
		return r;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		*id = kj_stmt_int(st, 0);
		kj_strlcpy(out, kj_stmt_text(st, 1), KJ_MAX_CODE_BYTES + 1);
	}
	kj_stmt_free(st);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "%s: no edition \"%.64s\"", field, code);
	return r;
}

/* ---- Proposals ------------------------------------------------------------------------- */

/* One piece of evidence, checked and with the facts that are stored with it. */
struct evidence {
	const char *kind, *ref, *note;
	int64_t finding_id;
	char item[KJ_MAX_NUMBER_BYTES + 1], engagement[KJ_MAX_CODE_BYTES + 1];
	int fiscal_year;
	int64_t rate_bp;	/* -1: no rate */
};

/* A finding the principal may read (an engagement it sees: the centre's, or of an
 * organisation in scope once signed off or of its own programme). */
static kj_err
finding_evidence(struct kj_ctx *ctx, size_t i, struct evidence *e)
{
	struct kj_stmt *st = NULL;
	int row = 0, seen = 0;
	kj_err r;

	if (!kj_uuid_valid(e->ref))
		return kj_failf(ctx, KJ_ERR_INVALID, "evidence[%zu].ref: expected the public id of an audit finding", i);
	r = kj_sql(ctx, &st, "SELECT f.id, f.item_number, e.code, e.status, e.org_id, p.org_id FROM audit_finding f "
			"JOIN audit_engagement e ON e.id = f.engagement_id JOIN audit_programme p ON p.id = e.programme_id "
			"WHERE f.uuid = ?", "t", e->ref);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		seen = kj_access_sees_all(ctx) ||
		       (kj_access_org_visible(ctx, kj_stmt_int(st, 4)) &&
			(strcmp(kj_stmt_text(st, 3), "signed_off") == 0 || kj_stmt_int(st, 5) == ctx->who.org_id));
		e->finding_id = kj_stmt_int(st, 0);
		kj_strlcpy(e->item, kj_stmt_text(st, 1), sizeof(e->item));
		kj_strlcpy(e->engagement, kj_stmt_text(st, 2), sizeof(e->engagement));
	}
	kj_stmt_free(st);
	if (r == KJ_OK && !seen)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "evidence[%zu].ref: no audit finding \"%s\"", i, e->ref);
	return r;
}

/* A requirement inspected in fiscal year fy, with its government-wide rate then:
 * (done + partial / 2) / (done + partial + not done) over every campaign of the year. */
static kj_err
weak_evidence(struct kj_ctx *ctx, size_t i, struct evidence *e)
{
	struct kj_stmt *st = NULL;
	int64_t items = 0, done = 0, partial = 0, not_done = 0;
	int row = 0;
	kj_err r;

	if (e->fiscal_year < 2000 || e->fiscal_year > 2999)
		return kj_failf(ctx, KJ_ERR_INVALID, "evidence[%zu].fiscal_year: expected a fiscal year such as 2024", i);
	if (strlen(e->ref) > KJ_MAX_NUMBER_BYTES)
		return kj_failf(ctx, KJ_ERR_INVALID, "evidence[%zu].ref: expected a requirement number", i);
	r = kj_sql(ctx, &st, "SELECT (SELECT COUNT(*) FROM campaign_item ci JOIN campaign c ON c.id = ci.campaign_id "
			"WHERE c.fiscal_year = ? AND ci.item_number = ?), COALESCE(SUM(r.n_done), 0), "
			"COALESCE(SUM(r.n_partial), 0), COALESCE(SUM(r.n_not_done), 0) FROM rollup r "
			"JOIN campaign_item ci ON ci.id = r.item_id JOIN campaign c ON c.id = r.campaign_id "
			"WHERE c.fiscal_year = ? AND ci.item_number = ?",
	      "itit", (int64_t)e->fiscal_year, e->ref, (int64_t)e->fiscal_year, e->ref);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		items = kj_stmt_int(st, 0);
		done = kj_stmt_int(st, 1);
		partial = kj_stmt_int(st, 2);
		not_done = kj_stmt_int(st, 3);
	}
	kj_stmt_free(st);
	if (r != KJ_OK)
		return r;
	if (items == 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "evidence[%zu]: no self-inspection of FY%d asked about requirement \"%s\"", i,
				e->fiscal_year, e->ref);
	kj_strlcpy(e->item, e->ref, sizeof(e->item));
	e->rate_bp = done + partial + not_done > 0
			     ? (int64_t)((((double)done + (double)partial / 2.0) / (double)(done + partial + not_done)) * 10000.0 + 0.5)
			     : -1;
	return KJ_OK;
}

/* Checks each piece of evidence and fills what is stored with it into ev. */
static kj_err
check_evidence(struct kj_ctx *ctx, const struct kj_proposal_new *in, struct evidence *ev)
{
	char field[48];
	size_t i;
	kj_err r = KJ_OK;

	for (i = 0; i < in->nevidence && r == KJ_OK; i++) {
		const struct kj_evidence_new *x = &in->evidence[i];
		struct evidence *e = &ev[i];

		memset(e, 0, sizeof(*e));
		e->kind = x->kind;
		e->ref = x->ref;
		e->note = x->note != NULL && *x->note != '\0' ? x->note : NULL;
		e->fiscal_year = x->fiscal_year;
		e->rate_bp = -1;
		snprintf(field, sizeof(field), "evidence[%zu].note", i);
		if ((r = kj_need_text(ctx, field, x->note, KJ_MAX_COMMENT_BYTES, 1)) != KJ_OK)
			break;
		snprintf(field, sizeof(field), "evidence[%zu].ref", i);
		if ((r = kj_need_text(ctx, field, x->ref, MAX_REF_BYTES, 0)) != KJ_OK)
			break;
		if (x->kind == NULL)
			r = kj_failf(ctx, KJ_ERR_INVALID, "evidence[%zu].kind: expected finding, weak_requirement or incident", i);
		else if (strcmp(x->kind, "finding") == 0)
			r = finding_evidence(ctx, i, e);
		else if (strcmp(x->kind, "weak_requirement") == 0)
			r = weak_evidence(ctx, i, e);
		else if (strcmp(x->kind, "incident") != 0)
			r = kj_failf(ctx, KJ_ERR_INVALID, "evidence[%zu].kind: \"%.32s\" is not finding, weak_requirement or "
							  "incident", i, x->kind);
		if (r == KJ_OK && strcmp(x->kind, "weak_requirement") != 0 && x->fiscal_year != 0)
			r = kj_failf(ctx, KJ_ERR_INVALID, "evidence[%zu].fiscal_year: only a weak_requirement has one", i);
	}
	return r;
}

/* 1 when the principal writes proposals for org_id: the centre's administrators and
 * analysts for the centre, an organisation's administrator for its own. */
static int
proposes_for(struct kj_ctx *ctx, int64_t org_id)
{
	enum kj_role role = ctx->who.role;

	if (role == KJ_ROLE_LOCAL_ADMIN)
		return 1;
	if (role != KJ_ROLE_CENTRE_ADMIN && role != KJ_ROLE_CENTRE_ANALYST && role != KJ_ROLE_ORG_ADMIN)
		return 0;
	return ctx->who.org_id == org_id;
}

/* The proposing organisation: the one named, else the principal's own. */
static kj_err
proposer(struct kj_ctx *ctx, const char *org, struct kj_org *o)
{
	struct kj_stmt *st = NULL;
	char own[KJ_MAX_CODE_BYTES + 1] = "";
	kj_err r;

	if (org == NULL) {
		if (ctx->who.org_id == 0)
			return kj_failf(ctx, KJ_ERR_INVALID, "org: required (the proposing organisation)");
		if ((r = kj_sql(ctx, &st, "SELECT code FROM org WHERE id = ?", "i", ctx->who.org_id)) != KJ_OK)
			return r;
		if ((r = kj_stmt_step(ctx, st, &(int){0})) == KJ_OK)
			kj_strlcpy(own, kj_stmt_text(st, 0) ? kj_stmt_text(st, 0) : "", sizeof(own));
		kj_stmt_free(st);
		if (r != KJ_OK)
			return r;
		org = own;
	}
	if ((r = visible_org(ctx, "org", org, o)) != KJ_OK)
		return r;
	if (!proposes_for(ctx, o->id))
		return kj_failf(ctx, KJ_ERR_DENIED, "only the centre's administrators and analysts, and an organisation's "
						    "administrator for its own organisation, write proposals");
	if (o->valid_to[0] != '\0')
		return kj_failf(ctx, KJ_ERR_INVALID, "org: %s was abolished on %s", o->code, o->valid_to);
	return KJ_OK;
}

/* The edition a proposal would change: the one named, or for "next" the newest edition
 * that no other supersedes. */
static kj_err
target_edition(struct kj_ctx *ctx, const char *edition, int64_t *id, char code[KJ_MAX_CODE_BYTES + 1])
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	if (edition == NULL || strcmp(edition, "next") != 0)
		return edition_named(ctx, "edition", edition, id, code);
	r = kj_sql(ctx, &st, "SELECT e.id, e.code FROM edition e WHERE NOT EXISTS (SELECT 1 FROM edition n WHERE n.supersedes = "
			"e.code) ORDER BY COALESCE(e.effective_on, '') DESC, e.id DESC LIMIT 1", "");
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		*id = kj_stmt_int(st, 0);
		kj_strlcpy(code, kj_stmt_text(st, 1), KJ_MAX_CODE_BYTES + 1);
	}
	kj_stmt_free(st);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "edition: there is no edition yet to propose changes to");
	return r;
}

/* What the proposal does: kind, item and texts agree. */
static kj_err
check_change(struct kj_ctx *ctx, const struct kj_proposal_new *in, int64_t edition_id, const char *edition)
{
	struct kj_stmt *st = NULL;
	int row = 0, add, requirement = 0;
	kj_err r;

	if (in->kind == NULL || (strcmp(in->kind, "add") != 0 && strcmp(in->kind, "change") != 0 && strcmp(in->kind, "remove") != 0))
		return kj_failf(ctx, KJ_ERR_INVALID, "kind: expected add, change or remove");
	add = strcmp(in->kind, "add") == 0;
	if ((r = kj_need_text(ctx, "text_ja", in->text_ja, KJ_MAX_TEXT_BYTES, strcmp(in->kind, "remove") == 0)) != KJ_OK ||
	    (r = kj_need_text(ctx, "text_en", in->text_en, KJ_MAX_TEXT_BYTES, strcmp(in->kind, "remove") == 0)) != KJ_OK ||
	    (r = kj_need_text(ctx, "rationale", in->rationale, KJ_MAX_TEXT_BYTES, 0)) != KJ_OK)
		return r;
	if (add && in->item != NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "item: a requirement to add has no number yet; leave item out");
	if (add)
		return KJ_OK;
	if (in->item == NULL || *in->item == '\0')
		return kj_failf(ctx, KJ_ERR_INVALID, "item: required to %s a requirement", in->kind);
	if ((r = kj_sql(ctx, &st, "SELECT kind FROM item WHERE edition_id = ? AND number = ?", "it", edition_id, in->item)) != KJ_OK)
		return r;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		requirement = kj_item_is_requirement(kj_stmt_text(st, 0));
	kj_stmt_free(st);
	if (r == KJ_OK && !requirement)
		r = kj_failf(ctx, KJ_ERR_INVALID, "item: edition %s has no requirement \"%.64s\"", edition, in->item);
	return r;
}

static kj_err
insert_evidence(struct kj_ctx *ctx, int64_t proposal_id, const struct evidence *ev, size_t n)
{
	struct kj_stmt *st = NULL;
	size_t i;
	kj_err r = KJ_OK;

	for (i = 0; i < n && r == KJ_OK; i++) {
		const struct evidence *e = &ev[i];

		r = kj_sql(ctx, &st, "INSERT INTO proposal_evidence (proposal_id, seq, kind, ref, finding_id, item_number, engagement, "
				"fiscal_year, rate_bp, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		      "iittnttnnt", proposal_id, (int64_t)i + 1, e->kind, e->ref, e->finding_id, e->item[0] ? e->item : NULL,
		      e->engagement[0] ? e->engagement : NULL, (int64_t)e->fiscal_year, (int64_t)0, e->note);
		/* A rate of exactly 0 is a rate: bind it apart from the "none" that 'n' makes of 0. */
		if (r == KJ_OK && e->rate_bp >= 0)
			r = kj_stmt_bind_int(ctx, st, 9, e->rate_bp);
		if (r == KJ_OK)
			r = kj_sql_once(ctx, st, NULL);
		else
			kj_stmt_free(st);
	}
	return r;
}

kj_err
kj_proposal_create(struct kj_ctx *ctx, const struct kj_proposal_new *in, char uuid_out[37])
{
	struct kj_org o;
	struct kj_stmt *st = NULL;
	struct evidence *ev = NULL;
	char edition[KJ_MAX_CODE_BYTES + 1], now[21], uuid[37];
	int64_t edition_id = 0, id = 0;
	int row = 0;
	kj_err r;

	if ((r = writable(ctx)) != KJ_OK || (r = kj_need_code(ctx, in->code)) != KJ_OK ||
	    (r = proposer(ctx, in->org, &o)) != KJ_OK || (r = target_edition(ctx, in->edition, &edition_id, edition)) != KJ_OK ||
	    (r = check_change(ctx, in, edition_id, edition)) != KJ_OK)
		return r;
	if (in->nevidence == 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "evidence: expected at least one finding, weak requirement or incident");
	if (in->nevidence > MAX_EVIDENCE)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "evidence: at most %d", MAX_EVIDENCE);
	if ((ev = calloc(in->nevidence, sizeof(*ev))) == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	if ((r = check_evidence(ctx, in, ev)) != KJ_OK || (r = kj_tx_begin(ctx)) != KJ_OK) {
		free(ev);
		return r;
	}
	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	r = kj_sql(ctx, &st, "INSERT INTO proposal (uuid, code, org_id, edition_id, item_number, kind, text_ja, text_en, rationale, "
			"status, created_by, created_at, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?) RETURNING id",
	      "ttiitttttatt", uuid, in->code, o.id, edition_id, in->item, in->kind, in->text_ja, in->text_en, in->rationale, now,
	      now);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		id = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	if (r == KJ_ERR_EXISTS)
		r = kj_failf(ctx, r, "code: a proposal \"%s\" already exists", in->code);
	if (r == KJ_OK)
		r = insert_evidence(ctx, id, ev, in->nevidence);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "proposal", uuid, o.id, "proposal.create",
			   json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:I}", "code", in->code, "org", o.code, "edition", edition,
				     "kind", in->kind, "item", in->item, "status", "draft", "evidence", (json_int_t)in->nevidence));
	r = kj_tx_end(ctx, r);
	free(ev);
	if (r == KJ_OK)
		memcpy(uuid_out, uuid, sizeof(uuid));
	return r;
}

struct prop {
	int64_t id, org_id;
	char uuid[37], code[KJ_MAX_CODE_BYTES + 1], status[12], org_code[KJ_MAX_CODE_BYTES + 1];
	char edition[KJ_MAX_CODE_BYTES + 1];
};

/* The proposal with code, if the principal sees its organisation. */
static kj_err
prop_by_code(struct kj_ctx *ctx, const char *code, struct prop *p)
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	memset(p, 0, sizeof(*p));
	if (code == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "proposal: required");
	r = kj_sql(ctx, &st, "SELECT p.id, p.uuid, p.code, p.status, p.org_id, o.code, e.code FROM proposal p JOIN org o ON "
			"o.id = p.org_id JOIN edition e ON e.id = p.edition_id WHERE p.code = ?", "t", code);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		p->id = kj_stmt_int(st, 0);
		kj_strlcpy(p->uuid, kj_stmt_text(st, 1), sizeof(p->uuid));
		kj_strlcpy(p->code, kj_stmt_text(st, 2), sizeof(p->code));
		kj_strlcpy(p->status, kj_stmt_text(st, 3), sizeof(p->status));
		p->org_id = kj_stmt_int(st, 4);
		kj_strlcpy(p->org_code, kj_stmt_text(st, 5), sizeof(p->org_code));
		kj_strlcpy(p->edition, kj_stmt_text(st, 6), sizeof(p->edition));
	}
	kj_stmt_free(st);
	if (r == KJ_OK && (!row || !kj_access_org_visible(ctx, p->org_id)))
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "proposal: no proposal \"%.64s\"", code);
	return r;
}

kj_err
kj_proposal_set_status(struct kj_ctx *ctx, const char *code, const char *status, const char *edition, const char *note)
{
	struct prop p;
	struct kj_stmt *st = NULL;
	char now[21], carrier[KJ_MAX_CODE_BYTES + 1] = "";
	int64_t carrier_id = 0;
	int row = 0, decide;
	const char *from;
	kj_err r;

	if (status == NULL || (strcmp(status, "submitted") != 0 && strcmp(status, "accepted") != 0 &&
			       strcmp(status, "rejected") != 0 && strcmp(status, "adopted") != 0))
		return kj_failf(ctx, KJ_ERR_INVALID, "status: expected submitted, accepted, rejected or adopted");
	decide = strcmp(status, "accepted") == 0 || strcmp(status, "rejected") == 0;
	from = strcmp(status, "submitted") == 0 ? "draft" : decide ? "submitted" : "accepted";
	if (!decide && note != NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "note: only a decision (accepted, rejected) carries a note");
	if (strcmp(status, "adopted") != 0 && edition != NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "edition: only adopted names the edition that carries the proposal");
	if ((r = kj_need_text(ctx, "note", note, KJ_MAX_TEXT_BYTES, 1)) != KJ_OK || (r = writable(ctx)) != KJ_OK ||
	    (r = prop_by_code(ctx, code, &p)) != KJ_OK)
		return r;
	if (strcmp(status, "submitted") == 0 && !proposes_for(ctx, p.org_id))
		return kj_failf(ctx, KJ_ERR_DENIED, "proposal %s: only its proposers (%s) submit it", p.code, p.org_code);
	if (strcmp(status, "submitted") != 0 && (r = centre_admin(ctx, "decides proposals")) != KJ_OK)
		return r;
	if (strcmp(p.status, from) != 0)
		return kj_failf(ctx, KJ_ERR_STATE, "status: proposal %s is %s and cannot move to %s (expected " PROPOSAL_STEPS ")",
				p.code, p.status, status);
	if (strcmp(status, "adopted") == 0) {
		if ((r = edition_named(ctx, "edition", edition, &carrier_id, carrier)) != KJ_OK)
			return r;
		if ((r = kj_sql(ctx, &st, "SELECT 1 FROM edition WHERE id = ? AND supersedes = ?", "it", carrier_id, p.edition)) != KJ_OK ||
		    (r = kj_sql_once(ctx, st, &row)) != KJ_OK)
			return r;
		if (!row)
			return kj_failf(ctx, KJ_ERR_INVALID, "edition: %s does not supersede %s, the edition proposal %s changes",
					carrier, p.edition, p.code);
	}
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	kj_time_format(kj_now(ctx), now);
	if (decide)
		r = kj_sql(ctx, &st, "UPDATE proposal SET status = ?, decision_note = ?, decided_by = ?, decided_at = ?, changed_at = ?, "
				"version = version + 1 WHERE id = ? AND status = 'submitted' RETURNING id",
		      "ttatti", status, note, now, now, p.id);
	else if (carrier_id != 0)
		r = kj_sql(ctx, &st, "UPDATE proposal SET status = 'adopted', adopted_edition_id = ?, changed_at = ?, version = version + 1 "
				"WHERE id = ? AND status = 'accepted' RETURNING id", "iti", carrier_id, now, p.id);
	else
		r = kj_sql(ctx, &st, "UPDATE proposal SET status = 'submitted', changed_at = ?, version = version + 1 WHERE id = ? AND "
				"status = 'draft' RETURNING id", "ti", now, p.id);
	if (r == KJ_OK)
		r = kj_sql_once(ctx, st, &row);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_CONFLICT, "proposal %s changed meanwhile; read it again", p.code);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "proposal", p.uuid, p.org_id, "proposal.status",
			   json_pack("{s:s, s:s, s:s?, s:s?, s:s}", "code", p.code, "status", status, "note", note, "edition",
				     carrier[0] ? carrier : NULL, "by", ctx->who.name));
	return kj_tx_end(ctx, r);
}

#define PROPOSAL_COLUMNS                                                                                              \
	"SELECT p.id, p.uuid, p.code, o.code, e.code, p.kind, p.item_number, p.status, p.rationale, p.text_ja, "   \
	"p.text_en, p.decision_note, d.name, p.decided_at, a.code, c.name, p.created_at, p.org_id, "               \
	"(SELECT COUNT(*) FROM proposal_evidence x WHERE x.proposal_id = p.id) FROM proposal p "                    \
	"JOIN org o ON o.id = p.org_id JOIN edition e ON e.id = p.edition_id LEFT JOIN edition a ON "              \
	"a.id = p.adopted_edition_id LEFT JOIN app_user d ON d.id = p.decided_by LEFT JOIN app_user c ON "         \
	"c.id = p.created_by "

/* A row of PROPOSAL_COLUMNS as JSON; full adds the texts. */
static json_t *
proposal_json(struct kj_stmt *st, int full)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:I}", "id",
			      kj_stmt_text(st, 1), "code", kj_stmt_text(st, 2), "org", kj_stmt_text(st, 3), "edition",
			      kj_stmt_text(st, 4), "kind", kj_stmt_text(st, 5), "item", kj_stmt_text(st, 6), "status",
			      kj_stmt_text(st, 7), "decided_by", kj_stmt_text(st, 12), "decided_at", kj_stmt_text(st, 13),
			      "adopted_edition", kj_stmt_text(st, 14), "created_by", kj_stmt_text(st, 15), "created_at",
			      kj_stmt_text(st, 16), "nevidence", (json_int_t)kj_stmt_int(st, 18));

	if (j != NULL && full) {
		json_object_set_new(j, "rationale", json_string(kj_stmt_text(st, 8)));
		json_object_set_new(j, "text_ja", kj_stmt_text(st, 9) ? json_string(kj_stmt_text(st, 9)) : json_null());
		json_object_set_new(j, "text_en", kj_stmt_text(st, 10) ? json_string(kj_stmt_text(st, 10)) : json_null());
		json_object_set_new(j, "decision_note", kj_stmt_text(st, 11) ? json_string(kj_stmt_text(st, 11)) : json_null());
	}
	return j;
}

static kj_err
evidence_json(struct kj_ctx *ctx, int64_t id, json_t **out)
{
	struct kj_stmt *st = NULL;
	json_t *a = json_array();
	int row;
	kj_err r;

	if ((r = kj_sql(ctx, &st, "SELECT kind, ref, item_number, engagement, fiscal_year, rate_bp, note FROM proposal_evidence "
			     "WHERE proposal_id = ? ORDER BY seq", "i", id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			json_t *e = json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "kind", kj_stmt_text(st, 0), "ref", kj_stmt_text(st, 1),
					      "item", kj_stmt_text(st, 2), "engagement", kj_stmt_text(st, 3), "note",
					      kj_stmt_text(st, 6));

			json_object_set_new(e, "fiscal_year", kj_stmt_is_null(st, 4) ? json_null() : json_integer(kj_stmt_int(st, 4)));
			json_object_set_new(e, "rate", kj_stmt_is_null(st, 5) ? json_null()
									      : json_real((double)kj_stmt_int(st, 5) / 10000.0));
			json_array_append_new(a, e);
		}
	}
	kj_stmt_free(st);
	return kj_hand_over(r, a, out);
}

kj_err
kj_proposal_get(struct kj_ctx *ctx, const char *code, json_t **out)
{
	struct kj_stmt *st = NULL;
	struct prop p;
	json_t *j = NULL, *ev = NULL;
	int row = 0;
	kj_err r;

	if ((r = prop_by_code(ctx, code, &p)) != KJ_OK)
		return r;
	if ((r = kj_sql(ctx, &st, PROPOSAL_COLUMNS "WHERE p.id = ?", "i", p.id)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		j = proposal_json(st, 1);
	kj_stmt_free(st);
	if (r == KJ_OK && j == NULL)
		r = kj_failf(ctx, KJ_ERR_INTERNAL, "proposal %s could not be read", p.code);
	if (r == KJ_OK && (r = evidence_json(ctx, p.id, &ev)) == KJ_OK)
		json_object_set_new(j, "evidence", ev);
	return kj_hand_over(r, j, out);
}

kj_err
kj_proposal_list(struct kj_ctx *ctx, const char *status, const char *edition, const char *after, int limit, json_t **out,
		 int *more_out)
{
	struct kj_stmt *st = NULL;
	char code[KJ_MAX_CODE_BYTES + 1] = "";
	int64_t edition_id = 0;
	json_t *a;
	int row;
	kj_err r;

	if (more_out != NULL)
		*more_out = 0;
	if (ctx->who.role == KJ_ROLE_NONE)
		return kj_failf(ctx, KJ_ERR_AUTH, "not logged in");
	if (status != NULL && strcmp(status, "draft") != 0 && strcmp(status, "submitted") != 0 && strcmp(status, "accepted") != 0 &&
	    strcmp(status, "rejected") != 0 && strcmp(status, "adopted") != 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "status: expected draft, submitted, accepted, rejected or adopted");
	if (edition != NULL && (r = edition_named(ctx, "edition", edition, &edition_id, code)) != KJ_OK)
		return r;
	a = json_array();
	r = kj_sql(ctx, &st, PROPOSAL_COLUMNS "WHERE (? = 0 OR p.edition_id = ?) AND (CAST(? AS TEXT) IS NULL OR p.status = ?) "
					 "AND p.code > ? ORDER BY p.code",
	      "iittt", edition_id, edition_id, status, status, after != NULL ? after : "");
	while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		if (!kj_access_org_visible(ctx, kj_stmt_int(st, 17)))
			continue;
		if (limit > 0 && json_array_size(a) == (size_t)limit) {
			if (more_out != NULL)
				*more_out = 1;
			break;
		}
		json_array_append_new(a, proposal_json(st, 0));
	}
	kj_stmt_free(st);
	return kj_hand_over(r, a, out);
}

/* ---- Publishing an edition ------------------------------------------------------------- */

struct publication {
	struct kj_edition old, new_;
	struct kj_diff diff;
	struct kj_strmap changed;	/* old requirement number -> diff entry */
	struct kj_buf *joined;		/* per diff entry: its new numbers, comma-separated */
	int64_t id;
	size_t nrows;
};

static void
publication_free(struct publication *pb)
{
	size_t i;

	if (pb->joined != NULL) {
		for (i = 0; i < pb->diff.n; i++)
			kj_buf_free(&pb->joined[i]);
		free(pb->joined);
	}
	kj_strmap_free(&pb->changed);
	kj_diff_free(&pb->diff);
	kj_edition_free(&pb->old);
	kj_edition_free(&pb->new_);
}

/* Loads both editions and what changed between them. */
static kj_err
publication_diff(struct kj_ctx *ctx, struct publication *pb)
{
	size_t i, k;
	kj_err r;

	if ((r = kj_diff_editions(ctx, &pb->old, &pb->new_, 1, &pb->diff)) != KJ_OK)
		return r;
	if ((pb->joined = calloc(pb->diff.n + 1, sizeof(*pb->joined))) == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	for (i = 0; i < pb->diff.n; i++) {
		const struct kj_diff_entry *e = &pb->diff.v[i];

		kj_buf_init(&pb->joined[i], 0);
		if (e->kind == KJ_CHANGE_SAME || e->kind == KJ_CHANGE_ADDED)
			continue;
		for (k = 0; k < e->nnew; k++) {
			if (k > 0)
				kj_buf_puts(&pb->joined[i], ",");
			kj_buf_puts(&pb->joined[i], pb->new_.items[e->new_[k]].number);
		}
		if (kj_buf_failed(&pb->joined[i]))
			return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		for (k = 0; k < e->nold; k++) {
			if (kj_strmap_put(&pb->changed, pb->old.items[e->old[k]].number, (long)i) < 0)
				return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		}
	}
	return KJ_OK;
}

/* Stores one impact row when number changed; detail may be NULL. */
static kj_err
impact_row(struct kj_ctx *ctx, struct publication *pb, int64_t org_id, const char *what, const char *ref, const char *detail,
	   const char *number)
{
	struct kj_stmt *st = NULL;
	const struct kj_diff_entry *e;
	long ch = kj_strmap_get(&pb->changed, number);
	kj_err r;

	if (ch < 0)
		return KJ_OK;
	e = &pb->diff.v[ch];
	r = kj_sql(ctx, &st, "INSERT INTO edition_impact (publication_id, org_id, what, ref, detail, old_number, new_number, change) "
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "iittttt" "t", pb->id, org_id, what, ref, detail, number,
	      e->nnew > 0 ? kj_buf_cstr(&pb->joined[ch]) : NULL, kj_change_name(e->kind));
	if (r == KJ_OK)
		r = kj_sql_once(ctx, st, NULL);
	if (r == KJ_OK)
		pb->nrows++;
	return r;
}

/* The organisation that keeps the policy for org: org itself, or above a bureau or
 * division the top of its tree (a ministry, an agency, a corporation, the centre). */
static kj_err
keeper_of(struct kj_ctx *ctx, int64_t org, int64_t *out)
{
	struct kj_stmt *st = NULL;
	int depth, row = 0;
	kj_err r = kj_db_prepare(ctx, "SELECT parent_id FROM org WHERE id = ?", &st);

	*out = org;
	for (depth = 0; r == KJ_OK && depth <= KJ_MAX_ORG_DEPTH; depth++) {
		kj_stmt_reset(st);
		if ((r = kj_stmt_bind_int(ctx, st, 1, *out)) != KJ_OK || (r = kj_stmt_step(ctx, st, &row)) != KJ_OK || !row ||
		    kj_stmt_is_null(st, 0))
			break;
		*out = kj_stmt_int(st, 0);
	}
	kj_stmt_free(st);
	return r;
}

/* Walks sql (binding the old edition's key) whose rows are: org, ref, detail or NULL,
 * requirement number, and a version number (policies) or 0; stores a row for each
 * changed requirement. */
static kj_err
impact_of(struct kj_ctx *ctx, struct publication *pb, const char *what, const char *sql)
{
	struct kj_stmt *st = NULL;
	char detail[KJ_MAX_NUMBER_BYTES + 32];
	int64_t keeper = 0;
	int row;
	kj_err r;

	if ((r = kj_sql(ctx, &st, sql, "i", pb->old.id)) != KJ_OK)
		return r;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		const char *d = kj_stmt_text(st, 2);

		if (strcmp(what, "policy_clause") == 0) {
			snprintf(detail, sizeof(detail), "v%lld §%s", (long long)kj_stmt_int(st, 4), d);
			d = detail;
		}
		if ((r = keeper_of(ctx, kj_stmt_int(st, 0), &keeper)) != KJ_OK ||
		    (r = impact_row(ctx, pb, keeper, what, kj_stmt_text(st, 1), d, kj_stmt_text(st, 3))) != KJ_OK)
			break;
	}
	kj_stmt_free(st);
	return r;
}

/* Notifies each organisation touched of what and the date to revise by. */
static kj_err
notify_touched(struct kj_ctx *ctx, struct publication *pb, const char *revise_by)
{
	struct kj_stmt *st = NULL;
	struct kj_buf title, body;
	int64_t *orgs = NULL, (*counts)[3] = NULL;
	size_t n = 0, cap = 0, i;
	int row;
	kj_err r;

	r = kj_sql(ctx, &st, "SELECT org_id, SUM(CASE WHEN what = 'policy_clause' THEN 1 ELSE 0 END), SUM(CASE WHEN what = "
			"'campaign' THEN 1 ELSE 0 END), SUM(CASE WHEN what = 'plan' THEN 1 ELSE 0 END) FROM edition_impact "
			"WHERE publication_id = ? GROUP BY org_id ORDER BY org_id", "i", pb->id);
	while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			int64_t *no = realloc(orgs, nc * sizeof(*orgs));
			int64_t (*nn)[3] = no != NULL ? realloc(counts, nc * sizeof(*counts)) : NULL;

			if (no != NULL)
				orgs = no;
			if (nn == NULL) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				break;
			}
			counts = nn;
			cap = nc;
		}
		orgs[n] = kj_stmt_int(st, 0);
		counts[n][0] = kj_stmt_int(st, 1);
		counts[n][1] = kj_stmt_int(st, 2);
		counts[n][2] = kj_stmt_int(st, 3);
		n++;
	}
	kj_stmt_free(st);
	if (r == KJ_OK && (r = kj_sql(ctx, &st, "INSERT INTO edition_impact_org (publication_id, org_id, nrows) SELECT "
					  "publication_id, org_id, COUNT(*) FROM edition_impact WHERE publication_id = ? "
					  "GROUP BY publication_id, org_id", "i", pb->id)) == KJ_OK)
		r = kj_sql_once(ctx, st, NULL);
	kj_buf_init(&title, 0);
	kj_buf_init(&body, 0);
	kj_buf_printf(&title, "新しい版 %s: %s までに方針を改定 / New edition %s: revise your policy by %s", pb->new_.code,
		      revise_by, pb->new_.code, revise_by);
	for (i = 0; i < n && r == KJ_OK; i++) {
		kj_buf_reset(&body);
		kj_buf_printf(&body,
			      "%s が公表されました（%s の後継）。影響: 方針の条項 %lld 件、点検の項目 %lld 件、改善計画の指摘 %lld 件。"
			      "%s までに方針を改定してください。\n\n"
			      "%s was published, superseding %s. It touches %lld policy clause mapping(s), %lld campaign item(s) "
			      "and %lld plan finding(s) of yours. Revise your policy by %s.",
			      pb->new_.code, pb->old.code, (long long)counts[i][0], (long long)counts[i][1],
			      (long long)counts[i][2], revise_by, pb->new_.code, pb->old.code, (long long)counts[i][0],
			      (long long)counts[i][1], (long long)counts[i][2], revise_by);
		if (kj_buf_failed(&title) || kj_buf_failed(&body))
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		else
			r = kj_notify_org(ctx,
					  &(struct kj_notice){.kind = "edition_published", .entity = "edition",
							      .entity_id = pb->new_.uuid, .org_id = orgs[i],
							      .title = kj_buf_cstr(&title), .body = kj_buf_cstr(&body)},
					  NULL);
	}
	kj_buf_free(&title);
	kj_buf_free(&body);
	free(orgs);
	free(counts);
	return r;
}

/* The open campaigns on the old edition; the policies in force on it; the open plans whose
 * findings (of engagements on it) name its requirements. */
static const char *const impact_sql[][2] = {
	{"policy_clause",
	 "SELECT d.org_id, d.code, c.number, m.item_number, v.version_no FROM clause_mapping m JOIN policy_clause c ON "
	 "c.id = m.clause_id JOIN policy_version v ON v.id = c.version_id JOIN policy_doc d ON d.id = v.doc_id WHERE "
	 "v.status = 'in_force' AND v.edition_id = ? ORDER BY d.org_id, d.code, c.seq, m.item_number"},
	{"campaign",
	 "SELECT c.org_id, c.code, NULL, ci.item_number, 0 FROM campaign_item ci JOIN campaign c ON c.id = ci.campaign_id "
	 "WHERE c.edition_id = ? AND c.status IN ('draft', 'open') ORDER BY c.org_id, c.code, ci.seq"},
	{"plan",
	 "SELECT p.org_id, p.code, f.uuid, f.item_number, 0 FROM improvement_plan p JOIN plan_finding pf ON pf.plan_id = "
	 "p.id JOIN audit_finding f ON f.id = pf.finding_id JOIN audit_engagement e ON e.id = f.engagement_id LEFT JOIN "
	 "recommendation rc ON rc.id = p.recommendation_id WHERE e.edition_id = ? AND p.status <> 'verified' AND "
	 "(rc.status IS NULL OR rc.status <> 'withdrawn') ORDER BY p.org_id, p.code, f.id"},
};

kj_err
kj_edition_publish(struct kj_ctx *ctx, const char *edition, const char *revise_by, json_t **summary_out)
{
	struct publication pb;
	struct kj_stmt *st = NULL;
	char day[11], now[21], uuid[37], when[11] = "";
	int row = 0;
	size_t i;
	kj_err r;

	memset(&pb, 0, sizeof(pb));
	kj_edition_init(&pb.old);
	kj_edition_init(&pb.new_);
	kj_strmap_init(&pb.changed);
	kj_today(ctx, day);
	if ((r = centre_admin(ctx, "publishes editions")) != KJ_OK)
		goto out;
	if (edition == NULL || *edition == '\0') {
		r = kj_failf(ctx, KJ_ERR_INVALID, "edition: required");
		goto out;
	}
	if ((r = kj_edition_load(ctx, edition, &pb.new_)) != KJ_OK) {
		r = kj_failf_prefix(ctx, r, "edition");
		goto out;
	}
	if (revise_by == NULL || !kj_date_valid(revise_by)) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "revise_by: expected a date YYYY-MM-DD");
		goto out;
	}
	if (strcmp(revise_by, day) < 0) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "revise_by: %s is before the day of publication (%s); expected a date on or "
						  "after it", revise_by, day);
		goto out;
	}
	if (pb.new_.supersedes == NULL) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "edition: %s supersedes no edition; publishing measures what it changes against "
						  "the one it supersedes", pb.new_.code);
		goto out;
	}
	if ((r = kj_edition_load(ctx, pb.new_.supersedes, &pb.old)) != KJ_OK) {
		r = kj_failf(ctx, KJ_ERR_INVALID, "edition: %s supersedes %s, which is not imported", pb.new_.code,
			     pb.new_.supersedes);
		goto out;
	}
	if ((r = kj_sql(ctx, &st, "SELECT published_on FROM edition_publication WHERE edition_id = ?", "i", pb.new_.id)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		kj_strlcpy(when, kj_stmt_text(st, 0), sizeof(when));
	kj_stmt_free(st);
	st = NULL;
	if (r == KJ_OK && row)
		r = kj_failf(ctx, KJ_ERR_EXISTS, "edition: %s was published already, on %s", pb.new_.code, when);
	if (r != KJ_OK || (r = publication_diff(ctx, &pb)) != KJ_OK || (r = kj_tx_begin(ctx)) != KJ_OK)
		goto out;
	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	r = kj_sql(ctx, &st, "INSERT INTO edition_publication (uuid, edition_id, old_edition_id, published_on, revise_by, "
			"published_by, published_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
	      "tiittat", uuid, pb.new_.id, pb.old.id, day, revise_by, now);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		pb.id = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	if (r == KJ_ERR_EXISTS)
		r = kj_failf(ctx, r, "edition: %s was published meanwhile", pb.new_.code);
	for (i = 0; i < sizeof(impact_sql) / sizeof(impact_sql[0]) && r == KJ_OK; i++)
		r = impact_of(ctx, &pb, impact_sql[i][0], impact_sql[i][1]);
	if (r == KJ_OK)
		r = notify_touched(ctx, &pb, revise_by);
	if (r == KJ_OK && (r = kj_sql(ctx, &st, "SELECT COUNT(*) FROM edition_impact_org WHERE publication_id = ?", "i", pb.id)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		json_int_t norgs = row ? (json_int_t)kj_stmt_int(st, 0) : 0;
		json_t *summary = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "edition", pb.new_.code, "supersedes", pb.old.code,
					    "published_on", day, "revise_by", revise_by, "organisations", norgs, "rows",
					    (json_int_t)pb.nrows);

		kj_stmt_free(st);
		st = NULL;
		r = kj_log_state(ctx, "edition_publication", uuid, 0, "edition.publish", json_incref(summary));
		if (r == KJ_OK && summary_out != NULL)
			*summary_out = json_incref(summary);
		json_decref(summary);
	}
	kj_stmt_free(st);
	r = kj_tx_end(ctx, r);
	if (r != KJ_OK && summary_out != NULL && *summary_out != NULL) {
		json_decref(*summary_out);
		*summary_out = NULL;
	}
out:
	publication_free(&pb);
	return r;
}

struct published {
	int64_t id, edition_id;
	char uuid[37], edition[KJ_MAX_CODE_BYTES + 1], old[KJ_MAX_CODE_BYTES + 1], published_on[11], revise_by[11];
	char by[64];
};

static kj_err
published_edition(struct kj_ctx *ctx, const char *edition, struct published *p)
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	memset(p, 0, sizeof(*p));
	if ((r = edition_named(ctx, "edition", edition, &p->edition_id, p->edition)) != KJ_OK)
		return r;
	r = kj_sql(ctx, &st, "SELECT p.id, p.uuid, o.code, p.published_on, p.revise_by, u.name FROM edition_publication p JOIN "
			"edition o ON o.id = p.old_edition_id LEFT JOIN app_user u ON u.id = p.published_by WHERE p.edition_id = ?",
	      "i", p->edition_id);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		p->id = kj_stmt_int(st, 0);
		kj_strlcpy(p->uuid, kj_stmt_text(st, 1), sizeof(p->uuid));
		kj_strlcpy(p->old, kj_stmt_text(st, 2), sizeof(p->old));
		kj_strlcpy(p->published_on, kj_stmt_text(st, 3), sizeof(p->published_on));
		kj_strlcpy(p->revise_by, kj_stmt_text(st, 4), sizeof(p->revise_by));
		kj_strlcpy(p->by, kj_stmt_text(st, 5) ? kj_stmt_text(st, 5) : "local", sizeof(p->by));
	}
	kj_stmt_free(st);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "edition: %s has not been published", p->edition);
	return r;
}

/* The rows of one organisation's impact. */
static kj_err
impact_items(struct kj_ctx *ctx, int64_t pub, int64_t org, json_t **out)
{
	struct kj_stmt *st = NULL;
	json_t *a = json_array();
	int row;
	kj_err r;

	if ((r = kj_sql(ctx, &st, "SELECT what, ref, detail, old_number, new_number, change FROM edition_impact WHERE "
			     "publication_id = ? AND org_id = ? ORDER BY id", "ii", pub, org)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			json_t *nn = json_array();
			const char *s = kj_stmt_text(st, 4);

			while (s != NULL && *s != '\0') {
				size_t n = strcspn(s, ",");

				json_array_append_new(nn, json_stringn(s, n));
				s = s[n] == ',' ? s + n + 1 : NULL;
			}
			json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:s, s:o, s:s}", "what", kj_stmt_text(st, 0), "ref",
							   kj_stmt_text(st, 1), "detail", kj_stmt_text(st, 2), "old",
							   kj_stmt_text(st, 3), "new", nn, "change", kj_stmt_text(st, 5)));
		}
	}
	kj_stmt_free(st);
	return kj_hand_over(r, a, out);
}

kj_err
kj_edition_impact(struct kj_ctx *ctx, const char *edition, const char *org, json_t **out)
{
	struct published p;
	struct kj_org o;
	struct kj_stmt *st = NULL;
	json_t *orgs, *j;
	char day[11];
	int row;
	kj_err r;

	if (ctx->who.role == KJ_ROLE_NONE)
		return kj_failf(ctx, KJ_ERR_AUTH, "not logged in");
	memset(&o, 0, sizeof(o));
	if ((r = published_edition(ctx, edition, &p)) != KJ_OK || (org != NULL && (r = visible_org(ctx, "org", org, &o)) != KJ_OK))
		return r;
	kj_today(ctx, day);
	orgs = json_array();
	r = kj_sql(ctx, &st, "SELECT i.org_id, o.code, o.kind, o.name_ja, o.name_en, i.nrows, "
			"(SELECT COUNT(*) FROM edition_impact x WHERE x.publication_id = i.publication_id AND x.org_id = i.org_id "
			"AND x.what = 'policy_clause'), "
			"(SELECT COUNT(*) FROM edition_impact x WHERE x.publication_id = i.publication_id AND x.org_id = i.org_id "
			"AND x.what = 'campaign'), "
			"(SELECT COUNT(*) FROM edition_impact x WHERE x.publication_id = i.publication_id AND x.org_id = i.org_id "
			"AND x.what = 'plan'), i.acknowledged_at, u.name, "
			"(SELECT MIN(v.approved_at) FROM policy_version v JOIN policy_doc d ON d.id = v.doc_id WHERE d.org_id = "
			"i.org_id AND v.edition_id = ? AND v.status IN ('approved', 'in_force', 'superseded')) "
			"FROM edition_impact_org i JOIN org o ON o.id = i.org_id LEFT JOIN app_user u ON u.id = i.acknowledged_by "
			"WHERE i.publication_id = ? AND (? = 0 OR i.org_id = ?) ORDER BY o.code",
	      "iiii", p.edition_id, p.id, o.id, o.id);
	while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		const char *acked = kj_stmt_text(st, 9), *revised = kj_stmt_text(st, 11);
		char revised_on[11] = "";
		json_t *x;

		if (!kj_access_org_visible(ctx, kj_stmt_int(st, 0)))
			continue;
		if (revised != NULL)
			kj_strlcpy(revised_on, revised, sizeof(revised_on));
		x = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s?, s:s?, s:b, s:s?, s:s, s:b}", "org",
			      kj_stmt_text(st, 1), "kind", kj_stmt_text(st, 2), "name_ja", kj_stmt_text(st, 3), "name_en",
			      kj_stmt_text(st, 4), "rows", (json_int_t)kj_stmt_int(st, 5), "policy_clauses",
			      (json_int_t)kj_stmt_int(st, 6), "campaign_items", (json_int_t)kj_stmt_int(st, 7), "plan_findings",
			      (json_int_t)kj_stmt_int(st, 8), "acknowledged_at", acked, "acknowledged_by",
			      acked != NULL ? (kj_stmt_text(st, 10) ? kj_stmt_text(st, 10) : "local") : NULL, "revised",
			      revised != NULL, "revised_on", revised != NULL ? revised_on : NULL, "status",
			      revised != NULL ? "revised" : acked != NULL ? "acknowledged" : "pending", "overdue",
			      revised == NULL && strcmp(day, p.revise_by) > 0);
		json_array_append_new(orgs, x);
	}
	kj_stmt_free(st);
	if (r == KJ_OK && org != NULL && json_array_size(orgs) == 1) {
		json_t *items = NULL;

		if ((r = impact_items(ctx, p.id, o.id, &items)) == KJ_OK)
			json_object_set_new(json_array_get(orgs, 0), "items", items);
	}
	if (r != KJ_OK) {
		json_decref(orgs);
		return r;
	}
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "edition", p.edition, "supersedes", p.old, "published_on",
		      p.published_on, "revise_by", p.revise_by, "published_by", p.by, "organisations", orgs);
	return kj_hand_over(j != NULL ? KJ_OK : kj_failf(ctx, KJ_ERR_NOMEM, "out of memory"), j, out);
}

kj_err
kj_edition_impact_ack(struct kj_ctx *ctx, const char *edition, const char *org)
{
	struct published p;
	struct kj_org o;
	struct kj_stmt *st = NULL;
	char now[21];
	int row = 0, acked = 0;
	kj_err r;

	if ((r = writable(ctx)) != KJ_OK || (r = published_edition(ctx, edition, &p)) != KJ_OK ||
	    (r = visible_org(ctx, "org", org, &o)) != KJ_OK)
		return r;
	if (!org_admin_of(ctx, o.id))
		return kj_failf(ctx, KJ_ERR_DENIED, "only %s's administrator acknowledges the new edition for it", o.code);
	if ((r = kj_sql(ctx, &st, "SELECT acknowledged_at FROM edition_impact_org WHERE publication_id = ? AND org_id = ?", "ii", p.id,
		   o.id)) != KJ_OK)
		return r;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		acked = !kj_stmt_is_null(st, 0);
	kj_stmt_free(st);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "org: edition %s touches nothing of %s; there is nothing to acknowledge",
			     p.edition, o.code);
	if (r == KJ_OK && acked)
		r = kj_failf(ctx, KJ_ERR_STATE, "org: %s has acknowledged edition %s already", o.code, p.edition);
	if (r != KJ_OK || (r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	kj_time_format(kj_now(ctx), now);
	if ((r = kj_sql(ctx, &st, "UPDATE edition_impact_org SET acknowledged_at = ?, acknowledged_by = ? WHERE publication_id = ? "
			     "AND org_id = ? AND acknowledged_at IS NULL RETURNING org_id", "taii", now, p.id, o.id)) == KJ_OK)
		r = kj_sql_once(ctx, st, &row);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_CONFLICT, "org: %s acknowledged edition %s meanwhile", o.code, p.edition);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "edition_publication", p.uuid, o.id, "edition.impact_ack",
			   json_pack("{s:s, s:s, s:s, s:s}", "edition", p.edition, "org", o.code, "acknowledged_at", now, "by",
				     ctx->who.name));
	return kj_tx_end(ctx, r);
}

/* ---- Emergency directives -------------------------------------------------------------- */

/* The targets of a new directive: the organisations named, or every one in existence of
 * the kinds named. ids_out is allocated (the caller frees it). */
static kj_err
directive_targets(struct kj_ctx *ctx, const struct kj_directive_new *in, int64_t **ids_out, size_t *n_out)
{
	static const char *const kinds[] = {"ministry", "agency", "corporation", NULL};
	struct kj_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t n = 0, i, j, cap;
	int row;
	kj_err r = KJ_OK;

	*ids_out = NULL;
	*n_out = 0;
	if ((in->norgs == 0) == (in->nkinds == 0))
		return kj_failf(ctx, KJ_ERR_INVALID, "targets: name either orgs or kinds (ministry, agency, corporation), not both "
						     "and not neither");
	if (in->norgs > KJ_MAX_CAMPAIGN_ITEMS || in->nkinds > 3)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "targets: too many");
	for (i = 0; i < in->nkinds; i++) {
		for (j = 0; kinds[j] != NULL && (in->kinds[i] == NULL || strcmp(kinds[j], in->kinds[i]) != 0); j++)
			;
		if (kinds[j] == NULL)
			return kj_failf(ctx, KJ_ERR_INVALID, "kinds[%zu]: expected ministry, agency or corporation", i);
	}
	cap = in->norgs > 0 ? in->norgs : 1024;
	if ((ids = calloc(cap, sizeof(*ids))) == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	for (i = 0; i < in->norgs && r == KJ_OK; i++) {
		struct kj_org o;
		char field[32];

		snprintf(field, sizeof(field), "orgs[%zu]", i);
		if ((r = visible_org(ctx, field, in->orgs[i], &o)) != KJ_OK)
			break;
		for (j = 0; kinds[j] != NULL && strcmp(kinds[j], o.kind) != 0; j++)
			;
		if (o.valid_to[0] != '\0')
			r = kj_failf(ctx, KJ_ERR_INVALID, "%s: %s was abolished", field, o.code);
		else if (kinds[j] == NULL)
			r = kj_failf(ctx, KJ_ERR_INVALID, "%s: %s is a %s; directives go to ministries, agencies and corporations, "
							  "whose administrators answer them", field, o.code, o.kind);
		for (j = 0; j < n && r == KJ_OK; j++) {
			if (ids[j] == o.id)
				r = kj_failf(ctx, KJ_ERR_INVALID, "%s: %s is named twice", field, o.code);
		}
		if (r == KJ_OK)
			ids[n++] = o.id;
	}
	for (i = 0; i < in->nkinds && r == KJ_OK; i++) {
		if ((r = kj_sql(ctx, &st, "SELECT id FROM org WHERE kind = ? AND valid_to IS NULL ORDER BY code", "t", in->kinds[i])) != KJ_OK)
			break;
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			int64_t id = kj_stmt_int(st, 0);

			for (j = 0; j < n && ids[j] != id; j++)
				;
			if (j < n)
				continue;
			if (n == cap) {
				int64_t *more = realloc(ids, cap * 2 * sizeof(*ids));

				if (more == NULL) {
					r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
					break;
				}
				ids = more;
				cap *= 2;
			}
			ids[n++] = id;
		}
		kj_stmt_free(st);
		st = NULL;
	}
	if (r == KJ_OK && n == 0)
		r = kj_failf(ctx, KJ_ERR_INVALID, "kinds: no organisation in existence is of those kinds");
	if (r != KJ_OK) {
		free(ids);
		return r;
	}
	*ids_out = ids;
	*n_out = n;
	return KJ_OK;
}

kj_err
kj_directive_issue(struct kj_ctx *ctx, const struct kj_directive_new *in, char uuid_out[37], size_t *ntargets_out)
{
	struct kj_stmt *st = NULL;
	struct kj_buf title, body;
	int64_t *ids = NULL, id = 0;
	size_t n = 0, i;
	char day[11], now[21], uuid[37];
	int row = 0;
	kj_err r;

	kj_today(ctx, day);
	if ((r = centre_admin(ctx, "issues directives")) != KJ_OK || (r = kj_need_code(ctx, in->code)) != KJ_OK ||
	    (r = kj_need_text(ctx, "title_ja", in->title_ja, KJ_MAX_TITLE_BYTES, 0)) != KJ_OK ||
	    (r = kj_need_text(ctx, "title_en", in->title_en, KJ_MAX_TITLE_BYTES, 0)) != KJ_OK ||
	    (r = kj_need_text(ctx, "text_ja", in->text_ja, KJ_MAX_TEXT_BYTES, 0)) != KJ_OK ||
	    (r = kj_need_text(ctx, "text_en", in->text_en, KJ_MAX_TEXT_BYTES, 0)) != KJ_OK)
		return r;
	if (in->due_on == NULL || !kj_date_valid(in->due_on))
		return kj_failf(ctx, KJ_ERR_INVALID, "due_on: expected a date YYYY-MM-DD");
	if (strcmp(in->due_on, day) < 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "due_on: %s is before the day of issue (%s); expected a date on or after it",
				in->due_on, day);
	if ((r = directive_targets(ctx, in, &ids, &n)) != KJ_OK)
		return r;
	if ((r = kj_tx_begin(ctx)) != KJ_OK) {
		free(ids);
		return r;
	}
	kj_uuid_v4(uuid);
	kj_time_format(kj_now(ctx), now);
	r = kj_sql(ctx, &st, "INSERT INTO directive (uuid, code, title_ja, title_en, text_ja, text_en, issued_on, due_on, status, "
			"created_by, created_at, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?) RETURNING id",
	      "ttttttttatt", uuid, in->code, in->title_ja, in->title_en, in->text_ja, in->text_en, day, in->due_on, now, now);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		id = kj_stmt_int(st, 0);
	kj_stmt_free(st);
	if (r == KJ_ERR_EXISTS)
		r = kj_failf(ctx, r, "code: a directive \"%s\" already exists", in->code);
	kj_buf_init(&title, 0);
	kj_buf_init(&body, 0);
	kj_buf_printf(&title, "緊急指示 %s: %s / Emergency directive %s: %s", in->code, in->title_ja, in->code, in->title_en);
	kj_buf_printf(&body, "%s\n期限: %s\n\n%s\nDue: %s", in->text_ja, in->due_on, in->text_en, in->due_on);
	if (r == KJ_OK && (kj_buf_failed(&title) || kj_buf_failed(&body)))
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	for (i = 0; i < n && r == KJ_OK; i++) {
		if ((r = kj_sql(ctx, &st, "INSERT INTO directive_target (directive_id, org_id) VALUES (?, ?)", "ii", id, ids[i])) == KJ_OK &&
		    (r = kj_sql_once(ctx, st, NULL)) == KJ_OK)
			r = kj_notify_org(ctx,
					  &(struct kj_notice){.kind = "directive", .entity = "directive", .entity_id = uuid,
							      .org_id = ids[i], .title = kj_buf_cstr(&title),
							      .body = kj_buf_cstr(&body)},
					  NULL);
	}
	kj_buf_free(&title);
	kj_buf_free(&body);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "directive", uuid, 0, "directive.issue",
			   json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "code", in->code, "title_en", in->title_en, "issued_on", day,
				     "due_on", in->due_on, "status", "issued", "targets", (json_int_t)n));
	r = kj_tx_end(ctx, r);
	free(ids);
	if (r == KJ_OK) {
		memcpy(uuid_out, uuid, sizeof(uuid));
		if (ntargets_out != NULL)
			*ntargets_out = n;
	}
	return r;
}

struct dir {
	int64_t id;
	char uuid[37], code[KJ_MAX_CODE_BYTES + 1], status[12], due_on[11];
};

/* 1 when the principal sees a target of directive id (the centre's roles see all). */
static int
sees_directive(struct kj_ctx *ctx, int64_t id)
{
	struct kj_stmt *st = NULL;
	int row, yes = kj_access_sees_all(ctx);

	if (yes || kj_sql(ctx, &st, "SELECT org_id FROM directive_target WHERE directive_id = ? ORDER BY org_id", "i", id) != KJ_OK)
		return yes;
	while (!yes && kj_stmt_step(ctx, st, &row) == KJ_OK && row)
		yes = kj_access_org_visible(ctx, kj_stmt_int(st, 0));
	kj_stmt_free(st);
	return yes;
}

static kj_err
dir_by_code(struct kj_ctx *ctx, const char *code, struct dir *d)
{
	struct kj_stmt *st = NULL;
	int row = 0;
	kj_err r;

	memset(d, 0, sizeof(*d));
	if (code == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "directive: required");
	if (ctx->who.role == KJ_ROLE_NONE)
		return kj_failf(ctx, KJ_ERR_AUTH, "not logged in");
	r = kj_sql(ctx, &st, "SELECT id, uuid, code, status, due_on FROM directive WHERE code = ?", "t", code);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		d->id = kj_stmt_int(st, 0);
		kj_strlcpy(d->uuid, kj_stmt_text(st, 1), sizeof(d->uuid));
		kj_strlcpy(d->code, kj_stmt_text(st, 2), sizeof(d->code));
		kj_strlcpy(d->status, kj_stmt_text(st, 3), sizeof(d->status));
		kj_strlcpy(d->due_on, kj_stmt_text(st, 4), sizeof(d->due_on));
	}
	kj_stmt_free(st);
	if (r == KJ_OK && (!row || !sees_directive(ctx, d->id)))
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "directive: no directive \"%.64s\"", code);
	return r;
}

kj_err
kj_directive_set_status(struct kj_ctx *ctx, const char *code, const char *status)
{
	struct kj_stmt *st = NULL;
	struct dir d;
	char now[21];
	int row = 0;
	kj_err r;

	if (status == NULL || (strcmp(status, "closed") != 0 && strcmp(status, "withdrawn") != 0))
		return kj_failf(ctx, KJ_ERR_INVALID, "status: expected closed or withdrawn");
	if ((r = writable(ctx)) != KJ_OK || (r = dir_by_code(ctx, code, &d)) != KJ_OK ||
	    (r = centre_admin(ctx, "closes or withdraws directives")) != KJ_OK)
		return r;
	if (strcmp(d.status, "issued") != 0)
		return kj_failf(ctx, KJ_ERR_STATE, "status: directive %s is %s already; only an issued one is closed or withdrawn",
				d.code, d.status);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	kj_time_format(kj_now(ctx), now);
	if ((r = kj_sql(ctx, &st, "UPDATE directive SET status = ?, changed_at = ?, version = version + 1 WHERE id = ? AND status = "
			     "'issued' RETURNING id", "tti", status, now, d.id)) == KJ_OK)
		r = kj_sql_once(ctx, st, &row);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_CONFLICT, "directive %s changed meanwhile; read it again", d.code);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "directive", d.uuid, 0, "directive.status",
			   json_pack("{s:s, s:s, s:s}", "code", d.code, "status", status, "by", ctx->who.name));
	return kj_tx_end(ctx, r);
}

/* The target org of directive code, for its administrator's step (complete: 1). */
static kj_err
target_step(struct kj_ctx *ctx, const char *code, const char *org, int complete, const char *note)
{
	struct kj_stmt *st = NULL;
	struct kj_org o;
	struct dir d;
	char now[21];
	int row = 0, acked = 0, done = 0;
	kj_err r;

	if ((r = kj_need_text(ctx, "note", note, KJ_MAX_COMMENT_BYTES, 1)) != KJ_OK || (r = writable(ctx)) != KJ_OK ||
	    (r = dir_by_code(ctx, code, &d)) != KJ_OK || (r = visible_org(ctx, "org", org, &o)) != KJ_OK)
		return r;
	if ((r = kj_sql(ctx, &st, "SELECT acknowledged_at, completed_at FROM directive_target WHERE directive_id = ? AND org_id = ?",
		   "ii", d.id, o.id)) != KJ_OK)
		return r;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		acked = !kj_stmt_is_null(st, 0);
		done = !kj_stmt_is_null(st, 1);
	}
	kj_stmt_free(st);
	if (r != KJ_OK)
		return r;
	if (!row)
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "org: directive %s does not go to %s", d.code, o.code);
	if (!org_admin_of(ctx, o.id))
		return kj_failf(ctx, KJ_ERR_DENIED, "only %s's administrator %s directive %s for it", o.code,
				complete ? "completes" : "acknowledges", d.code);
	if (strcmp(d.status, "issued") != 0)
		return kj_failf(ctx, KJ_ERR_STATE, "directive %s is %s; it takes no more answers", d.code, d.status);
	if (!complete && acked)
		return kj_failf(ctx, KJ_ERR_STATE, "%s has acknowledged directive %s already", o.code, d.code);
	if (complete && !acked)
		return kj_failf(ctx, KJ_ERR_STATE, "%s has not acknowledged directive %s yet; acknowledge it first", o.code, d.code);
	if (complete && done)
		return kj_failf(ctx, KJ_ERR_STATE, "%s has completed directive %s already", o.code, d.code);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	kj_time_format(kj_now(ctx), now);
	if (complete)
		r = kj_sql(ctx, &st, "UPDATE directive_target SET completed_at = ?, completed_by = ?, note = ? WHERE directive_id = ? AND "
				"org_id = ? AND completed_at IS NULL AND acknowledged_at IS NOT NULL RETURNING org_id",
		      "tatii", now, note != NULL && *note != '\0' ? note : NULL, d.id, o.id);
	else
		r = kj_sql(ctx, &st, "UPDATE directive_target SET acknowledged_at = ?, acknowledged_by = ? WHERE directive_id = ? AND "
				"org_id = ? AND acknowledged_at IS NULL RETURNING org_id", "taii", now, d.id, o.id);
	if (r == KJ_OK)
		r = kj_sql_once(ctx, st, &row);
	if (r == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_CONFLICT, "directive %s for %s changed meanwhile; read it again", d.code, o.code);
	if (r == KJ_OK)
		r = kj_log_state(ctx, "directive", d.uuid, o.id, complete ? "directive.complete" : "directive.ack",
			   json_pack("{s:s, s:s, s:s, s:s, s:s?}", "code", d.code, "org", o.code, complete ? "completed_at" :
				     "acknowledged_at", now, "by", ctx->who.name, "note", note));
	return kj_tx_end(ctx, r);
}

kj_err
kj_directive_ack(struct kj_ctx *ctx, const char *code, const char *org)
{
	return target_step(ctx, code, org, 0, NULL);
}

kj_err
kj_directive_complete(struct kj_ctx *ctx, const char *code, const char *org, const char *note)
{
	return target_step(ctx, code, org, 1, note);
}

/* The targets of directive id that the principal sees, with their counts. */
static kj_err
targets_json(struct kj_ctx *ctx, int64_t id, const char *due_on, const char *status, json_t **targets_out, json_t **counts_out)
{
	struct kj_stmt *st = NULL;
	json_t *a = json_array();
	int64_t n = 0, acked = 0, done = 0;
	char day[11];
	int row;
	kj_err r;

	kj_today(ctx, day);
	r = kj_sql(ctx, &st, "SELECT t.org_id, o.code, t.acknowledged_at, a.name, t.completed_at, c.name, t.note FROM "
			"directive_target t JOIN org o ON o.id = t.org_id LEFT JOIN app_user a ON a.id = t.acknowledged_by LEFT "
			"JOIN app_user c ON c.id = t.completed_by WHERE t.directive_id = ? ORDER BY o.code", "i", id);
	while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		const char *ack = kj_stmt_text(st, 2), *comp = kj_stmt_text(st, 4);

		if (!kj_access_org_visible(ctx, kj_stmt_int(st, 0)))
			continue;
		n++;
		acked += ack != NULL;
		done += comp != NULL;
		if (targets_out != NULL)
			json_array_append_new(a, json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:b}", "org", kj_stmt_text(st, 1),
							   "acknowledged_at", ack, "acknowledged_by",
							   ack ? (kj_stmt_text(st, 3) ? kj_stmt_text(st, 3) : "local") : NULL,
							   "completed_at", comp, "completed_by",
							   comp ? (kj_stmt_text(st, 5) ? kj_stmt_text(st, 5) : "local") : NULL, "note",
							   kj_stmt_text(st, 6), "overdue",
							   comp == NULL && strcmp(status, "issued") == 0 && strcmp(due_on, day) < 0));
	}
	kj_stmt_free(st);
	if (r != KJ_OK) {
		json_decref(a);
		return r;
	}
	*counts_out = json_pack("{s:I, s:I, s:I}", "targets", (json_int_t)n, "acknowledged", (json_int_t)acked, "completed",
				(json_int_t)done);
	if (targets_out != NULL)
		*targets_out = a;
	else
		json_decref(a);
	return KJ_OK;
}

#define DIRECTIVE_COLUMNS                                                                                             \
	"SELECT d.id, d.uuid, d.code, d.title_ja, d.title_en, d.text_ja, d.text_en, d.issued_on, d.due_on, d.status, " \
	"u.name FROM directive d LEFT JOIN app_user u ON u.id = d.created_by "

static json_t *
directive_json(struct kj_stmt *st, int full)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id", kj_stmt_text(st, 1), "code", kj_stmt_text(st, 2),
			      "title_ja", kj_stmt_text(st, 3), "title_en", kj_stmt_text(st, 4), "issued_on", kj_stmt_text(st, 7),
			      "due_on", kj_stmt_text(st, 8), "status", kj_stmt_text(st, 9), "created_by",
			      kj_stmt_text(st, 10) ? kj_stmt_text(st, 10) : "local");

	if (j != NULL && full) {
		json_object_set_new(j, "text_ja", json_string(kj_stmt_text(st, 5)));
		json_object_set_new(j, "text_en", json_string(kj_stmt_text(st, 6)));
	}
	return j;
}

kj_err
kj_directive_get(struct kj_ctx *ctx, const char *code, json_t **out)
{
	struct kj_stmt *st = NULL;
	struct dir d;
	json_t *j = NULL, *targets = NULL, *counts = NULL;
	int row = 0;
	kj_err r;

	if ((r = dir_by_code(ctx, code, &d)) != KJ_OK)
		return r;
	if ((r = kj_sql(ctx, &st, DIRECTIVE_COLUMNS "WHERE d.id = ?", "i", d.id)) == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK &&
	    row)
		j = directive_json(st, 1);
	kj_stmt_free(st);
	if (r == KJ_OK && j == NULL)
		r = kj_failf(ctx, KJ_ERR_INTERNAL, "directive %s could not be read", d.code);
	if (r == KJ_OK && (r = targets_json(ctx, d.id, d.due_on, d.status, &targets, &counts)) == KJ_OK) {
		json_object_set_new(j, "targets", targets);
		json_object_set_new(j, "counts", counts);
	}
	return kj_hand_over(r, j, out);
}

kj_err
kj_directive_list(struct kj_ctx *ctx, const char *after, int limit, json_t **out, int *more_out)
{
	struct kj_stmt *st = NULL;
	json_t *a;
	int row;
	kj_err r;

	if (more_out != NULL)
		*more_out = 0;
	if (ctx->who.role == KJ_ROLE_NONE)
		return kj_failf(ctx, KJ_ERR_AUTH, "not logged in");
	a = json_array();
	r = kj_sql(ctx, &st, DIRECTIVE_COLUMNS "WHERE d.code > ? ORDER BY d.code", "t", after != NULL ? after : "");
	while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		json_t *x, *counts = NULL;

		if (!sees_directive(ctx, kj_stmt_int(st, 0)))
			continue;
		if (limit > 0 && json_array_size(a) == (size_t)limit) {
			if (more_out != NULL)
				*more_out = 1;
			break;
		}
		x = directive_json(st, 0);
		if ((r = targets_json(ctx, kj_stmt_int(st, 0), kj_stmt_text(st, 8), kj_stmt_text(st, 9), NULL, &counts)) != KJ_OK) {
			json_decref(x);
			break;
		}
		json_object_set_new(x, "counts", counts);
		json_array_append_new(a, x);
	}
	kj_stmt_free(st);
	return kj_hand_over(r, a, out);
}

kj_err
kj_directive_overdue(struct kj_ctx *ctx, const char *org, json_t **out)
{
	struct kj_stmt *st = NULL;
	struct kj_org o;
	json_t *a;
	char day[11];
	int row;
	kj_err r;

	if (ctx->who.role == KJ_ROLE_NONE)
		return kj_failf(ctx, KJ_ERR_AUTH, "not logged in");
	memset(&o, 0, sizeof(o));
	if (org != NULL && (r = visible_org(ctx, "org", org, &o)) != KJ_OK)
		return r;
	kj_today(ctx, day);
	a = json_array();
	r = kj_sql(ctx, &st, "SELECT d.code, o.code, d.title_ja, d.title_en, d.due_on, t.acknowledged_at, t.org_id FROM "
			"directive_target t JOIN directive d ON d.id = t.directive_id JOIN org o ON o.id = t.org_id WHERE "
			"d.status = 'issued' AND t.completed_at IS NULL AND d.due_on < ? ORDER BY d.due_on, d.code, o.code",
	      "t", day);
	while (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		int64_t target = kj_stmt_int(st, 6);

		if (!kj_access_org_visible(ctx, target) || (org != NULL && !kj_org_below(ctx, target, o.id)))
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "directive", kj_stmt_text(st, 0), "org",
						   kj_stmt_text(st, 1), "title_ja", kj_stmt_text(st, 2), "title_en",
						   kj_stmt_text(st, 3), "due_on", kj_stmt_text(st, 4), "acknowledged_at",
						   kj_stmt_text(st, 5)));
	}
	kj_stmt_free(st);
	return kj_hand_over(r, a, out);
}
