-- A moderator's claim on a waiting comment: other moderators' queues leave it out until
-- claimed_until (milliseconds since the epoch, UTC) has passed.
ALTER TABLE comments ADD COLUMN claimed_by BIGINT;
ALTER TABLE comments ADD COLUMN claimed_until BIGINT;
CREATE INDEX comments_claims ON comments (claimed_by) WHERE claimed_by IS NOT NULL;
