-- Redacted spans of a posted comment (start-end character offsets) and the public text they produce.
ALTER TABLE comments ADD COLUMN redactions TEXT;
ALTER TABLE comments ADD COLUMN redacted_body TEXT;
