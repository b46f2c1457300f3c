/*
 * api_report.c: the yearly evaluation report (GET /api/v1/reports/annual), as HTML or
 * PDF. Access is that of the evaluation (engine/report.h): what the principal may read of
 * it, nothing more.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "base/util.h"
#include "engine/report.h"

void
api_report_annual(struct kj_req *rq)
{
	const char *fy = kj_req_query(rq, "fy"), *format = kj_req_query(rq, "format");
	const char *lang = kj_req_query(rq, "lang"), *org = kj_req_query(rq, "org");
	int64_t year = 0;
	struct kj_buf b;
	size_t len;
	int pdf, had;
	kj_err r;

	if (fy != NULL && kj_parse_int64(fy, 1900, 2999, &year) != 0) {
		kj_reply_error(rq, KJ_ERR_INVALID, "fy: expected a fiscal year such as 2025 (the year of its April)");
		return;
	}
	if (format == NULL)
		format = "html";
	pdf = strcmp(format, "pdf") == 0;
	kj_buf_init(&b, 0);
	/* Reading the evaluation may make a year's snapshot fresh first, which writes. A PDF is
	 * the same HTML, printed afterwards on a PDF job thread (kj_reply_pdf). */
	had = kj_req_leave_read(rq);
	r = kj_report_annual(&rq->ctx, (int)year, org, lang, pdf ? "html" : format, NULL, &b);
	kj_req_resume_read(rq, had);
	if (r != KJ_OK) {
		kj_buf_free(&b);
		kj_reply_fail(rq, r);
		return;
	}
	len = b.len;
	if (pdf) {
		/* The browser's path is the operator's choice, like the server's other settings. */
		kj_reply_pdf(rq, kj_buf_take(&b), len, getenv("KIJUN_CHROMIUM"),
			     "inline; filename=\"kijun-annual-report.pdf\"");
		return;
	}
	kj_reply_header(rq, "Content-Disposition", "inline; filename=\"kijun-annual-report.html\"");
	/* Replaces the server's default policy, which forbids the report's inline style. */
	kj_reply_header(rq, "Content-Security-Policy",
			"default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'");
	kj_reply_raw(rq, 200, "text/html; charset=utf-8", kj_buf_take(&b), len);
}
