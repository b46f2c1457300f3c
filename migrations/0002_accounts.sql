-- 0002: accounts, sessions, API tokens, login throttling and external-audit engagements.
-- Everything a server needs to remember lives here, so several servers on one PostgreSQL
-- behave as one service.

CREATE TABLE app_user (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	org_id BIGINT NOT NULL REFERENCES org (id),
	role TEXT NOT NULL CHECK (role IN ('centre_admin', 'centre_analyst', 'org_admin',
					   'unit_officer', 'staff', 'external_auditor')),
	password_hash TEXT,		-- argon2id (libsodium crypto_pwhash_str); NULL: cannot log in
	disabled INTEGER NOT NULL DEFAULT 0,
	version BIGINT NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX app_user_org ON app_user (org_id);

-- A session is a random token in a cookie; only its BLAKE2b digest is stored.
CREATE TABLE session (
	id {{ID}},
	token_hash TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES app_user (id),
	csrf TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	seen_at TEXT NOT NULL,
	address TEXT
);
CREATE INDEX session_by_user ON session (user_id);

-- API tokens for scripts and the command line: shown once, stored as a digest.
CREATE TABLE api_token (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES app_user (id),
	name TEXT NOT NULL,
	prefix TEXT NOT NULL,		-- the first characters, to recognise a token in lists
	token_hash TEXT NOT NULL UNIQUE,
	scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at TEXT,
	revoked_at TEXT
);
CREATE INDEX api_token_user ON api_token (user_id);

-- Failed logins, by account and by address, for throttling across every server.
CREATE TABLE login_failure (
	id {{ID}},
	key TEXT NOT NULL,		-- user:NAME or addr:ADDRESS
	at TEXT NOT NULL
);
CREATE INDEX login_failure_key ON login_failure (key, at);

-- What an external auditor may read: organisations (with their subtrees) for a period.
CREATE TABLE engagement (
	id {{ID}},
	uuid TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES app_user (id),
	org_id BIGINT NOT NULL REFERENCES org (id),
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX engagement_user ON engagement (user_id);
