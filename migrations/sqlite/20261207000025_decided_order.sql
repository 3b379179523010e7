-- The decided list: decisions newest first, in all dockets or in one. Partial, so taking a
-- comment (not yet decided) does not write to them.
CREATE INDEX comments_decided ON comments (moderated_at, id) WHERE moderated_at IS NOT NULL;
CREATE INDEX comments_docket_decided ON comments (docket_id, moderated_at, id) WHERE moderated_at IS NOT NULL;
