/*
 * scale.h: a national-scale data set, generated: an evaluation's worth of years for a
 * government of about a thousand organisations, for benchmarks and for a demo at full size.
 *
 * What it builds in an empty database (defaults in brackets):
 *   - two editions of a generated standard (one if there is one year) with nrequirements
 *     requirements [400] in 8 parts, in Japanese and English;
 *   - the centre (NCO), nministries ministries [25] with 4 bureaus each, and agencies and
 *     corporations supervised by the ministries, so that norgs organisations [1,000] are
 *     evaluated (ministries + agencies + corporations; the centre and bureaus come on top);
 *   - accounts: two centre accounts that can log in (centre-admin, analyst, passwords made
 *     now and returned), and without passwords 20 centre auditors and every organisation's
 *     CISO, unit officers and staff;
 *   - nyears fiscal years [10] ending with last_fy [the current one]: per year a
 *     government-wide campaign of every requirement mandated to every evaluated
 *     organisation, the checklists of its CISO, officers and staff (submitted or not), and
 *     the roll-up counters the answers make (the answers themselves only with answers set);
 *     the centre's management audits and penetration tests and the ministries' internal
 *     audits, signed off in past years and under way in the current one, with findings of
 *     every category and severity; recommendations and improvement plans (with measures and
 *     progress reports) in every state; each organisation's policy, revised now and then.
 *
 * Every organisation has a quality that drifts from year to year, and requirements differ
 * in difficulty, so scores, trends and weak requirements spread as they would. The same
 * seed gives the same data (uuids included); only the two passwords and the audit-log
 * times differ.
 *
 * Rows are written with the db layer's bulk loader, except organisations, editions and the
 * two log-in accounts, which go through the model. The roll-up counters are written
 * directly: they are exactly what the answers (written or not) add up to. One transaction:
 * nothing stays of a failed run.
 */
#ifndef KJ_SCALE_H
#define KJ_SCALE_H

#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"

struct kj_scale_opts {
	int norgs;		/* evaluated organisations; 0: 1,000 (at least nministries) */
	int nministries;	/* 0: 25 (1..60) */
	int nrequirements;	/* 0: 400 (8..2,000) */
	int nyears;		/* 0: 10 (1..30) */
	int last_fy;		/* 0: the fiscal year of today */
	uint64_t seed;		/* 0: a fixed default */
	int answers;		/* also write every answer (about 6 million at the defaults) */
};

/* What was made. */
struct kj_scale_counts {
	int64_t orgs, evaluated, editions, requirements, users, campaigns, campaign_items,
		checklists, answers, rollup_rows, engagements, findings, recommendations, plans,
		measures, policy_versions, clause_mappings;
	int first_fy, last_fy;
};

/* Generates the data set into the database of ctx, which must hold no organisation and no
 * edition (KJ_ERR_STATE otherwise), as the local administrator whatever ctx->who is.
 * counts_out (may be NULL) gets what was made; *accounts_out (may be NULL) gets
 * [{name, role, org, password}] of the accounts that can log in (the caller owns it and
 * should wipe the passwords after showing them once). Progress goes to ctx->progress. */
kj_err kj_scale_generate(struct kj_ctx *ctx, const struct kj_scale_opts *opts,
			 struct kj_scale_counts *counts_out, json_t **accounts_out);

#endif
