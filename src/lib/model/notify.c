/*
 * notify.c: notifications (notify.h). Owns the table notification.
 */
#include "notify.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../base/util.h"
#include "../db/db.h"
#include "auditlog.h"

/* Leaves n for the organisation's administrators, and the centre's when centre_too. */
static kj_err
notify_admins(struct kj_ctx *ctx, const struct kj_notice *n, int centre_too, int64_t *n_out)
{
	struct kj_stmt *who = NULL, *ins = NULL;
	char now[21], uuid[37];
	int64_t count = 0;
	int row;
	kj_err r;

	kj_time_format(kj_now(ctx), now);
	/* The recipients: the organisation's administrators and the centre's. */
	r = kj_db_prepare(ctx, "SELECT u.id FROM app_user u JOIN org o ON o.id = u.org_id WHERE u.disabled = 0 AND "
			       "((u.org_id = ? AND u.role = 'org_admin') OR (? = 1 AND o.kind = 'centre' AND u.role = 'centre_admin')) "
			       "ORDER BY u.id", &who);
	if (r == KJ_OK)
		r = kj_db_prepare(ctx, "INSERT INTO notification (uuid, user_id, kind, entity, entity_id, org_id, title, body, "
				       "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, who, 1, n->org_id)) == KJ_OK)
		r = kj_stmt_bind_int(ctx, who, 2, centre_too ? 1 : 0);
	while (r == KJ_OK && (r = kj_stmt_step(ctx, who, &row)) == KJ_OK && row) {
		kj_uuid_v4(uuid);
		kj_stmt_reset(ins);
		if ((r = kj_stmt_bind_text(ctx, ins, 1, uuid)) == KJ_OK &&
		    (r = kj_stmt_bind_int(ctx, ins, 2, kj_stmt_int(who, 0))) == KJ_OK &&
		    (r = kj_stmt_bind_text(ctx, ins, 3, n->kind)) == KJ_OK && (r = kj_stmt_bind_text(ctx, ins, 4, n->entity)) == KJ_OK &&
		    (r = kj_stmt_bind_text(ctx, ins, 5, n->entity_id)) == KJ_OK &&
		    (r = n->org_id ? kj_stmt_bind_int(ctx, ins, 6, n->org_id) : kj_stmt_bind_null(ctx, ins, 6)) == KJ_OK &&
		    (r = kj_stmt_bind_text(ctx, ins, 7, n->title)) == KJ_OK && (r = kj_stmt_bind_text(ctx, ins, 8, n->body)) == KJ_OK &&
		    (r = kj_stmt_bind_text(ctx, ins, 9, now)) == KJ_OK && (r = kj_stmt_run(ctx, ins)) == KJ_OK)
			count++;
	}
	kj_stmt_free(ins);
	kj_stmt_free(who);
	if (r == KJ_OK && n_out != NULL)
		*n_out = count;
	return r;
}

kj_err
kj_notify_org_and_centre(struct kj_ctx *ctx, const struct kj_notice *n, int64_t *n_out)
{
	return notify_admins(ctx, n, 1, n_out);
}

kj_err
kj_notify_org(struct kj_ctx *ctx, const struct kj_notice *n, int64_t *n_out)
{
	return notify_admins(ctx, n, 0, n_out);
}

kj_err
kj_notification_list(struct kj_ctx *ctx, int unread_only, int64_t before, int limit, json_t **out, int64_t *next_out)
{
	struct kj_stmt *st = NULL;
	json_t *a = json_array();
	int row, n = 0;
	kj_err r;

	*next_out = 0;
	if (ctx->who.user_id == 0) {
		json_decref(a);
		return kj_failf(ctx, KJ_ERR_INVALID, "notifications belong to accounts; act as one");
	}
	/* One row more than the page shows whether another page follows. */
	r = kj_db_prepare(ctx, "SELECT n.id, n.uuid, n.kind, n.entity, n.entity_id, o.code, n.title, n.body, n.created_at, "
			       "n.read_at FROM notification n LEFT JOIN org o ON o.id = n.org_id WHERE n.user_id = ? "
			       "AND (? = 0 OR n.read_at IS NULL) AND (? = 0 OR n.id < ?) ORDER BY n.id DESC LIMIT ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, ctx->who.user_id)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 2, unread_only ? 1 : 0)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 3, before)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 4, before)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 5, (int64_t)limit + 1)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (n == limit) {
				*next_out = kj_stmt_int(st, 0) + 1;
				break;
			}
			json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s?}", "id",
							   kj_stmt_text(st, 1), "kind", kj_stmt_text(st, 2), "entity",
							   kj_stmt_text(st, 3), "entity_id", kj_stmt_text(st, 4), "org",
							   kj_stmt_text(st, 5), "title", kj_stmt_text(st, 6), "body",
							   kj_stmt_text(st, 7), "created_at", kj_stmt_text(st, 8), "read_at",
							   kj_stmt_text(st, 9)));
			n++;
		}
	}
	kj_stmt_free(st);
	if (r != KJ_OK) {
		json_decref(a);
		return r;
	}
	*out = a;
	return KJ_OK;
}

kj_err
kj_notification_read(struct kj_ctx *ctx, const char *id)
{
	struct kj_stmt *st = NULL;
	char now[21];
	int row, unread = 1;
	kj_err r;

	if (id == NULL || strlen(id) != 36)
		return kj_failf(ctx, KJ_ERR_NOT_FOUND, "no notification \"%.64s\"", id ? id : "");
	if (ctx->who.read_only)
		return kj_failf(ctx, KJ_ERR_DENIED, "not allowed with a read-only token");
	r = kj_db_prepare(ctx, "SELECT read_at FROM notification WHERE uuid = ? AND user_id = ?", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, id)) == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 2, ctx->who.user_id)) == KJ_OK &&
	    (r = kj_stmt_step(ctx, st, &row)) == KJ_OK) {
		if (!row)
			r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "no notification \"%.64s\"", id);
		else if (kj_stmt_text(st, 0) != NULL)
			unread = 0;
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK || !unread)
		return r;
	/* That an account saw an urgent matter, and when, belongs in the log too. */
	kj_time_format(kj_now(ctx), now);
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	r = kj_db_prepare(ctx, "UPDATE notification SET read_at = ? WHERE uuid = ? AND user_id = ? AND read_at IS NULL", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 1, now)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, id)) == KJ_OK &&
	    (r = kj_stmt_bind_int(ctx, st, 3, ctx->who.user_id)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	if (r == KJ_OK) {
		char state[64];

		snprintf(state, sizeof(state), "{\"read_at\":\"%s\"}", now);
		r = kj_auditlog_append(ctx, "notification", id, 0, "notification.read", state);
	}
	return kj_tx_end(ctx, r);
}
