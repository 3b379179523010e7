-- What the regulations.gov v4-compatible API serves beyond what pages show.
-- When each comment, docket and document last changed (lastModifiedDate: the API's sort and its
-- keyset paging recipe), kept up to date by the code that changes them.
ALTER TABLE comments ADD COLUMN last_modified_at BIGINT;
UPDATE comments SET last_modified_at = COALESCE(
    (SELECT MAX(changed_at) FROM comment_changes WHERE comment_id = comments.id), received_at);
CREATE INDEX comments_posted_by_modification ON comments (status, last_modified_at, public_id);
-- A docket's posted comments in each order the API sorts by (and counted from the index alone),
-- and in storage order for the bulk download's pages.
CREATE INDEX comments_docket_by_modification ON comments (docket_id, status, last_modified_at, public_id);
CREATE INDEX comments_docket_by_public_id ON comments (docket_id, status, public_id);
CREATE INDEX comments_docket_in_order ON comments (docket_id, status, id);
CREATE INDEX comments_docket_by_id ON comments (docket_id, id);
-- regulations.gov's own fields, kept for comments imported from it (NULL for comments made here:
-- their objectId and title are derived).
ALTER TABLE comments ADD COLUMN object_id TEXT;
ALTER TABLE comments ADD COLUMN title TEXT;
ALTER TABLE comments ADD COLUMN category TEXT;
ALTER TABLE comments ADD COLUMN duplicate_comments INTEGER;
-- numItemsReceived of a comment posted through the API: how many items (such as signatures) it
-- stands for.
ALTER TABLE comments ADD COLUMN items_received INTEGER;

ALTER TABLE dockets ADD COLUMN last_modified_at BIGINT;
UPDATE dockets SET last_modified_at = COALESCE(withdrawn_at, created_at);
ALTER TABLE dockets ADD COLUMN object_id TEXT;
ALTER TABLE dockets ADD COLUMN docket_type TEXT NOT NULL DEFAULT 'Nonrulemaking'
    CHECK (docket_type IN ('Rulemaking', 'Nonrulemaking'));

ALTER TABLE documents ADD COLUMN last_modified_at BIGINT;
UPDATE documents SET last_modified_at = published_at;
ALTER TABLE documents ADD COLUMN object_id TEXT;
ALTER TABLE documents ADD COLUMN document_type TEXT NOT NULL DEFAULT 'Proposed Rule'
    CHECK (document_type IN ('Notice', 'Rule', 'Proposed Rule', 'Supporting & Related Material', 'Other'));

-- Keys for the API, made by an admin. Only the SHA-256 digest of a key is kept; the key itself is
-- shown once, when it is made. A key without its own limit gets the configured one.
CREATE TABLE api_keys (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    key_digest TEXT NOT NULL UNIQUE,
    hourly_limit BIGINT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
