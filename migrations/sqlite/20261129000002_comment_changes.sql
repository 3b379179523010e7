-- Every change to a comment gets a number from one increasing sequence, written in the same
-- transaction as the change, so data derived per instance (the search index) can follow it.
CREATE TABLE comment_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    kind TEXT NOT NULL,
    changed_at INTEGER NOT NULL
);
CREATE INDEX comment_changes_by_comment ON comment_changes (comment_id, seq);
