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

/* Appending many records in one go (a bulk import's): begin takes the head, add appends
 * one record after another with one statement, end writes the new head (when r is KJ_OK)
 * and frees b, returning r or its own failure. All inside one transaction, with no other
 * kj_auditlog_append between begin and end. Unlike kj_auditlog_append, add does not mark
 * the evaluation's snapshots stale: the caller does, once. */
struct kj_audit_batch;
kj_err kj_auditlog_batch_begin(struct kj_ctx *ctx, struct kj_audit_batch **out);
kj_err kj_auditlog_batch_add(struct kj_ctx *ctx, struct kj_audit_batch *b, const char *entity, const char *entity_id,
			     int64_t org_id, const char *op, const char *state_json);
kj_err kj_auditlog_batch_end(struct kj_ctx *ctx, struct kj_audit_batch *b, kj_err r);

struct kj_audit_verdict {
	int64_t nrecords;	/* records read */
	int64_t first_bad;	/* sequence number of the first bad record; 0 when all good */
	char why[256];		/* what is wrong with it */
};

/* Walks the chain from the first record and checks every link, the sequence and the head.
 * Returns KJ_OK having filled *out whether or not the chain holds; fails only when the log
 * cannot be read. */
kj_err kj_auditlog_verify(struct kj_ctx *ctx, struct kj_audit_verdict *out);

/* The head of the log as audit_head holds it: the last sequence number (0 when empty) and
 * its digest (64 hex digits). Fails only when the head cannot be read. */
kj_err kj_auditlog_head(struct kj_ctx *ctx, int64_t *seq_out, char digest_out[65]);

/* Walks the records after from_seq in sequence order, recomputing each digest from the
 * record's own fields and the digest recomputed before it (from_digest for the first; 64
 * zeros for the start of the log). fn gets the record's seq, the recomputed digest and
 * whether the digest stored in the record agrees; fn returning non-zero stops the walk.
 * The recomputed digests do not trust the stored ones, so they are what a signed
 * checkpoint is compared with. Needs the right to verify the log (kj_auditlog_verify). */
kj_err kj_auditlog_walk(struct kj_ctx *ctx, int64_t from_seq, const char *from_digest,
			int (*fn)(void *arg, int64_t seq, const char *digest, int stored_ok), void *arg);

/* The digest of a state in the log's record: BLAKE2b-256 of state_json, 64 hex digits. */
void kj_auditlog_state_digest(const char *state_json, char out[65]);

struct kj_audit_record {
	int64_t seq;
	const char *at, *actor, *entity, *entity_id, *op, *digest;
	int64_t org_id;
};

struct kj_audit_filter {
	const char *org;	/* an organisation code: its records and its subtree's; NULL: all */
	const char *user;	/* an account name; NULL: everyone */
	const char *entity;	/* org, edition, user, token, ...; NULL: all */
	const char *since;	/* ISO 8601 time or date, inclusive; NULL: no bound */
	const char *until;	/* exclusive; NULL: no bound */
	int64_t before;		/* only records with seq below this (a cursor); 0: no bound */
	int64_t limit;		/* at most this many; 0: all */
};

/* Calls fn for the records that match f and that the principal may read, newest first.
 * fn returning non-zero stops the walk. */
kj_err kj_auditlog_list(struct kj_ctx *ctx, const struct kj_audit_filter *f,
			int (*fn)(void *arg, const struct kj_audit_record *rec), void *arg);

#endif
