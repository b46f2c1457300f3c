/*
 * notify.h: notifications to accounts. Something that must be known at once (an urgent
 * audit finding) leaves one row per recipient, in the same transaction as the change that
 * caused it; each account reads and marks only its own. A notification says what happened
 * in a title and a short text, so a recipient who may not read the record yet (an audited
 * CISO before sign-off) still learns what to act on.
 */
#ifndef KJ_NOTIFY_H
#define KJ_NOTIFY_H

#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"

struct kj_notice {
	const char *kind;	/* urgent_finding, ... */
	const char *entity;	/* audit_finding, ... */
	const char *entity_id;	/* its public id */
	int64_t org_id;		/* the organisation it concerns (0: none) */
	const char *title, *body;
};

/* Leaves the notice for the enabled accounts of org_id with the role org_admin (the
 * organisation's CISO and administrators) and for the centre's administrators. Call inside
 * the transaction of the change; *n_out (may be NULL) is how many were left. */
kj_err kj_notify_org_and_centre(struct kj_ctx *ctx, const struct kj_notice *n, int64_t *n_out);

/* Leaves the notice for the enabled org_admin accounts of org_id only, as above (for
 * notices that go to many organisations at once, which would flood the centre). */
kj_err kj_notify_org(struct kj_ctx *ctx, const struct kj_notice *n, int64_t *n_out);

/* The principal's own notifications, newest first: unread only when unread_only; at most
 * limit (1..1000) with ids below before (a cursor; 0: from the newest). A JSON array of
 * {id, kind, entity, entity_id, org, title, body, created_at, read_at}; *next_out is the
 * cursor of the next page, 0 when there is none. */
kj_err kj_notification_list(struct kj_ctx *ctx, int unread_only, int64_t before, int limit, json_t **out,
			    int64_t *next_out);

/* Marks one of the principal's notifications read (by its public id). Someone else's, or
 * none, is "not found"; one read already stays as it was. */
kj_err kj_notification_read(struct kj_ctx *ctx, const char *id);

#endif
