/*
 * kit.h: the small helpers the model's files share: typed statement binding, one-shot
 * statements, audit-log records from JSON, the checks of codes and texts every input
 * gets, and the scope question "does this organisation lie below that one".
 */
#ifndef KJ_KIT_H
#define KJ_KIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"
#include "../db/db.h"

/* The characters of a code: [A-Za-z0-9._-]. */
#define KJ_CODE_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

/* Prepares sql and binds one parameter per letter of types: 't' a const char * (NULL binds
 * NULL), 'i' an int64_t, 'n' an int64_t where 0 binds NULL, 'a' the acting account (takes no
 * argument; NULL for the command line). On failure *st is NULL. */
kj_err kj_sql(struct kj_ctx *ctx, struct kj_stmt **st, const char *sql, const char *types, ...);

/* Steps st once and frees it; *row_out (may be NULL) says whether it gave a row. */
kj_err kj_sql_once(struct kj_ctx *ctx, struct kj_stmt *st, int *row_out);

/* Appends state (a JSON object, stolen) as the new state of entity id to the audit log. */
kj_err kj_log_state(struct kj_ctx *ctx, const char *entity, const char *id, int64_t org_id, const char *op,
		    json_t *state);

/* A code: 1 to KJ_MAX_CODE_BYTES of KJ_CODE_CHARS, not beginning with '-'. */
kj_err kj_need_code(struct kj_ctx *ctx, const char *s);

/* A text field named field: required unless optional, at most max bytes, UTF-8. */
kj_err kj_need_text(struct kj_ctx *ctx, const char *field, const char *s, size_t max, int optional);

/* Changes through a read-only token are refused before anything is looked at. */
kj_err kj_refuse_read_only(struct kj_ctx *ctx);

/* 1 when org lies in the subtree of root (root itself, its units and the agencies it
 * supervises): access.h's scope, asked as if root's administrator were acting. */
int kj_org_below(struct kj_ctx *ctx, int64_t org, int64_t root);

/* Today's date by the context's clock, YYYY-MM-DD. */
void kj_today(struct kj_ctx *ctx, char out[11]);

/* Ends a read that built a: on success *out takes it, on failure it is freed. */
kj_err kj_hand_over(kj_err r, json_t *a, json_t **out);

#endif
