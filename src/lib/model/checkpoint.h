/*
 * checkpoint.h: signed checkpoints of the audit log, kept outside the database.
 *
 * The hash chain of auditlog.h shows an edit only to someone who trusts the database: whoever
 * can write the database can also rewrite the log and recompute every digest. A checkpoint
 * is the head of the chain (seq, digest, time) signed with an Ed25519 key that lives in a
 * file the database's writers cannot read, and written to a directory they cannot rewrite
 * (one file per checkpoint, created exclusively) and to a witness (stdout, a log shipper).
 * kj_checkpoint_verify then proves that the log up to each checkpoint is the one that was
 * signed. docs/AUDITLOG.md says what this proves and against whom.
 *
 * A checkpoint is one line of text:
 *   kijun-checkpoint 1 SEQ DIGEST AT PUBKEY SIG
 * SEQ the record number, DIGEST the chain digest at it (64 hex digits), AT the signing time
 * (ISO 8601 UTC), PUBKEY the signer's Ed25519 public key and SIG the Ed25519 signature (hex)
 * of everything before " SIG".
 */
#ifndef KJ_CHECKPOINT_H
#define KJ_CHECKPOINT_H

#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"

#define KJ_CHECKPOINT_LINE_MAX 512

struct kj_checkpoint {
	int64_t seq;
	char digest[65];
	char at[21];
	char pubkey[65];
	char line[KJ_CHECKPOINT_LINE_MAX];	/* the signed line, without a newline */
	char file[1024];			/* where it was written */
};

/* Creates a new signing key in path (mode 0600, refused if path exists) and its public key
 * in path.pub; writes the public key (64 hex digits) to pub_out. */
kj_err kj_checkpoint_keygen(struct kj_ctx *ctx, const char *path, char pub_out[65]);

/* Signs the head of the log with the key in key_path and writes the checkpoint to a new
 * file in dir. The chain is checked first, from the record after *since (NULL: from the
 * first record): a broken chain is not signed. Refuses a key file that group or others may
 * read or write, or that another user owns. Fills *out. */
kj_err kj_checkpoint_make(struct kj_ctx *ctx, const char *key_path, const char *dir,
			  const struct kj_checkpoint *since, struct kj_checkpoint *out);

/* Checks every checkpoint file in dir against the log: its signature (with pubkey, 64 hex
 * digits or a file holding them; NULL: the key the checkpoints name, which must be one
 * key), then the digest the log recomputes at its seq, from the first record. Sets *out
 * to {"ok", "records", "checkpoints", "key_pinned", "problems": [{"checkpoint", "seq",
 * "why"}]}: every forged checkpoint, rewrite, reordering or truncation before a
 * checkpoint is one problem naming the checkpoint file and the seq. Fails only when the
 * log or the directory cannot be read. The caller frees *out. */
kj_err kj_checkpoint_verify(struct kj_ctx *ctx, const char *dir, const char *pubkey, json_t **out);

#endif
