/*
 * eval.h: the centre's evaluation. Scores per organisation, per part of the standard and
 * per requirement for a fiscal year, combining self-inspection results, audit findings and
 * the state of the plans that answer them; a maturity level from 1 to 5; the trend over
 * fiscal years; the government-wide picture (each organisation beside the mean, the spread,
 * the laggards per part, the requirements weak everywhere); and the PDCA board.
 *
 * The method is written out in docs/EVALUATION.md; in short, for fiscal year Y:
 *
 *   - The evaluated organisations are the ministries, agencies and corporations that exist
 *     (or existed during Y). The centre and units are not scored on their own; a unit's
 *     answers count for the organisation it lies in.
 *   - The edition of Y is that of the organisation's campaign of Y (its own or the child of
 *     the centre's mandate); parts are the edition's top-level items.
 *   - Self-inspection rate s(r) of requirement r: over the answers of the organisation's
 *     campaigns of Y (its whole subtree), (done + partial / 2) / (done + partial +
 *     not_done), read from the roll-up counters. Unanswered or all-excluded: no rate.
 *   - Finding penalty p(r): the sum over findings (category "finding") of signed-off
 *     engagements of Y's programmes about the organisation on r of weight(severity) x
 *     factor(state of the plan that covers it): weights low 0.05, medium 0.15, high 0.30,
 *     critical 0.50; factors no plan, draft or submitted 1.0, accepted or in_progress 0.75,
 *     done 0.5, verified 0. Advice and good practice weigh nothing.
 *   - Requirement score: 100 x max(0, base - p(r)), base = s(r) when there is a rate, 1.0
 *     when there is none but a finding names r (the auditors looked); otherwise r is not
 *     assessed and counts nowhere.
 *   - Part score: mean of its assessed requirements. Organisation score: mean of all its
 *     assessed requirements (so a big part weighs more). No assessed requirement: null.
 *   - Maturity 1..5: the highest level whose conditions hold together with those of
 *     every level below it.
 *       1 initial: always.
 *       2 repeatable: score >= 40 and the self-inspection of Y has answers.
 *       3 defined: score >= 60 and a policy version approved (or in force) for the edition
 *         of Y or a later one.
 *       4 managed: score >= 75, every checklist of Y submitted, and no finding of
 *         severity high or critical without a plan accepted or further along.
 *       5 optimising: score >= 90 and no measure of the organisation's plans overdue (on
 *         the year's last day, or today while the year runs).
 *
 * Results are kept as a snapshot per fiscal year (tables eval_run, eval_org, eval_part,
 * eval_req). kj_auditlog_append marks the snapshots a change can move dirty (answers,
 * checklists, campaigns, engagements, findings: their year; plans: their findings' years
 * and the running one; policies, organisations, recommendations: every year); a read
 * computes the year asked for and the year before again first when they are dirty, and
 * any earlier year with data that has no snapshot yet, inside a transaction and without writing the audit log (a snapshot is derived
 * data, not a change). Older years appear in the trend as last computed, marked "stale"
 * when dirty. Reading a fresh snapshot does no aggregation beyond a count for the rank.
 * Call the reads outside a read transaction: a recompute writes.
 *
 * Access: the centre's roles read everything. Organisation administrators and unit
 * officers read the organisations in their scope and the government-wide aggregates
 * (mean, spread, weak requirements, trend of the mean) but not other organisations' rows.
 * Staff and external auditors are refused (403). An organisation out of scope reads as
 * absent (404); one that did not exist in the year too.
 */
#ifndef KJ_EVAL_H
#define KJ_EVAL_H

#include <stdint.h>

#include <jansson.h>

#include "../base/err.h"

/* The method's name and version, written into every result as "method". */
#define KJ_EVAL_METHOD "kijun-eval-1"

/* The fiscal year (April to March, named by the April's year) of a date YYYY-MM-DD, or of
 * today for NULL. */
int kj_fiscal_year_of(struct kj_ctx *ctx, const char *date);

/*
 * The government-wide evaluation of fiscal_year (0: the current one):
 *
 * {"fiscal_year": 2025, "method": "kijun-eval-1", "computed_at": "...Z",
 *  "edition": "demo-fy2025",
 *  "parts": [{"number": "1", "title_ja": "...", "title_en": "..."}, ...],
 *  "summary": {"orgs": 40, "scored": 38, "mean": 71.2, "median": 72.0, "stdev": 8.1,
 *              "min": 50.3, "max": 88.9, "p10": 60.1, "p90": 82.5, "cv": 0.11,
 *              "maturity": [n1, n2, n3, n4, n5]},
 *  "orgs": [{"code", "name_ja", "name_en", "kind", "parent": code|null,
 *            "score": 70.5|null, "maturity": 3, "previous": 68.0|null, "delta": 2.5|null,
 *            "self_rate": 0.81|null, "findings_open": 2,
 *            "parts": [80.1, null, ...]   (aligned with "parts" above)
 *           }, ...]                        (in scope only; by score, lowest first, nulls last)
 *  "part_summary": [{"number": "1", "mean": .., "stdev": .., "min": .., "max": ..,
 *                    "laggards": [{"code", "name_ja", "name_en", "score"}]}, ...]
 *                   (laggards: in scope, score below mean - stdev, lowest first, at most 10)
 *  "weak_requirements": [{"number", "title_ja", "title_en", "part", "mean_rate": 0.55,
 *                         "orgs": 38, "orgs_below": 25, "findings": 4}, ...]
 *                   (mean rate below 0.7 and at least half the organisations with a rate
 *                    below 0.7; weakest first; at most 20)
 *  "trend": [{"fiscal_year": 2024, "mean": .., "stdev": .., "scored": .., "stale": false}, ...]
 *           (every fiscal year with data, oldest first, including this one; stale: an
 *            input changed since it was computed, see above)
 * }
 * Summary, part statistics, weak requirements and trend are over every evaluated
 * organisation whatever the principal's scope; the rows name only organisations in scope.
 */
kj_err kj_eval_government(struct kj_ctx *ctx, int fiscal_year, json_t **out);

/*
 * One organisation (a ministry, agency or corporation; for a unit: its organisation's
 * evaluation restricted to nothing more, i.e. refused with KJ_ERR_INVALID naming the
 * organisation to ask for):
 *
 * {"fiscal_year", "method", "computed_at", "edition",
 *  "org": {"code", "name_ja", "name_en", "kind"},
 *  "score": 70.5|null, "maturity": 3,
 *  "maturity_steps": [{"level": 2, "met": true, "why": "score 70.5 >= 40; 120 answers"},
 *                     ...levels 2..5],
 *  "self_rate": 0.81|null,
 *  "gov": {"mean": .., "stdev": .., "rank": 5, "of": 38}   (rank 1 = highest score)
 *  "parts": [{"number", "title_ja", "title_en", "score", "gov_mean"}, ...],
 *  "requirements": [{"number", "part", "title_ja", "title_en", "self_rate": ..|null,
 *                    "penalty": 0.15, "score": ..|null,
 *                    "findings": [{"uuid", "engagement", "severity", "plan": code|null,
 *                                  "plan_status": "accepted"|null}]}, ...]
 *                   (assessed requirements, in document order)
 *  "trend": [{"fiscal_year", "score", "maturity", "gov_mean", "stale"}, ...]  (oldest first)
 *  "pdca": {the organisation's row of the board, as in kj_eval_board}
 * }
 */
kj_err kj_eval_org(struct kj_ctx *ctx, const char *org, int fiscal_year, json_t **out);

/* The views of kj_eval_org for each of the n organisations orgs (codes) of one fiscal year,
 * read in one transaction with the year's snapshot made fresh and loaded once: for the
 * yearly report, which reads every organisation. each receives each view (and owns it);
 * returning non-zero stops the run, which then fails. With each NULL and n 1, arg is a
 * json_t ** that receives the one view. Any organisation that may not be read fails the
 * whole run before anything is handed over. */
kj_err kj_eval_orgs(struct kj_ctx *ctx, int fiscal_year, const char *const *orgs, size_t n,
		    int (*each)(void *arg, json_t *view), void *arg);

/*
 * The PDCA board of fiscal_year: where each organisation stands in the year's cycle.
 *
 * {"fiscal_year", "computed_at",
 *  "stages": ["policy_reviewed", "self_inspected", "audited", "plan_accepted", "plan_done"],
 *  "orgs": [{"code", "name_ja", "name_en", "kind",
 *            "stages": {"policy_reviewed": "done", "self_inspected": "in_progress",
 *                       "audited": "not_started", "plan_accepted": "not_applicable",
 *                       "plan_done": "not_applicable"},
 *            "reached": 2}, ...]     (in scope; by code)
 *  "counts": {"policy_reviewed": {"done": n, "in_progress": n, "not_started": n,
 *                                 "not_applicable": n}, ...}   (over every organisation)
 * }
 * Each stage is done, in_progress, not_started or not_applicable:
 *   policy_reviewed: a version approved within Y → done; a draft made within Y →
 *     in_progress; otherwise not_started.
 *   self_inspected: the organisation's campaigns of Y closed or every checklist
 *     submitted → done; some answers → in_progress; otherwise not_started (also when
 *     there is no campaign).
 *   audited: an engagement of a programme of Y about the organisation signed off → done;
 *     one in fieldwork or reporting → in_progress; otherwise not_started.
 *   plan_accepted: findings (category finding) of Y's signed-off engagements about the
 *     organisation: none → not_applicable; each covered by a plan accepted or further →
 *     done; some plan exists → in_progress; otherwise not_started.
 *   plan_done: as plan_accepted, with done or verified.
 * "reached" counts the stages done or not applicable from the first, stopping at the
 * first that is neither.
 */
kj_err kj_eval_board(struct kj_ctx *ctx, int fiscal_year, json_t **out);

/* Computes the snapshot of fiscal_year again now, dirty or not (the centre's roles and
 * organisation administrators, not through a read-only token; for tests, benchmarks and
 * `kijun eval refresh`). */
kj_err kj_eval_refresh(struct kj_ctx *ctx, int fiscal_year);

/* Marks the snapshots dirty when entity is one that feeds the evaluation: every fiscal
 * year. Cheap: one UPDATE of at most a row per fiscal year. */
kj_err kj_eval_touch(struct kj_ctx *ctx, const char *entity);

/* Called by kj_auditlog_append with the record's entity and public id (entity_id NULL:
 * as kj_eval_touch). Narrower where it can tell: a change to a checklist (answers),
 * campaign, programme, engagement or finding marks its own fiscal year; a plan its
 * findings' years and the running one and later; organisations, policies and
 * recommendations every year. One UPDATE. */
kj_err kj_eval_touch_id(struct kj_ctx *ctx, const char *entity, const char *entity_id);

#endif
