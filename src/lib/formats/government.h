/*
 * government.h: a list of organisations in JSON ({"format": "kijun-government", ...}), as
 * the demo government ships it. Imported all or nothing.
 */
#ifndef KJ_GOVERNMENT_H
#define KJ_GOVERNMENT_H

#include <stddef.h>

#include "../base/err.h"

/* Creates every organisation of the document (and abolishes those with valid_to, after
 * all are created) in one transaction. *n_out (may be NULL) gets how many. */
kj_err kj_government_import_mem(struct kj_ctx *ctx, const char *name, const char *data,
				size_t len, size_t *n_out);

#endif
