/*
 * policy.h: each organisation's own policy documents (its security standard, operating
 * rules, procedures) as versioned clauses mapped to the requirements of an edition of the
 * unified standard, with the workflow draft → approved (by the organisation's CISO, never
 * by the author) → in force → superseded.
 */
#ifndef KJ_POLICY_H
#define KJ_POLICY_H

#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"

/* Creates a policy document of an organisation. kind: standard, rules or procedure. */
kj_err kj_policy_doc_create(struct kj_ctx *ctx, const char *org, const char *code, const char *kind,
			    const char *title_ja, const char *title_en, char uuid_out[37]);

/* Adds a draft version from JSON: {"edition": CODE, "clauses": [{"number", "title",
 * "text_ja", "text_en", "mappings": [{"requirement", "status", "justification"}]}]}.
 * Each mapping names a requirement of that edition; status is adopted, stricter,
 * alternative (justification required) or not_applicable (justification required).
 * name names the source in messages. *version_no_out gets the new version's number. */
kj_err kj_policy_version_add(struct kj_ctx *ctx, const char *org, const char *doc, const char *name,
			     json_t *content, int *version_no_out);

/* Moves a version on: "approve" (draft → approved, by the organisation's CISO, who must not
 * be its author), "enforce" (approved → in force from date; the version in force before is
 * superseded). */
kj_err kj_policy_transition(struct kj_ctx *ctx, const char *org, const char *doc, int version_no,
			    const char *action, const char *date);

/* The documents of an organisation with their versions, as JSON. */
kj_err kj_policy_list(struct kj_ctx *ctx, const char *org, json_t **out);
/* One version with its clauses and mappings, as JSON. */
kj_err kj_policy_get(struct kj_ctx *ctx, const char *org, const char *doc, int version_no, json_t **out);

/* The policy review of an organisation against an edition (NULL: the newest edition its
 * policies answer, compared with the newest edition of the standard): requirements that
 * apply to it and no clause in force covers; mappings to requirements a newer edition
 * changed, renumbered, split, merged or removed; alternatives and exclusions without a
 * reason. As JSON. */
kj_err kj_policy_review(struct kj_ctx *ctx, const char *org, const char *edition, json_t **out);

/* The same counts for every organisation in the principal's scope, as a table. */
kj_err kj_policy_review_all(struct kj_ctx *ctx, const char *edition, json_t **out);

#endif
