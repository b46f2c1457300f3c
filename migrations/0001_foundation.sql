-- 0001: organisations, the unified standard, and the audit log.
-- Written once for SQLite and PostgreSQL: {{ID}} is the dialect's auto-numbered key.
-- Times are ISO 8601 text in UTC; dates are YYYY-MM-DD text.

-- Organisations: the centre, ministries and their units, supervised agencies and
-- designated corporations. The row holds the current state; org_history holds every
-- earlier state with the dates it was in force.
CREATE TABLE org (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL CHECK (kind IN ('centre', 'ministry', 'bureau', 'division', 'agency', 'corporation')),
	code TEXT NOT NULL,
	name_ja TEXT NOT NULL,
	name_en TEXT NOT NULL,
	parent_id BIGINT REFERENCES org (id),
	supervisor_id BIGINT REFERENCES org (id),
	valid_from TEXT NOT NULL,	-- founded
	valid_to TEXT,			-- last day in existence; NULL while it exists
	state_from TEXT NOT NULL,	-- first day of the current name and place
	successor_id BIGINT REFERENCES org (id),
	version BIGINT NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
-- A code names one organisation in existence at a time; an abolished one keeps its code.
CREATE UNIQUE INDEX org_code_live ON org (code) WHERE valid_to IS NULL;
CREATE INDEX org_code ON org (code);
CREATE INDEX org_parent ON org (parent_id);
CREATE INDEX org_supervisor ON org (supervisor_id);

CREATE TABLE org_history (
	id {{ID}},
	org_id BIGINT NOT NULL REFERENCES org (id),
	change TEXT NOT NULL,		-- what ended this state: rename, move, abolish
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	code TEXT NOT NULL,
	name_ja TEXT NOT NULL,
	name_en TEXT NOT NULL,
	parent_id BIGINT REFERENCES org (id),
	supervisor_id BIGINT REFERENCES org (id),
	recorded_at TEXT NOT NULL
);
CREATE INDEX org_history_org ON org_history (org_id);

-- Editions of the unified standard (or of any imported catalogue or baseline).
CREATE TABLE edition (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	code TEXT NOT NULL UNIQUE,	-- the short id used on the command line
	label_ja TEXT,
	label_en TEXT,
	decided_on TEXT,
	effective_on TEXT,
	supersedes TEXT,		-- code of the edition it replaces (may not be imported)
	source TEXT NOT NULL CHECK (source IN ('kijun', 'oscal-catalog', 'oscal-profile')),
	numbering TEXT,			-- the numbering scheme, JSON
	extra TEXT,			-- format-specific data kept for export, JSON
	nitems BIGINT NOT NULL DEFAULT 0,
	imported_at TEXT NOT NULL
);

-- The tree of an edition: parts, sections, chapters, groups, requirements, example
-- measures, sub-items (or OSCAL families, controls and enhancements).
CREATE TABLE item (
	id {{ID}},
	edition_id BIGINT NOT NULL REFERENCES edition (id) ON DELETE CASCADE,
	parent_id BIGINT REFERENCES item (id) ON DELETE CASCADE,
	seq BIGINT NOT NULL,		-- document order within the edition
	depth INTEGER NOT NULL,
	kind TEXT NOT NULL,
	number TEXT NOT NULL,
	title_ja TEXT,
	title_en TEXT,
	text_ja TEXT,
	text_en TEXT,
	level TEXT,
	role TEXT,
	applies_to TEXT,		-- JSON
	extra TEXT,			-- format-specific data kept for export, JSON
	UNIQUE (edition_id, number)
);
CREATE INDEX item_edition_seq ON item (edition_id, seq);
CREATE INDEX item_parent ON item (parent_id);

-- The correspondence table (新旧対照表) published with an edition: old numbers of the
-- superseded edition against new numbers of this one.
CREATE TABLE correspondence (
	id {{ID}},
	edition_id BIGINT NOT NULL REFERENCES edition (id) ON DELETE CASCADE,
	seq BIGINT NOT NULL,
	old_number TEXT,
	new_number TEXT
);
CREATE INDEX correspondence_edition ON correspondence (edition_id);

-- The tamper-evident audit log: each record carries the digest of the one before it.
-- Nothing updates or deletes a record. audit_head is the one-row head of the chain; a
-- writer locks it by updating it, so concurrent writers append one after another.
CREATE TABLE audit_log (
	seq BIGINT PRIMARY KEY,
	at TEXT NOT NULL,
	actor TEXT NOT NULL,
	actor_org_id BIGINT,
	org_id BIGINT,			-- the organisation the entity belongs to, if any
	entity TEXT NOT NULL,		-- org, edition, ...
	entity_id TEXT NOT NULL,	-- the entity's public id
	op TEXT NOT NULL,		-- org.create, org.rename, standard.import, ...
	state_digest TEXT NOT NULL,	-- BLAKE2b-256 of the new state, hex
	prev_digest TEXT NOT NULL,
	digest TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_org ON audit_log (org_id);

CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL,
	digest TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, digest) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
