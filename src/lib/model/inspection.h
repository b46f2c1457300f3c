/*
 * inspection.h: self-inspection. A campaign belongs to an organisation and a fiscal year
 * (April to March); its items come from requirements of an edition; checklists give the
 * items to people by their role; answers follow the campaign's scale; results roll up over
 * items, requirements, units, organisations and roles.
 *
 * The scale is data: [{"value": "yes", "label_ja": "実施", "label_en": "Implemented",
 * "counts": "done"}, ...] where counts is done, partial, not_done or excluded. The
 * implementation rate is (done + partial / 2) / (done + partial + not_done): excluded
 * answers (not applicable) count for nothing.
 *
 * Roll-ups are counters kept up to date with every answer (the table rollup), so reading
 * them never scans the answers.
 */
#ifndef KJ_INSPECTION_H
#define KJ_INSPECTION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"

/* 1 when the principal may see a campaign of org_id: the organisation is in scope, or the
 * principal's unit lies below it and so takes part. */
int kj_campaign_visible(struct kj_ctx *ctx, int64_t org_id);

/* The default scale: implemented, partially, not implemented, not applicable. */
json_t *kj_scale_default(void);

struct kj_campaign_new {
	const char *code;		/* [A-Za-z0-9._-], unique */
	const char *org;
	const char *title_ja, *title_en;
	const char *edition;
	const char *opens_on, *due_on;	/* dates; the fiscal year is that of opens_on */
	json_t *scale;			/* NULL: the default */
	/* Which requirements become items: {"parts": [...], "chapters": [...], "numbers":
	 * [...], "level": ..., "role": ..., "low_from": CAMPAIGN, "low_below": 0.8,
	 * "findings": true}; NULL: every requirement of the edition. low_from adds the
	 * requirements whose rate in that campaign was below low_below; findings adds those
	 * named in open audit findings (signed off, not dealt with by a verified plan) about
	 * the organisation and what lies below it. */
	json_t *select;
};

kj_err kj_campaign_create(struct kj_ctx *ctx, const struct kj_campaign_new *in, size_t *nitems_out);
/* For a campaign of the centre: a child campaign with the same items for every
 * organisation of the given kinds (NULL: ministries, agencies and corporations). */
kj_err kj_campaign_mandate(struct kj_ctx *ctx, const char *code, const char *const *kinds, size_t *n_out);
/* draft → open → closed. */
kj_err kj_campaign_set_status(struct kj_ctx *ctx, const char *code, const char *status);
/* Campaigns in scope, newest fiscal year first, then by code; org and fiscal_year (0: any)
 * narrow the list. A page: limit > 0 takes at most that many after the position *after
 * (fiscal year and code of the last campaign of the page before; NULL: from the start) and
 * sets *more_out when others follow; limit 0 takes all. */
struct kj_campaign_pos {
	int fiscal_year;
	char code[65];
};
kj_err kj_campaign_list(struct kj_ctx *ctx, const char *org, int fiscal_year, const struct kj_campaign_pos *after,
			int limit, json_t **out, int *more_out);
kj_err kj_campaign_get(struct kj_ctx *ctx, const char *code, json_t **out);

/* Gives user a checklist in campaign for unit (NULL: the user's organisation) and role (a
 * role of the standard: ciso, chief_officer, unit_officer, division_officer, system_owner,
 * audit_officer, staff, csirt; NULL: from the account's role). */
kj_err kj_checklist_assign(struct kj_ctx *ctx, const char *campaign, const char *user, const char *unit,
			   const char *role, const char *due_on, char uuid_out[37]);
/* One checklist with its items and answers. */
kj_err kj_checklist_get(struct kj_ctx *ctx, const char *uuid, json_t **out);
/* The checklists the principal holds (open first). */
kj_err kj_checklist_mine(struct kj_ctx *ctx, json_t **out);
/* Answers one item (by requirement number). Only the checklist's holder answers, only
 * while it is open and the campaign is open, only values of the scale. */
kj_err kj_answer_put(struct kj_ctx *ctx, const char *checklist, const char *item, const char *value,
		     const char *comment, const char *evidence);
kj_err kj_checklist_submit(struct kj_ctx *ctx, const char *checklist);
/* An officer reopens a submitted checklist. */
kj_err kj_checklist_reopen(struct kj_ctx *ctx, const char *checklist);
/* Checklists still open after their due date, in the principal's scope. */
kj_err kj_checklist_overdue(struct kj_ctx *ctx, const char *campaign, json_t **out);
/* The checklists of a campaign in the principal's scope, of status (open, submitted; NULL:
 * both), by unit and holder: a JSON array of {checklist, campaign, user, unit, role,
 * due_on, answered, status, submitted_at}. Not for staff. */
kj_err kj_checklist_list(struct kj_ctx *ctx, const char *campaign, const char *status, json_t **out);

/* Stores an evidence file (at most KJ_MAX_EVIDENCE_BYTES; PDF, PNG, JPEG, plain text or
 * CSV, checked by content) and gives its SHA-256. */
kj_err kj_evidence_put(struct kj_ctx *ctx, const void *data, size_t len, const char *media_type,
		       char sha_out[65]);

/* An evidence file by its SHA-256 (64 lowercase hex digits): *data_out (malloc'ed, the
 * caller frees) of *len_out bytes and its media type. Readable by whoever may read a
 * checklist with an answer that names it (its holder, the officers with the unit in scope,
 * the centre); to anyone else, and for a file no answer names, it is absent. */
kj_err kj_evidence_get(struct kj_ctx *ctx, const char *sha, char media_type_out[64], unsigned char **data_out,
		       size_t *len_out);

/* Results of a campaign (and the children it mandated), by item, requirement, unit, org or
 * role, over the subtree of under (NULL: everything in scope), with the rate, the previous
 * campaign's rate for comparison, and the weakest requirements. */
kj_err kj_rollup(struct kj_ctx *ctx, const char *campaign, const char *by, const char *under, json_t **out);

/* A unit officer's analysis or the CISO's instruction on a campaign; instructions are
 * tracked to done. */
kj_err kj_note_add(struct kj_ctx *ctx, const char *campaign, const char *org, const char *kind,
		   const char *item, const char *text, const char *due_on, char uuid_out[37]);
kj_err kj_note_done(struct kj_ctx *ctx, const char *uuid);
kj_err kj_note_list(struct kj_ctx *ctx, const char *campaign, json_t **out);

/* Reads up to size bytes into buf; returns how many (0 at the end, -1 on error). */
typedef long (*kj_reader)(void *arg, char *buf, size_t size);

/* Imports answers from CSV (header: checklist,item,value,comment; UTF-8), streamed from
 * read, all or nothing. On failure *report_out (may be NULL) lists every bad row and
 * column (at most 1,000). Answers replace earlier ones; the campaign's roll-ups are brought
 * up to date once at the end. */
kj_err kj_answers_import_csv(struct kj_ctx *ctx, const char *campaign, const char *name, kj_reader read,
			     void *arg, size_t *nrows_out, json_t **report_out);

/* The answers of a campaign as CSV (the import's columns plus unit, role and requirement
 * text), written through write. */
typedef int (*kj_writer)(void *arg, const char *data, size_t len);
kj_err kj_answers_export_csv(struct kj_ctx *ctx, const char *campaign, kj_writer write, void *arg);

#endif
