-- 0006: notifications. A row per recipient: what happened (kind), to what (entity and its
-- public id or code), in which organisation, a short title and a text in the words of the
-- record. Read once marked read; never deleted by the application.

CREATE TABLE notification (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES app_user (id),
	kind TEXT NOT NULL,		-- such as urgent_finding
	entity TEXT NOT NULL,		-- such as audit_finding
	entity_id TEXT NOT NULL,	-- its public id
	org_id BIGINT REFERENCES org (id),	-- the organisation it concerns
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at TEXT NOT NULL,
	read_at TEXT
);
CREATE INDEX notification_user ON notification (user_id, read_at);
