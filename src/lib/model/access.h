/*
 * access.h: who may do what. Every model operation asks here before it reads or writes,
 * so the command line, the API and imports cannot disagree. Deny by default: a role not
 * named in a rule may not do the thing.
 *
 * The foundation knows two principals that may change the shared data: the local
 * administrator (the command line on the database itself) and the centre's administrator.
 * Organisation-scoped rules for the other roles come with accounts (the server).
 */
#ifndef KJ_ACCESS_H
#define KJ_ACCESS_H

#include <stdint.h>

#include "../base/err.h"

enum kj_perm {
	KJ_PERM_ORG_READ,
	KJ_PERM_ORG_WRITE,
	KJ_PERM_STANDARD_READ,
	KJ_PERM_STANDARD_WRITE,
	KJ_PERM_AUDITLOG_READ
};

/* 1 when the context's principal may use perm on org_id (0: not about one organisation). */
int kj_access_may(struct kj_ctx *ctx, enum kj_perm perm, int64_t org_id);

/* KJ_OK, or KJ_ERR_DENIED with a message. */
kj_err kj_access_require(struct kj_ctx *ctx, enum kj_perm perm, int64_t org_id);

#endif
