-- The last number given to a posted comment on each docket (its public id is DOCKET-NNNN).
-- Numbers are drawn from this counter, skipping any id already taken (imported regulations.gov
-- comments keep theirs), instead of counting posted comments, which collided with imported ids.
-- Document 0001 is the proposed order; comments posted before this were numbered from 0002 by count.
ALTER TABLE dockets ADD COLUMN last_comment_number BIGINT NOT NULL DEFAULT 1;
UPDATE dockets SET last_comment_number = 1 + (
    SELECT COUNT(*) FROM comments c WHERE c.docket_id = dockets.id AND c.public_id IS NOT NULL);
