/*
 * auditlog.c: appending to and verifying the audit-log chain (auditlog.h).
 *
 * digest = BLAKE2b-256 over the previous digest and every field of the record, each
 * followed by a newline, in a fixed order. The one-row table audit_head holds the last
 * sequence number and digest; a writer takes its row lock by updating it first, so two
 * servers on one PostgreSQL append one after the other and never fork the chain.
 */
#include "auditlog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../base/buf.h"
#include "../base/util.h"
#include "../db/db.h"
#include "access.h"
#include "account.h"
#include "eval.h"
#include "org.h"

#define DIGEST_BYTES 32
#define HEX_BYTES (DIGEST_BYTES * 2 + 1)

static void
hex(const unsigned char *d, char out[HEX_BYTES])
{
	sodium_bin2hex(out, HEX_BYTES, d, DIGEST_BYTES);
}

static void
digest_of(const char *data, size_t len, char out[HEX_BYTES])
{
	unsigned char d[DIGEST_BYTES];

	crypto_generichash(d, sizeof(d), (const unsigned char *)data, len, NULL, 0);
	hex(d, out);
}

static void
chain_digest(const char *prev, int64_t seq, const char *at, const char *actor, int64_t actor_org,
	     int64_t org_id, const char *entity, const char *entity_id, const char *op,
	     const char *state_digest, char out[HEX_BYTES])
{
	struct kj_buf b;

	kj_buf_init(&b, 0);
	kj_buf_printf(&b, "%s\n%" PRId64 "\n%s\n%s\n%" PRId64 "\n%" PRId64 "\n%s\n%s\n%s\n%s\n", prev,
		      seq, at, actor, actor_org, org_id, entity, entity_id, op, state_digest);
	digest_of(kj_buf_cstr(&b), b.len, out);
	kj_buf_free(&b);
}

/* Who acts, as the log names them. */
static void
actor_of(struct kj_ctx *ctx, char actor[80])
{
	if (ctx->who.user_id != 0)
		snprintf(actor, 80, "user:%" PRId64 ":%s", ctx->who.user_id, ctx->who.name);
	else
		snprintf(actor, 80, "local:%s", ctx->who.name);
}

/* Binds and runs the INSERT of one record into st (prepared by insert_prepare, reset).
 * prev is the digest before; dig_out gets the record's. */
static kj_err
insert_record(struct kj_ctx *ctx, struct kj_stmt *st, const char *prev, int64_t seq, const char *at,
	      const char *actor, int64_t org_id, const char *entity, const char *entity_id, const char *op,
	      const char *state_json, char dig_out[HEX_BYTES])
{
	char sdig[HEX_BYTES];
	kj_err r;

	digest_of(state_json, strlen(state_json), sdig);
	chain_digest(prev, seq, at, actor, ctx->who.org_id, org_id, entity, entity_id, op, sdig, dig_out);
	kj_stmt_reset(st);
	if ((r = kj_stmt_bind_int(ctx, st, 1, seq)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 2, at)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 3, actor)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 4, ctx->who.org_id)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 5, org_id)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 6, entity)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 7, entity_id)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 8, op)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 9, sdig)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 10, prev)) != KJ_OK ||
	    (r = kj_stmt_bind_text(ctx, st, 11, dig_out)) != KJ_OK)
		return r;
	return kj_stmt_run(ctx, st);
}

static kj_err
insert_prepare(struct kj_ctx *ctx, struct kj_stmt **out)
{
	return kj_db_prepare(ctx, "INSERT INTO audit_log (seq, at, actor, actor_org_id, org_id, entity, "
				  "entity_id, op, state_digest, prev_digest, digest) "
				  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", out);
}

/* Takes the head's row lock by updating it first (by step, the next sequence number), and
 * reads the head. */
static kj_err
head_take(struct kj_ctx *ctx, int step, int64_t *seq_out, char prev_out[HEX_BYTES])
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	if (!kj_tx_active(ctx))
		return kj_failf(ctx, KJ_ERR_INTERNAL, "audit record outside a transaction");
	r = kj_db_prepare(ctx, step ? "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, digest"
				    : "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, digest", &st);
	if (r == KJ_OK && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_INTERNAL, "audit log head is missing");
	if (r == KJ_OK) {
		*seq_out = kj_stmt_int(st, 0);
		kj_strlcpy(prev_out, kj_stmt_text(st, 1), HEX_BYTES);
	}
	kj_stmt_free(st);
	return r;
}

static kj_err
head_set(struct kj_ctx *ctx, int64_t seq, const char *dig)
{
	struct kj_stmt *st = NULL;
	kj_err r;

	r = kj_db_prepare(ctx, "UPDATE audit_head SET seq = ?, digest = ? WHERE id = 1", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, seq)) == KJ_OK && (r = kj_stmt_bind_text(ctx, st, 2, dig)) == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	return r;
}

kj_err
kj_auditlog_append(struct kj_ctx *ctx, const char *entity, const char *entity_id, int64_t org_id,
		   const char *op, const char *state_json)
{
	struct kj_stmt *st = NULL;
	char prev[HEX_BYTES], dig[HEX_BYTES], at[21], actor[80];
	int64_t seq;
	kj_err r;

	if ((r = head_take(ctx, 1, &seq, prev)) != KJ_OK)
		return r;
	kj_time_format(kj_now(ctx), at);
	actor_of(ctx, actor);
	if ((r = insert_prepare(ctx, &st)) == KJ_OK &&
	    (r = insert_record(ctx, st, prev, seq, at, actor, org_id, entity, entity_id, op, state_json, dig)) == KJ_OK)
		r = head_set(ctx, seq, dig);
	kj_stmt_free(st);
	/* A change to an input of the evaluation makes its snapshots stale (eval.h). */
	if (r == KJ_OK)
		r = kj_eval_touch_id(ctx, entity, entity_id);
	return r;
}

struct kj_audit_batch {
	struct kj_stmt *insert;
	int64_t seq;
	char prev[HEX_BYTES], at[21], actor[80];
};

kj_err
kj_auditlog_batch_begin(struct kj_ctx *ctx, struct kj_audit_batch **out)
{
	struct kj_audit_batch *b = calloc(1, sizeof(*b));
	kj_err r;

	*out = NULL;
	if (b == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	if ((r = head_take(ctx, 0, &b->seq, b->prev)) != KJ_OK || (r = insert_prepare(ctx, &b->insert)) != KJ_OK) {
		free(b);
		return r;
	}
	kj_time_format(kj_now(ctx), b->at);
	actor_of(ctx, b->actor);
	*out = b;
	return KJ_OK;
}

kj_err
kj_auditlog_batch_add(struct kj_ctx *ctx, struct kj_audit_batch *b, const char *entity, const char *entity_id,
		      int64_t org_id, const char *op, const char *state_json)
{
	char dig[HEX_BYTES];
	kj_err r;

	r = insert_record(ctx, b->insert, b->prev, b->seq + 1, b->at, b->actor, org_id, entity, entity_id, op, state_json, dig);
	if (r == KJ_OK) {
		b->seq++;
		memcpy(b->prev, dig, sizeof(dig));
	}
	return r;
}

kj_err
kj_auditlog_batch_end(struct kj_ctx *ctx, struct kj_audit_batch *b, kj_err r)
{
	if (b == NULL)
		return r;
	if (r == KJ_OK)
		r = head_set(ctx, b->seq, b->prev);
	kj_stmt_free(b->insert);
	free(b);
	return r;
}

kj_err
kj_auditlog_verify(struct kj_ctx *ctx, struct kj_audit_verdict *v)
{
	struct kj_stmt *st = NULL;
	char prev[HEX_BYTES], dig[HEX_BYTES];
	int64_t expect = 1, head_seq = 0;
	int row;
	kj_err r;

	memset(v, 0, sizeof(*v));
	if (!kj_access_sees_all(ctx))
		return kj_failf(ctx, ctx->who.role == KJ_ROLE_NONE ? KJ_ERR_AUTH : KJ_ERR_DENIED, "not allowed");
	memset(prev, '0', HEX_BYTES - 1);
	prev[HEX_BYTES - 1] = '\0';
	r = kj_db_prepare(ctx, "SELECT seq, at, actor, actor_org_id, org_id, entity, entity_id, op, "
			       "state_digest, prev_digest, digest FROM audit_log ORDER BY seq", &st);
	if (r != KJ_OK)
		return r;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		int64_t seq = kj_stmt_int(st, 0);

		v->nrecords++;
		if (seq != expect) {
			v->first_bad = expect;
			snprintf(v->why, sizeof(v->why), "record %" PRId64 " is missing (next is %" PRId64 ")",
				 expect, seq);
			goto out;
		}
		if (strcmp(kj_stmt_text(st, 9), prev) != 0) {
			v->first_bad = seq;
			snprintf(v->why, sizeof(v->why),
				 "does not follow the record before it (its previous digest differs)");
			goto out;
		}
		chain_digest(prev, seq, kj_stmt_text(st, 1), kj_stmt_text(st, 2), kj_stmt_int(st, 3),
			     kj_stmt_int(st, 4), kj_stmt_text(st, 5), kj_stmt_text(st, 6),
			     kj_stmt_text(st, 7), kj_stmt_text(st, 8), dig);
		if (strcmp(dig, kj_stmt_text(st, 10)) != 0) {
			v->first_bad = seq;
			snprintf(v->why, sizeof(v->why), "its contents do not match its digest (edited)");
			goto out;
		}
		memcpy(prev, dig, sizeof(prev));
		expect++;
	}
	if (r != KJ_OK)
		goto out;
	kj_stmt_free(st);
	st = NULL;
	if ((r = kj_db_prepare(ctx, "SELECT seq, digest FROM audit_head WHERE id = 1", &st)) != KJ_OK ||
	    (r = kj_stmt_step(ctx, st, &row)) != KJ_OK)
		goto out;
	if (!row) {
		v->first_bad = expect;
		snprintf(v->why, sizeof(v->why), "the head of the log is missing");
		goto out;
	}
	head_seq = kj_stmt_int(st, 0);
	if (head_seq != expect - 1 || strcmp(kj_stmt_text(st, 1), prev) != 0) {
		v->first_bad = expect;
		snprintf(v->why, sizeof(v->why),
			 "the log ends at record %" PRId64 " but its head says %" PRId64
			 " (records removed from the end)", expect - 1, head_seq);
	}
out:
	kj_stmt_free(st);
	return r;
}

kj_err
kj_auditlog_head(struct kj_ctx *ctx, int64_t *seq_out, char digest_out[HEX_BYTES])
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	if ((r = kj_db_prepare(ctx, "SELECT seq, digest FROM audit_head WHERE id = 1", &st)) != KJ_OK)
		return r;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_INTERNAL, "audit log head is missing");
	if (r == KJ_OK) {
		*seq_out = kj_stmt_int(st, 0);
		kj_strlcpy(digest_out, kj_stmt_text(st, 1) ? kj_stmt_text(st, 1) : "", HEX_BYTES);
	}
	kj_stmt_free(st);
	return r;
}

kj_err
kj_auditlog_walk(struct kj_ctx *ctx, int64_t from_seq, const char *from_digest,
		 int (*fn)(void *arg, int64_t seq, const char *digest, int stored_ok), void *arg)
{
	struct kj_stmt *st = NULL;
	char prev[HEX_BYTES], dig[HEX_BYTES];
	int row;
	kj_err r;

	if (!kj_access_sees_all(ctx))
		return kj_failf(ctx, ctx->who.role == KJ_ROLE_NONE ? KJ_ERR_AUTH : KJ_ERR_DENIED, "not allowed");
	kj_strlcpy(prev, from_digest, sizeof(prev));
	r = kj_db_prepare(ctx, "SELECT seq, at, actor, actor_org_id, org_id, entity, entity_id, op, "
			       "state_digest, digest FROM audit_log WHERE seq > ? ORDER BY seq", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_int(ctx, st, 1, from_seq)) != KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		int64_t seq = kj_stmt_int(st, 0);
		const char *stored = kj_stmt_text(st, 9);

		chain_digest(prev, seq, kj_stmt_text(st, 1), kj_stmt_text(st, 2), kj_stmt_int(st, 3),
			     kj_stmt_int(st, 4), kj_stmt_text(st, 5), kj_stmt_text(st, 6), kj_stmt_text(st, 7),
			     kj_stmt_text(st, 8), dig);
		if (fn(arg, seq, dig, stored != NULL && strcmp(stored, dig) == 0) != 0)
			break;
		memcpy(prev, dig, sizeof(prev));
	}
out:
	kj_stmt_free(st);
	return r;
}

void
kj_auditlog_state_digest(const char *state_json, char out[HEX_BYTES])
{
	digest_of(state_json, strlen(state_json), out);
}

kj_err
kj_auditlog_list(struct kj_ctx *ctx, const struct kj_audit_filter *f,
		 int (*fn)(void *arg, const struct kj_audit_record *rec), void *arg)
{
	struct kj_stmt *st = NULL;
	struct kj_audit_record rec;
	struct kj_org within;
	char actor[80];
	int64_t n = 0;
	int row, scoped;
	kj_err r;

	if ((r = kj_access_require(ctx, KJ_PERM_AUDITLOG_READ, 0)) != KJ_OK)
		return r;
	scoped = !kj_access_sees_all(ctx);
	if (f->org != NULL && (r = kj_org_get(ctx, f->org, &within)) != KJ_OK)
		return r;
	actor[0] = '\0';
	if (f->user != NULL) {
		struct kj_user u;

		if ((r = kj_user_get(ctx, f->user, &u)) != KJ_OK)
			return r;
		snprintf(actor, sizeof(actor), "user:%" PRId64 ":%%", u.id);
	}
	r = kj_db_prepare(ctx, "SELECT seq, at, actor, entity, entity_id, op, digest, org_id FROM audit_log "
			       "WHERE (CAST(? AS TEXT) IS NULL OR entity = ?) AND (CAST(? AS TEXT) IS NULL OR actor LIKE ?) "
			       "AND (CAST(? AS TEXT) IS NULL OR at >= ?) AND (CAST(? AS TEXT) IS NULL OR at < ?) "
			       "AND seq < ? ORDER BY seq DESC", &st);
	if (r != KJ_OK)
		return r;
	{
		const char *a = actor[0] ? actor : NULL;

		if ((r = kj_stmt_bind_text(ctx, st, 1, f->entity)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 2, f->entity)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 3, a)) != KJ_OK || (r = kj_stmt_bind_text(ctx, st, 4, a)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 5, f->since)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 6, f->since)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 7, f->until)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 8, f->until)) != KJ_OK ||
		    (r = kj_stmt_bind_int(ctx, st, 9, f->before > 0 ? f->before : INT64_MAX)) != KJ_OK)
			goto out;
	}
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		rec.seq = kj_stmt_int(st, 0);
		rec.at = kj_stmt_text(st, 1);
		rec.actor = kj_stmt_text(st, 2);
		rec.entity = kj_stmt_text(st, 3);
		rec.entity_id = kj_stmt_text(st, 4);
		rec.op = kj_stmt_text(st, 5);
		rec.digest = kj_stmt_text(st, 6);
		rec.org_id = kj_stmt_int(st, 7);
		/* Records about nothing in particular (an edition of the standard) are the
		 * centre's; others are read within scope. */
		if (scoped && (rec.org_id == 0 || !kj_access_org_visible(ctx, rec.org_id)))
			continue;
		if (f->org != NULL) {
			struct kj_ctx sub = *ctx;

			sub.who.role = KJ_ROLE_ORG_ADMIN;
			sub.who.org_id = within.id;
			if (rec.org_id == 0 || !kj_access_org_visible(&sub, rec.org_id))
				continue;
		}
		if (fn(arg, &rec) != 0)
			break;
		if (f->limit > 0 && ++n >= f->limit)
			break;
	}
out:
	kj_stmt_free(st);
	return r;
}
