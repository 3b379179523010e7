-- A redacted version of an attached file, made by staff (personal details blacked out in the
-- original application and uploaded again). When present the public gets it instead of the
-- original, and public search reads its text; staff keep the original.
ALTER TABLE attachments ADD COLUMN redacted_sha256 TEXT;
ALTER TABLE attachments ADD COLUMN redacted_kind TEXT
    CHECK (redacted_kind IN ('pdf', 'docx', 'rtf', 'txt', 'jpg', 'png'));
ALTER TABLE attachments ADD COLUMN redacted_size_bytes BIGINT;
ALTER TABLE attachments ADD COLUMN redacted_extraction TEXT
    CHECK (redacted_extraction IN ('waiting', 'done', 'failed', 'none'));
ALTER TABLE attachments ADD COLUMN redacted_text TEXT;
ALTER TABLE attachments ADD COLUMN redacted_error TEXT;
CREATE INDEX attachments_redacted_waiting ON attachments (id) WHERE redacted_extraction = 'waiting';
CREATE INDEX attachments_by_redacted_sha256 ON attachments (redacted_sha256);
