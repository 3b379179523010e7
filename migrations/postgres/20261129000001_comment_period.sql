-- Agencies, dockets, the documents they publish, the windows in which they take comments, and the comments.
-- Instants are milliseconds since the Unix epoch, UTC (the same representation as on SQLite).

CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL
);

CREATE TABLE dockets (
    id TEXT PRIMARY KEY,
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    title TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    docket_id TEXT NOT NULL REFERENCES dockets (id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    federal_register_citation TEXT,
    published_at BIGINT NOT NULL
);
CREATE INDEX documents_by_docket ON documents (docket_id, id);

CREATE TABLE comment_windows (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    docket_id TEXT NOT NULL REFERENCES dockets (id),
    opens_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL,
    allow_late BIGINT NOT NULL DEFAULT 0 CHECK (allow_late IN (0, 1)),
    -- What the scheduler has recorded; admission itself is decided from the instants above.
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'open', 'closed')),
    opened_at BIGINT,
    closed_at BIGINT,
    CHECK (closes_at > opens_at)
);
CREATE INDEX comment_windows_by_docket ON comment_windows (docket_id, id);
CREATE INDEX comment_windows_pending ON comment_windows (status, closes_at);

CREATE TABLE comments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tracking_number TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    docket_id TEXT NOT NULL REFERENCES dockets (id),
    window_id BIGINT NOT NULL REFERENCES comment_windows (id),
    document_id TEXT NOT NULL REFERENCES documents (id),
    submitter_type TEXT NOT NULL CHECK (submitter_type IN ('individual', 'organization', 'anonymous')),
    first_name TEXT,
    last_name TEXT,
    organization TEXT,
    city TEXT,
    state_province_region TEXT,
    country TEXT,
    email TEXT,
    body TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    late BIGINT NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX comments_by_docket ON comments (docket_id, received_at);

-- One-time facts about this installation, such as whether the demo docket was ever created.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
