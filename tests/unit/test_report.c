/*
 * test_report.c: the yearly report's renderer over hand-made evaluation values (the JSON
 * shapes of eval.h). Hostile names must come out escaped in HTML and SVG alike, the charts
 * and numbers must be there in both languages, the markup must nest, and a thousand
 * organisations must be written within the two seconds the issue allows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "engine/pdf.h"
#include "engine/report.h"

/* A name with everything that must not reach the document as it is: markup, quotes, an
 * ampersand, a right-to-left override and a control character. */
static const char hostile_ja[] = "<script>alert(1)</script>\"省'&\xe2\x80\xae\x01庁";
static const char hostile_en[] = "Ministry <b>of</b> \"Tricks\" & 'Quotes'\xe2\x81\xa7";

static const char *const stages[5] = {"policy_reviewed", "self_inspected", "audited", "plan_accepted", "plan_done"};
static const char *const statuses[4] = {"done", "in_progress", "not_started", "not_applicable"};

struct fixture {
	json_t *gov, *board;
	json_t **orgs;
	size_t norgs;
};

static json_t *
score_or_null(size_t i, size_t salt)
{
	/* Every seventh value is missing, to exercise the "no data" paths. */
	if ((i + salt) % 7 == 6)
		return json_null();
	return json_real(35.0 + (double)((i * 37 + salt * 11) % 640) / 10.0);
}

/* n organisations and nparts parts, shaped like kj_eval_government, kj_eval_board and
 * kj_eval_org; organisation 0 has the hostile names. */
static void
fixture_make(struct fixture *f, size_t n, size_t nparts)
{
	json_t *parts = json_array(), *rows = json_array(), *ps = json_array(), *weak = json_array();
	json_t *brows = json_array(), *counts = json_object();
	size_t i, p;
	int s;

	memset(f, 0, sizeof(*f));
	for (p = 0; p < nparts; p++) {
		char num[24], tja[80], ten[80];

		snprintf(num, sizeof(num), "%zu", p + 1);
		snprintf(tja, sizeof(tja), "第%zu部 組織と体制の整備", p + 1);
		snprintf(ten, sizeof(ten), "Part %zu: organisation & governance", p + 1);
		json_array_append_new(parts, json_pack("{s:s, s:s, s:s}", "number", num, "title_ja", tja, "title_en", ten));
		json_array_append_new(
			ps, json_pack("{s:s, s:f, s:f, s:f, s:f, s:[{s:s, s:s, s:s, s:f}]}", "number", num, "mean", 70.0,
				      "stdev", 8.0, "min", 40.0, "max", 95.0, "laggards", "code", "ORG0000", "name_ja",
				      hostile_ja, "name_en", hostile_en, "score", 41.5));
	}
	json_array_append_new(weak, json_pack("{s:s, s:s, s:s, s:s, s:f, s:i, s:i, s:i}", "number", "2.1.1(1)",
					      "title_ja", "管理者権限の<制限>", "title_en", "Limit admin & root", "part",
					      "2", "mean_rate", 0.55, "orgs", (int)n, "orgs_below", (int)(n / 2 + 1),
					      "findings", 4));
	f->orgs = calloc(n ? n : 1, sizeof(*f->orgs));
	for (i = 0; i < n; i++) {
		char code[32], nja[64], nen[64];
		const char *name_ja = nja, *name_en = nen;
		json_t *pv = json_array(), *oparts = json_array(), *reqs = json_array(), *st = json_object(), *score;

		snprintf(code, sizeof(code), "ORG%04zu", i);
		snprintf(nja, sizeof(nja), "第%zu府省", i);
		snprintf(nen, sizeof(nen), "Ministry %zu", i);
		if (i == 0) {
			name_ja = hostile_ja;
			name_en = hostile_en;
		}
		for (p = 0; p < nparts; p++) {
			json_t *v = score_or_null(i, p);

			json_array_append(pv, v);
			json_array_append_new(oparts, json_pack("{s:s, s:s, s:s, s:o, s:f}", "number",
								json_string_value(json_object_get(json_array_get(parts, p), "number")),
								"title_ja", "部の表題", "title_en", "Part title", "score", v,
								"gov_mean", 70.0));
		}
		for (p = 0; p < 12; p++) {
			char rn[48];

			snprintf(rn, sizeof(rn), "%zu.%zu", p % nparts + 1, p + 1);
			json_array_append_new(
				reqs, json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:[{s:s, s:s, s:s, s:n, s:n}]}",
						"number", rn, "part", "1", "title_ja", "要件<&>", "title_en", "Requirement <&>",
						"self_rate", 0.8, "penalty", 0.15, "score", 20.0 + (double)p * 7.0, "findings",
						"uuid", "00000000-0000-4000-8000-000000000000", "engagement", "E1", "severity",
						p % 2 ? "high" : "critical", "plan", "plan_status"));
		}
		score = i % 11 == 10 ? json_null() : json_real(40.0 + (double)((i * 53) % 590) / 10.0);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:n, s:O, s:i, s:n, s:n, s:f, s:i, s:o}", "code",
						      code, "name_ja", name_ja, "name_en", name_en, "kind", "ministry",
						      "parent", "score", score, "maturity", (int)(i % 5) + 1, "previous",
						      "delta", "self_rate", 0.8, "findings_open", 2, "parts", pv));
		for (s = 0; s < 5; s++)
			json_object_set_new(st, stages[s], json_string(statuses[(i + (size_t)s) % 4]));
		json_array_append_new(brows, json_pack("{s:s, s:s, s:s, s:s, s:O, s:i}", "code", code, "name_ja", name_ja,
						       "name_en", name_en, "kind", "ministry", "stages", st, "reached",
						       (int)(i % 6)));
		f->orgs[i] = json_pack(
			"{s:i, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:o, s:i,"
			" s:[{s:i, s:b, s:s}, {s:i, s:b, s:s}, {s:i, s:b, s:s}, {s:i, s:b, s:s}],"
			" s:f, s:{s:f, s:f, s:i, s:i}, s:o, s:o,"
			" s:[{s:i, s:f, s:i, s:f}, {s:i, s:f, s:i, s:f}], s:{s:s, s:o, s:i}}",
			"fiscal_year", 2025, "method", "kijun-eval-1", "computed_at", "2026-04-01T00:00:00Z", "edition",
			"demo-fy2025", "org", "code", code, "name_ja", name_ja, "name_en", name_en, "kind", "ministry", "score",
			score, "maturity", (int)(i % 5) + 1, "maturity_steps", "level", 2, "met", 1, "why",
			"score 70.5 >= 40; 120 answers", "level", 3, "met", 1, "why", "policy <v2> approved", "level", 4, "met",
			0, "why", "2 checklists not submitted", "level", 5, "met", 0, "why", "score below 90", "self_rate",
			0.81, "gov", "mean", 71.2, "stdev", 8.1, "rank", (int)i + 1, "of", (int)n, "parts", oparts,
			"requirements", reqs, "trend", "fiscal_year", 2024, "score", 66.5, "maturity", 2, "gov_mean", 68.0,
			"fiscal_year", 2025, "score", 70.5, "maturity", 3, "gov_mean", 71.2, "pdca", "code", code, "stages",
			json_deep_copy(st), "reached", 2);
		json_decref(st);
		assert_non_null(f->orgs[i]);
	}
	f->norgs = n;
	for (s = 0; s < 5; s++)
		json_object_set_new(counts, stages[s],
				    json_pack("{s:i, s:i, s:i, s:i}", "done", 3, "in_progress", 2, "not_started", 1,
					      "not_applicable", 0));
	f->gov = json_pack("{s:i, s:s, s:s, s:s, s:o,"
			   " s:{s:i, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:[i,i,i,i,i]},"
			   " s:o, s:o, s:o, s:[{s:i, s:f, s:f, s:i}, {s:i, s:f, s:f, s:i}, {s:i, s:f, s:f, s:i}]}",
			   "fiscal_year", 2025, "method", "kijun-eval-1", "computed_at", "2026-04-01T09:30:00Z", "edition",
			   "demo-fy2025", "parts", parts, "summary", "orgs", (int)n, "scored", (int)n - 1, "mean", 71.23,
			   "median", 72.0, "stdev", 8.1, "min", 50.3, "max", 88.9, "p10", 60.1, "p90", 82.5, "cv", 0.11,
			   "maturity", 2, 5, 17, 9, 3, "orgs", rows, "part_summary", ps, "weak_requirements", weak, "trend",
			   "fiscal_year", 2023, "mean", 63.4, "stdev", 10.2, "scored", 30, "fiscal_year", 2024, "mean", 67.9,
			   "stdev", 9.0, "scored", 35, "fiscal_year", 2025, "mean", 71.23, "stdev", 8.1, "scored", 38);
	f->board = json_pack("{s:i, s:s, s:[s,s,s,s,s], s:o, s:o}", "fiscal_year", 2025, "computed_at",
			     "2026-04-01T09:30:00Z", "stages", stages[0], stages[1], stages[2], stages[3], stages[4], "orgs",
			     brows, "counts", counts);
	assert_non_null(f->gov);
	assert_non_null(f->board);
}

static void
fixture_free(struct fixture *f)
{
	size_t i;

	for (i = 0; i < f->norgs; i++)
		json_decref(f->orgs[i]);
	free(f->orgs);
	json_decref(f->gov);
	json_decref(f->board);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += len;
	}
	return n;
}

/* Checks that the elements of doc nest: every start tag of an element that is not void in
 * HTML is closed in order. Returns NULL or a description of the first fault. */
static const char *
nesting(const char *doc)
{
	static const char *const voids[] = {"meta", "br", "hr", "img", "link", "input", NULL};
	static char why[256];
	char stack[256][16];
	int depth = 0, i;
	const char *p = doc;

	while ((p = strchr(p, '<')) != NULL) {
		const char *q = p + 1, *end = strchr(p, '>');
		char name[16];
		size_t n = 0;
		int closing = 0, isvoid = 0;

		if (end == NULL)
			return "unterminated tag";
		if (*q == '!') {
			p = end + 1;
			continue;
		}
		if (*q == '/') {
			closing = 1;
			q++;
		}
		while (n + 1 < sizeof(name) && q[n] != '\0' && q[n] != ' ' && q[n] != '>' && q[n] != '/' && q[n] != '\n') {
			name[n] = q[n];
			n++;
		}
		name[n] = '\0';
		for (i = 0; voids[i] != NULL; i++)
			isvoid |= strcmp(name, voids[i]) == 0;
		if (closing) {
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0) {
				snprintf(why, sizeof(why), "</%s> closes <%s> at byte %td", name, depth ? stack[depth - 1] : "",
					 p - doc);
				return why;
			}
			depth--;
		} else if (!isvoid && end[-1] != '/') {
			if (depth == 256)
				return "too deep";
			memcpy(stack[depth++], name, n + 1);
		}
		/* <style> and <title> hold text in which no tag starts. */
		p = end + 1;
	}
	return depth == 0 ? NULL : "unclosed elements at the end";
}

static char *
render(struct fixture *f, int with_gov, const char *lang)
{
	struct kj_ctx ctx;
	struct kj_buf b;
	kj_err r;

	kj_ctx_init(&ctx);
	kj_buf_init(&b, 0);
	r = kj_report_annual_html(&ctx, with_gov ? f->gov : NULL, with_gov ? f->board : NULL, f->orgs,
				  with_gov ? f->norgs : 1, lang, &b);
	if (r != KJ_OK)
		fail_msg("%s", ctx.msg);
	return kj_buf_take(&b);
}

/* Checks that doc holds the hostile names at least min times, escaped, never as they are,
 * and that its elements nest. */
static void
check_safe(const char *doc, size_t min)
{
	const char *fault = nesting(doc);

	if (fault != NULL)
		fail_msg("%s", fault);
	/* The only script-like text is the escaped name. */
	assert_null(strstr(doc, "<script"));
	assert_null(strstr(doc, "<b>of</b>"));
	assert_true(count(doc, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;省&#39;&amp;庁") +
			    count(doc, "Ministry &lt;b&gt;of&lt;/b&gt; &quot;Tricks&quot; &amp; &#39;Quotes&#39;") >=
		    min);
	/* No bidirectional override or isolate and no control character survives. */
	assert_null(strstr(doc, "\xe2\x80\xae"));
	assert_null(strstr(doc, "\xe2\x81\xa7"));
	assert_null(strchr(doc, '\x01'));
}

static void
test_government_ja(void **state)
{
	struct fixture f;
	char *doc;

	(void)state;
	fixture_make(&f, 12, 8);
	doc = render(&f, 1, "ja");
	assert_true(strncmp(doc, "<!DOCTYPE html>\n<html lang=\"ja\">", 32) == 0);
	assert_non_null(strstr(doc, "令和7年度 情報セキュリティ対策 年次評価報告書"));
	assert_non_null(strstr(doc, "（2025年度）"));
	assert_non_null(strstr(doc, "kijun-eval-1"));
	assert_non_null(strstr(doc, "2026-04-01T09:30:00Z"));
	assert_non_null(strstr(doc, "default-src 'none'"));
	assert_non_null(strstr(doc, "size:A4"));
	assert_non_null(strstr(doc, "break-before:page"));
	/* The summary's figures. */
	assert_non_null(strstr(doc, ">71.2<"));
	assert_non_null(strstr(doc, ">72.0<"));
	assert_non_null(strstr(doc, ">0.11<"));
	assert_non_null(strstr(doc, ">60.1<"));
	/* Charts: maturity, spread, heatmap, trend, and two per organisation; all scalable. */
	assert_true(count(doc, "<svg viewBox=") >= 4 + 1 + 2 * 12);
	assert_int_equal(count(doc, "<svg"), count(doc, "viewBox="));
	assert_non_null(strstr(doc, "id=\"heatmap\""));
	assert_non_null(strstr(doc, "成熟度の分布"));
	assert_non_null(strstr(doc, "定義済み"));
	/* A title per heatmap cell: 12 organisations x (8 parts + the total). */
	assert_true(count(doc, "<g><title>") >= 12 * 9);
	/* Missing values are shown, not left blank. */
	assert_non_null(strstr(doc, ">–</text>"));
	/* The PDCA board says its states in words beside the symbols. */
	assert_non_null(strstr(doc, "● 完了"));
	assert_non_null(strstr(doc, "△ 実施中"));
	assert_non_null(strstr(doc, "○ 未着手"));
	/* Weak requirements, laggards, trend. */
	assert_non_null(strstr(doc, "管理者権限の&lt;制限&gt;"));
	assert_non_null(strstr(doc, "55%"));
	assert_non_null(strstr(doc, "令和5年度"));
	assert_non_null(strstr(doc, ">R7<"));
	/* One section per organisation, the first one the target of the contents. */
	assert_int_equal(count(doc, "<section class=\"org\""), 12);
	assert_int_equal(count(doc, "id=\"orgs\""), 1);
	assert_non_null(strstr(doc, "第3府省"));
	assert_non_null(strstr(doc, "policy &lt;v2&gt; approved"));
	assert_non_null(strstr(doc, "<b>-26.5</b>"));
	check_safe(doc, 10);
	free(doc);
	fixture_free(&f);
}

static void
test_government_en(void **state)
{
	struct fixture f;
	char *doc;

	(void)state;
	fixture_make(&f, 5, 3);
	doc = render(&f, 1, "en");
	assert_true(strncmp(doc, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0);
	assert_non_null(strstr(doc, "FY2025 Annual information security evaluation report"));
	assert_non_null(strstr(doc, "Government summary"));
	assert_non_null(strstr(doc, "Ministry 3"));
	assert_null(strstr(doc, "第3府省"));
	assert_non_null(strstr(doc, "Limit admin &amp; root"));
	assert_non_null(strstr(doc, "● done"));
	assert_non_null(strstr(doc, "defined"));
	assert_null(strstr(doc, "令和"));
	check_safe(doc, 10);
	free(doc);
	fixture_free(&f);
}

static void
test_one_org(void **state)
{
	struct fixture f;
	char *doc;

	(void)state;
	fixture_make(&f, 3, 4);
	doc = render(&f, 0, "ja");
	assert_non_null(strstr(doc, "組織別 情報セキュリティ評価報告書"));
	assert_null(strstr(doc, "id=\"heatmap\""));
	assert_null(strstr(doc, "id=\"pdca\""));
	assert_int_equal(count(doc, "<section class=\"org\""), 1);
	/* Rank and findings: 12 requirements, each with one finding, none with a plan. */
	assert_non_null(strstr(doc, "1 / 3"));
	assert_non_null(strstr(doc, "12件（重大 6、高 6、中 0、低 0）、計画なし 12"));
	check_safe(doc, 2);
	free(doc);
	fixture_free(&f);
}

static void
test_bad_input(void **state)
{
	struct fixture f;
	struct kj_ctx ctx;
	struct kj_buf b;

	(void)state;
	fixture_make(&f, 2, 2);
	kj_ctx_init(&ctx);
	kj_buf_init(&b, 0);
	assert_int_equal(kj_report_annual_html(&ctx, f.gov, NULL, NULL, 0, "fr", &b), KJ_ERR_INVALID);
	assert_non_null(strstr(ctx.msg, "lang"));
	assert_int_equal(kj_report_annual_html(&ctx, NULL, NULL, NULL, 0, "ja", &b), KJ_ERR_INVALID);
	/* A government value without organisations still makes a document. */
	json_object_set_new(f.gov, "orgs", json_array());
	assert_int_equal(kj_report_annual_html(&ctx, f.gov, NULL, NULL, 0, "en", &b), KJ_OK);
	assert_non_null(strstr(kj_buf_cstr(&b), "</html>"));
	/* A buffer that cannot grow is a failure, not a cut-off document. */
	kj_buf_free(&b);
	kj_buf_init(&b, 1000);
	assert_int_equal(kj_report_annual_html(&ctx, f.gov, f.board, f.orgs, f.norgs, "ja", &b), KJ_ERR_NOMEM);
	kj_buf_free(&b);
	fixture_free(&f);
}

static void
test_pdf_failures(void **state)
{
	struct kj_ctx ctx;
	struct kj_buf b;

	(void)state;
	kj_ctx_init(&ctx);
	kj_buf_init(&b, 0);
	assert_int_equal(kj_pdf_from_html(&ctx, "/nonexistent/chromium", "<p>x</p>", 8, &b), KJ_ERR_IO);
	assert_non_null(strstr(ctx.msg, "PDF needs Chromium"));
	assert_int_equal(b.len, 0);
	/* A browser that fails, or succeeds without writing the PDF, is a failure too. */
	assert_int_equal(kj_pdf_from_html(&ctx, "/bin/false", "<p>x</p>", 8, &b), KJ_ERR_IO);
	assert_non_null(strstr(ctx.msg, "Chromium failed (exit status 1)"));
	assert_int_equal(kj_pdf_from_html(&ctx, "/bin/true", "<p>x</p>", 8, &b), KJ_ERR_IO);
	assert_non_null(strstr(ctx.msg, "wrote no PDF"));
	assert_int_equal(b.len, 0);
	kj_buf_free(&b);
}

/* The bound: 1,000 organisations written in at most 2 s (here under the
 * sanitizers, which slow it down several times). */
static void
test_thousand_orgs(void **state)
{
	struct fixture f;
	struct timespec t0, t1;
	struct kj_ctx ctx;
	struct kj_buf b;
	double s;

	(void)state;
	fixture_make(&f, 1000, 8);
	kj_ctx_init(&ctx);
	kj_buf_init(&b, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(kj_report_annual_html(&ctx, f.gov, f.board, f.orgs, f.norgs, "ja", &b), KJ_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# report html, 1000 organisations: %.3f s, %zu bytes\n", s, b.len);
	assert_int_equal(count(b.data, "<section class=\"org\""), 1000);
	assert_true(s < 2.0);
	kj_buf_free(&b);
	fixture_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_government_ja), cmocka_unit_test(test_government_en),
		cmocka_unit_test(test_one_org),	      cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_pdf_failures), cmocka_unit_test(test_thousand_orgs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
