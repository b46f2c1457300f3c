/*
 * outfile.h: writing an output file the user named (--out, --output) safely. Exports and
 * reports hold an organisation's weaknesses, so the file is the owner's alone (mode 0600,
 * whatever the umask), and it is written where the user said, not where a symbolic link
 * planted there points:
 *
 *   - the bytes go to a new file next to the target (same directory, O_CREAT | O_EXCL |
 *     O_NOFOLLOW, mode 0600), which is renamed over the target once complete; a reader
 *     never sees half a file, and a failure leaves the old file as it was;
 *   - a target that is a symbolic link (dangling or not) is refused, and so is one that
 *     exists and is not a regular file (a directory, a device such as /dev/null, a FIFO),
 *     which renaming would replace.
 *
 * For a target that is a symbolic link the message says so and names the file: the user
 * gives the real path instead.
 */
#ifndef KJ_OUTFILE_H
#define KJ_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

struct kj_outfile {
	FILE *f;	/* where to write between open and commit */
	char *path;	/* the target */
	char *tmp;	/* the new file next to it */
};

/* Starts writing the file at path (see above). On failure (KJ_ERR_IO, with a message
 * naming path) *of is empty and needs no kj_outfile_abort. */
kj_err kj_outfile_open(struct kj_ctx *ctx, const char *path, struct kj_outfile *of);
/* Flushes the new file to disk and renames it over the target. On failure the new file
 * is removed. Either way *of is released. */
kj_err kj_outfile_commit(struct kj_ctx *ctx, struct kj_outfile *of);
/* Removes the new file and releases *of (harmless on an empty or committed one). */
void kj_outfile_abort(struct kj_outfile *of);

/* The n bytes at data as the file at path, through the three calls above. */
kj_err kj_outfile_write(struct kj_ctx *ctx, const char *path, const void *data, size_t n);

#endif
