/*
 * access.h: who may do what. Every model operation asks here before it reads or writes,
 * so the command line, the API and imports cannot disagree. Deny by default: a role not
 * named in a rule may not do the thing.
 *
 * Scope: a user acts within its own organisation's subtree. An organisation without a
 * parent but with a supervising ministry (an agency) counts as under that ministry, so a
 * ministry's scope holds the agencies it supervises. The centre's roles see everything.
 * An external auditor reads only the organisations (and their subtrees) of its current
 * engagements. A read-only token can do nothing but read.
 *
 * Reads of something outside the principal's scope fail with KJ_ERR_NOT_FOUND, the same
 * answer as for something that does not exist; writes to something visible but not
 * writable fail with KJ_ERR_DENIED.
 */
#ifndef KJ_ACCESS_H
#define KJ_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

enum kj_perm {
	KJ_PERM_ORG_READ,	/* org_id: the organisation */
	KJ_PERM_ORG_WRITE,	/* org_id: the parent a new or moved organisation goes under */
	KJ_PERM_ORG_CHANGE,	/* org_id: the organisation renamed, moved or abolished */
	KJ_PERM_ORG_TOP,	/* create or place top-level organisations, set supervisors */
	KJ_PERM_STANDARD_READ,
	KJ_PERM_STANDARD_WRITE,
	KJ_PERM_USER_READ,	/* org_id: the user's organisation */
	KJ_PERM_USER_WRITE,	/* org_id: the user's organisation */
	KJ_PERM_AUDITLOG_READ,	/* org_id: the record's organisation; 0: the whole log */
	KJ_PERM_ENGAGEMENT_WRITE,
	KJ_PERM_POLICY_WRITE,	/* org_id: the organisation whose policy is drafted */
	KJ_PERM_POLICY_APPROVE,	/* org_id: the organisation whose CISO approves */
	KJ_PERM_INSPECTION_MANAGE,	/* org_id: the organisation running a campaign */
	KJ_PERM_INSPECTION_READ	/* org_id: the organisation whose results are read */
};

/* The role's stable name (centre_admin, ...), or NULL for none. */
const char *kj_role_name(enum kj_role r);
/* The role named s, or KJ_ROLE_NONE. Only account roles (not the local administrator). */
enum kj_role kj_role_parse(const char *s);

/* 1 when the principal sees every organisation. */
int kj_access_sees_all(struct kj_ctx *ctx);

/* 1 when org_id is within the principal's scope. Reads the database. */
int kj_access_org_visible(struct kj_ctx *ctx, int64_t org_id);

/* KJ_OK, or KJ_ERR_NOT_FOUND / KJ_ERR_DENIED with a message (see the top of this file). */
kj_err kj_access_require(struct kj_ctx *ctx, enum kj_perm perm, int64_t org_id);

/* The organisations whose subtrees make up the principal's scope: its own organisation,
 * or its engagements' for an external auditor. *all_out is set when it sees everything
 * (roots are then not filled). At most max roots. */
kj_err kj_access_scope_roots(struct kj_ctx *ctx, int64_t *roots, size_t max, size_t *n_out,
			     int *all_out);

#endif
