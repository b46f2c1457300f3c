/*
 * auditlog.h: the tamper-evident audit log. Every change is appended in the same
 * transaction as the change; each record carries the digest of the record before it, so
 * an edited, deleted or reordered record breaks the chain and kj_auditlog_verify finds it.
 */
#ifndef KJ_AUDITLOG_H
#define KJ_AUDITLOG_H

#include <stdint.h>

#include "../base/err.h"

/* Appends a record: the acting principal did op to entity (its public id), leaving
 * state_json as the new state (only its digest is kept). org_id is the organisation the
 * entity belongs to (0 if none). Must be called inside a transaction. */
kj_err kj_auditlog_append(struct kj_ctx *ctx, const char *entity, const char *entity_id,
			  int64_t org_id, const char *op, const char *state_json);

struct kj_audit_verdict {
	int64_t nrecords;	/* records read */
	int64_t first_bad;	/* sequence number of the first bad record; 0 when all good */
	char why[256];		/* what is wrong with it */
};

/* Walks the chain from the first record and checks every link, the sequence and the head.
 * Returns KJ_OK having filled *out whether or not the chain holds; fails only when the log
 * cannot be read. */
kj_err kj_auditlog_verify(struct kj_ctx *ctx, struct kj_audit_verdict *out);

struct kj_audit_record {
	int64_t seq;
	const char *at, *actor, *entity, *entity_id, *op, *digest;
};

/* Calls fn for the newest records first, at most limit of them (0: all); entity may be
 * NULL for all. fn returning non-zero stops the walk. */
kj_err kj_auditlog_list(struct kj_ctx *ctx, const char *entity, int64_t limit,
			int (*fn)(void *arg, const struct kj_audit_record *rec), void *arg);

#endif
