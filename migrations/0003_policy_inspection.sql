-- 0003: each organisation's policy against the standard, and self-inspection.

-- Policy documents (the organisation's security standard 対策基準, operating rules,
-- procedures), each a series of versions made of clauses.
CREATE TABLE policy_doc (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	org_id BIGINT NOT NULL REFERENCES org (id),
	code TEXT NOT NULL,		-- short name within the organisation
	kind TEXT NOT NULL CHECK (kind IN ('standard', 'rules', 'procedure')),
	title_ja TEXT NOT NULL,
	title_en TEXT NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (org_id, code)
);

-- draft -> approved (by the organisation's CISO, not by its author) -> in_force -> superseded.
CREATE TABLE policy_version (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	doc_id BIGINT NOT NULL REFERENCES policy_doc (id),
	version_no INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'in_force', 'superseded')),
	edition_id BIGINT NOT NULL REFERENCES edition (id),	-- the edition it answers
	author_id BIGINT,		-- account that drafted it (NULL: the command line)
	approver_id BIGINT,
	approved_at TEXT,
	in_force_from TEXT,
	superseded_at TEXT,
	version BIGINT NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	UNIQUE (doc_id, version_no)
);

CREATE TABLE policy_clause (
	id {{ID}},
	version_id BIGINT NOT NULL REFERENCES policy_version (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	number TEXT NOT NULL,
	title TEXT,
	text_ja TEXT,
	text_en TEXT,
	UNIQUE (version_id, number)
);

-- How a clause meets a requirement of the edition.
CREATE TABLE clause_mapping (
	id {{ID}},
	clause_id BIGINT NOT NULL REFERENCES policy_clause (id) ON DELETE CASCADE,
	item_number TEXT NOT NULL,	-- a requirement of the version's edition
	status TEXT NOT NULL CHECK (status IN ('adopted', 'stricter', 'alternative', 'not_applicable')),
	justification TEXT,		-- required for alternative and not_applicable
	UNIQUE (clause_id, item_number)
);
CREATE INDEX clause_mapping_item ON clause_mapping (item_number);

-- Self-inspection campaigns: an organisation and a fiscal year (April to March); one the
-- centre mandates for every ministry has children, one per organisation.
CREATE TABLE campaign (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	code TEXT NOT NULL UNIQUE,
	org_id BIGINT NOT NULL REFERENCES org (id),
	fiscal_year INTEGER NOT NULL,
	title_ja TEXT NOT NULL,
	title_en TEXT NOT NULL,
	edition_id BIGINT NOT NULL REFERENCES edition (id),
	mandate_id BIGINT REFERENCES campaign (id),
	status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
	opens_on TEXT NOT NULL,
	due_on TEXT NOT NULL,
	scale TEXT NOT NULL,		-- JSON: [{"value", "label_ja", "label_en", "counts": "done|partial|not_done|excluded"}]
	version BIGINT NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL
);
CREATE INDEX campaign_org ON campaign (org_id, fiscal_year);

-- The campaign's items, each from a requirement of the edition.
CREATE TABLE campaign_item (
	id {{ID}},
	campaign_id BIGINT NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	item_number TEXT NOT NULL,
	role TEXT,			-- whose checklist it goes on; NULL: everyone's
	question_ja TEXT,
	question_en TEXT,
	UNIQUE (campaign_id, item_number)
);

-- One person's checklist in a campaign.
CREATE TABLE checklist (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	campaign_id BIGINT NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
	user_id BIGINT NOT NULL REFERENCES app_user (id),
	org_id BIGINT NOT NULL REFERENCES org (id),	-- the unit answered for
	role TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'submitted')),
	due_on TEXT NOT NULL,
	submitted_at TEXT,
	version BIGINT NOT NULL DEFAULT 1,
	UNIQUE (campaign_id, user_id)
);
CREATE INDEX checklist_org ON checklist (campaign_id, org_id);

CREATE TABLE answer (
	checklist_id BIGINT NOT NULL REFERENCES checklist (id) ON DELETE CASCADE,
	item_id BIGINT NOT NULL REFERENCES campaign_item (id) ON DELETE CASCADE,
	value TEXT NOT NULL,
	bucket TEXT NOT NULL CHECK (bucket IN ('done', 'partial', 'not_done', 'excluded')),
	comment TEXT,
	evidence TEXT,			-- SHA-256 of an evidence file, hex
	answered_at TEXT NOT NULL,
	PRIMARY KEY (checklist_id, item_id)
);

CREATE TABLE evidence (
	sha256 TEXT PRIMARY KEY,
	size BIGINT NOT NULL,
	media_type TEXT NOT NULL,
	data TEXT NOT NULL,		-- base64: one text column reads the same on both databases
	created_at TEXT NOT NULL
);

-- Roll-up counters kept up to date with every answer: per campaign item and answering
-- unit, how many answers count as done, partial, not done, excluded. Reports sum these
-- instead of scanning answers.
CREATE TABLE rollup (
	campaign_id BIGINT NOT NULL,
	item_id BIGINT NOT NULL,
	org_id BIGINT NOT NULL,
	n_done BIGINT NOT NULL DEFAULT 0,
	n_partial BIGINT NOT NULL DEFAULT 0,
	n_not_done BIGINT NOT NULL DEFAULT 0,
	n_excluded BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (campaign_id, item_id, org_id)
);

-- A unit officer's analysis, and the CISO's improvement instructions, tracked to done.
CREATE TABLE inspection_note (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	campaign_id BIGINT NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES org (id),
	kind TEXT NOT NULL CHECK (kind IN ('analysis', 'instruction')),
	item_number TEXT,
	text TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'done', 'noted')),
	author_id BIGINT,
	due_on TEXT,
	done_at TEXT,
	created_at TEXT NOT NULL
);
