/*
 * pdf.h: HTML to PDF through headless Chromium, run as a child process (argv, no shell) in
 * a temporary directory of its own that is removed afterwards.
 */
#ifndef KJ_PDF_H
#define KJ_PDF_H

#include <stdatomic.h>
#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"

/* Seconds Chromium may take before it is killed: the report of 1,000 organisations (some
 * 2,000 pages) takes it about two minutes. */
#define KJ_PDF_TIMEOUT 600

/*
 * Prints the HTML document html (len bytes; it must need no script and nothing from
 * outside, which the report's own Content-Security-Policy forbids) to A4 PDF and appends
 * the PDF to out.
 *
 * chromium is the browser's path or name; NULL or "" tries chromium, then
 * chromium-browser, on the PATH. Fails with KJ_ERR_IO: "PDF needs Chromium: install the
 * chromium package" when none can be started; when Chromium fails, exceeds
 * KJ_PDF_TIMEOUT (its whole process group is killed) or writes no PDF; or when the
 * temporary files cannot be written. KJ_ERR_NOMEM when out cannot grow.
 */
kj_err kj_pdf_from_html(struct kj_ctx *ctx, const char *chromium, const char *html, size_t len, struct kj_buf *out);

/* kj_pdf_from_html that also stops when *cancel (when not NULL) becomes non-zero: Chromium's
 * process group is killed and KJ_ERR_STATE returned ("printing was cancelled"). For a
 * server that is stopping while a print runs. */
kj_err kj_pdf_print(struct kj_ctx *ctx, const char *chromium, const char *html, size_t len, const atomic_int *cancel,
		    struct kj_buf *out);

#endif
