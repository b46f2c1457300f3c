/*
 * audit.h: audits of organisations against the standard. A programme belongs to a fiscal
 * year (April to March) and an owner: the centre (management audits, penetration tests,
 * audits it has external firms do) or an organisation (its internal audit, audits by
 * external firms it engages). A programme holds engagements: one audited organisation, the
 * criteria (an edition of the standard and the organisation's policy), a team with one lead
 * auditor, a scope of requirements (and optionally units), dates within the fiscal year,
 * and a status that moves draft → fieldwork → reporting → signed_off one step at a time.
 * Findings name a requirement in scope, with a category (finding, advice, good_practice), a
 * severity and an urgent flag.
 *
 * Independence: nobody is on the team of an engagement that audits the organisation they
 * belong to, or an organisation above their unit (its subtree holds them; an agency counts
 * as under its supervising ministry, as everywhere in access.h).
 *
 * Who: the centre's administrator plans the centre's programmes (KJ_PERM_ENGAGEMENT_WRITE);
 * an organisation's administrator (CISO) its own (KJ_PERM_INSPECTION_MANAGE, not unit
 * officers). Planners add engagements, members and scope and move the status; the team
 * writes findings; only the lead auditor signs off. An engagement is visible to its
 * planners, its team, the centre's roles, and, once signed off, to the audited
 * organisation's officers; to anyone else it reads as absent.
 *
 * Every change is written to the audit log in the same transaction; a refused change
 * leaves nothing behind.
 */
#ifndef KJ_AUDIT_H
#define KJ_AUDIT_H

#include <stddef.h>

#include <jansson.h>

#include "../base/err.h"

struct kj_audit_programme_new {
	const char *code;		/* [A-Za-z0-9._-], unique */
	const char *org;		/* the owner: the centre, or a ministry, agency or corporation */
	int fiscal_year;		/* the year of its April */
	const char *kind;		/* management_audit, penetration_test (the centre's only),
					 * internal_audit (an organisation's only), external_firm */
	const char *title_ja, *title_en;
};

/* Creates a programme. On success uuid_out holds its public id. */
kj_err kj_audit_programme_create(struct kj_ctx *ctx, const struct kj_audit_programme_new *in, char uuid_out[37]);

struct kj_audit_engagement_new {
	const char *code;		/* [A-Za-z0-9._-], unique */
	const char *programme;		/* the programme's code */
	const char *org;		/* the audited organisation; for an organisation's programme,
					 * the owner itself or one of its units or agencies */
	const char *edition;		/* criteria: the edition of the standard */
	const char *policy;		/* criteria: a policy document code of the audited organisation;
					 * NULL: its security standard (kind standard) if it has one */
	const char *title_ja, *title_en;
	const char *starts_on, *ends_on;	/* YYYY-MM-DD, in order, within the fiscal year */
};

/* Creates an engagement in draft. On success uuid_out holds its public id. */
kj_err kj_audit_engagement_create(struct kj_ctx *ctx, const struct kj_audit_engagement_new *in, char uuid_out[37]);

/* Puts an account (by name) on the team as "lead" (one per engagement) or "member". Refused
 * for an account of the audited organisation or one of its units, and after sign-off. An
 * external auditor also gets a read grant (account.h's engagement) for the audited
 * organisation over the engagement's dates: it reads what the engagement covers, while it
 * runs. */
kj_err kj_audit_member_add(struct kj_ctx *ctx, const char *engagement, const char *user, const char *role);

/* Replaces the scope: requirement numbers of the engagement's edition (at least one) and
 * units of the audited organisation (may be none). Only before reporting; refused when it
 * would leave a finding's requirement out. */
kj_err kj_audit_scope_set(struct kj_ctx *ctx, const char *engagement, const char *const *requirements,
			  size_t nrequirements, const char *const *units, size_t nunits);

struct kj_audit_finding_new {
	const char *engagement;		/* the engagement's code */
	const char *requirement;	/* a requirement number in the engagement's scope */
	const char *category;		/* finding, advice, good_practice */
	const char *severity;		/* low, medium, high, critical; required for a finding,
					 * may be NULL otherwise */
	int urgent;			/* 1: to be notified at once (findings only) */
	const char *title, *text;
};

/* Adds a finding, by a member of the team, while the engagement is in fieldwork or
 * reporting. On success uuid_out holds its public id. */
kj_err kj_audit_finding_add(struct kj_ctx *ctx, const struct kj_audit_finding_new *in, char uuid_out[37]);

/* Moves the engagement one step on: to fieldwork (needs a lead auditor and a scope), to
 * reporting, or to signed_off (as kj_audit_sign_off). Steps are never skipped nor undone.
 * By the programme's planners or the lead auditor. */
kj_err kj_audit_engagement_advance(struct kj_ctx *ctx, const char *engagement, const char *status);

/* Signs the engagement off (reporting → signed_off); only its lead auditor may. */
kj_err kj_audit_sign_off(struct kj_ctx *ctx, const char *engagement);

/* The engagement as JSON: programme, audited organisation, criteria, dates, status, team
 * and scope. */
kj_err kj_audit_engagement_get(struct kj_ctx *ctx, const char *engagement, json_t **out);

/* The findings of an engagement, oldest first, as a JSON array of {id, requirement,
 * category, severity, urgent, title, text, created_by, created_at}. */
kj_err kj_audit_finding_list(struct kj_ctx *ctx, const char *engagement, json_t **out);

/* Files a working paper under an engagement: data (len bytes; a PDF, PNG, JPEG or UTF-8
 * text file, checked by content as evidence is, media_type NULL or what the content is)
 * named name. By the team and the programme's planners, until sign-off. On success
 * uuid_out holds the paper's public id. */
kj_err kj_audit_paper_add(struct kj_ctx *ctx, const char *engagement, const char *name, const void *data, size_t len,
			  const char *media_type, char uuid_out[37]);

/* The working papers of an engagement, oldest first, as a JSON array of {id, name, sha256,
 * size, media_type, added_by, added_at}. Papers are the auditors' own: the team, the
 * planners and the centre's roles read them; anyone else who sees the engagement (the
 * audited organisation after sign-off) is refused. */
kj_err kj_audit_paper_list(struct kj_ctx *ctx, const char *engagement, json_t **out);

/* One paper's content, read under the rules of kj_audit_paper_list: *meta_out as one item
 * of that list, *data_out (malloc'ed, the caller frees) of *len_out bytes. */
kj_err kj_audit_paper_get(struct kj_ctx *ctx, const char *engagement, const char *paper, json_t **meta_out,
			  unsigned char **data_out, size_t *len_out);

/* The audit report for the audited organisation's CISO: the engagement (criteria, dates,
 * lead auditor, scope), counts of findings by category and of findings by severity, and
 * the findings grouped by category, most severe first. Whoever sees the engagement reads
 * it; at sign-off the audited organisation's administrators are notified that it is
 * ready (kind audit_report). */
kj_err kj_audit_report(struct kj_ctx *ctx, const char *engagement, json_t **out);

/* Programmes the principal may see, by code: all of them for the centre's roles; for
 * others (not external auditors) those owned by an organisation in their scope. org (a
 * code; NULL: any) and fiscal_year (0: any) narrow the list. A page: limit > 0 takes at
 * most that many with a code after `after` (NULL: from the start) and sets *more_out when
 * others follow; limit 0 takes all. A JSON array of {id, code, org, fiscal_year, kind,
 * title_ja, title_en, created_at}. */
kj_err kj_audit_programme_list(struct kj_ctx *ctx, const char *org, int fiscal_year, const char *after, int limit,
			       json_t **out, int *more_out);

/* Engagements the principal may see (exactly those kj_audit_engagement_get shows it), by
 * code; programme (a code; NULL: any) narrows the list. Paged as kj_audit_programme_list.
 * A JSON array of {id, code, programme, org, title_ja, title_en, starts_on, ends_on,
 * status, lead}. */
kj_err kj_audit_engagement_list(struct kj_ctx *ctx, const char *programme, const char *after, int limit, json_t **out,
				int *more_out);

#endif
