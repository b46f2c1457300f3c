-- 0005: recommendations and improvement plans. The centre (or a supervising ministry, to
-- its agencies) recommends to an organisation, citing findings of signed-off engagements
-- that audited it; the organisation answers with an improvement plan of measures and
-- reports its progress until done; the issuer accepts the plan and verifies it.

-- issued -> accepted (by the organisation) -> closed (by the issuer, once its plan is
-- verified); issued or accepted -> withdrawn (by the issuer).
CREATE TABLE recommendation (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	code TEXT NOT NULL UNIQUE,
	issuer_org_id BIGINT NOT NULL REFERENCES org (id),	-- the centre or a supervising ministry
	org_id BIGINT NOT NULL REFERENCES org (id),		-- the organisation it goes to
	text TEXT NOT NULL,
	issued_on TEXT NOT NULL,
	due_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('issued', 'accepted', 'closed', 'withdrawn')),
	created_by BIGINT REFERENCES app_user (id),	-- NULL: the command line
	created_at TEXT NOT NULL,
	changed_at TEXT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	CHECK (issued_on <= due_on),
	CHECK (issuer_org_id <> org_id)
);
CREATE INDEX recommendation_org ON recommendation (org_id);
CREATE INDEX recommendation_issuer ON recommendation (issuer_org_id);

-- The findings a recommendation cites: of signed-off engagements that audited its
-- organisation (checked by the model).
CREATE TABLE recommendation_finding (
	recommendation_id BIGINT NOT NULL REFERENCES recommendation (id) ON DELETE CASCADE,
	finding_id BIGINT NOT NULL REFERENCES audit_finding (id),
	PRIMARY KEY (recommendation_id, finding_id)
);
CREATE INDEX recommendation_finding_finding ON recommendation_finding (finding_id);

-- draft -> submitted -> accepted (by the reviewer) -> in_progress -> done -> verified (by
-- the reviewer), one step at a time. The reviewer is the recommendation's issuer, or for a
-- plan made directly for findings, the owner of their engagements' programme.
CREATE TABLE improvement_plan (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	code TEXT NOT NULL UNIQUE,
	org_id BIGINT NOT NULL REFERENCES org (id),
	recommendation_id BIGINT UNIQUE REFERENCES recommendation (id),	-- NULL: directly for findings
	reviewer_org_id BIGINT NOT NULL REFERENCES org (id),
	text TEXT NOT NULL,
	due_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'in_progress', 'done', 'verified')),
	created_by BIGINT REFERENCES app_user (id),
	created_at TEXT NOT NULL,
	submitted_at TEXT,
	accepted_by BIGINT REFERENCES app_user (id),
	accepted_at TEXT,
	started_at TEXT,
	done_at TEXT,
	verified_by BIGINT REFERENCES app_user (id),
	verified_at TEXT,
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX improvement_plan_org ON improvement_plan (org_id);

CREATE TABLE plan_finding (
	plan_id BIGINT NOT NULL REFERENCES improvement_plan (id) ON DELETE CASCADE,
	finding_id BIGINT NOT NULL REFERENCES audit_finding (id),
	PRIMARY KEY (plan_id, finding_id)
);
CREATE INDEX plan_finding_finding ON plan_finding (finding_id);

-- Measures, numbered 1, 2, ... within their plan. Overdue: open past due_on.
CREATE TABLE plan_measure (
	id {{ID}},
	plan_id BIGINT NOT NULL REFERENCES improvement_plan (id) ON DELETE CASCADE,
	n INTEGER NOT NULL,
	text TEXT NOT NULL,
	owner_id BIGINT NOT NULL REFERENCES app_user (id),
	due_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'done')),
	done_on TEXT,
	done_by BIGINT REFERENCES app_user (id),
	created_at TEXT NOT NULL,
	UNIQUE (plan_id, n),
	CHECK (status = 'open' OR done_on IS NOT NULL)
);
CREATE INDEX plan_measure_due ON plan_measure (status, due_on);

-- Progress reports, dated, in order, while the plan is in progress.
CREATE TABLE plan_report (
	id {{ID}},
	plan_id BIGINT NOT NULL REFERENCES improvement_plan (id) ON DELETE CASCADE,
	reported_on TEXT NOT NULL,
	percent INTEGER NOT NULL CHECK (percent >= 0 AND percent <= 100),
	text TEXT NOT NULL,
	created_by BIGINT REFERENCES app_user (id),
	created_at TEXT NOT NULL
);
CREATE INDEX plan_report_plan ON plan_report (plan_id, reported_on);
