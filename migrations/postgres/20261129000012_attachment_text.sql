-- The text of each attached file, extracted in the background: waiting, done, failed (shown to the
-- moderator with the reason) or none (images).
ALTER TABLE attachments ADD COLUMN extraction TEXT NOT NULL DEFAULT 'waiting'
    CHECK (extraction IN ('waiting', 'done', 'failed', 'none'));
ALTER TABLE attachments ADD COLUMN extracted_text TEXT;
ALTER TABLE attachments ADD COLUMN extraction_error TEXT;
CREATE INDEX attachments_waiting ON attachments (id) WHERE extraction = 'waiting';
