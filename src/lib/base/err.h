/*
 * err.h: the library's one error type and the context every call takes.
 *
 * Owns: kj_err (stable numbers; the server and the CLI map them in one table each),
 * struct kj_ctx (database handle, acting principal, clock, language, last message).
 * Must not: print, exit or read the environment. The library leaves a human message
 * in the context and returns a code; front doors decide what to do with it.
 */
#ifndef KJ_ERR_H
#define KJ_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
	KJ_OK = 0,
	KJ_ERR_INVALID = 1,	/* bad input: the message says where and what was expected */
	KJ_ERR_NOT_FOUND = 2,	/* no such thing (or not visible to the principal) */
	KJ_ERR_EXISTS = 3,	/* a unique name or number is taken */
	KJ_ERR_DENIED = 4,	/* the principal may not do this */
	KJ_ERR_TOO_LARGE = 5,	/* over a limit of limits.h */
	KJ_ERR_DB = 6,		/* the database failed; detail is in the message */
	KJ_ERR_IO = 7,		/* a file could not be read or written */
	KJ_ERR_NOMEM = 8,
	KJ_ERR_CONFLICT = 9,	/* the state changed under the caller (stale version) */
	KJ_ERR_INTERNAL = 10,	/* a bug: an invariant did not hold */
	KJ_ERR_AUTH = 11,	/* not authenticated */
	KJ_ERR_USAGE = 12,	/* a front door was called the wrong way */
	KJ_ERR_THROTTLED = 13,	/* too many attempts: try again later */
	KJ_ERR_STATE = 14,	/* not allowed in the thing's present state (a locked checklist) */
	KJ_ERR_UNAVAILABLE = 15	/* the database is out of reach or its disk is full: nothing was
				 * changed; the same call may succeed later */
} kj_err;

/* The stable short name of a code ("invalid", "not_found", ...). Never NULL. */
const char *kj_err_name(kj_err e);

struct kj_db;

/* Called by long jobs (imports) now and then; done <= total; total may be 0 if unknown. */
typedef void (*kj_progress_fn)(void *arg, const char *what, size_t done, size_t total);

/* The acting principal. Access checks in the model read it; the CLI in local mode acts as
 * the local administrator. */
enum kj_role {
	KJ_ROLE_NONE = 0,
	KJ_ROLE_LOCAL_ADMIN,	/* the command line on the database file itself */
	KJ_ROLE_CENTRE_ADMIN,
	KJ_ROLE_CENTRE_ANALYST,
	KJ_ROLE_ORG_ADMIN,
	KJ_ROLE_UNIT_OFFICER,
	KJ_ROLE_STAFF,
	KJ_ROLE_EXTERNAL_AUDITOR
};

struct kj_principal {
	int64_t user_id;	/* 0 for the local administrator */
	enum kj_role role;
	int64_t org_id;		/* 0 for the local administrator */
	int read_only;		/* acting through a read-only token */
	int64_t session_id;	/* the session the request came with; 0: none (a token, the CLI) */
	int64_t token_id;	/* the API token the request came with; 0: none */
	char name[64];
};

struct kj_ctx {
	struct kj_db *db;
	struct kj_principal who;
	/* The clock, in seconds since the epoch (UTC). Tests replace it to move time. */
	int64_t (*now)(void *arg);
	void *now_arg;
	kj_progress_fn progress;
	void *progress_arg;
	char lang[4];		/* "ja" or "en": language for messages meant for people */
	kj_err err;		/* code of the last failure */
	char msg[1024];		/* message of the last failure */
};

/* Sets up a context with the system clock, English messages, no database, and the local
 * administrator as principal. */
void kj_ctx_init(struct kj_ctx *ctx);

/* Records code e with a printf-style message and returns e. The message replaces any
 * earlier one. Messages are short, lower case, and say where and what was expected. */
kj_err kj_failf(struct kj_ctx *ctx, kj_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like kj_failf, but keeps the earlier message after the new prefix: "prefix: old". Used
 * to add the file name or JSON path as an error travels outwards. */
kj_err kj_failf_prefix(struct kj_ctx *ctx, kj_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clears the last failure. */
void kj_ctx_clear(struct kj_ctx *ctx);

/* The time now according to the context's clock. */
int64_t kj_now(struct kj_ctx *ctx);

#endif
