/*
 * access.c: the one place that decides access (access.h).
 */
#include "access.h"

#include <string.h>

#include "../base/limits.h"
#include "../base/util.h"
#include "../db/db.h"

static const char *const role_names[] = {
	[KJ_ROLE_CENTRE_ADMIN] = "centre_admin",
	[KJ_ROLE_CENTRE_ANALYST] = "centre_analyst",
	[KJ_ROLE_ORG_ADMIN] = "org_admin",
	[KJ_ROLE_UNIT_OFFICER] = "unit_officer",
	[KJ_ROLE_STAFF] = "staff",
	[KJ_ROLE_EXTERNAL_AUDITOR] = "external_auditor",
};

const char *
kj_role_name(enum kj_role r)
{
	if (r == KJ_ROLE_LOCAL_ADMIN)
		return "local_admin";
	if ((unsigned)r < sizeof(role_names) / sizeof(role_names[0]))
		return role_names[r];
	return NULL;
}

enum kj_role
kj_role_parse(const char *s)
{
	size_t i;

	if (s == NULL)
		return KJ_ROLE_NONE;
	for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
		if (role_names[i] != NULL && strcmp(role_names[i], s) == 0)
			return (enum kj_role)i;
	}
	return KJ_ROLE_NONE;
}

int
kj_access_sees_all(struct kj_ctx *ctx)
{
	return ctx->who.role == KJ_ROLE_LOCAL_ADMIN || ctx->who.role == KJ_ROLE_CENTRE_ADMIN ||
	       ctx->who.role == KJ_ROLE_CENTRE_ANALYST;
}

kj_err
kj_access_scope_roots(struct kj_ctx *ctx, int64_t *roots, size_t max, size_t *n_out, int *all_out)
{
	struct kj_stmt *st = NULL;
	char today[11];
	size_t n = 0;
	int row;
	kj_err r = KJ_OK;

	*all_out = kj_access_sees_all(ctx);
	*n_out = 0;
	if (*all_out || ctx->who.role == KJ_ROLE_NONE)
		return KJ_OK;
	if (ctx->who.role != KJ_ROLE_EXTERNAL_AUDITOR) {
		if (max > 0 && ctx->who.org_id != 0)
			roots[n++] = ctx->who.org_id;
		*n_out = n;
		return KJ_OK;
	}
	kj_date_format(kj_now(ctx), today);
	r = kj_db_prepare(ctx, "SELECT org_id FROM engagement WHERE user_id = ? AND valid_from <= ? "
			       "AND valid_to >= ? ORDER BY id", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_int(ctx, st, 1, ctx->who.user_id)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 2, today)) == KJ_OK &&
	    (r = kj_stmt_bind_text(ctx, st, 3, today)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row && n < max)
			roots[n++] = kj_stmt_int(st, 0);
	}
	kj_stmt_free(st);
	*n_out = n;
	return r;
}

/* 1 when root is org_id or above it (by parent, else by supervisor). */
static int
under(struct kj_ctx *ctx, struct kj_stmt *st, int64_t root, int64_t org_id)
{
	int64_t a = org_id;
	int depth, row;

	for (depth = 0; a != 0 && depth <= 2 * KJ_MAX_ORG_DEPTH; depth++) {
		if (a == root)
			return 1;
		kj_stmt_reset(st);
		if (kj_stmt_bind_int(ctx, st, 1, a) != KJ_OK || kj_stmt_step(ctx, st, &row) != KJ_OK || !row)
			return 0;
		a = !kj_stmt_is_null(st, 0) ? kj_stmt_int(st, 0) : kj_stmt_int(st, 1);
	}
	return 0;
}

int
kj_access_org_visible(struct kj_ctx *ctx, int64_t org_id)
{
	int64_t roots[64];
	struct kj_stmt *st = NULL;
	size_t n = 0, i;
	int all = 0, yes = 0;

	if (kj_access_scope_roots(ctx, roots, 64, &n, &all) != KJ_OK)
		return 0;
	if (all)
		return 1;
	if (n == 0 || kj_db_prepare(ctx, "SELECT parent_id, supervisor_id FROM org WHERE id = ?", &st) != KJ_OK)
		return 0;
	for (i = 0; i < n && !yes; i++)
		yes = under(ctx, st, roots[i], org_id);
	kj_stmt_free(st);
	return yes;
}

/* 1 when a change to something of org_id must answer as if it were absent: it is out
 * of scope. For accounts the principal's own organisation counts as in scope, since its
 * own account never reads as absent to it (an external auditor's organisation lies
 * outside its engagements). This only chooses 404 over 403; it never allows anything. */
static int
out_of_scope(struct kj_ctx *ctx, enum kj_perm perm, int64_t org_id)
{
	switch (perm) {
	case KJ_PERM_ORG_WRITE:
	case KJ_PERM_USER_WRITE:
		return org_id != 0 && org_id != ctx->who.org_id && !kj_access_org_visible(ctx, org_id);
	case KJ_PERM_ORG_CHANGE:
	case KJ_PERM_POLICY_WRITE:
	case KJ_PERM_POLICY_APPROVE:
	case KJ_PERM_INSPECTION_MANAGE:
		return !kj_access_org_visible(ctx, org_id);
	default:
		return 0;
	}
}

static kj_err
denied(struct kj_ctx *ctx)
{
	return kj_failf(ctx, KJ_ERR_DENIED, "not allowed");
}

static kj_err
hidden(struct kj_ctx *ctx)
{
	return kj_failf(ctx, KJ_ERR_NOT_FOUND, "not found");
}

kj_err
kj_access_require(struct kj_ctx *ctx, enum kj_perm perm, int64_t org_id)
{
	enum kj_role role = ctx->who.role;
	int write = perm == KJ_PERM_POLICY_WRITE || perm == KJ_PERM_POLICY_APPROVE ||
		    perm == KJ_PERM_INSPECTION_MANAGE || perm == KJ_PERM_ORG_WRITE || perm == KJ_PERM_ORG_CHANGE || perm == KJ_PERM_ORG_TOP || perm == KJ_PERM_STANDARD_WRITE ||
		    perm == KJ_PERM_USER_WRITE || perm == KJ_PERM_ENGAGEMENT_WRITE;

	if (role == KJ_ROLE_LOCAL_ADMIN)
		return KJ_OK;
	if (role == KJ_ROLE_NONE)
		return kj_failf(ctx, KJ_ERR_AUTH, "not logged in");
	if (write && ctx->who.read_only) {
		/* Out of scope still reads as absent: a read-only token must not learn what
		 * exists by trying to change it. */
		if (out_of_scope(ctx, perm, org_id))
			return hidden(ctx);
		return kj_failf(ctx, KJ_ERR_DENIED, "not allowed with a read-only token");
	}

	switch (perm) {
	case KJ_PERM_STANDARD_READ:
		return KJ_OK;	/* the standard is public within the government */
	case KJ_PERM_STANDARD_WRITE:
	case KJ_PERM_ORG_TOP:
	case KJ_PERM_ENGAGEMENT_WRITE:
		return role == KJ_ROLE_CENTRE_ADMIN ? KJ_OK : denied(ctx);
	case KJ_PERM_ORG_READ:
	case KJ_PERM_USER_READ:
		if (org_id == 0)
			return KJ_OK;	/* a listing: filtered by scope by the caller */
		return kj_access_org_visible(ctx, org_id) ? KJ_OK : hidden(ctx);
	case KJ_PERM_ORG_CHANGE:
		/* An organisation's administrator shapes what is below it, not the
		 * organisation itself: its name and place are the centre's to change. */
		if (role == KJ_ROLE_CENTRE_ADMIN)
			return KJ_OK;
		if (!kj_access_org_visible(ctx, org_id))
			return hidden(ctx);
		return role == KJ_ROLE_ORG_ADMIN && org_id != ctx->who.org_id ? KJ_OK : denied(ctx);
	case KJ_PERM_ORG_WRITE:
	case KJ_PERM_USER_WRITE:
		if (role == KJ_ROLE_CENTRE_ADMIN)
			return KJ_OK;
		if (out_of_scope(ctx, perm, org_id))
			return hidden(ctx);
		return role == KJ_ROLE_ORG_ADMIN ? KJ_OK : denied(ctx);
	case KJ_PERM_POLICY_WRITE:
	case KJ_PERM_INSPECTION_MANAGE:
		/* The organisation's CISO and unit officers draft policies and run
		 * inspections within their scope; the centre may act for anyone. */
		if (role == KJ_ROLE_CENTRE_ADMIN)
			return KJ_OK;
		if (!kj_access_org_visible(ctx, org_id))
			return hidden(ctx);
		return role == KJ_ROLE_ORG_ADMIN || role == KJ_ROLE_UNIT_OFFICER ? KJ_OK : denied(ctx);
	case KJ_PERM_POLICY_APPROVE:
		/* Only the organisation's own CISO approves its policy. */
		if (!kj_access_org_visible(ctx, org_id))
			return hidden(ctx);
		return role == KJ_ROLE_ORG_ADMIN && ctx->who.org_id == org_id ? KJ_OK : denied(ctx);
	case KJ_PERM_INSPECTION_READ:
		/* Scope first: out of it, results read as absent to staff too, or the 403
		 * would tell them what exists elsewhere. */
		if (!kj_access_org_visible(ctx, org_id))
			return hidden(ctx);
		return role == KJ_ROLE_STAFF ? denied(ctx) : KJ_OK;	/* staff see their own checklists only */
	case KJ_PERM_AUDITLOG_READ:
		if (role == KJ_ROLE_CENTRE_ADMIN || role == KJ_ROLE_CENTRE_ANALYST)
			return KJ_OK;
		if (role != KJ_ROLE_ORG_ADMIN && role != KJ_ROLE_EXTERNAL_AUDITOR)
			return denied(ctx);
		if (org_id == 0)
			return KJ_OK;	/* a listing: filtered by scope by the caller */
		return kj_access_org_visible(ctx, org_id) ? KJ_OK : hidden(ctx);
	}
	return denied(ctx);
}
