-- Each docket's tag vocabulary, the tags on comments, and bulk tagging of a whole search result.

CREATE TABLE tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    docket_id TEXT NOT NULL REFERENCES dockets (id),
    name TEXT NOT NULL,
    -- Lower-cased name: names are unique per docket whatever their case.
    name_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- A retired tag can no longer be put on comments; the comments keep it.
    retired_at INTEGER,
    -- Set when the tag was merged into another; its comments moved there.
    merged_into INTEGER REFERENCES tags (id),
    -- Only an admin publishes a tag; unpublished tags are never shown to the public.
    published INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    UNIQUE (docket_id, name_key)
);

CREATE TABLE comment_tags (
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    tag_id INTEGER NOT NULL REFERENCES tags (id),
    tagged_at INTEGER NOT NULL,
    tagged_by INTEGER REFERENCES staff_users (id),
    PRIMARY KEY (comment_id, tag_id)
);
CREATE INDEX comment_tags_by_tag ON comment_tags (tag_id, comment_id);

-- A bulk tag of every match of a search. `done` grows batch by batch; a job whose heartbeat stopped
-- before `finished_at` was interrupted, and says how far it got.
CREATE TABLE bulk_tag_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    docket_id TEXT NOT NULL REFERENCES dockets (id),
    tag_id INTEGER NOT NULL REFERENCES tags (id),
    search TEXT NOT NULL,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    started_by INTEGER REFERENCES staff_users (id),
    started_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX bulk_tag_jobs_by_docket ON bulk_tag_jobs (docket_id, id);
