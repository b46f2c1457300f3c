/*
 * state.h: the canonical state of the entities whose live rows the audit log vouches for.
 *
 * A record of the audit log keeps the digest of the entity's state after the change. For
 * the covered kinds below, that state is built by one function from the live row, read
 * back inside the writer's transaction; kj_state_verify builds it again from today's rows
 * and compares it with the last record of each entity. A row edited behind kijun's back
 * (a role, an answer, a finding) then no longer matches its last record, and is named.
 *
 * Covered: accounts (app_user: name, display name, organisation, role, disabled, and a
 * digest of the password hash), organisations (org), the answers of each checklist
 * (answer, one state per checklist: every answer's value, comment and evidence) and audit
 * findings (audit_finding); the roll-up counters (rollup) are recounted from the answers.
 * Every other table is not covered: docs/AUDITLOG.md lists them. The state is compact JSON
 * with sorted keys (a checklist's answers: sorted plain text, state.c), holds no secret in
 * clear, and only its digest is ever stored.
 */
#ifndef KJ_STATE_H
#define KJ_STATE_H

#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"

enum kj_state_kind {
	KJ_STATE_USER,		/* entity "user", public id: the account's uuid */
	KJ_STATE_ORG,		/* entity "org", the organisation's uuid */
	KJ_STATE_FINDING	/* entity "audit_finding", the finding's uuid */
};

/* Appends to the audit log the record "op on the entity id", carrying the entity's state
 * read from its row now. Must be called inside the writer's transaction, after the change.
 * Fails with KJ_ERR_NOT_FOUND when there is no such row. */
kj_err kj_state_log(struct kj_ctx *ctx, enum kj_state_kind kind, const char *id, const char *op);

/* The same for the answers of checklist (its uuid): the record's entity is "answer", its
 * public id "CHECKLIST/ITEM" when one answer (item) changed, or the checklist's uuid when
 * item is NULL. The state is that of all the checklist's answers. */
kj_err kj_state_log_answers(struct kj_ctx *ctx, const char *checklist, const char *item, const char *op);

/* After a bulk load of answers into campaign (its id) and the campaigns it mandates: one
 * record per checklist that has answers, as kj_state_log_answers with item NULL. */
kj_err kj_state_log_campaign_answers(struct kj_ctx *ctx, int64_t campaign_id, const char *op);

/* Recomputes the state of every covered row and compares it with the entity's last audit
 * record; recounts the roll-up counters from the answers. Sets *out to {"ok", "checked":
 * {table: rows}, "problems": [{"table", "id", "why"}], "more": problems not listed}.
 * Fails only when the database cannot be read. The caller frees *out. */
kj_err kj_state_verify(struct kj_ctx *ctx, json_t **out);

#endif
