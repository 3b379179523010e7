-- Every change to a comment gets a number from one increasing sequence, written in the same
-- transaction as the change, so data derived per instance (the search index) can follow it.
CREATE TABLE comment_changes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comment_id BIGINT NOT NULL REFERENCES comments (id),
    kind TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX comment_changes_by_comment ON comment_changes (comment_id, seq);
