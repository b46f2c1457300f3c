-- 0011: trust. Who holds an evidence file, so that naming its SHA-256 is not enough to
-- attach or read it; and login throttling as one counter per key, claimed before the
-- password is checked, so that parallel attempts cannot slip past the limit.

-- Each account that uploaded a file. The bytes are kept once in evidence; a second
-- account uploading the same bytes becomes a holder too (it had the bytes already).
CREATE TABLE evidence_holder (
	sha256 TEXT NOT NULL REFERENCES evidence (sha256),
	user_id BIGINT NOT NULL REFERENCES app_user (id),
	at TEXT NOT NULL,
	PRIMARY KEY (sha256, user_id)
);
CREATE INDEX evidence_holder_user ON evidence_holder (user_id);

-- Files uploaded before this migration: their uploaders are in the audit log.
INSERT INTO evidence_holder (sha256, user_id, at)
SELECT a.entity_id, u.id, MIN(a.at)
FROM audit_log a JOIN app_user u ON u.name = a.actor JOIN evidence e ON e.sha256 = a.entity_id
WHERE a.entity = 'evidence' AND a.op = 'evidence.put'
GROUP BY a.entity_id, u.id;

-- One row per throttled key (an account and address pair, an account, an address):
-- attempts counted in the current window, and the time before which none is let through.
CREATE TABLE login_throttle (
	key TEXT PRIMARY KEY,
	attempts BIGINT NOT NULL,
	window_start TEXT NOT NULL,
	blocked_until TEXT NOT NULL
);

DROP TABLE login_failure;
