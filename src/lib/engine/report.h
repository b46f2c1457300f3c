/*
 * report.h: the centre's yearly evaluation report, as one self-contained HTML document
 * (inline CSS and SVG charts, no script, no outside resource) that prints on A4, and as
 * PDF through headless Chromium (pdf.h).
 *
 * The renderer is a pure function of the evaluation's JSON values (eval.h): it reads no
 * database, so what a principal sees in the report is exactly what the eval functions
 * gave it. kj_report_annual gathers those values under the principal's access rules and
 * renders them.
 */
#ifndef KJ_REPORT_H
#define KJ_REPORT_H

#include <stddef.h>

#include <jansson.h>

#include "../base/buf.h"
#include "../base/err.h"

/*
 * Appends the report's HTML to out.
 *
 *   gov    kj_eval_government's value; NULL for one organisation's report (then only
 *          the organisation sections are written, compared with the government figures
 *          each of them carries).
 *   board  kj_eval_board's value, or NULL (no PDCA section).
 *   orgs   kj_eval_org's values, one section each, in the order given (norgs may be 0).
 *   lang   "ja" or "en": every label, the fiscal year's name (令和7年度 / FY2025) and which
 *          of an item's two names is shown.
 *
 * Every text taken from the values is escaped for HTML and SVG, with bidirectional
 * override and embedding controls and other control characters dropped. Runs in time
 * linear in the size of the values. Fails with KJ_ERR_INVALID (lang, or gov and orgs both
 * missing) or KJ_ERR_NOMEM (out's error is sticky); on failure out holds a partial
 * document.
 */
kj_err kj_report_annual_html(struct kj_ctx *ctx, const json_t *gov, const json_t *board, json_t *const *orgs,
			     size_t norgs, const char *lang, struct kj_buf *out);

/*
 * The annual report of fiscal_year (0: the current one) for the acting principal, in
 * format "html" or "pdf", appended to out.
 *
 * Without org: the government-wide report (kj_eval_government, kj_eval_board) with a
 * section for each organisation in the principal's scope, ordered by code. With org:
 * that organisation's report alone (kj_eval_org). Access is that of the eval functions:
 * staff and external auditors are refused, an organisation out of scope is not found.
 *
 * chromium names the browser for "pdf" (NULL: chromium, then chromium-browser, on the
 * PATH); see kj_pdf_from_html.
 */
kj_err kj_report_annual(struct kj_ctx *ctx, int fiscal_year, const char *org, const char *lang, const char *format,
			const char *chromium, struct kj_buf *out);

#endif
