-- 0008: improving the standard (the "act" of plan-do-check-act). Proposals for the next
-- edition with the evidence behind them; the publication of a new edition with its impact
-- on every organisation; emergency directives from the centre between editions.

-- A proposal to change an edition: add a requirement (item_number NULL), change or
-- remove one (item_number names it in the edition). draft -> submitted -> accepted or
-- rejected (by the centre) -> adopted (when an edition that supersedes it carries it).
CREATE TABLE proposal (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	code TEXT NOT NULL UNIQUE,
	org_id BIGINT NOT NULL REFERENCES org (id),		-- who proposes: the centre or an organisation
	edition_id BIGINT NOT NULL REFERENCES edition (id),	-- the edition it would change
	item_number TEXT,
	kind TEXT NOT NULL CHECK (kind IN ('add', 'change', 'remove')),
	text_ja TEXT,
	text_en TEXT,
	rationale TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'rejected', 'adopted')),
	decision_note TEXT,
	decided_by BIGINT REFERENCES app_user (id),
	decided_at TEXT,
	adopted_edition_id BIGINT REFERENCES edition (id),
	created_by BIGINT REFERENCES app_user (id),	-- NULL: the command line
	created_at TEXT NOT NULL,
	changed_at TEXT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	CHECK ((kind = 'add' AND item_number IS NULL) OR (kind <> 'add' AND item_number IS NOT NULL)),
	CHECK (status <> 'adopted' OR adopted_edition_id IS NOT NULL)
);
CREATE INDEX proposal_org ON proposal (org_id);
CREATE INDEX proposal_edition ON proposal (edition_id, status);

-- What a proposal rests on, as it stood when cited: an audit finding (finding_id, with its
-- requirement and engagement), a requirement weak in a fiscal year's self-inspection
-- (ref: its number; rate_bp: its rate then, in hundredths of a percent, NULL without
-- answers), or an incident (ref: the incident's reference, free text for now).
CREATE TABLE proposal_evidence (
	id {{ID}},
	proposal_id BIGINT NOT NULL REFERENCES proposal (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('finding', 'weak_requirement', 'incident')),
	ref TEXT NOT NULL,
	finding_id BIGINT REFERENCES audit_finding (id),
	item_number TEXT,
	engagement TEXT,
	fiscal_year INTEGER,
	rate_bp INTEGER CHECK (rate_bp IS NULL OR (rate_bp >= 0 AND rate_bp <= 10000)),
	note TEXT,
	UNIQUE (proposal_id, seq),
	CHECK (kind <> 'finding' OR finding_id IS NOT NULL),
	CHECK (kind <> 'weak_requirement' OR fiscal_year IS NOT NULL)
);
CREATE INDEX proposal_evidence_finding ON proposal_evidence (finding_id);

-- A new edition published to the organisations, once: what it supersedes, when, and by
-- when each organisation revises its policy.
CREATE TABLE edition_publication (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	edition_id BIGINT NOT NULL UNIQUE REFERENCES edition (id),
	old_edition_id BIGINT NOT NULL REFERENCES edition (id),
	published_on TEXT NOT NULL,
	revise_by TEXT NOT NULL,
	published_by BIGINT REFERENCES app_user (id),
	published_at TEXT NOT NULL,
	CHECK (published_on <= revise_by)
);

-- Each organisation the publication touches, with its acknowledgement. Whether it has
-- revised is read from its policies (a version for the new edition, approved or later).
CREATE TABLE edition_impact_org (
	publication_id BIGINT NOT NULL REFERENCES edition_publication (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES org (id),
	nrows INTEGER NOT NULL,
	acknowledged_at TEXT,
	acknowledged_by BIGINT REFERENCES app_user (id),
	PRIMARY KEY (publication_id, org_id)
);

-- What it touches, one row per thing and requirement: a clause of a policy in force
-- (ref: the document, detail: version and clause), an open campaign's item (ref: the
-- campaign), an open plan's finding (ref: the plan, detail: the finding's public id).
-- new_number lists the new numbers, comma-separated (a split has several, a removal none).
CREATE TABLE edition_impact (
	id {{ID}},
	publication_id BIGINT NOT NULL REFERENCES edition_publication (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES org (id),
	what TEXT NOT NULL CHECK (what IN ('policy_clause', 'campaign', 'plan')),
	ref TEXT NOT NULL,
	detail TEXT,
	old_number TEXT NOT NULL,
	new_number TEXT,
	change TEXT NOT NULL CHECK (change IN ('changed', 'renumbered', 'split', 'merged', 'removed'))
);
CREATE INDEX edition_impact_org_idx ON edition_impact (publication_id, org_id);

-- An urgent requirement or measure from the centre between editions, to listed
-- organisations. issued -> closed, or withdrawn.
CREATE TABLE directive (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	code TEXT NOT NULL UNIQUE,
	title_ja TEXT NOT NULL,
	title_en TEXT NOT NULL,
	text_ja TEXT NOT NULL,
	text_en TEXT NOT NULL,
	issued_on TEXT NOT NULL,
	due_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('issued', 'withdrawn', 'closed')),
	created_by BIGINT REFERENCES app_user (id),
	created_at TEXT NOT NULL,
	changed_at TEXT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	CHECK (issued_on <= due_on)
);

-- Each organisation a directive goes to: acknowledged, then completed, by its
-- administrators.
CREATE TABLE directive_target (
	directive_id BIGINT NOT NULL REFERENCES directive (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES org (id),
	acknowledged_at TEXT,
	acknowledged_by BIGINT REFERENCES app_user (id),
	completed_at TEXT,
	completed_by BIGINT REFERENCES app_user (id),
	note TEXT,
	PRIMARY KEY (directive_id, org_id),
	CHECK (completed_at IS NULL OR acknowledged_at IS NOT NULL)
);
CREATE INDEX directive_target_org ON directive_target (org_id);
