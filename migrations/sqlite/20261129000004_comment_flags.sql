-- Suggestions for moderators found in the comment text when it arrived (comma-separated kinds).
ALTER TABLE comments ADD COLUMN flags TEXT NOT NULL DEFAULT '';
