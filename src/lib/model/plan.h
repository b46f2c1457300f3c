/*
 * plan.h: recommendations and improvement plans, the follow-up of audits.
 *
 * A recommendation goes from an issuer (the centre, or a ministry to an agency or
 * corporation it supervises) to an organisation, citing findings of signed-off engagements
 * that audited that organisation, with a text and a due date. Its status moves issued →
 * accepted (by the organisation's officers) → closed (by the issuer, once its plan is
 * verified); the issuer may withdraw it while issued or accepted.
 *
 * An improvement plan is the organisation's answer: for an accepted recommendation (at most
 * one plan each), or directly for findings of signed-off engagements that audited it. Its
 * reviewer is the recommendation's issuer, or for a direct plan the owner of the findings'
 * audit programme. A plan holds measures (text, an owner account of the organisation or
 * its units, a due date, open or done) and progress reports (a date, a percent, a text).
 * Its status moves draft → submitted → accepted → in_progress → done → verified, one step
 * at a time: measures are added in draft, a plan is submitted with at least one, accepted
 * and verified by the reviewer only, started, reported on and its measures done while in
 * progress, and completed when every measure is done. An open measure past its due date is
 * overdue.
 *
 * Dates are YYYY-MM-DD and in order: a recommendation is due on or after the day it is
 * issued; a plan on or after today and not after its recommendation; a measure on or after
 * today and not after its plan; a report on or after the last one and the start, and not
 * in the future.
 *
 * Who: plans, measures and reports are written by the organisation's officers: its
 * administrator (CISO), or a unit officer for their unit (and the local administrator);
 * never by the reviewer's own officers for another organisation, nor by the centre's
 * roles. The reviewer's officers (the centre's administrator; a ministry's administrator)
 * accept and verify. Reads follow scope: a recommendation or plan of an organisation out of
 * the principal's scope reads as absent (KJ_ERR_NOT_FOUND); a change that is visible but
 * not the principal's is KJ_ERR_DENIED; a change the present status forbids, including a
 * skipped step, is KJ_ERR_STATE.
 *
 * Every change is written to the audit log in the same transaction; a refused change
 * leaves nothing behind.
 */
#ifndef KJ_PLAN_H
#define KJ_PLAN_H

#include <stddef.h>

#include <jansson.h>

#include "../base/err.h"

struct kj_recommendation_new {
	const char *code;		/* [A-Za-z0-9._-], unique */
	const char *issuer;		/* the centre, or a ministry supervising org */
	const char *org;		/* the organisation it goes to */
	const char *const *findings;	/* public ids of audit findings, at least one */
	size_t nfindings;
	const char *text;
	const char *due_on;		/* YYYY-MM-DD, on or after today */
	const char *authority;		/* "issuer" (NULL: the same) or "council": the council's
					 * recommendation, issued through the centre (the centre only) */
};

/* Issues a recommendation. On success uuid_out holds its public id. */
kj_err kj_recommendation_create(struct kj_ctx *ctx, const struct kj_recommendation_new *in, char uuid_out[37]);

/* Moves a recommendation to accepted, closed or withdrawn (see the top of this file). */
kj_err kj_recommendation_set_status(struct kj_ctx *ctx, const char *code, const char *status);

/* Recommendations the principal may see, by code; org and issuer (codes; NULL: any) narrow
 * the list. Paged as kj_audit_programme_list. A JSON array of {id, code, issuer, org, text,
 * issued_on, due_on, status, authority (issuer or council), findings (public ids), plan (its
 * code or null)}. */
kj_err kj_recommendation_list(struct kj_ctx *ctx, const char *org, const char *issuer, const char *after, int limit,
			      json_t **out, int *more_out);

struct kj_plan_new {
	const char *code;		/* [A-Za-z0-9._-], unique */
	const char *recommendation;	/* its code; NULL for a plan directly for findings */
	const char *org;		/* the organisation; NULL with a recommendation (its org) */
	const char *const *findings;	/* public ids; at least one without a recommendation;
					 * none with one takes the recommendation's */
	size_t nfindings;
	const char *text;
	const char *due_on;		/* YYYY-MM-DD */
};

/* Creates a plan in draft. On success uuid_out holds its public id. */
kj_err kj_plan_create(struct kj_ctx *ctx, const struct kj_plan_new *in, char uuid_out[37]);

/* Adds a measure to a draft plan; owner is an account name. *n_out (may be NULL) is its
 * number within the plan. */
kj_err kj_plan_measure_add(struct kj_ctx *ctx, const char *plan, const char *text, const char *owner, const char *due_on,
			   int *n_out);

/* Marks measure n of a plan in progress done, today. */
kj_err kj_plan_measure_done(struct kj_ctx *ctx, const char *plan, int n);

/* The steps: draft → submitted (needs a measure), → accepted (the reviewer), →
 * in_progress, → done (needs every measure done), → verified (the reviewer). */
kj_err kj_plan_submit(struct kj_ctx *ctx, const char *plan);
kj_err kj_plan_accept(struct kj_ctx *ctx, const char *plan);
kj_err kj_plan_start(struct kj_ctx *ctx, const char *plan);
kj_err kj_plan_complete(struct kj_ctx *ctx, const char *plan);
kj_err kj_plan_verify(struct kj_ctx *ctx, const char *plan);

/* The reviewer sends a plan back a step, saying why (reason, required): a submitted plan
 * to draft, to be revised and submitted again; a done plan to in_progress, when
 * verification finds the measures did not do what they should. The organisation's
 * administrators are notified (kind plan_returned). status_out (may be NULL) receives the
 * new status. */
kj_err kj_plan_send_back(struct kj_ctx *ctx, const char *plan, const char *reason, char status_out[16]);

/* Adds a progress report to a plan in progress: its date (YYYY-MM-DD), percent (0 to
 * 100) and text. */
kj_err kj_plan_report_add(struct kj_ctx *ctx, const char *plan, const char *reported_on, int percent, const char *text);

/* The plan as JSON: {id, code, org, recommendation, reviewer, text, due_on, status,
 * created_by, created_at, submitted_at, accepted_by, accepted_at, started_at, done_at,
 * verified_by, verified_at, version, findings, measures: [{n, text, owner, due_on, status,
 * done_on, overdue}], reports: [{reported_on, percent, text, by}]}. */
kj_err kj_plan_get(struct kj_ctx *ctx, const char *plan, json_t **out);

/* Plans the principal may read (exactly those kj_plan_get returns), by code; org, status
 * and reviewer (codes or a status name; NULL: any) narrow the list to plans of that
 * organisation, in that status, reviewed by that organisation. Paged as
 * kj_recommendation_list: after the code after (NULL: from the first), at most limit (0:
 * all), *more_out (may be NULL) set when more follow. A JSON array of {id, code, org,
 * recommendation, reviewer, text, due_on, status, version, measures (their count), open
 * (measures not done), overdue (open measures past their due date)}. */
kj_err kj_plan_list(struct kj_ctx *ctx, const char *org, const char *status, const char *reviewer, const char *after,
		    int limit, json_t **out, int *more_out);

/* Overdue measures (open, due before today) of plans the principal may see, leaving out
 * plans of withdrawn recommendations; org (a code; NULL: every organisation in scope)
 * narrows to that organisation and its subtree. Oldest due first, as a JSON array of
 * {plan, org, recommendation, reviewer, n, text, owner, due_on, plan_status}. */
kj_err kj_plan_overdue_list(struct kj_ctx *ctx, const char *org, json_t **out);

#endif
