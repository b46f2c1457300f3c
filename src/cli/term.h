/*
 * term.h: what the command line prints is made safe for a terminal. Names, titles and
 * comments come from the database or a server, and a control character in them (ESC
 * sequences that move the cursor, clear the screen, set the window title or rewrite what
 * was printed before) would act on the operator's terminal. After cli_term_install,
 * everything written to stdout and stderr goes through one filter that shows C0 controls
 * other than newline and tab, DEL, and the C1 controls U+0080..U+009F as visible escapes
 * (\x1b, \x7f, \u009b); every other byte, UTF-8 text included, passes unchanged.
 *
 * Output that is a document rather than text (--json, exports, reports, binary files)
 * is written to cli_raw_stdout() instead: JSON escapes control characters itself, and a
 * file's bytes must stay as they are. The progress line writes its own control
 * sequences to cli_raw_stderr().
 */
#ifndef KJ_CLI_TERM_H
#define KJ_CLI_TERM_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "base/err.h"

/* Replaces stdout and stderr by the filtering streams (once; later calls do nothing).
 * Returns 0, or -1 when the streams could not be made (output then stays unfiltered). */
int cli_term_install(void);
/* The process's own stdout and stderr, unfiltered (the same streams before install). */
FILE *cli_raw_stdout(void);
FILE *cli_raw_stderr(void);

/* Documents: the n bytes at data, or doc as indented JSON with a newline, to the file to
 * (owner-only, through a new file renamed into place, never through a symbolic link:
 * base/outfile.h), or to the unfiltered stdout when to is NULL. Fail with KJ_ERR_IO and a
 * message naming the file. */
kj_err cli_write_bytes(struct kj_ctx *ctx, const char *to, const void *data, size_t n);
kj_err cli_write_json(struct kj_ctx *ctx, const char *to, json_t *doc);

#endif
