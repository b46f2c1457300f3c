-- 0004: audits. Programmes per fiscal year (the centre's management audits and
-- penetration tests, each organisation's internal audit, audits by external firms), their
-- engagements with team, scope and criteria, and the findings. The table engagement of 0002
-- is something else: an external auditor's read grant.

CREATE TABLE audit_programme (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	code TEXT NOT NULL UNIQUE,
	org_id BIGINT NOT NULL REFERENCES org (id),	-- the owner: the centre or an organisation
	fiscal_year INTEGER NOT NULL,			-- April to March, named by the April's year
	kind TEXT NOT NULL CHECK (kind IN ('management_audit', 'penetration_test', 'internal_audit', 'external_firm')),
	title_ja TEXT NOT NULL,
	title_en TEXT NOT NULL,
	created_by BIGINT,		-- account (NULL: the command line)
	created_at TEXT NOT NULL
);
CREATE INDEX audit_programme_org ON audit_programme (org_id, fiscal_year);

-- draft -> fieldwork -> reporting -> signed_off, one step at a time; only the lead auditor
-- signs off.
CREATE TABLE audit_engagement (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	code TEXT NOT NULL UNIQUE,
	programme_id BIGINT NOT NULL REFERENCES audit_programme (id),
	org_id BIGINT NOT NULL REFERENCES org (id),	-- the audited organisation
	edition_id BIGINT NOT NULL REFERENCES edition (id),	-- criteria: the standard
	policy_doc_id BIGINT REFERENCES policy_doc (id),	-- criteria: the organisation's policy
	title_ja TEXT NOT NULL,
	title_en TEXT NOT NULL,
	starts_on TEXT NOT NULL,
	ends_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'fieldwork', 'reporting', 'signed_off')),
	signed_off_by BIGINT REFERENCES app_user (id),
	signed_off_at TEXT,
	version BIGINT NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	CHECK (starts_on <= ends_on)
);
CREATE INDEX audit_engagement_programme ON audit_engagement (programme_id);
CREATE INDEX audit_engagement_org ON audit_engagement (org_id);

-- The team. Nobody audits an organisation or unit they belong to (checked by the model).
CREATE TABLE engagement_member (
	engagement_id BIGINT NOT NULL REFERENCES audit_engagement (id) ON DELETE CASCADE,
	user_id BIGINT NOT NULL REFERENCES app_user (id),
	role TEXT NOT NULL CHECK (role IN ('lead', 'member')),
	added_at TEXT NOT NULL,
	PRIMARY KEY (engagement_id, user_id)
);
CREATE UNIQUE INDEX engagement_member_lead ON engagement_member (engagement_id) WHERE role = 'lead';
CREATE INDEX engagement_member_user ON engagement_member (user_id);

-- The scope: requirements of the engagement's edition (item_number) and, optionally, the
-- units audited (org_id); one of the two per row.
CREATE TABLE engagement_scope (
	id {{ID}},
	engagement_id BIGINT NOT NULL REFERENCES audit_engagement (id) ON DELETE CASCADE,
	item_number TEXT,
	org_id BIGINT REFERENCES org (id),
	CHECK ((item_number IS NOT NULL AND org_id IS NULL) OR (item_number IS NULL AND org_id IS NOT NULL)),
	UNIQUE (engagement_id, item_number),
	UNIQUE (engagement_id, org_id)
);

CREATE TABLE audit_finding (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	engagement_id BIGINT NOT NULL REFERENCES audit_engagement (id),
	item_number TEXT NOT NULL,	-- a requirement in the engagement's scope
	category TEXT NOT NULL CHECK (category IN ('finding', 'advice', 'good_practice')),
	severity TEXT CHECK (severity IN ('low', 'medium', 'high', 'critical')),	-- required for a finding
	urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
	title TEXT NOT NULL,
	text TEXT NOT NULL,
	created_by BIGINT REFERENCES app_user (id),	-- NULL: the command line
	created_at TEXT NOT NULL,
	CHECK (category <> 'finding' OR severity IS NOT NULL)
);
CREATE INDEX audit_finding_engagement ON audit_finding (engagement_id);
CREATE INDEX audit_finding_item ON audit_finding (item_number);
