-- 0009: auditors' working papers. A paper is an uploaded file (kept once in evidence, by
-- its digest) filed under an engagement with a name. Papers are the team's own record:
-- the team, the programme's planners and the centre read them; the audited organisation
-- does not, even after sign-off (it gets the report).
CREATE TABLE engagement_paper (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	engagement_id BIGINT NOT NULL REFERENCES audit_engagement (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	sha256 TEXT NOT NULL REFERENCES evidence (sha256),
	added_by BIGINT REFERENCES app_user (id),	-- NULL: the command line
	added_at TEXT NOT NULL
);
CREATE INDEX engagement_paper_engagement ON engagement_paper (engagement_id);
