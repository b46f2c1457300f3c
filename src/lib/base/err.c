/*
 * err.c: error names, the failure message in the context, and the context's defaults.
 */
#include "err.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const names[] = {
	[KJ_OK] = "ok",
	[KJ_ERR_INVALID] = "invalid",
	[KJ_ERR_NOT_FOUND] = "not_found",
	[KJ_ERR_EXISTS] = "exists",
	[KJ_ERR_DENIED] = "denied",
	[KJ_ERR_TOO_LARGE] = "too_large",
	[KJ_ERR_DB] = "database",
	[KJ_ERR_IO] = "io",
	[KJ_ERR_NOMEM] = "no_memory",
	[KJ_ERR_CONFLICT] = "conflict",
	[KJ_ERR_INTERNAL] = "internal",
	[KJ_ERR_AUTH] = "unauthenticated",
	[KJ_ERR_USAGE] = "usage",
	[KJ_ERR_THROTTLED] = "throttled",
	[KJ_ERR_STATE] = "state",
	[KJ_ERR_UNAVAILABLE] = "unavailable",
};

const char *
kj_err_name(kj_err e)
{
	if ((unsigned)e < sizeof(names) / sizeof(names[0]) && names[e] != NULL)
		return names[e];
	return "unknown";
}

static int64_t
system_clock(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

void
kj_ctx_init(struct kj_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->now = system_clock;
	ctx->who.role = KJ_ROLE_LOCAL_ADMIN;
	snprintf(ctx->who.name, sizeof(ctx->who.name), "%s", "local");
	snprintf(ctx->lang, sizeof(ctx->lang), "%s", "en");
}

kj_err
kj_failf(struct kj_ctx *ctx, kj_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	va_end(ap);
	/* Messages quote user text cut to a length: keep them valid UTF-8 for JSON. */
	kj_utf8_repair(ctx->msg);
	ctx->err = e;
	return e;
}

kj_err
kj_failf_prefix(struct kj_ctx *ctx, kj_err e, const char *fmt, ...)
{
	char prefix[512], old[sizeof(ctx->msg)];
	va_list ap;
	size_t n;

	memcpy(old, ctx->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	/* Truncation is fine here: the message is for people and stays bounded. */
	n = strlen(prefix);
	if (n >= sizeof(ctx->msg))
		n = sizeof(ctx->msg) - 1;
	memcpy(ctx->msg, prefix, n);
	ctx->msg[n] = '\0';
	if (old[0] != '\0' && n + 2 < sizeof(ctx->msg)) {
		size_t rest = strlen(old);

		memcpy(ctx->msg + n, ": ", 2);
		n += 2;
		if (rest > sizeof(ctx->msg) - 1 - n)
			rest = sizeof(ctx->msg) - 1 - n;
		memcpy(ctx->msg + n, old, rest);
		ctx->msg[n + rest] = '\0';
	}
	kj_utf8_repair(ctx->msg);
	ctx->err = e;
	return e;
}

void
kj_ctx_clear(struct kj_ctx *ctx)
{
	ctx->err = KJ_OK;
	ctx->msg[0] = '\0';
}

int64_t
kj_now(struct kj_ctx *ctx)
{
	return ctx->now(ctx->now_arg);
}
