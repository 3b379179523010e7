-- Files attached to comments. The bytes live in the data directory under their SHA-256; the
-- database says which comment carries them, under what name, and whether the public may see them.
CREATE TABLE attachments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comment_id BIGINT NOT NULL REFERENCES comments (id),
    position BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    file_name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('pdf', 'docx', 'rtf', 'txt', 'jpg', 'png')),
    size_bytes BIGINT NOT NULL,
    -- A moderator withheld this file while posting the comment.
    withheld BIGINT NOT NULL DEFAULT 0 CHECK (withheld IN (0, 1)),
    UNIQUE (comment_id, position)
);
CREATE INDEX attachments_by_sha256 ON attachments (sha256);
