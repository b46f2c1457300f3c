/*
 * checkpoint.h: the server's checkpointer. With checkpoint_key and checkpoint_dir set,
 * `kijun serve` signs the head of the audit log when it starts and then every
 * checkpoint_interval seconds if the log moved (model/checkpoint.h), writing each
 * checkpoint to its own file and its line to stdout for a witness.
 */
#ifndef KJ_SERVER_CHECKPOINT_H
#define KJ_SERVER_CHECKPOINT_H

#include "base/err.h"
#include "server.h"

struct kj_checkpointer;

/* Does nothing (and sets *out to NULL) when cfg names no key and no directory. Otherwise
 * signs a first checkpoint now, so a key that others may read, a missing directory or a
 * broken log stop the server from starting, then starts the thread. cfg must outlive it. */
kj_err kj_checkpointer_start(struct kj_ctx *ctx, const struct kj_server_config *cfg, struct kj_checkpointer **out);

/* Signs a last checkpoint if the log moved, stops the thread and frees cp (NULL: nothing). */
void kj_checkpointer_stop(struct kj_checkpointer *cp);

#endif
