/*
 * kit.c: helpers shared by the model's files (see kit.h).
 */
#include "kit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../base/limits.h"
#include "../base/util.h"
#include "access.h"
#include "auditlog.h"

kj_err
kj_sql(struct kj_ctx *ctx, struct kj_stmt **st, const char *sql, const char *types, ...)
{
	va_list ap;
	int idx;
	kj_err r;

	*st = NULL;
	if ((r = kj_db_prepare(ctx, sql, st)) != KJ_OK)
		return r;
	va_start(ap, types);
	for (idx = 1; r == KJ_OK && types[idx - 1] != '\0'; idx++) {
		int64_t v;

		switch (types[idx - 1]) {
		case 't':
			r = kj_stmt_bind_text(ctx, *st, idx, va_arg(ap, const char *));
			break;
		case 'i':
			r = kj_stmt_bind_int(ctx, *st, idx, va_arg(ap, int64_t));
			break;
		case 'n':
			v = va_arg(ap, int64_t);
			r = v != 0 ? kj_stmt_bind_int(ctx, *st, idx, v) : kj_stmt_bind_null(ctx, *st, idx);
			break;
		case 'a':
			r = ctx->who.user_id != 0 ? kj_stmt_bind_int(ctx, *st, idx, ctx->who.user_id)
						  : kj_stmt_bind_null(ctx, *st, idx);
			break;
		default:
			r = kj_failf(ctx, KJ_ERR_INTERNAL, "kj_sql: unknown parameter type '%c'", types[idx - 1]);
			break;
		}
	}
	va_end(ap);
	if (r != KJ_OK) {
		kj_stmt_free(*st);
		*st = NULL;
	}
	return r;
}

kj_err
kj_sql_once(struct kj_ctx *ctx, struct kj_stmt *st, int *row_out)
{
	int row = 0;
	kj_err r = kj_stmt_step(ctx, st, &row);

	kj_stmt_free(st);
	if (row_out != NULL)
		*row_out = row;
	return r;
}

kj_err
kj_log_state(struct kj_ctx *ctx, const char *entity, const char *id, int64_t org_id, const char *op, json_t *state)
{
	char *text = state != NULL ? json_dumps(state, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	kj_err r;

	json_decref(state);
	if (text == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	r = kj_auditlog_append(ctx, entity, id, org_id, op, text);
	free(text);
	return r;
}

kj_err
kj_need_code(struct kj_ctx *ctx, const char *s)
{
	if (!kj_code_ok(s, KJ_CODE_CHARS, KJ_MAX_CODE_BYTES))
		return kj_failf(ctx, KJ_ERR_INVALID, "code: expected 1 to %d of A-Z a-z 0-9 . _ -, not beginning with -",
				KJ_MAX_CODE_BYTES);
	return KJ_OK;
}

kj_err
kj_need_text(struct kj_ctx *ctx, const char *field, const char *s, size_t max, int optional)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0)
		return optional ? KJ_OK : kj_failf(ctx, KJ_ERR_INVALID, "%s: required", field);
	if (n > max)
		return kj_failf(ctx, KJ_ERR_TOO_LARGE, "%s: longer than %zu bytes", field, max);
	return kj_utf8_valid(s, n) ? KJ_OK : kj_failf(ctx, KJ_ERR_INVALID, "%s: expected UTF-8 text", field);
}

kj_err
kj_refuse_read_only(struct kj_ctx *ctx)
{
	return ctx->who.read_only ? kj_failf(ctx, KJ_ERR_DENIED, "not allowed with a read-only token") : KJ_OK;
}

int
kj_org_below(struct kj_ctx *ctx, int64_t org, int64_t root)
{
	struct kj_ctx probe = *ctx;

	memset(&probe.who, 0, sizeof(probe.who));
	probe.who.role = KJ_ROLE_ORG_ADMIN;
	probe.who.org_id = root;
	return kj_access_org_visible(&probe, org);
}

void
kj_today(struct kj_ctx *ctx, char out[11])
{
	kj_date_format(kj_now(ctx), out);
}

kj_err
kj_hand_over(kj_err r, json_t *a, json_t **out)
{
	if (r != KJ_OK)
		json_decref(a);
	else
		*out = a;
	return r;
}
