/*
 * checkpoint.c: the thread of `kijun serve` that signs the audit log's head at intervals
 * (checkpoint.h).
 *
 * It has its own database connection and acts as the local administrator ("checkpoint"),
 * like the command line on the database. It keeps the last checkpoint it signed, so each
 * round checks only the records after it before signing. It must not touch the request
 * threads or their connections.
 */
#include "checkpoint.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "db/db.h"
#include "model/auditlog.h"
#include "model/checkpoint.h"

#define DEFAULT_INTERVAL 600	/* seconds, when checkpoint_interval is not set */

struct kj_checkpointer {
	const struct kj_server_config *cfg;
	struct kj_ctx ctx;
	struct kj_checkpoint last;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop;
};

/* Signs the head if it moved since the last checkpoint. Says what went wrong on stderr;
 * a failed round is tried again at the next one. */
static kj_err
round_once(struct kj_checkpointer *cp)
{
	struct kj_checkpoint next;
	char digest[65];
	int64_t seq;
	kj_err r;

	if ((r = kj_auditlog_head(&cp->ctx, &seq, digest)) != KJ_OK)
		goto out;
	if (cp->last.line[0] != '\0' && seq == cp->last.seq)
		return KJ_OK;
	r = kj_checkpoint_make(&cp->ctx, cp->cfg->checkpoint_key, cp->cfg->checkpoint_dir,
			       cp->last.line[0] != '\0' ? &cp->last : NULL, &next);
	if (r == KJ_OK) {
		cp->last = next;
		/* The witness's copy: whoever keeps the server's output keeps the checkpoints. */
		printf("%s\n", next.line);
		fflush(stdout);
	}
out:
	if (r != KJ_OK)
		fprintf(stderr, "kijun serve: checkpoint: %s\n", cp->ctx.msg);
	return r;
}

static void *
run(void *arg)
{
	struct kj_checkpointer *cp = arg;
	unsigned interval = cp->cfg->checkpoint_interval ? cp->cfg->checkpoint_interval : DEFAULT_INTERVAL;

	pthread_mutex_lock(&cp->lock);
	while (!cp->stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += interval;
		while (!cp->stop && pthread_cond_timedwait(&cp->wake, &cp->lock, &until) != ETIMEDOUT)
			;
		if (cp->stop)
			break;
		pthread_mutex_unlock(&cp->lock);
		(void)round_once(cp);
		pthread_mutex_lock(&cp->lock);
	}
	pthread_mutex_unlock(&cp->lock);
	return NULL;
}

kj_err
kj_checkpointer_start(struct kj_ctx *ctx, const struct kj_server_config *cfg, struct kj_checkpointer **out)
{
	struct kj_checkpointer *cp;
	kj_err r;

	*out = NULL;
	if (cfg->checkpoint_key[0] == '\0' && cfg->checkpoint_dir[0] == '\0')
		return KJ_OK;
	if (cfg->checkpoint_key[0] == '\0' || cfg->checkpoint_dir[0] == '\0')
		return kj_failf(ctx, KJ_ERR_USAGE, "checkpoints need both checkpoint_key and checkpoint_dir");
	if ((cp = calloc(1, sizeof(*cp))) == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	cp->cfg = cfg;
	kj_ctx_init(&cp->ctx);
	kj_strlcpy(cp->ctx.who.name, "checkpoint", sizeof(cp->ctx.who.name));
	if ((r = kj_db_open(&cp->ctx, cfg->dsn, &cp->ctx.db)) != KJ_OK)
		goto fail;
	if ((r = round_once(cp)) != KJ_OK)
		goto fail;
	pthread_mutex_init(&cp->lock, NULL);
	pthread_cond_init(&cp->wake, NULL);
	if (pthread_create(&cp->thread, NULL, run, cp) != 0) {
		r = kj_failf(&cp->ctx, KJ_ERR_INTERNAL, "cannot start the checkpoint thread");
		pthread_cond_destroy(&cp->wake);
		pthread_mutex_destroy(&cp->lock);
		goto fail;
	}
	*out = cp;
	return KJ_OK;
fail:
	kj_failf(ctx, r, "checkpoint: %s", cp->ctx.msg);
	if (cp->ctx.db != NULL)
		kj_db_close(cp->ctx.db);
	free(cp);
	return r;
}

void
kj_checkpointer_stop(struct kj_checkpointer *cp)
{
	if (cp == NULL)
		return;
	pthread_mutex_lock(&cp->lock);
	cp->stop = 1;
	pthread_cond_signal(&cp->wake);
	pthread_mutex_unlock(&cp->lock);
	pthread_join(cp->thread, NULL);
	/* The changes made since the last round are signed too. */
	(void)round_once(cp);
	kj_db_close(cp->ctx.db);
	pthread_cond_destroy(&cp->wake);
	pthread_mutex_destroy(&cp->lock);
	free(cp);
}
