-- Comments stored but not yet placed in a campaign (placement follows the commit in a worker):
-- counted for staff and /metrics without reading every comment.
CREATE INDEX comments_unplaced ON comments (docket_id) WHERE campaign_checked = 0;
