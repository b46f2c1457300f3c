/*
 * report.c: the yearly evaluation report (report.h). Owns the HTML document, its labels
 * in Japanese and English, and the SVG charts. It reads only the JSON values of eval.h,
 * never the database, so it cannot show more than the eval functions gave the principal.
 *
 * Everything is appended to one kj_buf, without per-row allocations, so that the report
 * of a thousand organisations is written in well under a second. Texts from the data go
 * through esc() (HTML and SVG alike); numbers are formatted here.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../model/eval.h"
#include "pdf.h"

/* Rows per heatmap chart: one chart fits an A4 page, and a chart is never split. */
#define HEAT_ROWS 40

struct labels {
	const char *lang;
	const char *name_key, *name_alt, *title_key, *title_alt;
	const char *title, *title_org, *subtitle;
	const char *fiscal_year, *method, *computed_at, *edition, *contents;
	const char *sec_summary, *sec_spread, *sec_heatmap, *sec_trend, *sec_laggards, *sec_weak, *sec_pdca, *sec_orgs;
	const char *orgs_evaluated, *orgs_scored, *mean, *median, *stdev, *min, *max, *p10, *p90, *cv;
	const char *maturity, *maturity_dist, *maturity_names[5];
	const char *score, *gov_mean, *rank, *delta, *self_rate;
	const char *org, *part, *laggards, *none, *no_data;
	const char *requirement, *title_col, *mean_rate, *orgs_below, *findings;
	const char *stage, *stage_names[5], *status_names[4], *reached;
	const char *spread_caption, *heat_caption, *trend_caption, *org_parts_caption, *org_trend_caption;
	const char *steps, *met, *not_met, *no_findings;
	const char *severity_names[4], *without_plan, *verified, *pdca;
};

static const struct labels ja = {
	"ja", "name_ja", "name_en", "title_ja", "title_en",
	"情報セキュリティ対策 年次評価報告書", "組織別 情報セキュリティ評価報告書",
	"政府統一基準に基づく各府省庁等の評価",
	"年度", "評価方法", "算出日時", "基準の版", "目次",
	"政府全体の概要", "得点の分布", "組織×部の得点", "政府平均の推移", "部ごとの遅れている組織", "全体で弱い要件",
	"PDCAボード", "組織別評価",
	"評価対象組織数", "得点のある組織数", "平均", "中央値", "標準偏差", "最小", "最大", "下位10%点", "上位10%点",
	"変動係数",
	"成熟度", "成熟度の分布", {"初期", "反復可能", "定義済み", "管理", "最適化"},
	"得点", "政府平均", "順位", "前年度比", "自己点検実施率",
	"組織", "部", "遅れている組織（平均−標準偏差未満）", "なし", "データなし",
	"要件", "表題", "平均実施率", "0.7未満の組織", "指摘",
	"段階", {"方針見直し", "自己点検", "監査", "改善計画承認", "改善完了"}, {"完了", "実施中", "未着手", "対象外"},
	"到達段階数",
	"各点は1組織の得点。帯は平均±1標準偏差、実線は平均、破線は下位・上位10%点。棒は10点ごとの組織数。",
	"色は得点の階級、数字は得点。「–」は評価対象の要件がないことを示す。",
	"線は政府平均、帯は平均±1標準偏差。",
	"棒はこの組織の部ごとの得点、縦線は政府平均。",
	"実線はこの組織の得点、破線は政府平均。",
	"成熟度の段階", "達成", "未達", "指摘なし",
	{"低", "中", "高", "重大"}, "計画なし", "検証済み", "PDCA",
};

static const struct labels en = {
	"en", "name_en", "name_ja", "title_en", "title_ja",
	"Annual information security evaluation report", "Organisation information security evaluation report",
	"Evaluation of ministries and agencies against the unified standard",
	"Fiscal year", "Method", "Computed at", "Edition of the standard", "Contents",
	"Government summary", "Spread of scores", "Organisations by part", "Trend of the government mean",
	"Laggards per part", "Requirements weak across government", "PDCA board", "Organisations",
	"Organisations evaluated", "Organisations scored", "Mean", "Median", "Standard deviation", "Minimum",
	"Maximum", "10th percentile", "90th percentile", "Coefficient of variation",
	"Maturity", "Maturity distribution", {"initial", "repeatable", "defined", "managed", "optimising"},
	"Score", "Government mean", "Rank", "Change from last year", "Self-inspection rate",
	"Organisation", "Part", "Laggards (below mean − 1 standard deviation)", "none", "no data",
	"Requirement", "Title", "Mean rate", "Organisations below 0.7", "Findings",
	"Stage", {"Policy reviewed", "Self-inspected", "Audited", "Plan accepted", "Plan done"},
	{"done", "in progress", "not started", "not applicable"}, "Stages reached",
	"Each dot is one organisation's score. The band is the mean ± 1 standard deviation, the solid line the "
	"mean, the dashed lines the 10th and 90th percentiles. Bars count organisations per 10 points.",
	"Colour shows the score's class and each cell gives the score; \"–\" means no assessed requirement.",
	"The line is the government mean, the band the mean ± 1 standard deviation.",
	"Bars are this organisation's score per part; the vertical marks the government mean.",
	"The solid line is this organisation's score, the dashed line the government mean.",
	"Maturity steps", "met", "not met", "no findings",
	{"low", "medium", "high", "critical"}, "without a plan", "verified", "PDCA",
};

static const char *const stage_keys[5] = {"policy_reviewed", "self_inspected", "audited", "plan_accepted", "plan_done"};
static const char *const status_keys[4] = {"done", "in_progress", "not_started", "not_applicable"};
static const char *const status_symbols[4] = {"●", "△", "○", "－"};
static const char *const severity_keys[4] = {"low", "medium", "high", "critical"};

/* ---- Text ------------------------------------------------------------------------------ */

/*
 * Appends the first n bytes of s escaped for HTML text, attributes and SVG. Drops the
 * bidirectional embedding and override controls (U+202A..U+202E, U+2066..U+2069), which
 * could make a hostile name reorder the text around it, and control characters, which
 * XML does not allow.
 */
static void
esc_n(struct kj_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run = p;

	while (p < end) {
		const char *rep = NULL;
		size_t skip = 1;

		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case 0xE2:
			if (end - p >= 3 && ((p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE) ||
					     (p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9))) {
				rep = "";
				skip = 3;
			}
			break;
		default:
			if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7F)
				rep = "";
		}
		if (rep == NULL) {
			p++;
			continue;
		}
		kj_buf_append(b, run, (size_t)(p - run));
		kj_buf_puts(b, rep);
		p += skip;
		run = p;
	}
	kj_buf_append(b, run, (size_t)(p - run));
}

static void
esc(struct kj_buf *b, const char *s)
{
	if (s != NULL)
		esc_n(b, s, strlen(s));
}

/* Appends s escaped, cut to about width columns (a wide character counts two) with an
 * ellipsis: SVG text does not wrap, so long names are shortened there and given whole in
 * the element's title. */
static void
esc_fit(struct kj_buf *b, const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t cut = 0;
	int w = 0, have_cut = 0;

	if (s == NULL)
		return;
	while (*p) {
		size_t len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
		int cw = len >= 3 ? 2 : 1;

		if (w + cw > width - 1 && !have_cut) {
			cut = (size_t)(p - (const unsigned char *)s);
			have_cut = 1;
		}
		w += cw;
		if (w > width) {
			esc_n(b, s, cut);
			kj_buf_puts(b, "…");
			return;
		}
		while (len > 0 && *p) {
			p++;
			len--;
		}
	}
	esc(b, s);
}

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* The text of o in the report's language, else the other one, else fallback. */
static const char *
text2(const json_t *o, const char *key, const char *alt, const char *fallback)
{
	const char *s = str(o, key);

	if (*s == '\0')
		s = str(o, alt);
	return *s != '\0' ? s : fallback;
}

static const char *
org_name(const struct labels *L, const json_t *o)
{
	return text2(o, L->name_key, L->name_alt, str(o, "code"));
}

static const char *
item_title(const struct labels *L, const json_t *o)
{
	return text2(o, L->title_key, L->title_alt, "");
}

static int
num(const json_t *o, const char *key, double *v)
{
	const json_t *x = json_object_get(o, key);

	if (!json_is_number(x))
		return 0;
	*v = json_number_value(x);
	return isfinite(*v);
}

static int
num_at(const json_t *a, size_t i, double *v)
{
	const json_t *x = json_array_get(a, i);

	if (!json_is_number(x))
		return 0;
	*v = json_number_value(x);
	return isfinite(*v);
}

static long
integer(const json_t *o, const char *key)
{
	return (long)json_integer_value(json_object_get(o, key));
}

/* A number of o with prec decimals, or "–" when absent or null. */
static void
put_num(struct kj_buf *b, const json_t *o, const char *key, int prec)
{
	double v;

	if (num(o, key, &v))
		kj_buf_printf(b, "%.*f", prec, v);
	else
		kj_buf_puts(b, "–");
}

/* A table cell with a number of o, aligned right. */
static void
num_cell(struct kj_buf *b, const json_t *o, const char *key, int prec)
{
	kj_buf_puts(b, "<td class=\"n\">");
	put_num(b, o, key, prec);
	kj_buf_puts(b, "</td>");
}

/* A rate (0..1) of o as a percentage. */
static void
put_pct(struct kj_buf *b, const json_t *o, const char *key)
{
	double v;

	if (num(o, key, &v))
		kj_buf_printf(b, "%.0f%%", v * 100.0);
	else
		kj_buf_puts(b, "–");
}

/* The fiscal year's name: 令和7年度 (the Reiwa era began in FY2019, 令和元年度), or FY2025. */
static void
put_fy(struct kj_buf *b, const struct labels *L, long fy)
{
	if (L == &en)
		kj_buf_printf(b, "FY%ld", fy);
	else if (fy == 2019)
		kj_buf_puts(b, "令和元年度");
	else if (fy > 2019)
		kj_buf_printf(b, "令和%ld年度", fy - 2018);
	else if (fy == 1989)
		kj_buf_puts(b, "平成元年度");
	else if (fy > 1989)
		kj_buf_printf(b, "平成%ld年度", fy - 1988);
	else
		kj_buf_printf(b, "%ld年度", fy);
}

/* A short name for a chart's axis. */
static void
put_fy_short(struct kj_buf *b, const struct labels *L, long fy)
{
	if (L == &en || fy < 2019)
		kj_buf_printf(b, "%ld", fy);
	else
		kj_buf_printf(b, "R%ld", fy - 2018);
}

static const char *
maturity_name(const struct labels *L, long m)
{
	return m >= 1 && m <= 5 ? L->maturity_names[m - 1] : "–";
}

/* The colour class of a score: the maturity thresholds 40, 60, 75, 90. */
static int
score_class(double v)
{
	return v < 40 ? 0 : v < 60 ? 1 : v < 75 ? 2 : v < 90 ? 3 : 4;
}

static double
clamp100(double v)
{
	return v < 0 ? 0 : v > 100 ? 100 : v;
}

/* ---- The document's frame ------------------------------------------------------------ */

static const char css[] =
	"@page{size:A4;margin:14mm 12mm}"
	"*{box-sizing:border-box}"
	"html{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	"body{font-family:\"IPAPGothic\",\"IPAGothic\",\"IPAexGothic\",\"Noto Sans CJK JP\",\"Hiragino Sans\",\"Yu Gothic\",Meiryo,"
	"sans-serif;font-size:10pt;line-height:1.45;color:#111;background:#fff;margin:0 auto;max-width:190mm;"
	"padding:8mm}"
	"@media print{body{padding:0;max-width:none}}"
	"h1{font-size:19pt;margin:18mm 0 3mm}h2{font-size:14pt;border-bottom:1.5px solid #234;margin:7mm 0 3mm;"
	"break-after:avoid}h3{font-size:11pt;margin:4mm 0 2mm;break-after:avoid}"
	"p{margin:1.5mm 0}"
	"table{border-collapse:collapse;width:100%;margin:2mm 0;font-size:9pt}"
	"th,td{border:1px solid #9aa;padding:.6mm 1.6mm;text-align:left;vertical-align:top}"
	"th{background:#e8eef3}thead{display:table-header-group}tr{break-inside:avoid}"
	".n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"figure{margin:2mm 0;break-inside:avoid}figcaption{font-size:8.5pt;color:#333}"
	"svg{display:block;width:100%;height:auto;break-inside:avoid}"
	"svg text{font-size:10px;fill:#111}svg .sm{font-size:8px}svg .ax{stroke:#999;stroke-width:.5}"
	".cover{break-after:page}.cover .sub{font-size:12pt}"
	"dl.meta{display:grid;grid-template-columns:max-content auto;gap:1mm 4mm;margin:8mm 0}"
	"dl.meta dt{font-weight:bold}dl.meta dd{margin:0}"
	"nav ol{margin:2mm 0;padding-left:6mm}"
	"section.org{break-before:page}section.gov{break-before:page}"
	".kpi{display:flex;flex-wrap:wrap;gap:2mm 6mm;margin:2mm 0}.kpi div{min-width:30mm}"
	".kpi b{display:block;font-size:15pt}"
	".code{color:#555;font-weight:normal;font-size:10pt}"
	".s0{fill:#d7191c}.s1{fill:#fdae61}.s2{fill:#ffffbf}.s3{fill:#abd9e9}.s4{fill:#2c7bb6}.sn{fill:#ddd}"
	"svg .t0,svg .t4{fill:#fff}"
	".bar{fill:#3b6e9e}.gm{stroke:#111;stroke-width:2}.band{fill:#9ecae1;fill-opacity:.45}"
	".line{fill:none;stroke:#1f4e79;stroke-width:2}.line2{fill:none;stroke:#555;stroke-width:1.5;"
	"stroke-dasharray:5 3}.pt{fill:#1f4e79}.dot{fill:#1f4e79;fill-opacity:.55}"
	".mean{stroke:#b00;stroke-width:1.5}.pct{stroke:#b00;stroke-width:1;stroke-dasharray:4 3}"
	".hist{fill:#c6dbef;stroke:#6b9ac4;stroke-width:.5}"
	".st-done{background:#d9f0d3}.st-in_progress{background:#fff3c4}.st-not_started{background:#f8d7d3}"
	".st-not_applicable{background:#eee;color:#555}"
	"ol.steps{list-style:none;padding:0;margin:1mm 0}ol.steps li{margin:.4mm 0}"
	".charts{display:grid;grid-template-columns:1fr 1fr;gap:4mm}";

static void
frame_open(struct kj_buf *b, const struct labels *L, const char *title, long fy)
{
	kj_buf_printf(b,
		      "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
		      "'unsafe-inline'; img-src data:\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
		      L->lang);
	put_fy(b, L, fy);
	kj_buf_putc(b, ' ');
	esc(b, title);
	kj_buf_puts(b, "</title>\n<style>");
	kj_buf_puts(b, css);
	kj_buf_puts(b, "</style>\n</head>\n<body>\n");
}

static void
cover(struct kj_buf *b, const struct labels *L, const json_t *v, const char *title, const char *who)
{
	long fy = integer(v, "fiscal_year");

	kj_buf_puts(b, "<header class=\"cover\">\n<h1>");
	put_fy(b, L, fy);
	kj_buf_puts(b, " ");
	esc(b, title);
	kj_buf_puts(b, "</h1>\n<p class=\"sub\">");
	esc(b, who != NULL ? who : L->subtitle);
	kj_buf_printf(b, "</p>\n<dl class=\"meta\"><dt>%s</dt><dd>", L->fiscal_year);
	put_fy(b, L, fy);
	if (L == &ja)
		kj_buf_printf(b, "（%ld年度）", fy);
	kj_buf_printf(b, "</dd><dt>%s</dt><dd>", L->method);
	esc(b, str(v, "method"));
	kj_buf_printf(b, "</dd><dt>%s</dt><dd>", L->computed_at);
	esc(b, str(v, "computed_at"));
	kj_buf_printf(b, "</dd><dt>%s</dt><dd>", L->edition);
	esc(b, str(v, "edition"));
	kj_buf_puts(b, "</dd></dl>\n");
}

/* ---- Charts ---------------------------------------------------------------------------- */

/* Horizontal grid lines and labels for 0, 25, .. 100 between y0 (100) and y1 (0). */
static void
y_axis(struct kj_buf *b, double x0, double x1, double y0, double y1)
{
	int k;

	for (k = 0; k <= 4; k++) {
		double y = y1 - (y1 - y0) * k / 4.0;

		kj_buf_printf(b, "<line class=\"ax\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>", x0, y, x1, y);
		kj_buf_printf(b, "<text class=\"sm\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%d</text>", x0 - 4, y + 3,
			      k * 25);
	}
}

static void
maturity_chart(struct kj_buf *b, const struct labels *L, const json_t *dist)
{
	double max = 1, v;
	size_t i;

	for (i = 0; i < 5; i++)
		if (num_at(dist, i, &v) && v > max)
			max = v;
	kj_buf_printf(b, "<figure><svg viewBox=\"0 0 600 190\" role=\"img\" aria-label=\"%s\"><title>%s</title>",
		      L->maturity_dist, L->maturity_dist);
	kj_buf_puts(b, "<line class=\"ax\" x1=\"40\" y1=\"150\" x2=\"580\" y2=\"150\"/>");
	for (i = 0; i < 5; i++) {
		double n = num_at(dist, i, &v) ? v : 0, h = 120.0 * n / max, x = 60 + (double)i * 106;

		kj_buf_printf(b,
			      "<g><title>%zu %s: %.0f</title><rect class=\"s%zu\" x=\"%.0f\" y=\"%.1f\" width=\"70\" "
			      "height=\"%.1f\" stroke=\"#555\" stroke-width=\".5\"/>",
			      i + 1, L->maturity_names[i], n, i, x, 150 - h, h);
		kj_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>", x + 35, 145 - h, n);
		kj_buf_printf(b, "<text x=\"%.0f\" y=\"166\" text-anchor=\"middle\">%zu %s</text></g>", x + 35, i + 1,
			      L->maturity_names[i]);
	}
	kj_buf_printf(b, "<text x=\"40\" y=\"185\" class=\"sm\">%s</text></svg></figure>\n", L->maturity);
}

/* Histogram per 10 points, each organisation as a dot, the mean with its ±1 stdev band and
 * the 10th and 90th percentiles. */
static void
spread_chart(struct kj_buf *b, const struct labels *L, const json_t *summary, const json_t *rows)
{
	const double x0 = 40, x1 = 620, top = 20, base = 170;
	unsigned bins[10] = {0};
	unsigned max = 1;
	double mean, sd, v;
	const json_t *o;
	size_t i, k = 0;

#define X(s) (x0 + (x1 - x0) * clamp100(s) / 100.0)
	json_array_foreach(rows, i, o) {
		if (num(o, "score", &v)) {
			int bin = (int)(clamp100(v) / 10.0);

			bins[bin > 9 ? 9 : bin]++;
		}
	}
	for (i = 0; i < 10; i++)
		if (bins[i] > max)
			max = bins[i];
	kj_buf_printf(b, "<figure><svg viewBox=\"0 0 640 250\" role=\"img\" aria-label=\"%s\"><title>%s</title>",
		      L->sec_spread, L->sec_spread);
	for (i = 0; i < 10; i++) {
		double h = 130.0 * bins[i] / max;

		if (bins[i] == 0)
			continue;
		kj_buf_printf(b,
			      "<g><title>%zu–%zu: %u</title><rect class=\"hist\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			      "height=\"%.1f\"/><text class=\"sm\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%u</text></g>",
			      i * 10, i * 10 + 10, bins[i], X(i * 10.0) + 1, base - h, X(10.0) - X(0.0) - 2, h,
			      X(i * 10.0 + 5), base - h - 3, bins[i]);
	}
	for (i = 0; i <= 10; i++)
		kj_buf_printf(b,
			      "<line class=\"ax\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/><text class=\"sm\" "
			      "x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%zu</text>",
			      X(i * 10.0), base, X(i * 10.0), base + 4, X(i * 10.0), base + 13, i * 10);
	if (num(summary, "mean", &mean)) {
		if (num(summary, "stdev", &sd))
			kj_buf_printf(b, "<rect class=\"band\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\"/>",
				      X(mean - sd), top, X(mean + sd) - X(mean - sd), 230 - top);
	}
	/* The strip of dots below the axis, spread over seven lanes so that equal scores stay
	 * visible. */
	json_array_foreach(rows, i, o) {
		if (!num(o, "score", &v))
			continue;
		kj_buf_printf(b, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.0f\" r=\"3\"><title>", X(v),
			      base + 22 + (double)(k % 7) * 5);
		esc(b, org_name(L, o));
		kj_buf_printf(b, ": %.1f</title></circle>", v);
		k++;
	}
	if (num(summary, "mean", &mean))
		kj_buf_printf(b,
			      "<line class=\"mean\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"230\"/><text x=\"%.1f\" "
			      "y=\"14\" text-anchor=\"middle\">%s %.1f</text>",
			      X(mean), top, X(mean), X(mean), L->mean, mean);
	if (num(summary, "p10", &v))
		kj_buf_printf(b, "<line class=\"pct\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"230\"/>", X(v), top + 10, X(v));
	if (num(summary, "p90", &v))
		kj_buf_printf(b, "<line class=\"pct\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"230\"/>", X(v), top + 10, X(v));
	kj_buf_printf(b, "<text class=\"sm\" x=\"%.0f\" y=\"246\">%s</text></svg><figcaption>%s</figcaption></figure>\n",
		      x0, L->score, L->spread_caption);
#undef X
}

static void
legend(struct kj_buf *b, const struct labels *L)
{
	static const char *const bands[5] = {"&lt;40", "40–60", "60–75", "75–90", "≥90"};
	int i;

	kj_buf_printf(b, "<svg viewBox=\"0 0 600 24\" role=\"img\" aria-label=\"%s\">", L->score);
	for (i = 0; i < 5; i++)
		kj_buf_printf(b,
			      "<rect class=\"s%d\" x=\"%d\" y=\"4\" width=\"16\" height=\"14\" stroke=\"#555\" "
			      "stroke-width=\".5\"/><text x=\"%d\" y=\"15\">%s</text>",
			      i, i * 90, i * 90 + 20, bands[i]);
	kj_buf_printf(b,
		      "<rect class=\"sn\" x=\"450\" y=\"4\" width=\"16\" height=\"14\" stroke=\"#555\" "
		      "stroke-width=\".5\"/><text x=\"470\" y=\"15\">– %s</text></svg>\n",
		      L->no_data);
}

/* Organisations (rows, in the order of the government value: lowest score first) by parts,
 * in charts of HEAT_ROWS rows. Every cell carries its number and a title. */
static void
heatmap(struct kj_buf *b, const struct labels *L, const json_t *parts, const json_t *rows)
{
	size_t nparts = json_array_size(parts), nrows = json_array_size(rows), start, i, p;
	double cw = nparts > 12 ? 30 : 40, w = 250 + cw * (double)(nparts + 1);

	if (w < 600)
		w = 600;
	legend(b, L);
	for (start = 0; start < nrows; start += HEAT_ROWS) {
		size_t end = start + HEAT_ROWS < nrows ? start + HEAT_ROWS : nrows;
		double h = 34 + 16.0 * (double)(end - start);

		kj_buf_printf(b, "<figure><svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\"><title>%s</title>", w,
			      h, L->sec_heatmap, L->sec_heatmap);
		for (p = 0; p < nparts; p++) {
			const json_t *part = json_array_get(parts, p);

			kj_buf_printf(b, "<text x=\"%.0f\" y=\"22\" text-anchor=\"middle\"><title>", 250 + cw * (double)p + cw / 2);
			esc(b, str(part, "number"));
			kj_buf_puts(b, " ");
			esc(b, item_title(L, part));
			kj_buf_puts(b, "</title>");
			esc_fit(b, str(part, "number"), 6);
			kj_buf_puts(b, "</text>");
		}
		kj_buf_printf(b, "<text x=\"%.0f\" y=\"22\" text-anchor=\"middle\">%s</text>", 250 + cw * (double)nparts + cw / 2,
			      L == &ja ? "全体" : "All");
		for (i = start; i < end; i++) {
			const json_t *o = json_array_get(rows, i), *ps = json_object_get(o, "parts");
			double y = 30 + 16.0 * (double)(i - start), v;

			kj_buf_printf(b, "<text x=\"4\" y=\"%.0f\"><title>", y + 12);
			esc(b, org_name(L, o));
			kj_buf_puts(b, " (");
			esc(b, str(o, "code"));
			kj_buf_puts(b, ")</title>");
			esc_fit(b, org_name(L, o), 40);
			kj_buf_puts(b, "</text>");
			for (p = 0; p <= nparts; p++) {
				int has = p < nparts ? num_at(ps, p, &v) : num(o, "score", &v);
				int c = has ? score_class(v) : -1;
				double x = 250 + cw * (double)p;

				kj_buf_puts(b, "<g><title>");
				esc(b, org_name(L, o));
				kj_buf_puts(b, " / ");
				if (p < nparts) {
					kj_buf_printf(b, "%s ", L->part);
					esc(b, str(json_array_get(parts, p), "number"));
				} else {
					kj_buf_puts(b, L->score);
				}
				if (has)
					kj_buf_printf(b, ": %.1f</title>", v);
				else
					kj_buf_printf(b, ": %s</title>", L->no_data);
				if (c >= 0)
					kj_buf_printf(b, "<rect class=\"s%d\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"15\"/>"
						      "<text class=\"sm t%d\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">%.0f</text></g>",
						      c, x, y, cw - 1, c, x + cw / 2, y + 11, v);
				else
					kj_buf_printf(b, "<rect class=\"sn\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"15\"/>"
						      "<text class=\"sm\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">–</text></g>",
						      x, y, cw - 1, x + cw / 2, y + 11);
			}
		}
		kj_buf_puts(b, "</svg></figure>\n");
	}
	kj_buf_printf(b, "<p><small>%s</small></p>\n", L->heat_caption);
}

/*
 * A line chart over fiscal years of the objects of trend, w units wide (600 for a full
 * line, 300 for half of one): key as the solid line, key2 (may be NULL) as a dashed line,
 * and band (may be NULL) as ±band around key. Missing values leave their point out.
 */
static void
trend_chart(struct kj_buf *b, const struct labels *L, const json_t *trend, const char *key, const char *key2,
	    const char *band, const char *label, double w)
{
	const double x0 = 30, x1 = w - 10, y0 = 14, y1 = w > 400 ? 176 : 130;
	size_t n = json_array_size(trend), i;
	const json_t *t;
	double v, sd;
	int pass;

#define TX(i) (n > 1 ? x0 + 20 + (x1 - x0 - 40) * (double)(i) / (double)(n - 1) : (x0 + x1) / 2)
#define TY(s) (y1 - (y1 - y0) * clamp100(s) / 100.0)
	kj_buf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\"><title>%s</title>", w, y1 + 22,
		      label, label);
	y_axis(b, x0, x1, y0, y1);
	if (band != NULL && n > 0) {
		kj_buf_puts(b, "<polygon class=\"band\" points=\"");
		json_array_foreach(trend, i, t) {
			if (num(t, key, &v) && num(t, band, &sd))
				kj_buf_printf(b, "%.1f,%.1f ", TX(i), TY(v + sd));
		}
		for (i = n; i-- > 0;) {
			t = json_array_get(trend, i);
			if (num(t, key, &v) && num(t, band, &sd))
				kj_buf_printf(b, "%.1f,%.1f ", TX(i), TY(v - sd));
		}
		kj_buf_puts(b, "\"/>");
	}
	for (pass = 0; pass < 2; pass++) {
		const char *k = pass == 0 ? key2 : key;

		if (k == NULL)
			continue;
		kj_buf_printf(b, "<polyline class=\"%s\" points=\"", pass == 0 ? "line2" : "line");
		json_array_foreach(trend, i, t) {
			if (num(t, k, &v))
				kj_buf_printf(b, "%.1f,%.1f ", TX(i), TY(v));
		}
		kj_buf_puts(b, "\"/>");
	}
	json_array_foreach(trend, i, t) {
		long fy = integer(t, "fiscal_year");

		kj_buf_printf(b, "<text class=\"sm\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">", TX(i), y1 + 16);
		put_fy_short(b, L, fy);
		kj_buf_puts(b, "</text>");
		if (!num(t, key, &v))
			continue;
		kj_buf_printf(b, "<g><title>");
		put_fy(b, L, fy);
		kj_buf_printf(b, ": %.1f</title><circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>", v, TX(i), TY(v));
		kj_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f</text></g>", TX(i), TY(v) - 6, v);
	}
	kj_buf_puts(b, "</svg>");
#undef TX
#undef TY
}

/* One organisation's part scores as bars, each with a mark at the part's government mean;
 * half a line wide. */
static void
parts_chart(struct kj_buf *b, const struct labels *L, const json_t *parts)
{
	const double x0 = 112, span = 150, rh = 16;
	size_t n = json_array_size(parts), i;
	const json_t *p;
	double v, gm;

	kj_buf_printf(b, "<svg viewBox=\"0 0 300 %.0f\" role=\"img\" aria-label=\"%s\"><title>%s</title>",
		      22 + rh * (double)n, L->org_parts_caption, L->org_parts_caption);
	for (i = 0; i <= 4; i++)
		kj_buf_printf(b,
			      "<line class=\"ax\" x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.0f\"/><text class=\"sm\" "
			      "x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%zu</text>",
			      x0 + span * (double)i / 4, x0 + span * (double)i / 4, 4 + rh * (double)n,
			      x0 + span * (double)i / 4, 14 + rh * (double)n, i * 25);
	json_array_foreach(parts, i, p) {
		double y = 2 + rh * (double)i;
		int has = num(p, "score", &v), hasg = num(p, "gov_mean", &gm);

		kj_buf_puts(b, "<g><title>");
		esc(b, str(p, "number"));
		kj_buf_putc(b, ' ');
		esc(b, item_title(L, p));
		if (has)
			kj_buf_printf(b, ": %.1f", v);
		else
			kj_buf_printf(b, ": %s", L->no_data);
		if (hasg)
			kj_buf_printf(b, " (%s %.1f)", L->gov_mean, gm);
		kj_buf_printf(b, "</title><text class=\"sm\" x=\"2\" y=\"%.0f\">", y + 10);
		esc(b, str(p, "number"));
		kj_buf_putc(b, ' ');
		esc_fit(b, item_title(L, p), 22);
		kj_buf_puts(b, "</text>");
		if (has)
			kj_buf_printf(b,
				      "<rect class=\"bar\" x=\"%.0f\" y=\"%.0f\" width=\"%.1f\" height=\"12\"/><text "
				      "class=\"sm\" x=\"%.1f\" y=\"%.0f\">%.1f</text>",
				      x0, y + 1, span * clamp100(v) / 100, x0 + span * clamp100(v) / 100 + 3, y + 10, v);
		else
			kj_buf_printf(b, "<text class=\"sm\" x=\"%.0f\" y=\"%.0f\">–</text>", x0 + 3, y + 10);
		if (hasg)
			kj_buf_printf(b, "<line class=\"gm\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>",
				      x0 + span * clamp100(gm) / 100, y - 1, x0 + span * clamp100(gm) / 100, y + 15);
		kj_buf_puts(b, "</g>");
	}
	kj_buf_puts(b, "</svg>");
}

/* ---- Government-wide sections ------------------------------------------------------------ */

static void
stat_row(struct kj_buf *b, const json_t *s, const char *l1, const char *k1, int p1, const char *l2, const char *k2,
	 int p2)
{
	kj_buf_printf(b, "<tr><th>%s</th>", l1);
	num_cell(b, s, k1, p1);
	kj_buf_printf(b, "<th>%s</th>", l2);
	num_cell(b, s, k2, p2);
	kj_buf_puts(b, "</tr>\n");
}

static void
summary_section(struct kj_buf *b, const struct labels *L, const json_t *gov)
{
	const json_t *s = json_object_get(gov, "summary");

	kj_buf_printf(b, "<section id=\"summary\">\n<h2>1. %s</h2>\n<table><tbody>\n", L->sec_summary);
	stat_row(b, s, L->orgs_evaluated, "orgs", 0, L->orgs_scored, "scored", 0);
	stat_row(b, s, L->mean, "mean", 1, L->median, "median", 1);
	stat_row(b, s, L->stdev, "stdev", 1, L->cv, "cv", 2);
	stat_row(b, s, L->min, "min", 1, L->max, "max", 1);
	stat_row(b, s, L->p10, "p10", 1, L->p90, "p90", 1);
	kj_buf_printf(b, "</tbody></table>\n<h3>%s</h3>\n", L->maturity_dist);
	maturity_chart(b, L, json_object_get(s, "maturity"));
	kj_buf_printf(b, "</section>\n<section id=\"spread\">\n<h2>2. %s</h2>\n", L->sec_spread);
	spread_chart(b, L, s, json_object_get(gov, "orgs"));
	kj_buf_printf(b, "</section>\n<section id=\"heatmap\">\n<h2>3. %s</h2>\n", L->sec_heatmap);
	heatmap(b, L, json_object_get(gov, "parts"), json_object_get(gov, "orgs"));
	kj_buf_puts(b, "</section>\n");
}

static void
trend_section(struct kj_buf *b, const struct labels *L, const json_t *gov)
{
	const json_t *trend = json_object_get(gov, "trend"), *t;
	size_t i;

	kj_buf_printf(b, "<section id=\"trend\">\n<h2>4. %s</h2>\n<figure>", L->sec_trend);
	trend_chart(b, L, trend, "mean", NULL, "stdev", L->sec_trend, 600);
	kj_buf_printf(b, "<figcaption>%s</figcaption></figure>\n<table><thead><tr><th>%s</th><th class=\"n\">%s</th>"
		      "<th class=\"n\">%s</th><th class=\"n\">%s</th></tr></thead><tbody>\n",
		      L->trend_caption, L->fiscal_year, L->mean, L->stdev, L->orgs_scored);
	json_array_foreach(trend, i, t) {
		kj_buf_puts(b, "<tr><td>");
		put_fy(b, L, integer(t, "fiscal_year"));
		kj_buf_puts(b, "</td>");
		num_cell(b, t, "mean", 1);
		num_cell(b, t, "stdev", 1);
		num_cell(b, t, "scored", 0);
		kj_buf_puts(b, "</tr>\n");
	}
	kj_buf_puts(b, "</tbody></table>\n</section>\n");
}

/* The part of parts numbered number, or NULL; parts are few, so a scan is enough. */
static const json_t *
find_part(const json_t *parts, size_t hint, const char *number)
{
	const json_t *p = json_array_get(parts, hint);
	size_t i;

	if (strcmp(str(p, "number"), number) == 0)
		return p;
	json_array_foreach(parts, i, p) {
		if (strcmp(str(p, "number"), number) == 0)
			return p;
	}
	return NULL;
}

static void
laggards_section(struct kj_buf *b, const struct labels *L, const json_t *gov)
{
	const json_t *parts = json_object_get(gov, "parts"), *ps, *lag, *o;
	size_t i, k;

	kj_buf_printf(b,
		      "<section id=\"laggards\">\n<h2>5. %s</h2>\n<table><thead><tr><th>%s</th><th class=\"n\">%s</th>"
		      "<th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th><th>%s</th></tr></thead><tbody>\n",
		      L->sec_laggards, L->part, L->mean, L->stdev, L->min, L->max, L->laggards);
	json_array_foreach(json_object_get(gov, "part_summary"), i, ps) {
		const json_t *part = find_part(parts, i, str(ps, "number"));

		kj_buf_puts(b, "<tr><td>");
		esc(b, str(ps, "number"));
		kj_buf_putc(b, ' ');
		esc(b, part != NULL ? item_title(L, part) : "");
		kj_buf_puts(b, "</td>");
		num_cell(b, ps, "mean", 1);
		num_cell(b, ps, "stdev", 1);
		num_cell(b, ps, "min", 1);
		num_cell(b, ps, "max", 1);
		kj_buf_puts(b, "<td>");
		lag = json_object_get(ps, "laggards");
		if (json_array_size(lag) == 0)
			kj_buf_puts(b, L->none);
		json_array_foreach(lag, k, o) {
			kj_buf_puts(b, k > 0 ? (L == &ja ? "、" : "; ") : "");
			kj_buf_puts(b, "<bdi>");
			esc(b, org_name(L, o));
			kj_buf_puts(b, "</bdi> (");
			put_num(b, o, "score", 1);
			kj_buf_puts(b, ")");
		}
		kj_buf_puts(b, "</td></tr>\n");
	}
	kj_buf_puts(b, "</tbody></table>\n</section>\n");
}

static void
weak_section(struct kj_buf *b, const struct labels *L, const json_t *gov)
{
	const json_t *weak = json_object_get(gov, "weak_requirements"), *w;
	size_t i;

	kj_buf_printf(b, "<section id=\"weak\">\n<h2>6. %s</h2>\n", L->sec_weak);
	if (json_array_size(weak) == 0) {
		kj_buf_printf(b, "<p>%s</p>\n</section>\n", L->none);
		return;
	}
	kj_buf_printf(b,
		      "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
		      "<th class=\"n\">%s</th></tr></thead><tbody>\n",
		      L->requirement, L->title_col, L->part, L->mean_rate, L->orgs_below, L->findings);
	json_array_foreach(weak, i, w) {
		kj_buf_puts(b, "<tr><td>");
		esc(b, str(w, "number"));
		kj_buf_puts(b, "</td><td>");
		esc(b, item_title(L, w));
		kj_buf_puts(b, "</td><td>");
		esc(b, str(w, "part"));
		kj_buf_puts(b, "</td><td class=\"n\">");
		put_pct(b, w, "mean_rate");
		kj_buf_printf(b, "</td><td class=\"n\">%ld / %ld</td><td class=\"n\">%ld</td></tr>\n", integer(w, "orgs_below"),
			      integer(w, "orgs"), integer(w, "findings"));
	}
	kj_buf_puts(b, "</tbody></table>\n</section>\n");
}

static int
status_index(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, status_keys[i]) == 0)
			return i;
	return -1;
}

/* A stage's cell: a symbol and the word, so that the colour is never the only sign. */
static void
stage_cell(struct kj_buf *b, const struct labels *L, const char *status)
{
	int k = status_index(status);

	if (k < 0)
		kj_buf_puts(b, "<td>–</td>");
	else
		kj_buf_printf(b, "<td class=\"st-%s\">%s %s</td>", status_keys[k], status_symbols[k], L->status_names[k]);
}

static void
stage_head(struct kj_buf *b, const struct labels *L)
{
	int s;

	for (s = 0; s < 5; s++)
		kj_buf_printf(b, "<th>%s</th>", L->stage_names[s]);
}

static void
pdca_section(struct kj_buf *b, const struct labels *L, const json_t *board)
{
	const json_t *counts = json_object_get(board, "counts"), *o, *st;
	size_t i;
	int s, k;

	kj_buf_printf(b, "<section id=\"pdca\">\n<h2>7. %s</h2>\n<table><thead><tr><th>%s</th>", L->sec_pdca, L->stage);
	for (k = 0; k < 4; k++)
		kj_buf_printf(b, "<th class=\"n\">%s %s</th>", status_symbols[k], L->status_names[k]);
	kj_buf_puts(b, "</tr></thead><tbody>\n");
	for (s = 0; s < 5; s++) {
		const json_t *c = json_object_get(counts, stage_keys[s]);

		kj_buf_printf(b, "<tr><th>%s</th>", L->stage_names[s]);
		for (k = 0; k < 4; k++)
			kj_buf_printf(b, "<td class=\"n\">%ld</td>", integer(c, status_keys[k]));
		kj_buf_puts(b, "</tr>\n");
	}
	kj_buf_printf(b, "</tbody></table>\n<table><thead><tr><th>%s</th>", L->org);
	stage_head(b, L);
	kj_buf_printf(b, "<th class=\"n\">%s</th></tr></thead><tbody>\n", L->reached);
	json_array_foreach(json_object_get(board, "orgs"), i, o) {
		st = json_object_get(o, "stages");
		kj_buf_puts(b, "<tr><td><bdi>");
		esc(b, org_name(L, o));
		kj_buf_puts(b, "</bdi> <span class=\"code\">");
		esc(b, str(o, "code"));
		kj_buf_puts(b, "</span></td>");
		for (s = 0; s < 5; s++)
			stage_cell(b, L, str(st, stage_keys[s]));
		kj_buf_printf(b, "<td class=\"n\">%ld / 5</td></tr>\n", integer(o, "reached"));
	}
	kj_buf_puts(b, "</tbody></table>\n</section>\n");
}

/* ---- One organisation -------------------------------------------------------------------- */

/* The organisation's weakest assessed requirements: at most 5, lowest score first, picked
 * in one pass over the list. */
#define WEAKEST 5

static void
weakest(struct kj_buf *b, const struct labels *L, const json_t *reqs)
{
	const json_t *pick[WEAKEST], *r;
	double val[WEAKEST], v;
	size_t n = 0, i, k;

	json_array_foreach(reqs, i, r) {
		if (!num(r, "score", &v) || v >= 100)
			continue;
		if (n == WEAKEST && v >= val[n - 1])
			continue;
		k = n < WEAKEST ? n++ : n - 1;
		while (k > 0 && val[k - 1] > v) {
			val[k] = val[k - 1];
			pick[k] = pick[k - 1];
			k--;
		}
		val[k] = v;
		pick[k] = r;
	}
	if (n == 0)
		return;
	kj_buf_printf(b,
		      "<table><thead><tr><th>%s</th><th>%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
		      "<th class=\"n\">%s</th></tr></thead><tbody>\n",
		      L->requirement, L->title_col, L->score, L->self_rate, L->findings);
	for (i = 0; i < n; i++) {
		kj_buf_puts(b, "<tr><td>");
		esc(b, str(pick[i], "number"));
		kj_buf_puts(b, "</td><td>");
		esc(b, item_title(L, pick[i]));
		kj_buf_printf(b, "</td><td class=\"n\">%.1f</td><td class=\"n\">", val[i]);
		put_pct(b, pick[i], "self_rate");
		kj_buf_printf(b, "</td><td class=\"n\">%zu</td></tr>\n", json_array_size(json_object_get(pick[i], "findings")));
	}
	kj_buf_puts(b, "</tbody></table>\n");
}

static void
findings_line(struct kj_buf *b, const struct labels *L, const json_t *reqs)
{
	unsigned sev[4] = {0}, total = 0, no_plan = 0, verified = 0;
	const json_t *r, *f;
	size_t i, k;
	int s;

	json_array_foreach(reqs, i, r) {
		json_array_foreach(json_object_get(r, "findings"), k, f) {
			const char *sv = str(f, "severity");

			total++;
			for (s = 0; s < 4; s++)
				if (strcmp(sv, severity_keys[s]) == 0)
					sev[s]++;
			if (json_object_get(f, "plan") == NULL || json_is_null(json_object_get(f, "plan")))
				no_plan++;
			if (strcmp(str(f, "plan_status"), "verified") == 0)
				verified++;
		}
	}
	kj_buf_printf(b, "<p><b>%s</b>: ", L->findings);
	if (total == 0) {
		kj_buf_printf(b, "%s</p>\n", L->no_findings);
		return;
	}
	if (L == &ja)
		kj_buf_printf(b, "%u件（%s %u、%s %u、%s %u、%s %u）、%s %u、%s %u</p>\n", total, L->severity_names[3],
			      sev[3], L->severity_names[2], sev[2], L->severity_names[1], sev[1], L->severity_names[0], sev[0],
			      L->without_plan, no_plan, L->verified, verified);
	else
		kj_buf_printf(b, "%u (%s %u, %s %u, %s %u, %s %u); %s %u; %s %u</p>\n", total, L->severity_names[3], sev[3],
			      L->severity_names[2], sev[2], L->severity_names[1], sev[1], L->severity_names[0], sev[0],
			      L->without_plan, no_plan, L->verified, verified);
}

static void
org_section(struct kj_buf *b, const struct labels *L, const json_t *v, int first)
{
	const json_t *org = json_object_get(v, "org"), *g = json_object_get(v, "gov"), *t, *step;
	const json_t *trend = json_object_get(v, "trend"), *pdca = json_object_get(v, "pdca");
	long fy = integer(v, "fiscal_year"), m = integer(v, "maturity");
	double score, prev;
	int has_prev = 0, s;
	size_t i;

	kj_buf_printf(b, "<section class=\"org\"%s>\n<h2><bdi>", first ? " id=\"orgs\"" : "");
	esc(b, org_name(L, org));
	kj_buf_puts(b, "</bdi> <span class=\"code\">");
	esc(b, str(org, "code"));
	kj_buf_puts(b, "</span></h2>\n<div class=\"kpi\">");
	kj_buf_printf(b, "<div>%s<b>", L->score);
	put_num(b, v, "score", 1);
	kj_buf_printf(b, "</b></div><div>%s<b>", L->gov_mean);
	put_num(b, g, "mean", 1);
	kj_buf_printf(b, "</b></div><div>%s<b>", L->rank);
	if (integer(g, "rank") > 0)
		kj_buf_printf(b, "%ld / %ld", integer(g, "rank"), integer(g, "of"));
	else
		kj_buf_puts(b, "–");
	kj_buf_printf(b, "</b></div><div>%s<b>%ld %s</b></div><div>%s<b>", L->maturity, m, maturity_name(L, m),
		      L->self_rate);
	put_pct(b, v, "self_rate");
	json_array_foreach(trend, i, t) {
		if (integer(t, "fiscal_year") == fy - 1 && num(t, "score", &prev))
			has_prev = 1;
	}
	kj_buf_printf(b, "</b></div><div>%s<b>", L->delta);
	if (has_prev && num(v, "score", &score))
		kj_buf_printf(b, "%+.1f", score - prev);
	else
		kj_buf_puts(b, "–");
	kj_buf_printf(b, "</b></div></div>\n<h3>%s</h3>\n<ol class=\"steps\">", L->steps);
	json_array_foreach(json_object_get(v, "maturity_steps"), i, step) {
		int met = json_is_true(json_object_get(step, "met"));

		kj_buf_printf(b, "<li>%s %ld %s — %s: ", met ? "✔" : "✘", integer(step, "level"),
			      maturity_name(L, integer(step, "level")), met ? L->met : L->not_met);
		esc(b, str(step, strcmp(L->lang, "ja") == 0 && json_is_string(json_object_get(step, "why_ja")) ? "why_ja" : "why"));
		kj_buf_puts(b, "</li>");
	}
	kj_buf_puts(b, "</ol>\n<div class=\"charts\"><figure>");
	parts_chart(b, L, json_object_get(v, "parts"));
	kj_buf_printf(b, "<figcaption>%s</figcaption></figure><figure>", L->org_parts_caption);
	trend_chart(b, L, trend, "score", "gov_mean", NULL, L->org_trend_caption, 300);
	kj_buf_printf(b, "<figcaption>%s</figcaption></figure></div>\n", L->org_trend_caption);
	findings_line(b, L, json_object_get(v, "requirements"));
	weakest(b, L, json_object_get(v, "requirements"));
	if (json_is_object(pdca)) {
		const json_t *st = json_object_get(pdca, "stages");

		kj_buf_printf(b, "<table><thead><tr><th>%s</th>", L->pdca);
		stage_head(b, L);
		kj_buf_puts(b, "</tr></thead><tbody><tr><td></td>");
		for (s = 0; s < 5; s++)
			stage_cell(b, L, str(st, stage_keys[s]));
		kj_buf_puts(b, "</tr></tbody></table>\n");
	}
	kj_buf_puts(b, "</section>\n");
}

/* ---- The document ------------------------------------------------------------------------ */

static void
toc(struct kj_buf *b, const struct labels *L, int board, size_t norgs)
{
	kj_buf_printf(b,
		      "<nav><h2>%s</h2><ol><li><a href=\"#summary\">%s</a></li><li><a href=\"#spread\">%s</a></li>"
		      "<li><a href=\"#heatmap\">%s</a></li><li><a href=\"#trend\">%s</a></li>"
		      "<li><a href=\"#laggards\">%s</a></li><li><a href=\"#weak\">%s</a></li>",
		      L->contents, L->sec_summary, L->sec_spread, L->sec_heatmap, L->sec_trend, L->sec_laggards,
		      L->sec_weak);
	if (board)
		kj_buf_printf(b, "<li><a href=\"#pdca\">%s</a></li>", L->sec_pdca);
	if (norgs > 0)
		kj_buf_printf(b, "<li><a href=\"#orgs\">%s</a> (%zu)</li>", L->sec_orgs, norgs);
	kj_buf_puts(b, "</ol></nav>\n");
}

static const struct labels *
labels_of(const char *lang)
{
	if (lang == NULL || strcmp(lang, "ja") == 0)
		return &ja;
	if (strcmp(lang, "en") == 0)
		return &en;
	return NULL;
}

/* Everything before the organisations' sections: the government's sections when gov is
 * given, else the title page of head (one organisation's evaluation). */
static void
doc_head(struct kj_buf *out, const struct labels *L, const json_t *gov, const json_t *board, const json_t *head,
	 size_t norgs)
{
	frame_open(out, L, gov != NULL ? L->title : L->title_org, integer(head, "fiscal_year"));
	if (gov != NULL) {
		cover(out, L, gov, L->title, NULL);
		toc(out, L, board != NULL, norgs);
		kj_buf_puts(out, "</header>\n");
		summary_section(out, L, gov);
		trend_section(out, L, gov);
		laggards_section(out, L, gov);
		weak_section(out, L, gov);
		if (board != NULL)
			pdca_section(out, L, board);
	} else {
		cover(out, L, head, L->title_org, norgs == 1 ? org_name(L, json_object_get(head, "org")) : NULL);
		kj_buf_puts(out, "</header>\n");
	}
}

static kj_err
doc_end(struct kj_ctx *ctx, struct kj_buf *out)
{
	kj_buf_puts(out, "</body>\n</html>\n");
	if (kj_buf_failed(out))
		return kj_failf(ctx, KJ_ERR_NOMEM, "report: out of memory");
	return KJ_OK;
}

kj_err
kj_report_annual_html(struct kj_ctx *ctx, const json_t *gov, const json_t *board, json_t *const *orgs,
		      size_t norgs, const char *lang, struct kj_buf *out)
{
	const struct labels *L = labels_of(lang);
	const json_t *head = gov != NULL ? gov : norgs > 0 ? orgs[0] : NULL;
	size_t i;

	if (L == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "lang: expected ja or en");
	if (!json_is_object(head))
		return kj_failf(ctx, KJ_ERR_INVALID, "report: expected the government's or an organisation's evaluation");
	doc_head(out, L, gov, board, head, norgs);
	for (i = 0; i < norgs; i++)
		org_section(out, L, orgs[i], i == 0);
	return doc_end(ctx, out);
}

/* ---- Gathering the values ---------------------------------------------------------------- */

static int
by_code(const void *a, const void *b)
{
	return strcmp(str(*(json_t *const *)a, "code"), str(*(json_t *const *)b, "code"));
}

/* Writes each organisation's section as kj_eval_orgs hands its view over. */
struct section_run {
	struct kj_buf *to;
	const struct labels *L;
	int first;
};

static int
render_section(void *arg, json_t *view)
{
	struct section_run *sr = arg;

	org_section(sr->to, sr->L, view, sr->first);
	sr->first = 0;
	json_decref(view);
	return 0;
}

kj_err
kj_report_annual(struct kj_ctx *ctx, int fiscal_year, const char *org, const char *lang, const char *format,
		 const char *chromium, struct kj_buf *out)
{
	const struct labels *L = labels_of(lang);
	json_t *gov = NULL, *board = NULL, *one = NULL, **rows = NULL, *o;
	const char **codes = NULL;
	struct section_run sec;
	struct kj_buf html, *to = out;
	size_t n = 0, i;
	kj_err r;

	if (format == NULL || (strcmp(format, "html") != 0 && strcmp(format, "pdf") != 0))
		return kj_failf(ctx, KJ_ERR_INVALID, "format: expected html or pdf");
	if (L == NULL)
		return kj_failf(ctx, KJ_ERR_INVALID, "lang: expected ja or en");
	kj_buf_init(&html, 0);
	if (strcmp(format, "pdf") == 0)
		to = &html;
	if (org != NULL) {
		if ((r = kj_eval_org(ctx, org, fiscal_year, &one)) == KJ_OK)
			r = kj_report_annual_html(ctx, NULL, NULL, &one, 1, lang, to);
		goto done;
	}
	if ((r = kj_eval_government(ctx, fiscal_year, &gov)) != KJ_OK ||
	    (r = kj_eval_board(ctx, (int)integer(gov, "fiscal_year"), &board)) != KJ_OK)
		goto done;
	n = json_array_size(json_object_get(gov, "orgs"));
	if ((rows = calloc(n ? n : 1, sizeof(*rows))) == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto done;
	}
	json_array_foreach(json_object_get(gov, "orgs"), i, o)
		rows[i] = o;
	qsort(rows, n, sizeof(*rows), by_code);
	/* Each organisation's evaluation is rendered as soon as it is read and released, so
	 * that memory does not grow with the number of organisations; they are read in one run
	 * over the year's snapshot. */
	doc_head(to, L, gov, board, gov, n);
	if ((codes = calloc(n ? n : 1, sizeof(*codes))) == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++)
		codes[i] = str(rows[i], "code");
	sec.to = to;
	sec.L = L;
	sec.first = 1;
	if ((r = kj_eval_orgs(ctx, (int)integer(gov, "fiscal_year"), codes, n, render_section, &sec)) != KJ_OK)
		goto done;
	r = doc_end(ctx, to);
done:
	if (r == KJ_OK && to == &html)
		r = kj_pdf_from_html(ctx, chromium, html.data, html.len, out);
	json_decref(one);
	free(rows);
	free(codes);
	json_decref(gov);
	json_decref(board);
	kj_buf_free(&html);
	return r;
}
