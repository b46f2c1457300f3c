-- 0007: the centre's evaluation (model/eval.c, docs/EVALUATION.md). Derived data: a
-- snapshot per fiscal year, computed again from the inputs whenever they changed. Nothing
-- here is written to the audit log, and every row can be thrown away and recomputed.

-- One row per fiscal year. dirty = 1: an input changed since computed_at (set by
-- kj_eval_touch from kj_auditlog_append). The row is also the lock that serialises two
-- recomputes of the same year. ref_date: the day overdue measures were judged on (the
-- year's last day, or the day of computing while the year runs). The government-wide
-- figures that a read shows as they are are kept as JSON text.
CREATE TABLE eval_run (
	fiscal_year INTEGER PRIMARY KEY,
	dirty INTEGER NOT NULL DEFAULT 1,
	computed_at TEXT,
	ref_date TEXT,
	edition_id BIGINT,
	edition TEXT,			-- the edition's code, kept for the reply
	orgs INTEGER NOT NULL DEFAULT 0,
	scored INTEGER NOT NULL DEFAULT 0,
	mean DOUBLE PRECISION,
	stdev DOUBLE PRECISION,
	summary TEXT,			-- JSON: the "summary" object of kj_eval_government
	parts TEXT,			-- JSON: the edition's parts
	part_summary TEXT,		-- JSON: per part statistics, every laggard
	weak TEXT,			-- JSON: the weak requirements
	board_counts TEXT		-- JSON: the PDCA board's counts
);

-- Which evaluated organisation (ministry, agency, corporation) each organisation counts
-- for in a fiscal year: itself, or for a unit the organisation it lies in.
CREATE TABLE eval_member (
	fiscal_year INTEGER NOT NULL,
	org_id BIGINT NOT NULL,
	root_id BIGINT NOT NULL,
	PRIMARY KEY (fiscal_year, org_id)
);

-- One row per evaluated organisation: its result and the counts the maturity levels and
-- the board stages were decided on (kept so that a read can explain them).
CREATE TABLE eval_org (
	fiscal_year INTEGER NOT NULL,
	org_id BIGINT NOT NULL,
	code TEXT NOT NULL,
	name_ja TEXT NOT NULL,
	name_en TEXT NOT NULL,
	kind TEXT NOT NULL,
	parent TEXT,			-- code of the supervising ministry, if any
	edition_id BIGINT,
	score DOUBLE PRECISION,
	maturity INTEGER NOT NULL DEFAULT 1,
	self_rate DOUBLE PRECISION,
	n_answers BIGINT NOT NULL DEFAULT 0,
	n_assessed BIGINT NOT NULL DEFAULT 0,
	n_campaigns BIGINT NOT NULL DEFAULT 0,
	n_closed BIGINT NOT NULL DEFAULT 0,
	n_checklists BIGINT NOT NULL DEFAULT 0,
	n_submitted BIGINT NOT NULL DEFAULT 0,
	policy_ok INTEGER NOT NULL DEFAULT 0,
	policy_approved INTEGER NOT NULL DEFAULT 0,	-- a version approved within the year
	policy_drafted INTEGER NOT NULL DEFAULT 0,	-- a version made within the year
	eng_signed BIGINT NOT NULL DEFAULT 0,
	eng_running BIGINT NOT NULL DEFAULT 0,
	findings BIGINT NOT NULL DEFAULT 0,
	findings_open BIGINT NOT NULL DEFAULT 0,	-- not covered by a verified plan
	findings_planned BIGINT NOT NULL DEFAULT 0,	-- covered by some plan
	findings_accepted BIGINT NOT NULL DEFAULT 0,	-- by a plan accepted or further
	findings_done BIGINT NOT NULL DEFAULT 0,	-- by a plan done or verified
	severe_unplanned BIGINT NOT NULL DEFAULT 0,	-- high or critical, no plan accepted or further
	overdue BIGINT NOT NULL DEFAULT 0,
	st_policy TEXT NOT NULL DEFAULT 'not_started',
	st_self TEXT NOT NULL DEFAULT 'not_started',
	st_audit TEXT NOT NULL DEFAULT 'not_started',
	st_plan_accepted TEXT NOT NULL DEFAULT 'not_applicable',
	st_plan_done TEXT NOT NULL DEFAULT 'not_applicable',
	PRIMARY KEY (fiscal_year, org_id)
);
CREATE INDEX eval_org_org ON eval_org (org_id, fiscal_year);

-- Part scores of an organisation: the mean of its assessed requirements in the part.
CREATE TABLE eval_part (
	fiscal_year INTEGER NOT NULL,
	org_id BIGINT NOT NULL,
	part TEXT NOT NULL,
	score DOUBLE PRECISION,
	PRIMARY KEY (fiscal_year, org_id, part)
);

-- Requirement scores of an organisation: the summed roll-up counters, the finding
-- penalty and the score (NULL when only excluded answers were given).
CREATE TABLE eval_req (
	fiscal_year INTEGER NOT NULL,
	org_id BIGINT NOT NULL,
	number TEXT NOT NULL,
	part TEXT,
	seq BIGINT,
	n_done BIGINT NOT NULL DEFAULT 0,
	n_partial BIGINT NOT NULL DEFAULT 0,
	n_not_done BIGINT NOT NULL DEFAULT 0,
	n_excluded BIGINT NOT NULL DEFAULT 0,
	self_rate DOUBLE PRECISION,
	penalty DOUBLE PRECISION NOT NULL DEFAULT 0,
	nfindings BIGINT NOT NULL DEFAULT 0,
	score DOUBLE PRECISION,
	PRIMARY KEY (fiscal_year, org_id, number)
);
