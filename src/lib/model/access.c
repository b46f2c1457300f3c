/*
 * access.c: the one place that decides access (access.h).
 */
#include "access.h"

int
kj_access_may(struct kj_ctx *ctx, enum kj_perm perm, int64_t org_id)
{
	(void)org_id;
	switch (ctx->who.role) {
	case KJ_ROLE_LOCAL_ADMIN:
	case KJ_ROLE_CENTRE_ADMIN:
		return 1;
	case KJ_ROLE_CENTRE_ANALYST:
		return perm == KJ_PERM_ORG_READ || perm == KJ_PERM_STANDARD_READ ||
		       perm == KJ_PERM_AUDITLOG_READ;
	case KJ_ROLE_ORG_ADMIN:
	case KJ_ROLE_UNIT_OFFICER:
	case KJ_ROLE_STAFF:
	case KJ_ROLE_EXTERNAL_AUDITOR:
		/* The standard is public within the government. */
		return perm == KJ_PERM_STANDARD_READ;
	case KJ_ROLE_NONE:
		break;
	}
	return 0;
}

kj_err
kj_access_require(struct kj_ctx *ctx, enum kj_perm perm, int64_t org_id)
{
	if (kj_access_may(ctx, perm, org_id))
		return KJ_OK;
	return kj_failf(ctx, KJ_ERR_DENIED, "not allowed");
}
