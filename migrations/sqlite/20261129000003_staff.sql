-- Staff accounts, their sessions, moderation of comments, and the append-only audit log.

CREATE TABLE staff_users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'moderator', 'analyst')),
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

-- The cookie holds a random token; only its SHA-256 digest is stored.
CREATE TABLE staff_sessions (
    token_digest TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES staff_users (id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id);

-- Moderation state of each comment. `version` grows with every decision, so a decision made on
-- a stale view is refused instead of overwriting someone else's.
ALTER TABLE comments ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN public_id TEXT;
ALTER TABLE comments ADD COLUMN posted_at INTEGER;
ALTER TABLE comments ADD COLUMN withheld_reason TEXT;
ALTER TABLE comments ADD COLUMN moderation_note TEXT;
ALTER TABLE comments ADD COLUMN moderated_by INTEGER REFERENCES staff_users (id);
ALTER TABLE comments ADD COLUMN moderated_at INTEGER;
CREATE UNIQUE INDEX comments_public_id ON comments (public_id);
CREATE INDEX comments_queue ON comments (status, received_at);
CREATE INDEX comments_posted ON comments (docket_id, status, posted_at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES staff_users (id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT
);
CREATE INDEX audit_log_by_object ON audit_log (object_type, object_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
