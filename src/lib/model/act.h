/*
 * act.h: improving the standard, the "act" of plan-do-check-act. Three things:
 *
 * Proposals for the next edition. A proposal names the edition it would change (a code,
 * or "next" for the newest edition that nothing supersedes yet), what it does (add a
 * requirement, change or remove the one numbered item) with a text in Japanese and
 * English and a rationale, and the evidence it rests on: audit findings the proposer can
 * read, requirements weak in a fiscal year's self-inspection (the government-wide rate at
 * the time is stored with it), incidents (a reference, until incidents are kept). Its
 * status moves draft → submitted → accepted or rejected → adopted (naming the edition that
 * carries it, one that supersedes the proposal's). The centre's administrators and
 * analysts propose for the centre, an organisation's administrator (CISO) for its own
 * organisation; the proposer's side submits; the centre's administrator decides and
 * marks it adopted. A proposal is seen by those who see its organisation.
 *
 * Publishing an edition. kj_edition_publish compares the edition with the one it
 * supersedes (the diff, through the correspondence table) and stores, for every
 * organisation that keeps a policy, what the changed, renumbered, split, merged and
 * removed requirements touch: the clause mappings of its policies in force on the old
 * edition, the items of its open campaigns on the old edition, and the findings (on the
 * old edition) of its open improvement plans; a bureau's or division's campaigns and
 * plans count for the organisation at the top of its tree (its ministry). Each
 * organisation touched is notified with the revise-by date;
 * its administrator acknowledges. It counts as revised once it has a policy version for
 * the new edition that is approved (or later in force or superseded): read from its
 * policies, never set by hand. Publishing is the centre administrator's, once per edition.
 *
 * Emergency directives. The centre's administrator issues an urgent requirement or
 * measure to listed ministries, agencies and corporations or to every organisation of some
 * of those kinds, with a due date; each target's administrator acknowledges it and then reports it completed. The
 * centre may close or withdraw it. Open targets past the due date are overdue.
 *
 * Every change checks access, then its rules, then writes with its audit record in one
 * transaction; a refusal leaves nothing behind. Out of scope reads as absent
 * (KJ_ERR_NOT_FOUND), visible but not the principal's is KJ_ERR_DENIED, a change the
 * present state forbids is KJ_ERR_STATE.
 */
#ifndef KJ_ACT_H
#define KJ_ACT_H

#include <stddef.h>

#include <jansson.h>

#include "../base/err.h"

/* ---- Proposals ------------------------------------------------------------------------- */

struct kj_evidence_new {
	const char *kind;	/* finding, weak_requirement, incident */
	const char *ref;	/* a finding's public id; a requirement number; an incident's reference */
	int fiscal_year;	/* weak_requirement: the fiscal year of the self-inspection */
	const char *note;	/* may be NULL */
};

struct kj_proposal_new {
	const char *code;	/* [A-Za-z0-9._-], unique */
	const char *org;	/* the proposing organisation; NULL: the principal's own */
	const char *edition;	/* an edition's code, or "next" */
	const char *kind;	/* add, change, remove */
	const char *item;	/* change and remove: a requirement of the edition; add: NULL */
	const char *text_ja, *text_en;	/* the proposed text: required to add or change */
	const char *rationale;
	const struct kj_evidence_new *evidence;	/* at least one */
	size_t nevidence;
};

/* Writes a proposal in draft. On success uuid_out holds its public id. */
kj_err kj_proposal_create(struct kj_ctx *ctx, const struct kj_proposal_new *in, char uuid_out[37]);

/* Moves a proposal to submitted, accepted, rejected or adopted; edition names the edition
 * that carries it (adopted only), note the centre's reason (accepted, rejected; may be
 * NULL). */
kj_err kj_proposal_set_status(struct kj_ctx *ctx, const char *code, const char *status, const char *edition,
			      const char *note);

/* One proposal: {id, code, org, edition, kind, item, text_ja, text_en, rationale, status,
 * decision_note, decided_by, decided_at, adopted_edition, created_by, created_at, evidence:
 * [{kind, ref, item, engagement, fiscal_year, rate, note}]}. */
kj_err kj_proposal_get(struct kj_ctx *ctx, const char *code, json_t **out);

/* The proposals the principal sees, by code after after (NULL: from the start), at most
 * limit (0: all), narrowed by status and edition (NULL: any); *more_out (may be NULL) says
 * whether more follow. A JSON array of the list's rows (kj_proposal_get without texts and
 * evidence, with nevidence). */
kj_err kj_proposal_list(struct kj_ctx *ctx, const char *status, const char *edition, const char *after, int limit,
			json_t **out, int *more_out);

/* ---- Publishing an edition ------------------------------------------------------------- */

/* Publishes edition (a code) today with revise_by (YYYY-MM-DD, not before today): stores
 * its impact on every organisation and notifies each one touched. *summary_out (may be
 * NULL) gets {edition, supersedes, published_on, revise_by, organisations, rows}. */
kj_err kj_edition_publish(struct kj_ctx *ctx, const char *edition, const char *revise_by, json_t **summary_out);

/* The impact of a published edition on the organisations the principal sees: {edition,
 * supersedes, published_on, revise_by, organisations: [{org, kind, name_ja, name_en, rows,
 * policy_clauses, campaign_items, plan_findings, acknowledged_at, acknowledged_by,
 * revised, revised_on, status: pending|acknowledged|revised, overdue}]}. With org (a
 * code) only that organisation, with its rows as "items": [{what, ref, detail, old,
 * new: [...], change}]. */
kj_err kj_edition_impact(struct kj_ctx *ctx, const char *edition, const char *org, json_t **out);

/* The organisation's acknowledgement of the publication, by its administrator. */
kj_err kj_edition_impact_ack(struct kj_ctx *ctx, const char *edition, const char *org);

/* ---- Emergency directives -------------------------------------------------------------- */

struct kj_directive_new {
	const char *code;	/* [A-Za-z0-9._-], unique */
	const char *title_ja, *title_en, *text_ja, *text_en;
	const char *due_on;	/* YYYY-MM-DD, on or after today (the day it is issued) */
	const char *const *orgs;	/* the targets by code (ministries, agencies, corporations); or */
	size_t norgs;
	const char *const *kinds;	/* every organisation in existence of these kinds */
	size_t nkinds;		/* (ministry, agency, corporation); exactly one of the two */
};

/* Issues a directive today and notifies every target. *ntargets_out (may be NULL) is how
 * many organisations it goes to. */
kj_err kj_directive_issue(struct kj_ctx *ctx, const struct kj_directive_new *in, char uuid_out[37], size_t *ntargets_out);

/* Closes or withdraws an issued directive (the centre's administrator). */
kj_err kj_directive_set_status(struct kj_ctx *ctx, const char *code, const char *status);

/* A target organisation's acknowledgement, then its completion (with an optional note), by
 * its administrator. */
kj_err kj_directive_ack(struct kj_ctx *ctx, const char *code, const char *org);
kj_err kj_directive_complete(struct kj_ctx *ctx, const char *code, const char *org, const char *note);

/* One directive with the targets the principal sees: {id, code, title_ja, title_en,
 * text_ja, text_en, issued_on, due_on, status, created_by, targets: [{org, acknowledged_at,
 * acknowledged_by, completed_at, completed_by, note, overdue}], counts: {targets,
 * acknowledged, completed}}. Absent unless the principal is the centre's or sees a target. */
kj_err kj_directive_get(struct kj_ctx *ctx, const char *code, json_t **out);

/* The directives the principal sees, by code, paged as kj_proposal_list: rows without
 * texts and targets, with the counts over the targets it sees. */
kj_err kj_directive_list(struct kj_ctx *ctx, const char *after, int limit, json_t **out, int *more_out);

/* Overdue targets (not completed, past due, of issued directives) the principal sees; org
 * (a code; NULL: all) narrows to that organisation's subtree. Oldest due first: [{directive,
 * org, title_ja, title_en, due_on, acknowledged_at}]. */
kj_err kj_directive_overdue(struct kj_ctx *ctx, const char *org, json_t **out);

#endif
