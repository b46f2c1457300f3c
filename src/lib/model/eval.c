/*
 * eval.c: the centre's evaluation (eval.h; the method is docs/EVALUATION.md).
 *
 * Owns the tables eval_run, eval_member, eval_org, eval_part and eval_req: a snapshot per
 * fiscal year, derived from the inputs and thrown away whenever they change. Reads (never
 * writes) campaigns and their roll-up counters, checklists, policies, audit programmes,
 * engagements and findings, recommendations and plans.
 *
 * A year is computed with a handful of set-based statements, whatever the number of
 * organisations: members (unit -> organisation), organisation counters, requirement
 * scores, then organisation and part scores from those; only the government-wide figures
 * (median, percentiles, laggards) are done in C over one row per organisation. The
 * recompute locks the year's eval_run row first and looks at dirty again once it holds
 * it, so two threads that found the year dirty compute it once, one after the other.
 * kj_eval_touch_id sets dirty on the years a change can move with one UPDATE; on
 * PostgreSQL that UPDATE waits for a recompute of those years in progress, so a change is
 * never lost between a recompute's reads and its commit. Nothing here writes the audit
 * log: a snapshot is not a change.
 */
#include "eval.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../db/db.h"
#include "access.h"
#include "org.h"

#define LAGGARDS_MAX 10
#define WEAK_MAX 20
#define WEAK_RATE 0.7

static const char *const stage_names[] = {"policy_reviewed", "self_inspected", "audited", "plan_accepted", "plan_done"};
static const char *const stage_values[] = {"done", "in_progress", "not_started", "not_applicable"};
#define NSTAGES 5
#define NVALUES 4

/* The dates and keys of one fiscal year that the statements below bind. */
struct year {
	int fy;
	char start[11];		/* first day, YYYY-04-01 */
	char end[11];		/* last day, YYYY+1-03-31 */
	char next[11];		/* first day of the next year */
	char ref[11];		/* the day overdue measures are judged on */
	int64_t edition_id;	/* the government's edition of the year; 0: none */
};

static void
year_init(struct kj_ctx *ctx, int fy, struct year *y)
{
	char today[11];
	unsigned a = (unsigned)fy % 10000u, b = (unsigned)(fy + 1) % 10000u;

	memset(y, 0, sizeof(*y));
	y->fy = fy;
	snprintf(y->start, sizeof(y->start), "%04u-04-01", a);
	snprintf(y->end, sizeof(y->end), "%04u-03-31", b);
	snprintf(y->next, sizeof(y->next), "%04u-04-01", b);
	kj_date_format(kj_now(ctx), today);
	kj_strlcpy(y->ref, strcmp(today, y->end) < 0 ? today : y->end, sizeof(y->ref));
}

/*
 * Prepares sql and binds one value of y per letter of keys, in order: 'y' the fiscal
 * year, 'p' the year before, 's' its first day, 'e' its last, 'n' the next year's first,
 * 'r' the reference day, 'g' the government's edition (NULL when none).
 */
static kj_err
stmt_for(struct kj_ctx *ctx, const struct year *y, const char *sql, const char *keys, struct kj_stmt **out)
{
	struct kj_stmt *st = NULL;
	const char *k;
	int idx = 1;
	kj_err r;

	if ((r = kj_db_prepare(ctx, sql, &st)) != KJ_OK)
		return r;
	for (k = keys; r == KJ_OK && *k; k++, idx++) {
		switch (*k) {
		case 'y':
			r = kj_stmt_bind_int(ctx, st, idx, y->fy);
			break;
		case 'p':
			r = kj_stmt_bind_int(ctx, st, idx, y->fy - 1);
			break;
		case 's':
			r = kj_stmt_bind_text(ctx, st, idx, y->start);
			break;
		case 'e':
			r = kj_stmt_bind_text(ctx, st, idx, y->end);
			break;
		case 'n':
			r = kj_stmt_bind_text(ctx, st, idx, y->next);
			break;
		case 'r':
			r = kj_stmt_bind_text(ctx, st, idx, y->ref);
			break;
		case 'g':
			r = y->edition_id ? kj_stmt_bind_int(ctx, st, idx, y->edition_id) : kj_stmt_bind_null(ctx, st, idx);
			break;
		default:
			r = kj_failf(ctx, KJ_ERR_INTERNAL, "evaluation: unknown parameter key '%c'", *k);
		}
	}
	if (r != KJ_OK) {
		kj_stmt_free(st);
		return r;
	}
	*out = st;
	return KJ_OK;
}

/* Runs a statement that returns no rows. */
static kj_err
exec_for(struct kj_ctx *ctx, const struct year *y, const char *sql, const char *keys)
{
	struct kj_stmt *st = NULL;
	kj_err r;

	if ((r = stmt_for(ctx, y, sql, keys, &st)) != KJ_OK)
		return r;
	r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	return r;
}

static double
col_double(struct kj_stmt *st, int col)
{
	const char *s = kj_stmt_text(st, col);

	return s != NULL ? strtod(s, NULL) : 0.0;
}

static double
round_to(double v, int decimals)
{
	double f = decimals == 1 ? 10.0 : decimals == 2 ? 100.0 : 10000.0;

	return round(v * f) / f;
}

/* A number rounded for a reply, or null when the column is NULL. */
static json_t *
col_num(struct kj_stmt *st, int col, int decimals)
{
	if (kj_stmt_is_null(st, col))
		return json_null();
	return json_real(round_to(col_double(st, col), decimals));
}

static json_t *
num_or_null(int has, double v, int decimals)
{
	return has ? json_real(round_to(v, decimals)) : json_null();
}

/* Ends a read that built res: frees st, and hands res to *out on success (else frees it). */
static kj_err
result_out(struct kj_stmt *st, kj_err r, json_t *res, json_t **out)
{
	kj_stmt_free(st);
	if (r != KJ_OK) {
		json_decref(res);
		return r;
	}
	*out = res;
	return KJ_OK;
}

/* ---- Computing a year ------------------------------------------------------------------ */

/* The findings (category finding) of signed-off engagements of the year's programmes,
 * each with the evaluated organisation it is about and the furthest state (0 none,
 * 1 draft ... 6 verified) of the plans that cite it. Binds: 'y', 'y'. */
#define FINDINGS_SQL                                                                                          \
	"SELECT m.root_id AS org_id, af.id AS finding_id, af.item_number AS number, af.severity AS severity, "   \
	"COALESCE(b.best, 0) AS best FROM audit_finding af "                                                  \
	"JOIN audit_engagement e ON e.id = af.engagement_id "                                                   \
	"JOIN audit_programme pr ON pr.id = e.programme_id "                                                    \
	"JOIN eval_member m ON m.fiscal_year = ? AND m.org_id = e.org_id "                                      \
	"LEFT JOIN (SELECT pf.finding_id AS finding_id, MAX(" PLAN_RANK_SQL ") AS best FROM plan_finding pf "  \
	"JOIN improvement_plan p ON p.id = pf.plan_id GROUP BY pf.finding_id) b ON b.finding_id = af.id "       \
	"WHERE pr.fiscal_year = ? AND e.status = 'signed_off' AND af.category = 'finding'"

#define PLAN_RANK_SQL                                                                                         \
	"CASE p.status WHEN 'draft' THEN 1 WHEN 'submitted' THEN 2 WHEN 'accepted' THEN 3 "                    \
	"WHEN 'in_progress' THEN 4 WHEN 'done' THEN 5 WHEN 'verified' THEN 6 ELSE 0 END"

/* weight(severity) x factor(furthest plan state) of a finding row f. */
#define PENALTY_SQL                                                                                           \
	"(CASE f.severity WHEN 'low' THEN 0.05 WHEN 'medium' THEN 0.15 WHEN 'high' THEN 0.30 "                 \
	"WHEN 'critical' THEN 0.50 ELSE 0 END) * "                                                             \
	"(CASE WHEN f.best >= 6 THEN 0 WHEN f.best = 5 THEN 0.5 WHEN f.best >= 3 THEN 0.75 ELSE 1.0 END)"

/* Every organisation that is evaluated in the year, and each unit under one of them. */
static const char sql_members[] =
	"WITH RECURSIVE m (id, root) AS ("
	"SELECT id, id FROM org WHERE kind IN ('ministry', 'agency', 'corporation') AND valid_from <= ? "
	"AND (valid_to IS NULL OR valid_to >= ?) "
	"UNION ALL SELECT o.id, m.root FROM org o JOIN m ON o.parent_id = m.id WHERE o.kind IN ('bureau', 'division')) "
	"INSERT INTO eval_member (fiscal_year, org_id, root_id) SELECT CAST(? AS INTEGER), id, root FROM m";

/* One row per evaluated organisation with the counters of its year. */
static const char sql_orgs[] =
	"INSERT INTO eval_org (fiscal_year, org_id, code, name_ja, name_en, kind, parent, edition_id, n_campaigns, "
	"n_closed, n_checklists, n_submitted, policy_approved, policy_drafted, eng_signed, eng_running, findings, "
	"findings_open, findings_planned, findings_accepted, findings_done, severe_unplanned, overdue) "
	"SELECT CAST(? AS INTEGER), o.id, o.code, o.name_ja, o.name_en, o.kind, s.code, "
	"COALESCE(c.edition_id, CAST(? AS BIGINT)), COALESCE(c.n, 0), COALESCE(c.closed, 0), COALESCE(k.n, 0), "
	"COALESCE(k.sub, 0), COALESCE(pv.approved, 0), COALESCE(pv.drafted, 0), COALESCE(e.signed, 0), "
	"COALESCE(e.running, 0), COALESCE(f.n, 0), COALESCE(f.open_n, 0), COALESCE(f.planned, 0), "
	"COALESCE(f.accepted, 0), COALESCE(f.done_n, 0), COALESCE(f.severe, 0), COALESCE(ov.n, 0) "
	"FROM eval_member mm JOIN org o ON o.id = mm.org_id LEFT JOIN org s ON s.id = o.supervisor_id "
	"LEFT JOIN (SELECT m.root_id AS root_id, COUNT(*) AS n, SUM(CASE WHEN c.status = 'closed' THEN 1 ELSE 0 END) AS closed, "
	"MAX(c.edition_id) AS edition_id FROM campaign c JOIN eval_member m ON m.fiscal_year = ? AND m.org_id = c.org_id "
	"WHERE c.fiscal_year = ? GROUP BY m.root_id) c ON c.root_id = o.id "
	"LEFT JOIN (SELECT m.root_id AS root_id, COUNT(*) AS n, SUM(CASE WHEN k.status = 'submitted' THEN 1 ELSE 0 END) AS sub "
	"FROM checklist k JOIN campaign c ON c.id = k.campaign_id JOIN eval_member m ON m.fiscal_year = ? AND m.org_id = k.org_id "
	"WHERE c.fiscal_year = ? GROUP BY m.root_id) k ON k.root_id = o.id "
	"LEFT JOIN (SELECT m.root_id AS root_id, "
	"MAX(CASE WHEN v.approved_at >= ? AND v.approved_at < ? THEN 1 ELSE 0 END) AS approved, "
	"MAX(CASE WHEN v.created_at >= ? AND v.created_at < ? THEN 1 ELSE 0 END) AS drafted "
	"FROM policy_version v JOIN policy_doc d ON d.id = v.doc_id JOIN eval_member m ON m.fiscal_year = ? AND m.org_id = d.org_id "
	"GROUP BY m.root_id) pv ON pv.root_id = o.id "
	"LEFT JOIN (SELECT m.root_id AS root_id, SUM(CASE WHEN e.status = 'signed_off' THEN 1 ELSE 0 END) AS signed, "
	"SUM(CASE WHEN e.status IN ('fieldwork', 'reporting') THEN 1 ELSE 0 END) AS running "
	"FROM audit_engagement e JOIN audit_programme pr ON pr.id = e.programme_id "
	"JOIN eval_member m ON m.fiscal_year = ? AND m.org_id = e.org_id WHERE pr.fiscal_year = ? GROUP BY m.root_id) e ON e.root_id = o.id "
	"LEFT JOIN (SELECT f.org_id AS org_id, COUNT(*) AS n, SUM(CASE WHEN f.best < 6 THEN 1 ELSE 0 END) AS open_n, "
	"SUM(CASE WHEN f.best > 0 THEN 1 ELSE 0 END) AS planned, SUM(CASE WHEN f.best >= 3 THEN 1 ELSE 0 END) AS accepted, "
	"SUM(CASE WHEN f.best >= 5 THEN 1 ELSE 0 END) AS done_n, "
	"SUM(CASE WHEN f.severity IN ('high', 'critical') AND f.best < 3 THEN 1 ELSE 0 END) AS severe "
	"FROM (" FINDINGS_SQL ") f GROUP BY f.org_id) f ON f.org_id = o.id "
	"LEFT JOIN (SELECT m.root_id AS root_id, COUNT(*) AS n FROM plan_measure pm "
	"JOIN improvement_plan ip ON ip.id = pm.plan_id LEFT JOIN recommendation rc ON rc.id = ip.recommendation_id "
	"JOIN eval_member m ON m.fiscal_year = ? AND m.org_id = ip.org_id "
	"WHERE (rc.id IS NULL OR rc.status <> 'withdrawn') AND pm.due_on < ? AND (pm.status = 'open' OR pm.done_on > ?) "
	"GROUP BY m.root_id) ov ON ov.root_id = o.id "
	"WHERE mm.fiscal_year = ? AND mm.root_id = mm.org_id";
static const char keys_orgs[] = "ygyyyysnsnyyyyyyrry";

/* The parts of the editions the year's organisations use: every item with the number of
 * the top-level item it lies under. Binds 'y'. */
#define ITEM_PARTS_SQL                                                                                        \
	"WITH RECURSIVE ip (id, edition_id, number, seq, part) AS ("                                          \
	"SELECT id, edition_id, number, seq, number FROM item WHERE parent_id IS NULL "                       \
	"AND edition_id IN (SELECT edition_id FROM eval_org WHERE fiscal_year = ?) "                          \
	"UNION ALL SELECT i.id, i.edition_id, i.number, i.seq, ip.part FROM item i JOIN ip ON i.parent_id = ip.id) "

/* The findings of FINDINGS_SQL summed per organisation and requirement: the penalty and
 * how many. Binds 'y', 'y'. */
#define PENALTIES_SQL                                                                                         \
	"SELECT f.org_id AS org_id, f.number AS number, SUM(" PENALTY_SQL ") AS pen, COUNT(*) AS nf "          \
	"FROM (" FINDINGS_SQL ") f GROUP BY f.org_id, f.number"

#define REQ_COLUMNS                                                                                           \
	"INSERT INTO eval_req (fiscal_year, org_id, number, part, seq, n_done, n_partial, n_not_done, n_excluded, " \
	"self_rate, penalty, nfindings, score) "

/*
 * Requirement scores: the roll-up counters of each organisation's units summed per
 * requirement, with the penalty of its findings on the requirement, and the part each
 * requirement lies in within the organisation's edition. The campaigns of the year lead
 * (CROSS JOIN keeps SQLite from scanning every year's counters; PostgreSQL plans as it
 * likes); the rows come out grouped in the table's key order.
 */
static const char sql_reqs[] =
	ITEM_PARTS_SQL REQ_COLUMNS
	"SELECT CAST(? AS INTEGER), x.org_id, x.number, ip.part, ip.seq, x.d, x.p, x.nd, x.ex, "
	"CASE WHEN x.d + x.p + x.nd > 0 THEN (x.d + x.p / 2.0) / (x.d + x.p + x.nd) END, COALESCE(f.pen, 0), "
	"COALESCE(f.nf, 0), "
	"CASE WHEN x.d + x.p + x.nd > 0 THEN (CASE WHEN (x.d + x.p / 2.0) / (x.d + x.p + x.nd) > COALESCE(f.pen, 0) "
	"THEN 100.0 * ((x.d + x.p / 2.0) / (x.d + x.p + x.nd) - COALESCE(f.pen, 0)) ELSE 0 END) "
	"WHEN f.nf > 0 THEN (CASE WHEN f.pen < 1 THEN 100.0 * (1 - f.pen) ELSE 0 END) END "
	"FROM (SELECT m.root_id AS org_id, ci.item_number AS number, SUM(r.n_done) AS d, SUM(r.n_partial) AS p, "
	"SUM(r.n_not_done) AS nd, SUM(r.n_excluded) AS ex "
	"FROM campaign c CROSS JOIN rollup r JOIN campaign_item ci ON ci.id = r.item_id "
	"JOIN eval_member m ON m.fiscal_year = ? AND m.org_id = r.org_id WHERE r.campaign_id = c.id AND c.fiscal_year = ? "
	"GROUP BY m.root_id, ci.item_number) x "
	"LEFT JOIN (" PENALTIES_SQL ") f ON f.org_id = x.org_id AND f.number = x.number "
	"JOIN eval_org eo ON eo.fiscal_year = ? AND eo.org_id = x.org_id "
	"LEFT JOIN ip ON ip.edition_id = eo.edition_id AND ip.number = x.number "
	"WHERE x.d + x.p + x.nd > 0 OR f.nf > 0";
static const char keys_reqs[] = "yyyyyyy";

/* Requirements with findings and no answers: the auditors looked, so the base is 1. */
static const char sql_reqs_found[] =
	ITEM_PARTS_SQL REQ_COLUMNS
	"SELECT CAST(? AS INTEGER), f.org_id, f.number, ip.part, ip.seq, 0, 0, 0, 0, NULL, f.pen, f.nf, "
	"CASE WHEN f.pen < 1 THEN 100.0 * (1 - f.pen) ELSE 0 END "
	"FROM (" PENALTIES_SQL ") f JOIN eval_org eo ON eo.fiscal_year = ? AND eo.org_id = f.org_id "
	"LEFT JOIN ip ON ip.edition_id = eo.edition_id AND ip.number = f.number "
	"WHERE NOT EXISTS (SELECT 1 FROM eval_req q WHERE q.fiscal_year = ? AND q.org_id = f.org_id AND q.number = f.number)";
static const char keys_reqs_found[] = "yyyyyy";

/* Organisation scores and rates from its requirements. */
static const char sql_org_scores[] =
	"UPDATE eval_org SET (n_answers, n_assessed, score, self_rate) = (SELECT "
	"COALESCE(SUM(q.n_done + q.n_partial + q.n_not_done + q.n_excluded), 0), COUNT(q.score), AVG(q.score), "
	"CASE WHEN SUM(q.n_done + q.n_partial + q.n_not_done) > 0 THEN "
	"(SUM(q.n_done) + SUM(q.n_partial) / 2.0) / SUM(q.n_done + q.n_partial + q.n_not_done) END "
	"FROM eval_req q WHERE q.fiscal_year = eval_org.fiscal_year AND q.org_id = eval_org.org_id) "
	"WHERE fiscal_year = ?";

/* A policy version approved or in force for the organisation's edition or a later one. */
static const char sql_policy_ok[] =
	"UPDATE eval_org SET policy_ok = 1 WHERE fiscal_year = ? AND EXISTS (SELECT 1 FROM policy_version v "
	"JOIN policy_doc d ON d.id = v.doc_id JOIN eval_member m ON m.fiscal_year = eval_org.fiscal_year AND m.org_id = d.org_id "
	"JOIN edition pe ON pe.id = v.edition_id JOIN edition oe ON oe.id = eval_org.edition_id "
	"WHERE m.root_id = eval_org.org_id AND v.status IN ('approved', 'in_force') AND (v.edition_id = oe.id "
	"OR COALESCE(pe.effective_on, pe.imported_at) > COALESCE(oe.effective_on, oe.imported_at)))";

/* Maturity (each level needs the ones below it) and the board's stages. */
static const char sql_levels[] =
	"UPDATE eval_org SET maturity = CASE "
	"WHEN NOT (score >= 40 AND n_answers > 0) THEN 1 "
	"WHEN NOT (score >= 60 AND policy_ok = 1) THEN 2 "
	"WHEN NOT (score >= 75 AND n_checklists > 0 AND n_submitted = n_checklists AND severe_unplanned = 0) THEN 3 "
	"WHEN NOT (score >= 90 AND overdue = 0) THEN 4 ELSE 5 END, "
	"st_policy = CASE WHEN policy_approved = 1 THEN 'done' WHEN policy_drafted = 1 THEN 'in_progress' "
	"ELSE 'not_started' END, "
	"st_self = CASE WHEN n_campaigns > 0 AND (n_closed = n_campaigns OR (n_checklists > 0 AND n_submitted = n_checklists)) "
	"THEN 'done' WHEN n_answers > 0 THEN 'in_progress' ELSE 'not_started' END, "
	"st_audit = CASE WHEN eng_signed > 0 THEN 'done' WHEN eng_running > 0 THEN 'in_progress' ELSE 'not_started' END, "
	"st_plan_accepted = CASE WHEN findings = 0 THEN 'not_applicable' WHEN findings_accepted = findings THEN 'done' "
	"WHEN findings_planned > 0 THEN 'in_progress' ELSE 'not_started' END, "
	"st_plan_done = CASE WHEN findings = 0 THEN 'not_applicable' WHEN findings_done = findings THEN 'done' "
	"WHEN findings_planned > 0 THEN 'in_progress' ELSE 'not_started' END "
	"WHERE fiscal_year = ?";

static const char sql_parts[] =
	"INSERT INTO eval_part (fiscal_year, org_id, part, score) SELECT fiscal_year, org_id, part, AVG(score) "
	"FROM eval_req WHERE fiscal_year = ? AND part IS NOT NULL AND score IS NOT NULL GROUP BY fiscal_year, org_id, part";

/* The government's edition of the year: the centre's campaign's, else the edition most
 * campaigns of the year use, else the one most engagements audited against. */
static kj_err
gov_edition(struct kj_ctx *ctx, struct year *y, char *code, size_t size)
{
	static const char *const sqls[] = {
		"SELECT c.edition_id FROM campaign c JOIN org o ON o.id = c.org_id WHERE c.fiscal_year = ? "
		"AND o.kind = 'centre' ORDER BY c.id LIMIT 1",
		"SELECT edition_id FROM campaign WHERE fiscal_year = ? GROUP BY edition_id ORDER BY COUNT(*) DESC, "
		"edition_id DESC LIMIT 1",
		"SELECT e.edition_id FROM audit_engagement e JOIN audit_programme p ON p.id = e.programme_id "
		"WHERE p.fiscal_year = ? GROUP BY e.edition_id ORDER BY COUNT(*) DESC, e.edition_id DESC LIMIT 1",
	};
	struct kj_stmt *st = NULL;
	size_t i;
	int row;
	kj_err r = KJ_OK;

	y->edition_id = 0;
	code[0] = '\0';
	for (i = 0; i < sizeof(sqls) / sizeof(sqls[0]) && y->edition_id == 0 && r == KJ_OK; i++) {
		if ((r = stmt_for(ctx, y, sqls[i], "y", &st)) != KJ_OK)
			return r;
		if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
			y->edition_id = kj_stmt_int(st, 0);
		kj_stmt_free(st);
	}
	if (r != KJ_OK || y->edition_id == 0)
		return r;
	if ((r = stmt_for(ctx, y, "SELECT code FROM edition WHERE id = ?", "g", &st)) != KJ_OK)
		return r;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		kj_strlcpy(code, kj_stmt_text(st, 0), size);
	kj_stmt_free(st);
	return r;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The p-quantile of n sorted values, interpolating between neighbours. */
static double
quantile(const double *v, size_t n, double p)
{
	double pos = p * (double)(n - 1);
	size_t lo = (size_t)pos;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (pos - (double)lo) * (v[lo + 1] - v[lo]);
}

struct stats {
	size_t n;
	double mean, stdev, min, max;
};

/* Mean, population standard deviation, minimum and maximum of n values. */
static void
stats_of(const double *v, size_t n, struct stats *s)
{
	size_t i;
	double sum = 0, sq = 0;

	memset(s, 0, sizeof(*s));
	s->n = n;
	if (n == 0)
		return;
	s->min = s->max = v[0];
	for (i = 0; i < n; i++) {
		sum += v[i];
		if (v[i] < s->min)
			s->min = v[i];
		if (v[i] > s->max)
			s->max = v[i];
	}
	s->mean = sum / (double)n;
	for (i = 0; i < n; i++)
		sq += (v[i] - s->mean) * (v[i] - s->mean);
	s->stdev = sqrt(sq / (double)n);
}

static json_t *
stats_json(const struct stats *s)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "mean", num_or_null(s->n > 0, s->mean, 2), "stdev",
			 num_or_null(s->n > 0, s->stdev, 2), "min", num_or_null(s->n > 0, s->min, 2), "max",
			 num_or_null(s->n > 0, s->max, 2));
}

/* A growable array of doubles. */
struct dvec {
	double *v;
	size_t n, cap;
};

static int
dvec_push(struct dvec *d, double x)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		double *v = realloc(d->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = x;
	return 0;
}

/* The summary object and the board counts, over every evaluated organisation. */
static kj_err
summarise(struct kj_ctx *ctx, const struct year *y, json_t **summary_out, json_t **counts_out, struct stats *s)
{
	struct kj_stmt *st = NULL;
	struct dvec d = {0};
	int64_t mat[5] = {0}, counts[NSTAGES][NVALUES];
	size_t norgs = 0, i, j;
	json_t *sum = NULL, *cj = NULL;
	int row;
	kj_err r;

	memset(counts, 0, sizeof(counts));
	r = stmt_for(ctx, y, "SELECT score, maturity, st_policy, st_self, st_audit, st_plan_accepted, st_plan_done "
			     "FROM eval_org WHERE fiscal_year = ?", "y", &st);
	if (r != KJ_OK)
		return r;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		int64_t m = kj_stmt_int(st, 1);

		norgs++;
		if (!kj_stmt_is_null(st, 0) && dvec_push(&d, col_double(st, 0)) != 0) {
			r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
			break;
		}
		if (m >= 1 && m <= 5)
			mat[m - 1]++;
		for (i = 0; i < NSTAGES; i++) {
			const char *v = kj_stmt_text(st, 2 + (int)i);

			for (j = 0; j < NVALUES; j++) {
				if (v != NULL && strcmp(v, stage_values[j]) == 0)
					counts[i][j]++;
			}
		}
	}
	kj_stmt_free(st);
	if (r != KJ_OK)
		goto out;
	if (d.n > 1)
		qsort(d.v, d.n, sizeof(double), cmp_double);
	stats_of(d.v, d.n, s);
	sum = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:[I, I, I, I, I]}", "orgs", (json_int_t)norgs,
			"scored", (json_int_t)d.n, "mean", num_or_null(d.n > 0, s->mean, 2), "median",
			num_or_null(d.n > 0, d.n ? quantile(d.v, d.n, 0.5) : 0, 2), "stdev", num_or_null(d.n > 0, s->stdev, 2),
			"min", num_or_null(d.n > 0, s->min, 2), "max", num_or_null(d.n > 0, s->max, 2), "p10",
			num_or_null(d.n > 0, d.n ? quantile(d.v, d.n, 0.1) : 0, 2), "p90",
			num_or_null(d.n > 0, d.n ? quantile(d.v, d.n, 0.9) : 0, 2), "cv",
			num_or_null(d.n > 0 && s->mean > 0, s->mean > 0 ? s->stdev / s->mean : 0, 4), "maturity",
			(json_int_t)mat[0], (json_int_t)mat[1], (json_int_t)mat[2], (json_int_t)mat[3], (json_int_t)mat[4]);
	cj = json_object();
	for (i = 0; sum != NULL && cj != NULL && i < NSTAGES; i++) {
		json_t *o = json_object();

		for (j = 0; j < NVALUES; j++)
			json_object_set_new(o, stage_values[j], json_integer((json_int_t)counts[i][j]));
		json_object_set_new(cj, stage_names[i], o);
	}
	if (sum == NULL || cj == NULL) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	*summary_out = sum;
	*counts_out = cj;
	sum = cj = NULL;
out:
	json_decref(sum);
	json_decref(cj);
	free(d.v);
	return r;
}

/* The parts of an edition (its top-level items), in document order. */
static kj_err
edition_parts(struct kj_ctx *ctx, int64_t edition_id, json_t **out)
{
	struct kj_stmt *st = NULL;
	json_t *a = json_array();
	int row;
	kj_err r;

	*out = NULL;
	r = kj_db_prepare(ctx, "SELECT number, title_ja, title_en FROM item WHERE edition_id = ? AND parent_id IS NULL "
			       "ORDER BY seq", &st);
	if (r == KJ_OK && (r = kj_stmt_bind_int(ctx, st, 1, edition_id)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
			json_array_append_new(a, json_pack("{s:s, s:s?, s:s?}", "number", kj_stmt_text(st, 0), "title_ja",
							   kj_stmt_text(st, 1), "title_en", kj_stmt_text(st, 2)));
	}
	return result_out(st, r, a, out);
}

/* Per part of the government's edition: statistics over the organisations' part scores,
 * and "cut", the score below which an organisation is a laggard (mean - stdev; absent
 * with fewer than two scores). A read names the laggards in the reader's scope. */
static kj_err
part_summary(struct kj_ctx *ctx, const struct year *y, json_t *parts, json_t **out)
{
	struct kj_stmt *st = NULL;
	json_t *res = json_array(), *p;
	size_t i;
	int row;
	kj_err r = KJ_OK;

	json_array_foreach(parts, i, p) {
		const char *num = json_string_value(json_object_get(p, "number"));
		struct dvec d = {0};
		struct stats s;
		json_t *ps;

		if ((r = stmt_for(ctx, y, "SELECT score FROM eval_part WHERE fiscal_year = ? AND part = ? AND score IS NOT NULL",
				  "y", &st)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 2, num)) != KJ_OK)
			break;
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (dvec_push(&d, col_double(st, 0)) != 0) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				break;
			}
		}
		kj_stmt_free(st);
		st = NULL;
		stats_of(d.v, d.n, &s);
		ps = stats_json(&s);
		json_object_set_new(ps, "number", json_string(num));
		if (d.n > 1)
			json_object_set_new(ps, "cut", json_real(s.mean - s.stdev));
		json_array_append_new(res, ps);
		free(d.v);
		if (r != KJ_OK)
			break;
	}
	if (r != KJ_OK) {
		json_decref(res);
		return r;
	}
	*out = res;
	return KJ_OK;
}

/* Requirements weak across the government (see eval.h). */
static kj_err
weak_requirements(struct kj_ctx *ctx, const struct year *y, json_t **out)
{
	static const char sql[] =
		"SELECT w.number, w.part, i.title_ja, i.title_en, w.rate, w.orgs, w.below, w.findings FROM ("
		"SELECT number, MIN(part) AS part, AVG(self_rate) AS rate, COUNT(self_rate) AS orgs, "
		"SUM(CASE WHEN self_rate < 0.7 THEN 1 ELSE 0 END) AS below, SUM(nfindings) AS findings "
		"FROM eval_req WHERE fiscal_year = ? GROUP BY number HAVING COUNT(self_rate) > 0 AND AVG(self_rate) < 0.7 "
		"AND 2 * SUM(CASE WHEN self_rate < 0.7 THEN 1 ELSE 0 END) >= COUNT(self_rate)) w "
		"LEFT JOIN item i ON i.edition_id = ? AND i.number = w.number ORDER BY w.rate, w.number LIMIT 20";
	struct kj_stmt *st = NULL;
	json_t *a = json_array();
	int row;
	kj_err r;

	if ((r = stmt_for(ctx, y, sql, "yg", &st)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
			json_array_append_new(a, json_pack("{s:s, s:s?, s:s?, s:s?, s:o, s:I, s:I, s:I}", "number",
							   kj_stmt_text(st, 0), "part", kj_stmt_text(st, 1), "title_ja",
							   kj_stmt_text(st, 2), "title_en", kj_stmt_text(st, 3), "mean_rate",
							   col_num(st, 4, 4), "orgs", (json_int_t)kj_stmt_int(st, 5), "orgs_below",
							   (json_int_t)kj_stmt_int(st, 6), "findings", (json_int_t)kj_stmt_int(st, 7)));
	}
	return result_out(st, r, a, out);
}

static char *
dump(json_t *j)
{
	return j ? json_dumps(j, JSON_COMPACT) : NULL;
}

/* Computes year y into the snapshot tables; the caller holds the year's row. */
static kj_err
compute(struct kj_ctx *ctx, struct year *y)
{
	static const char *const clear[] = {"DELETE FROM eval_req WHERE fiscal_year = ?", "DELETE FROM eval_part WHERE fiscal_year = ?",
					    "DELETE FROM eval_org WHERE fiscal_year = ?", "DELETE FROM eval_member WHERE fiscal_year = ?"};
	struct kj_stmt *st = NULL;
	json_t *parts = NULL, *ps = NULL, *weak = NULL, *summary = NULL, *counts = NULL;
	char edition[128], at[21], *s_sum = NULL, *s_parts = NULL, *s_ps = NULL, *s_weak = NULL, *s_counts = NULL;
	struct stats s;
	size_t i;
	kj_err r = KJ_OK;

	for (i = 0; i < sizeof(clear) / sizeof(clear[0]) && r == KJ_OK; i++)
		r = exec_for(ctx, y, clear[i], "y");
	if (r != KJ_OK || (r = exec_for(ctx, y, sql_members, "eny")) != KJ_OK ||
	    (r = gov_edition(ctx, y, edition, sizeof(edition))) != KJ_OK || (r = exec_for(ctx, y, sql_orgs, keys_orgs)) != KJ_OK ||
	    (r = exec_for(ctx, y, sql_reqs, keys_reqs)) != KJ_OK ||
	    (r = exec_for(ctx, y, sql_reqs_found, keys_reqs_found)) != KJ_OK ||
	    (r = exec_for(ctx, y, sql_org_scores, "y")) != KJ_OK || (r = exec_for(ctx, y, sql_policy_ok, "y")) != KJ_OK ||
	    (r = exec_for(ctx, y, sql_levels, "y")) != KJ_OK || (r = exec_for(ctx, y, sql_parts, "y")) != KJ_OK)
		goto out;
	if (y->edition_id != 0) {
		if ((r = edition_parts(ctx, y->edition_id, &parts)) != KJ_OK)
			goto out;
	} else {
		parts = json_array();
	}
	if ((r = part_summary(ctx, y, parts, &ps)) != KJ_OK || (r = weak_requirements(ctx, y, &weak)) != KJ_OK ||
	    (r = summarise(ctx, y, &summary, &counts, &s)) != KJ_OK)
		goto out;
	s_sum = dump(summary);
	s_parts = dump(parts);
	s_ps = dump(ps);
	s_weak = dump(weak);
	s_counts = dump(counts);
	if (!s_sum || !s_parts || !s_ps || !s_weak || !s_counts) {
		r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
		goto out;
	}
	kj_time_format(kj_now(ctx), at);
	r = stmt_for(ctx, y, "UPDATE eval_run SET dirty = 0, computed_at = ?, ref_date = ?, edition_id = ?, edition = ?, "
			     "orgs = ?, scored = ?, mean = ?, stdev = ?, summary = ?, parts = ?, part_summary = ?, weak = ?, "
			     "board_counts = ? WHERE fiscal_year = ?", "", &st);
	if (r != KJ_OK)
		goto out;
	{
		json_int_t norgs = json_integer_value(json_object_get(summary, "orgs"));
		char mean[40], sd[40];

		snprintf(mean, sizeof(mean), "%.17g", s.mean);
		snprintf(sd, sizeof(sd), "%.17g", s.stdev);
		if ((r = kj_stmt_bind_text(ctx, st, 1, at)) != KJ_OK || (r = kj_stmt_bind_text(ctx, st, 2, y->ref)) != KJ_OK ||
		    (r = (y->edition_id ? kj_stmt_bind_int(ctx, st, 3, y->edition_id) : kj_stmt_bind_null(ctx, st, 3))) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 4, edition[0] ? edition : NULL)) != KJ_OK ||
		    (r = kj_stmt_bind_int(ctx, st, 5, norgs)) != KJ_OK || (r = kj_stmt_bind_int(ctx, st, 6, (int64_t)s.n)) != KJ_OK ||
		    (r = (s.n ? kj_stmt_bind_text(ctx, st, 7, mean) : kj_stmt_bind_null(ctx, st, 7))) != KJ_OK ||
		    (r = (s.n ? kj_stmt_bind_text(ctx, st, 8, sd) : kj_stmt_bind_null(ctx, st, 8))) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 9, s_sum)) != KJ_OK || (r = kj_stmt_bind_text(ctx, st, 10, s_parts)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 11, s_ps)) != KJ_OK || (r = kj_stmt_bind_text(ctx, st, 12, s_weak)) != KJ_OK ||
		    (r = kj_stmt_bind_text(ctx, st, 13, s_counts)) != KJ_OK || (r = kj_stmt_bind_int(ctx, st, 14, y->fy)) != KJ_OK)
			goto out;
		r = kj_stmt_run(ctx, st);
	}
out:
	kj_stmt_free(st);
	free(s_sum);
	free(s_parts);
	free(s_ps);
	free(s_weak);
	free(s_counts);
	json_decref(parts);
	json_decref(ps);
	json_decref(weak);
	json_decref(summary);
	json_decref(counts);
	return r;
}

/*
 * Computes fiscal year fy when it is dirty, missing or judged on an earlier day than it
 * should be (force: always). The year's row is inserted if missing and then locked by an
 * UPDATE; whether to compute is decided only once the lock is held.
 */
static kj_err
compute_year(struct kj_ctx *ctx, int fy, int force)
{
	struct kj_stmt *st = NULL;
	struct year y;
	int row, need = 1;
	kj_err r;

	year_init(ctx, fy, &y);
	/* The row first, committed on its own (unless the caller holds a transaction): a
	 * change that commits while the year is computed must find the row to mark. */
	if ((r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	r = exec_for(ctx, &y, "INSERT INTO eval_run (fiscal_year, dirty) VALUES (?, 1) ON CONFLICT (fiscal_year) DO NOTHING", "y");
	if ((r = kj_tx_end(ctx, r)) != KJ_OK || (r = kj_tx_begin(ctx)) != KJ_OK)
		return r;
	if ((r = stmt_for(ctx, &y, "UPDATE eval_run SET dirty = dirty WHERE fiscal_year = ? RETURNING dirty, ref_date, computed_at",
			  "y", &st)) != KJ_OK)
		goto out;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
		need = force || kj_stmt_int(st, 0) != 0 || kj_stmt_is_null(st, 2) || kj_stmt_is_null(st, 1) ||
		       strcmp(kj_stmt_text(st, 1), y.ref) < 0;
	kj_stmt_free(st);
	if (r == KJ_OK && need)
		r = compute(ctx, &y);
out:
	return kj_tx_end(ctx, r);
}

/* Makes the snapshots of fy and of the year before (whose scores a read shows beside
 * them) fresh, and computes every earlier year with data that has no snapshot yet (once:
 * the trend shows every year). Earlier years keep the snapshot they have, marked stale in
 * the trend when dirty: computing every year again after a change to, say, an
 * organisation would make one read cost ten recomputes at national scale. Reading or
 * refreshing a year makes it fresh. */
static kj_err
ensure(struct kj_ctx *ctx, int fy)
{
	static const char sql[] =
		"SELECT d.fy FROM (SELECT fiscal_year AS fy FROM campaign UNION SELECT fiscal_year FROM audit_programme "
		"UNION SELECT CAST(? AS INTEGER)) d LEFT JOIN eval_run r ON r.fiscal_year = d.fy "
		"WHERE d.fy <= ? AND (r.fiscal_year IS NULL OR r.computed_at IS NULL OR (d.fy >= CAST(? AS INTEGER) - 1 AND "
		"(r.dirty = 1 OR r.ref_date IS NULL OR (r.ref_date < ? AND r.ref_date < (CAST(d.fy + 1 AS TEXT) || '-03-31'))))) "
		"ORDER BY d.fy";
	struct kj_stmt *st = NULL;
	struct year y;
	int years[64], n = 0, i, row;
	char today[11];
	kj_err r;

	year_init(ctx, fy, &y);
	kj_date_format(kj_now(ctx), today);
	if ((r = stmt_for(ctx, &y, sql, "yyy", &st)) != KJ_OK)
		return r;
	if ((r = kj_stmt_bind_text(ctx, st, 4, today)) == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
			if (n < (int)(sizeof(years) / sizeof(years[0])))
				years[n++] = (int)kj_stmt_int(st, 0);
		}
	}
	kj_stmt_free(st);
	for (i = 0; r == KJ_OK && i < n; i++)
		r = compute_year(ctx, years[i], 0);
	return r;
}

/* ---- Reading ----------------------------------------------------------------------------- */

int
kj_fiscal_year_of(struct kj_ctx *ctx, const char *date)
{
	char today[11];

	if (date == NULL) {
		kj_date_format(kj_now(ctx), today);
		date = today;
	}
	return kj_fiscal_year(date);
}

/* Staff and external auditors do not read the evaluation. */
static kj_err
may_read(struct kj_ctx *ctx)
{
	switch (ctx->who.role) {
	case KJ_ROLE_LOCAL_ADMIN:
	case KJ_ROLE_CENTRE_ADMIN:
	case KJ_ROLE_CENTRE_ANALYST:
	case KJ_ROLE_ORG_ADMIN:
	case KJ_ROLE_UNIT_OFFICER:
		return KJ_OK;
	case KJ_ROLE_NONE:
		return kj_failf(ctx, KJ_ERR_AUTH, "not authenticated");
	default:
		return kj_failf(ctx, KJ_ERR_DENIED, "not allowed: the evaluation is read by the centre and organisation officers");
	}
}

static kj_err
check_year(struct kj_ctx *ctx, int *fy)
{
	if (*fy == 0)
		*fy = kj_fiscal_year_of(ctx, NULL);
	if (*fy < 1990 || *fy > 2999)
		return kj_failf(ctx, KJ_ERR_INVALID, "fiscal year: expected a year such as 2025, not %d", *fy);
	return KJ_OK;
}

/* The organisations in the principal's scope, sorted by id (all_out: everything). */
struct scope {
	int all;
	int64_t *ids;
	size_t n;
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static kj_err
scope_load(struct kj_ctx *ctx, struct scope *sc)
{
	struct kj_org_list l;
	size_t i;
	kj_err r;

	memset(sc, 0, sizeof(*sc));
	if (kj_access_sees_all(ctx)) {
		sc->all = 1;
		return KJ_OK;
	}
	memset(&l, 0, sizeof(l));
	if ((r = kj_org_list(ctx, NULL, 1, &l)) != KJ_OK)
		return r;
	sc->ids = calloc(l.n + 1, sizeof(*sc->ids));
	if (sc->ids == NULL) {
		kj_org_list_free(&l);
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < l.n; i++)
		sc->ids[i] = l.v[i].id;
	sc->n = l.n;
	kj_org_list_free(&l);
	qsort(sc->ids, sc->n, sizeof(*sc->ids), cmp_i64);
	return KJ_OK;
}

static int
scope_has(const struct scope *sc, int64_t id)
{
	return sc->all || (sc->n > 0 && bsearch(&id, sc->ids, sc->n, sizeof(*sc->ids), cmp_i64) != NULL);
}

/* The head shared by every reply: fiscal_year, method, computed_at, edition; and the
 * year's stored JSON (each may be NULL). */
struct run {
	json_t *head, *summary, *parts, *part_summary, *weak, *counts;
	int64_t edition_id;
	double mean, stdev;
	int has_mean;
	int64_t scored;
};

static void
run_free(struct run *rn)
{
	json_decref(rn->head);
	json_decref(rn->summary);
	json_decref(rn->parts);
	json_decref(rn->part_summary);
	json_decref(rn->weak);
	json_decref(rn->counts);
	memset(rn, 0, sizeof(*rn));
}

static json_t *
col_json(struct kj_stmt *st, int col)
{
	const char *s = kj_stmt_text(st, col);

	return s != NULL ? json_loads(s, 0, NULL) : NULL;
}

static kj_err
run_load(struct kj_ctx *ctx, const struct year *y, struct run *rn)
{
	struct kj_stmt *st = NULL;
	int row;
	kj_err r;

	memset(rn, 0, sizeof(*rn));
	r = stmt_for(ctx, y, "SELECT computed_at, edition, edition_id, mean, stdev, scored, summary, parts, part_summary, "
			     "weak, board_counts FROM eval_run WHERE fiscal_year = ?", "y", &st);
	if (r != KJ_OK)
		return r;
	if ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && !row)
		r = kj_failf(ctx, KJ_ERR_INTERNAL, "evaluation of %d: no snapshot after computing", y->fy);
	if (r == KJ_OK) {
		rn->head = json_pack("{s:i, s:s, s:s?, s:s?}", "fiscal_year", y->fy, "method", KJ_EVAL_METHOD, "computed_at",
				     kj_stmt_text(st, 0), "edition", kj_stmt_text(st, 1));
		rn->edition_id = kj_stmt_int(st, 2);
		rn->has_mean = !kj_stmt_is_null(st, 3);
		rn->mean = col_double(st, 3);
		rn->stdev = col_double(st, 4);
		rn->scored = kj_stmt_int(st, 5);
		rn->summary = col_json(st, 6);
		rn->parts = col_json(st, 7);
		rn->part_summary = col_json(st, 8);
		rn->weak = col_json(st, 9);
		rn->counts = col_json(st, 10);
		if (!rn->head || !rn->summary || !rn->parts || !rn->part_summary || !rn->weak || !rn->counts)
			r = kj_failf(ctx, KJ_ERR_INTERNAL, "evaluation of %d: the snapshot is incomplete", y->fy);
	}
	kj_stmt_free(st);
	if (r != KJ_OK)
		run_free(rn);
	return r;
}

/* Access, the year, a fresh snapshot, then one read transaction for the reply. */
static kj_err
begin_read(struct kj_ctx *ctx, int *fy, struct year *y)
{
	kj_err r;

	if ((r = may_read(ctx)) != KJ_OK || (r = check_year(ctx, fy)) != KJ_OK || (r = ensure(ctx, *fy)) != KJ_OK)
		return r;
	year_init(ctx, *fy, y);
	return kj_tx_begin_read(ctx);
}

/* The stages of a row of eval_org read from column col on, as the board shows them. */
static json_t *
stages_json(struct kj_stmt *st, int col, int *reached_out)
{
	json_t *o = json_object();
	int i, reached = 0, stop = 0;

	for (i = 0; i < NSTAGES; i++) {
		const char *v = kj_stmt_text(st, col + i);

		json_object_set_new(o, stage_names[i], json_string(v ? v : "not_started"));
		if (!stop && v != NULL && (strcmp(v, "done") == 0 || strcmp(v, "not_applicable") == 0))
			reached++;
		else
			stop = 1;
	}
	*reached_out = reached;
	return o;
}

#define BOARD_COLS "o.st_policy, o.st_self, o.st_audit, o.st_plan_accepted, o.st_plan_done"

static json_t *
board_row(struct kj_stmt *st, int col)
{
	int reached;
	json_t *stages = stages_json(st, col + 4, &reached);

	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:i}", "code", kj_stmt_text(st, col), "name_ja", kj_stmt_text(st, col + 1),
			 "name_en", kj_stmt_text(st, col + 2), "kind", kj_stmt_text(st, col + 3), "stages", stages, "reached",
			 reached);
}

/* One organisation row of the government view, before sorting. */
struct gov_row {
	int64_t org_id;
	int has_score;
	double score;
	char *code;
	json_t *j;
};

static int
cmp_gov_row(const void *a, const void *b)
{
	const struct gov_row *x = a, *y = b;

	if (x->has_score != y->has_score)
		return x->has_score ? -1 : 1;
	if (x->has_score && x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return strcmp(x->code, y->code);
}

static int
cmp_gov_row_id(const void *a, const void *b)
{
	const struct gov_row *x = a, *y = b;

	return x->org_id < y->org_id ? -1 : x->org_id > y->org_id;
}

/* The index of part number num in the parts array, or -1. */
static long
part_index(json_t *parts, const char *num)
{
	size_t i;
	json_t *p;

	json_array_foreach(parts, i, p) {
		if (strcmp(json_string_value(json_object_get(p, "number")), num) == 0)
			return (long)i;
	}
	return -1;
}

/* Names each part's laggards: the organisations in scope whose part score is below the
 * part's cut, lowest first, at most LAGGARDS_MAX; and drops the cut from the reply. */
static kj_err
add_laggards(struct kj_ctx *ctx, const struct year *y, const struct scope *sc, json_t *part_summary)
{
	struct kj_stmt *st = NULL;
	size_t i;
	json_t *ps;
	int row;
	kj_err r = KJ_OK;

	json_array_foreach(part_summary, i, ps) {
		json_t *cut = json_object_get(ps, "cut"), *lag = json_array();
		char v[40];

		if (json_is_number(cut)) {
			snprintf(v, sizeof(v), "%.17g", json_number_value(cut));
			if ((r = stmt_for(ctx, y, "SELECT p.org_id, o.code, o.name_ja, o.name_en, p.score FROM eval_part p "
						  "JOIN eval_org o ON o.fiscal_year = p.fiscal_year AND o.org_id = p.org_id "
						  "WHERE p.fiscal_year = ? AND p.part = ? AND p.score < CAST(? AS DOUBLE PRECISION) "
						  "ORDER BY p.score, o.code", "y", &st)) != KJ_OK ||
			    (r = kj_stmt_bind_text(ctx, st, 2, json_string_value(json_object_get(ps, "number")))) != KJ_OK ||
			    (r = kj_stmt_bind_text(ctx, st, 3, v)) != KJ_OK) {
				json_decref(lag);
				break;
			}
			while (json_array_size(lag) < LAGGARDS_MAX && (r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
				if (scope_has(sc, kj_stmt_int(st, 0)))
					json_array_append_new(lag, json_pack("{s:s, s:s, s:s, s:f}", "code", kj_stmt_text(st, 1), "name_ja",
									     kj_stmt_text(st, 2), "name_en", kj_stmt_text(st, 3), "score",
									     round_to(col_double(st, 4), 1)));
			}
			kj_stmt_free(st);
			st = NULL;
		}
		json_object_del(ps, "cut");
		json_object_set_new(ps, "laggards", lag);
		if (r != KJ_OK)
			break;
	}
	return r;
}

static kj_err
trend_of_government(struct kj_ctx *ctx, const struct year *y, json_t **out)
{
	struct kj_stmt *st = NULL;
	json_t *a = json_array();
	int row;
	kj_err r;

	r = stmt_for(ctx, y, "SELECT fiscal_year, mean, stdev, scored, dirty FROM eval_run WHERE fiscal_year <= ? "
			     "AND computed_at IS NOT NULL AND (scored > 0 OR fiscal_year = ?) ORDER BY fiscal_year", "yy", &st);
	if (r == KJ_OK) {
		while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row)
			json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:I, s:b}", "fiscal_year", (json_int_t)kj_stmt_int(st, 0),
							   "mean", col_num(st, 1, 2), "stdev", col_num(st, 2, 2), "scored",
							   (json_int_t)kj_stmt_int(st, 3), "stale", kj_stmt_int(st, 4) != 0));
	}
	return result_out(st, r, a, out);
}

kj_err
kj_eval_government(struct kj_ctx *ctx, int fiscal_year, json_t **out)
{
	struct kj_stmt *st = NULL;
	struct year y;
	struct run rn;
	struct scope sc;
	struct gov_row *rows = NULL;
	size_t n = 0, cap = 0, i;
	json_t *orgs = NULL, *trend = NULL, *j = NULL;
	int row, began = 0;
	kj_err r;

	memset(&rn, 0, sizeof(rn));
	memset(&sc, 0, sizeof(sc));
	if ((r = begin_read(ctx, &fiscal_year, &y)) != KJ_OK)
		return r;
	began = 1;
	if ((r = scope_load(ctx, &sc)) != KJ_OK || (r = run_load(ctx, &y, &rn)) != KJ_OK)
		goto out;
	r = stmt_for(ctx, &y, "SELECT o.org_id, o.code, o.name_ja, o.name_en, o.kind, o.parent, o.score, o.maturity, "
			      "o.self_rate, o.findings_open, p.score FROM eval_org o LEFT JOIN eval_org p "
			      "ON p.fiscal_year = ? AND p.org_id = o.org_id WHERE o.fiscal_year = ? ORDER BY o.org_id",
		     "py", &st);
	if (r != KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		int64_t id = kj_stmt_int(st, 0);
		int has = !kj_stmt_is_null(st, 6), hasp = !kj_stmt_is_null(st, 10);
		double sc_now = col_double(st, 6), sc_prev = col_double(st, 10);
		size_t np = json_array_size(rn.parts), k;
		json_t *pa;

		if (!scope_has(&sc, id))
			continue;
		if (n == cap) {
			struct gov_row *v = realloc(rows, (cap ? 2 * cap : 64) * sizeof(*v));

			if (v == NULL) {
				r = kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
				break;
			}
			rows = v;
			cap = cap ? 2 * cap : 64;
		}
		pa = json_array();
		for (k = 0; k < np; k++)
			json_array_append_new(pa, json_null());
		rows[n].org_id = id;
		rows[n].has_score = has;
		rows[n].score = round_to(sc_now, 1);
		rows[n].j = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o, s:I, s:o, s:o, s:o, s:I, s:o}", "code", kj_stmt_text(st, 1),
				      "name_ja", kj_stmt_text(st, 2), "name_en", kj_stmt_text(st, 3), "kind", kj_stmt_text(st, 4),
				      "parent", kj_stmt_text(st, 5), "score", num_or_null(has, sc_now, 1), "maturity",
				      (json_int_t)kj_stmt_int(st, 7), "previous", num_or_null(hasp, sc_prev, 1), "delta",
				      num_or_null(has && hasp, round_to(sc_now, 1) - round_to(sc_prev, 1), 1), "self_rate",
				      col_num(st, 8, 4), "findings_open", (json_int_t)kj_stmt_int(st, 9), "parts", pa);
		rows[n].code = (char *)json_string_value(json_object_get(rows[n].j, "code"));
		n++;
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		goto out;
	/* Part scores, merged by organisation id (both sorted by it). */
	if ((r = stmt_for(ctx, &y, "SELECT org_id, part, score FROM eval_part WHERE fiscal_year = ? ORDER BY org_id", "y", &st)) !=
	    KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		struct gov_row key, *g;
		long pi;

		key.org_id = kj_stmt_int(st, 0);
		g = n ? bsearch(&key, rows, n, sizeof(*rows), cmp_gov_row_id) : NULL;
		if (g == NULL || (pi = part_index(rn.parts, kj_stmt_text(st, 1))) < 0)
			continue;
		json_array_set_new(json_object_get(g->j, "parts"), (size_t)pi, col_num(st, 2, 1));
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		goto out;
	if (n > 1)
		qsort(rows, n, sizeof(*rows), cmp_gov_row);
	orgs = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(orgs, rows[i].j);
		rows[i].j = NULL;
	}
	if ((r = add_laggards(ctx, &y, &sc, rn.part_summary)) != KJ_OK || (r = trend_of_government(ctx, &y, &trend)) != KJ_OK)
		goto out;
	j = rn.head;
	rn.head = NULL;
	json_object_set(j, "parts", rn.parts);
	json_object_set(j, "summary", rn.summary);
	json_object_set_new(j, "orgs", orgs);
	orgs = NULL;
	json_object_set(j, "part_summary", rn.part_summary);
	json_object_set(j, "weak_requirements", rn.weak);
	json_object_set_new(j, "trend", trend);
	trend = NULL;
	*out = j;
	j = NULL;
out:
	kj_stmt_free(st);
	for (i = 0; i < n; i++)
		json_decref(rows[i].j);
	free(rows);
	free(sc.ids);
	json_decref(orgs);
	json_decref(trend);
	json_decref(j);
	run_free(&rn);
	if (began)
		r = kj_tx_end(ctx, r);
	return r;
}

kj_err
kj_eval_board(struct kj_ctx *ctx, int fiscal_year, json_t **out)
{
	struct kj_stmt *st = NULL;
	struct year y;
	struct run rn;
	struct scope sc;
	json_t *orgs = json_array(), *stages = json_array(), *j = NULL;
	size_t i;
	int row;
	kj_err r;

	memset(&rn, 0, sizeof(rn));
	memset(&sc, 0, sizeof(sc));
	for (i = 0; i < NSTAGES; i++)
		json_array_append_new(stages, json_string(stage_names[i]));
	if ((r = begin_read(ctx, &fiscal_year, &y)) != KJ_OK) {
		json_decref(orgs);
		json_decref(stages);
		return r;
	}
	if ((r = scope_load(ctx, &sc)) != KJ_OK || (r = run_load(ctx, &y, &rn)) != KJ_OK)
		goto out;
	r = stmt_for(ctx, &y, "SELECT o.org_id, o.code, o.name_ja, o.name_en, o.kind, " BOARD_COLS
			      " FROM eval_org o WHERE o.fiscal_year = ? ORDER BY o.code", "y", &st);
	if (r != KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		if (scope_has(&sc, kj_stmt_int(st, 0)))
			json_array_append_new(orgs, board_row(st, 1));
	}
	if (r != KJ_OK)
		goto out;
	j = json_pack("{s:i, s:O, s:o, s:o, s:O}", "fiscal_year", fiscal_year, "computed_at",
		      json_object_get(rn.head, "computed_at"), "stages", stages, "orgs", orgs, "counts", rn.counts);
	stages = orgs = NULL;
	*out = j;
out:
	kj_stmt_free(st);
	free(sc.ids);
	json_decref(orgs);
	json_decref(stages);
	run_free(&rn);
	return kj_tx_end(ctx, r);
}

/* "score 70.5 >= 40" or "score 35.0 < 40" or "no score". */
static void
score_cond(char *buf, size_t size, int has, double score, int bar, int ja)
{
	if (!has)
		snprintf(buf, size, ja ? "得点なし" : "no score");
	else if (ja)
		snprintf(buf, size, "得点 %.1f %s %d", round_to(score, 1), score >= bar ? "≧" : "<", bar);
	else
		snprintf(buf, size, "score %.1f %s %d", round_to(score, 1), score >= bar ? ">=" : "<", bar);
}

/* One step of the maturity ladder: why, in English (why, why_en) and Japanese (why_ja). */
static json_t *
step_json(int level, int met, const char *en, const char *ja)
{
	return json_pack("{s:i, s:b, s:s, s:s, s:s}", "level", level, "met", met, "why", en, "why_en", en, "why_ja", ja);
}

static json_t *
maturity_steps(struct kj_stmt *st)
{
	/* Columns: 0 score, 1 n_answers, 2 policy_ok, 3 n_checklists, 4 n_submitted,
	 * 5 severe_unplanned, 6 overdue. */
	int has = !kj_stmt_is_null(st, 0);
	double score = col_double(st, 0);
	long long answers = kj_stmt_int(st, 1), nk = kj_stmt_int(st, 3), ns = kj_stmt_int(st, 4);
	long long severe = kj_stmt_int(st, 5), overdue = kj_stmt_int(st, 6);
	int policy = (int)kj_stmt_int(st, 2);
	char s[64], sj[64], en[320], ja[320];
	json_t *a = json_array();

	score_cond(s, sizeof(s), has, score, 40, 0);
	score_cond(sj, sizeof(sj), has, score, 40, 1);
	snprintf(en, sizeof(en), "%s; %lld answers", s, answers);
	snprintf(ja, sizeof(ja), "%s、回答 %lld 件", sj, answers);
	json_array_append_new(a, step_json(2, has && score >= 40 && answers > 0, en, ja));
	score_cond(s, sizeof(s), has, score, 60, 0);
	score_cond(sj, sizeof(sj), has, score, 60, 1);
	snprintf(en, sizeof(en), "%s; %s", s,
		 policy ? "a policy approved for the year's edition or a later one"
			: "no policy approved for the year's edition or a later one");
	snprintf(ja, sizeof(ja), "%s、%s", sj,
		 policy ? "当年度の版以降に対応した規程が承認済み" : "当年度の版以降に対応した承認済みの規程なし");
	json_array_append_new(a, step_json(3, has && score >= 60 && policy, en, ja));
	score_cond(s, sizeof(s), has, score, 75, 0);
	score_cond(sj, sizeof(sj), has, score, 75, 1);
	snprintf(en, sizeof(en), "%s; %lld of %lld checklists submitted; %lld high or critical findings without an accepted plan",
		 s, ns, nk, severe);
	snprintf(ja, sizeof(ja), "%s、点検票 %lld 件中 %lld 件提出、承認済みの改善計画がない重大・高の指摘 %lld 件", sj, nk, ns,
		 severe);
	json_array_append_new(a, step_json(4, has && score >= 75 && nk > 0 && ns == nk && severe == 0, en, ja));
	score_cond(s, sizeof(s), has, score, 90, 0);
	score_cond(sj, sizeof(sj), has, score, 90, 1);
	snprintf(en, sizeof(en), "%s; %lld measures overdue", s, overdue);
	snprintf(ja, sizeof(ja), "%s、期限超過の措置 %lld 件", sj, overdue);
	json_array_append_new(a, step_json(5, has && score >= 90 && overdue == 0, en, ja));
	return a;
}

/* The findings of the organisation in the year, by requirement number: number ->
 * [{uuid, engagement, severity, plan, plan_status}]. The plan shown is the furthest one. */
static kj_err
org_findings(struct kj_ctx *ctx, const struct year *y, int64_t org_id, json_t **out)
{
	/* With org_id 0, every organisation's: {root id: {number: [...]}}, for a run over all. */
#define ORG_FINDINGS_SQL(where)                                                                                            \
	"SELECT af.id, af.uuid, af.item_number, e.code, af.severity, p.code, p.status, " PLAN_RANK_SQL " AS rank_n, "  \
	"m.root_id FROM audit_finding af JOIN audit_engagement e ON e.id = af.engagement_id "                          \
	"JOIN audit_programme pr ON pr.id = e.programme_id "                                                           \
	"JOIN eval_member m ON m.fiscal_year = ? AND m.org_id = e.org_id "                                              \
	"LEFT JOIN plan_finding pf ON pf.finding_id = af.id LEFT JOIN improvement_plan p ON p.id = pf.plan_id "        \
	"WHERE pr.fiscal_year = ? " where "AND e.status = 'signed_off' AND af.category = 'finding' "                    \
	"ORDER BY af.id, rank_n DESC, p.code"
	struct kj_stmt *st = NULL;
	json_t *all = json_object(), *m = all;
	int64_t last = 0;
	int row;
	kj_err r;

	if (org_id != 0) {
		if ((r = stmt_for(ctx, y, ORG_FINDINGS_SQL("AND m.root_id = ? "), "yy", &st)) != KJ_OK ||
		    (r = kj_stmt_bind_int(ctx, st, 3, org_id)) != KJ_OK)
			goto out;
	} else if ((r = stmt_for(ctx, y, ORG_FINDINGS_SQL(""), "yy", &st)) != KJ_OK) {
		goto out;
	}
#undef ORG_FINDINGS_SQL
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		const char *num = kj_stmt_text(st, 2);
		json_t *a;

		if (kj_stmt_int(st, 0) == last)
			continue;	/* a further plan citing the same finding */
		last = kj_stmt_int(st, 0);
		if (org_id == 0) {
			char root[24];

			snprintf(root, sizeof(root), "%lld", (long long)kj_stmt_int(st, 8));
			if ((m = json_object_get(all, root)) == NULL) {
				m = json_object();
				json_object_set_new(all, root, m);
			}
		}
		if ((a = json_object_get(m, num)) == NULL) {
			a = json_array();
			json_object_set_new(m, num, a);
		}
		json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "uuid", kj_stmt_text(st, 1), "engagement",
						   kj_stmt_text(st, 3), "severity", kj_stmt_text(st, 4), "plan",
						   kj_stmt_text(st, 5), "plan_status", kj_stmt_text(st, 6)));
	}
out:
	return result_out(st, r, all, out);
}

/* The mean of part num over the government, from the stored part statistics. */
static json_t *
gov_part_mean(json_t *part_summary, const char *num)
{
	size_t i;
	json_t *ps;

	json_array_foreach(part_summary, i, ps) {
		if (strcmp(json_string_value(json_object_get(ps, "number")), num) == 0)
			return json_incref(json_object_get(ps, "mean"));
	}
	return json_null();
}

/* The organisation asked for, if it is one that is evaluated. */
static kj_err
org_asked(struct kj_ctx *ctx, const char *org, struct kj_org *out)
{
	struct kj_org o;
	kj_err r;

	if (org == NULL || *org == '\0')
		return kj_failf(ctx, KJ_ERR_INVALID, "org: required");
	if ((r = kj_org_get(ctx, org, &o)) != KJ_OK)
		return r;
	if (strcmp(o.kind, "bureau") == 0 || strcmp(o.kind, "division") == 0) {
		struct kj_ctx c = *ctx;
		struct kj_org top = o;
		int depth;

		c.who.role = KJ_ROLE_LOCAL_ADMIN;	/* only to name the organisation to ask for */
		for (depth = 0; depth < 16 && top.parent_code[0] && (strcmp(top.kind, "bureau") == 0 || strcmp(top.kind, "division") == 0);
		     depth++) {
			if (kj_org_get(&c, top.parent_code, &top) != KJ_OK)
				break;
		}
		return kj_failf(ctx, KJ_ERR_INVALID, "org: %s is a unit, evaluated as part of %s; ask for %s", o.code, top.code,
				top.code);
	}
	if (strcmp(o.kind, "centre") == 0)
		return kj_failf(ctx, KJ_ERR_INVALID, "org: %s is the centre, which is not evaluated", o.code);
	*out = o;
	return KJ_OK;
}

/* Parts of an edition, read once for a run of organisations of the same edition: a copy
 * for each. */
struct parts_cache {
	int64_t edition_id;
	json_t *parts;
};

static kj_err
parts_of(struct kj_ctx *ctx, struct parts_cache *pc, int64_t edition_id, json_t **out)
{
	kj_err r;

	if (edition_id == 0) {
		*out = json_array();
		return KJ_OK;
	}
	if (pc->parts == NULL || pc->edition_id != edition_id) {
		json_decref(pc->parts);
		pc->parts = NULL;
		if ((r = edition_parts(ctx, edition_id, &pc->parts)) != KJ_OK)
			return r;
		pc->edition_id = edition_id;
	}
	*out = json_deep_copy(pc->parts);
	return *out != NULL ? KJ_OK : kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
}

/* One organisation's evaluation, inside the read transaction, with the year's run loaded. */
static kj_err
org_view(struct kj_ctx *ctx, const struct year *y, const struct run *rn, struct parts_cache *pc, json_t *year_findings,
	 const struct kj_org *op, json_t **out)
{
	const struct kj_org o = *op;
	const int fiscal_year = y->fy;
	struct kj_stmt *st = NULL;
	json_t *j = NULL, *parts = NULL, *reqs = NULL, *trend = NULL, *findings = NULL, *pdca = NULL;
	int64_t edition_id = 0;
	int row, has_score = 0;
	double score = 0;
	size_t i;
	json_t *p;
	kj_err r;

	/* One round trip for the row and its rank (1: the highest score): the report reads a
	 * thousand of these, and on PostgreSQL each statement is a trip to the server. */
	r = stmt_for(ctx, y, "SELECT o.score, o.n_answers, o.policy_ok, o.n_checklists, o.n_submitted, o.severe_unplanned, "
			      "o.overdue, o.maturity, o.self_rate, o.edition_id, o.org_id, o.code, o.name_ja, o.name_en, o.kind, "
			      BOARD_COLS ", (SELECT COUNT(*) FROM eval_org x WHERE x.fiscal_year = o.fiscal_year AND x.score > o.score) "
			      "FROM eval_org o WHERE o.fiscal_year = ? AND o.org_id = ?", "y", &st);
	if (r != KJ_OK || (r = kj_stmt_bind_int(ctx, st, 2, o.id)) != KJ_OK || (r = kj_stmt_step(ctx, st, &row)) != KJ_OK)
		goto out;
	if (!row) {
		r = kj_failf(ctx, KJ_ERR_NOT_FOUND, "%s was not in existence in fiscal year %d", o.code, fiscal_year);
		goto out;
	}
	has_score = !kj_stmt_is_null(st, 0);
	score = col_double(st, 0);
	edition_id = kj_stmt_int(st, 9);
	j = json_deep_copy(rn->head);
	json_object_set_new(j, "org", json_pack("{s:s, s:s, s:s, s:s}", "code", kj_stmt_text(st, 11), "name_ja",
						kj_stmt_text(st, 12), "name_en", kj_stmt_text(st, 13), "kind", kj_stmt_text(st, 14)));
	json_object_set_new(j, "score", num_or_null(has_score, score, 1));
	json_object_set_new(j, "maturity", json_integer(kj_stmt_int(st, 7)));
	json_object_set_new(j, "maturity_steps", maturity_steps(st));
	json_object_set_new(j, "self_rate", col_num(st, 8, 4));
	pdca = board_row(st, 11);
	{
		int64_t higher = kj_stmt_int(st, 20);

		kj_stmt_free(st);
		st = NULL;
		json_object_set_new(j, "gov", json_pack("{s:o, s:o, s:o, s:I}", "mean", num_or_null(rn->has_mean, rn->mean, 2), "stdev",
							num_or_null(rn->has_mean, rn->stdev, 2), "rank",
							has_score ? json_integer(higher + 1) : json_null(), "of", (json_int_t)rn->scored));
	}

	/* Parts of the organisation's edition, with its scores and the government's means. */
	if ((r = parts_of(ctx, pc, edition_id, &parts)) != KJ_OK)
		goto out;
	json_array_foreach(parts, i, p) {
		json_object_set_new(p, "score", json_null());
		json_object_set_new(p, "gov_mean", gov_part_mean(rn->part_summary, json_string_value(json_object_get(p, "number"))));
	}
	/* The part scores (k = 0) and the trend beside the government's mean (k = 1), in one
	 * round trip. */
	trend = json_array();
	if ((r = stmt_for(ctx, y, "SELECT 0, part, score, CAST(NULL AS BIGINT), CAST(NULL AS DOUBLE PRECISION), "
				   "CAST(NULL AS BIGINT), 0 FROM eval_part WHERE fiscal_year = ? AND org_id = ? "
				   "UNION ALL SELECT 1, CAST(o.fiscal_year AS TEXT), o.score, o.maturity, r.mean, r.dirty, "
				   "o.fiscal_year FROM eval_org o JOIN eval_run r ON r.fiscal_year = o.fiscal_year "
				   "WHERE o.org_id = ? AND o.fiscal_year <= ? ORDER BY 1, 7", "y", &st)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 2, o.id)) != KJ_OK || (r = kj_stmt_bind_int(ctx, st, 3, o.id)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 4, fiscal_year)) != KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		if (kj_stmt_int(st, 0) == 0) {
			long pi = part_index(parts, kj_stmt_text(st, 1));

			if (pi >= 0)
				json_object_set_new(json_array_get(parts, (size_t)pi), "score", col_num(st, 2, 1));
			continue;
		}
		json_array_append_new(trend, json_pack("{s:I, s:o, s:I, s:o, s:b}", "fiscal_year", (json_int_t)kj_stmt_int(st, 6),
						       "score", col_num(st, 2, 1), "maturity", (json_int_t)kj_stmt_int(st, 3), "gov_mean",
						       col_num(st, 4, 2), "stale", kj_stmt_int(st, 5) != 0));
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		goto out;
	json_object_set_new(j, "parts", parts);
	parts = NULL;

	/* Assessed requirements in document order, each with its findings. */
	if (year_findings != NULL) {
		char root[24];

		snprintf(root, sizeof(root), "%lld", (long long)o.id);
		findings = json_object_get(year_findings, root);
		findings = findings != NULL ? json_incref(findings) : json_object();
	} else if ((r = org_findings(ctx, y, o.id, &findings)) != KJ_OK) {
		goto out;
	}
	reqs = json_array();
	if ((r = stmt_for(ctx, y, "SELECT q.number, q.part, i.title_ja, i.title_en, q.self_rate, q.penalty, q.score "
				   "FROM eval_req q LEFT JOIN item i ON i.edition_id = ? AND i.number = q.number "
				   "WHERE q.fiscal_year = ? AND q.org_id = ? AND q.score IS NOT NULL "
				   "ORDER BY CASE WHEN q.seq IS NULL THEN 1 ELSE 0 END, q.seq, q.number", "", &st)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 1, edition_id)) != KJ_OK || (r = kj_stmt_bind_int(ctx, st, 2, fiscal_year)) != KJ_OK ||
	    (r = kj_stmt_bind_int(ctx, st, 3, o.id)) != KJ_OK)
		goto out;
	while ((r = kj_stmt_step(ctx, st, &row)) == KJ_OK && row) {
		json_t *f = json_object_get(findings, kj_stmt_text(st, 0));

		json_array_append_new(reqs, json_pack("{s:s, s:s?, s:s?, s:s?, s:o, s:o, s:o, s:O}", "number", kj_stmt_text(st, 0),
						      "part", kj_stmt_text(st, 1), "title_ja", kj_stmt_text(st, 2), "title_en",
						      kj_stmt_text(st, 3), "self_rate", col_num(st, 4, 4), "penalty",
						      col_num(st, 5, 4), "score", col_num(st, 6, 1), "findings",
						      f ? f : json_array()));
		if (f == NULL)
			json_decref(json_object_get(json_array_get(reqs, json_array_size(reqs) - 1), "findings"));
	}
	kj_stmt_free(st);
	st = NULL;
	if (r != KJ_OK)
		goto out;
	json_object_set_new(j, "requirements", reqs);
	reqs = NULL;

	json_object_set_new(j, "trend", trend);
	trend = NULL;
	json_object_set_new(j, "pdca", pdca);
	pdca = NULL;
	*out = j;
	j = NULL;
out:
	kj_stmt_free(st);
	json_decref(j);
	json_decref(parts);
	json_decref(reqs);
	json_decref(trend);
	json_decref(findings);
	json_decref(pdca);
	return r;
}

kj_err
kj_eval_org(struct kj_ctx *ctx, const char *org, int fiscal_year, json_t **out)
{
	return kj_eval_orgs(ctx, fiscal_year, &org, 1, NULL, out);
}

kj_err
kj_eval_orgs(struct kj_ctx *ctx, int fiscal_year, const char *const *orgs, size_t n,
	     int (*each)(void *arg, json_t *view), void *arg)
{
	struct parts_cache pc = {0, NULL};
	json_t *year_findings = NULL;
	struct kj_org *os;
	struct year y;
	struct run rn;
	size_t k;
	kj_err r;

	memset(&rn, 0, sizeof(rn));
	if ((r = may_read(ctx)) != KJ_OK || (r = check_year(ctx, &fiscal_year)) != KJ_OK)
		return r;
	if ((os = calloc(n ? n : 1, sizeof(*os))) == NULL)
		return kj_failf(ctx, KJ_ERR_NOMEM, "out of memory");
	for (k = 0; k < n && r == KJ_OK; k++)
		r = org_asked(ctx, orgs[k], &os[k]);
	if (r == KJ_OK)
		r = ensure(ctx, fiscal_year);
	if (r != KJ_OK) {
		free(os);
		return r;
	}
	year_init(ctx, fiscal_year, &y);
	if ((r = kj_tx_begin_read(ctx)) != KJ_OK) {
		free(os);
		return r;
	}
	r = run_load(ctx, &y, &rn);
	/* For a run over many, the year's findings are read once. */
	if (r == KJ_OK && n > 1)
		r = org_findings(ctx, &y, 0, &year_findings);
	for (k = 0; k < n && r == KJ_OK; k++) {
		json_t *v = NULL;

		if ((r = org_view(ctx, &y, &rn, &pc, year_findings, &os[k], &v)) != KJ_OK)
			break;
		if (each == NULL) {
			*(json_t **)arg = v;	/* one organisation: the caller's */
		} else if (each(arg, v) != 0) {
			r = kj_failf(ctx, KJ_ERR_IO, "evaluation: the reader of organisation %s stopped", os[k].code);
		}
	}
	json_decref(pc.parts);
	json_decref(year_findings);
	run_free(&rn);
	free(os);
	return kj_tx_end(ctx, r);
}

kj_err
kj_eval_refresh(struct kj_ctx *ctx, int fiscal_year)
{
	kj_err r;

	if (ctx->who.read_only)
		return kj_failf(ctx, KJ_ERR_DENIED, "not allowed with a read-only token");
	if ((r = may_read(ctx)) != KJ_OK)
		return r;
	if (ctx->who.role == KJ_ROLE_UNIT_OFFICER)
		return kj_failf(ctx, KJ_ERR_DENIED, "not allowed: the centre and organisation administrators refresh the evaluation");
	if ((r = check_year(ctx, &fiscal_year)) != KJ_OK)
		return r;
	return compute_year(ctx, fiscal_year, 1);
}

/* What a change of each input entity makes stale: the years of the thing changed (bound
 * from its public id, given nbind times), or with no sql every year. Answers, the
 * commonest change by far, touch one year. A plan's state moves its findings' years; its
 * measures only the running year and later ones (a past year judges overdue measures on
 * its own last day, which a change today cannot move). */
static const struct {
	const char *entity;
	const char *sql;
	int nbind, running;
} touches[] = {
	{"checklist",
	 "UPDATE eval_run SET dirty = 1 WHERE fiscal_year IN (SELECT c.fiscal_year FROM checklist k "
	 "JOIN campaign c ON c.id = k.campaign_id WHERE k.uuid = ?)", 1, 0},
	{"campaign", "UPDATE eval_run SET dirty = 1 WHERE fiscal_year IN (SELECT fiscal_year FROM campaign WHERE uuid = ? OR code = ?)",
	 2, 0},
	{"audit_programme", "UPDATE eval_run SET dirty = 1 WHERE fiscal_year IN (SELECT fiscal_year FROM audit_programme WHERE uuid = ?)",
	 1, 0},
	{"audit_engagement",
	 "UPDATE eval_run SET dirty = 1 WHERE fiscal_year IN (SELECT p.fiscal_year FROM audit_engagement e "
	 "JOIN audit_programme p ON p.id = e.programme_id WHERE e.uuid = ?)", 1, 0},
	{"audit_finding",
	 "UPDATE eval_run SET dirty = 1 WHERE fiscal_year IN (SELECT p.fiscal_year FROM audit_finding f "
	 "JOIN audit_engagement e ON e.id = f.engagement_id JOIN audit_programme p ON p.id = e.programme_id WHERE f.uuid = ?)", 1, 0},
	{"improvement_plan",
	 "UPDATE eval_run SET dirty = 1 WHERE fiscal_year >= ? OR fiscal_year IN (SELECT p.fiscal_year FROM improvement_plan ip "
	 "JOIN plan_finding pf ON pf.plan_id = ip.id JOIN audit_finding f ON f.id = pf.finding_id "
	 "JOIN audit_engagement e ON e.id = f.engagement_id JOIN audit_programme p ON p.id = e.programme_id WHERE ip.uuid = ?)", 1, 1},
	{"org", NULL, 0, 0},
	{"policy", NULL, 0, 0},
	{"recommendation", NULL, 0, 0},
};

kj_err
kj_eval_touch(struct kj_ctx *ctx, const char *entity)
{
	return kj_eval_touch_id(ctx, entity, NULL);
}

kj_err
kj_eval_touch_id(struct kj_ctx *ctx, const char *entity, const char *entity_id)
{
	struct kj_stmt *st = NULL;
	size_t i;
	int k, idx = 1;
	kj_err r;

	for (i = 0; i < sizeof(touches) / sizeof(touches[0]) && strcmp(touches[i].entity, entity) != 0; i++)
		;
	if (i == sizeof(touches) / sizeof(touches[0]))
		return KJ_OK;
	/* The rows are updated whether dirty already or not: on PostgreSQL the update waits for
	 * a recompute that holds a year's row, so the change cannot slip in between its reads
	 * and its commit. */
	if ((r = kj_db_prepare(ctx, touches[i].sql && entity_id ? touches[i].sql : "UPDATE eval_run SET dirty = 1", &st)) != KJ_OK)
		return r;
	if (touches[i].sql == NULL || entity_id == NULL)
		idx = -1;	/* every year: nothing to bind */
	if (idx > 0 && touches[i].running)
		r = kj_stmt_bind_int(ctx, st, idx++, kj_fiscal_year_of(ctx, NULL));
	for (k = 0; idx > 0 && r == KJ_OK && k < touches[i].nbind; k++)
		r = kj_stmt_bind_text(ctx, st, idx++, entity_id);
	if (r == KJ_OK)
		r = kj_stmt_run(ctx, st);
	kj_stmt_free(st);
	return r;
}
