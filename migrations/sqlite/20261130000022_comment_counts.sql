-- Comments counted by docket, status and reason, kept by triggers in the transaction of every
-- change, so that a docket page reads its counts in O(1) however many comments the docket holds.
-- `reason` is the withholding reason, 'awaiting_confirmation' for a pending comment that waits
-- for its e-mail confirmation, or '' otherwise.
CREATE TABLE comment_counts (
    docket_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (docket_id, status, reason)
);

INSERT INTO comment_counts (docket_id, status, reason, n)
SELECT docket_id, status,
       CASE WHEN awaiting_confirmation = 1 THEN 'awaiting_confirmation' ELSE COALESCE(withheld_reason, '') END,
       COUNT(*)
FROM comments
GROUP BY 1, 2, 3;

CREATE TRIGGER comment_counts_insert AFTER INSERT ON comments BEGIN
    INSERT INTO comment_counts (docket_id, status, reason, n)
    VALUES (NEW.docket_id, NEW.status,
            CASE WHEN NEW.awaiting_confirmation = 1 THEN 'awaiting_confirmation' ELSE COALESCE(NEW.withheld_reason, '') END,
            1)
    ON CONFLICT (docket_id, status, reason) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER comment_counts_update AFTER UPDATE OF status, withheld_reason, awaiting_confirmation ON comments
WHEN OLD.status IS NOT NEW.status OR OLD.withheld_reason IS NOT NEW.withheld_reason
     OR OLD.awaiting_confirmation IS NOT NEW.awaiting_confirmation
BEGIN
    UPDATE comment_counts SET n = n - 1
    WHERE docket_id = OLD.docket_id AND status = OLD.status
      AND reason = CASE WHEN OLD.awaiting_confirmation = 1 THEN 'awaiting_confirmation' ELSE COALESCE(OLD.withheld_reason, '') END;
    INSERT INTO comment_counts (docket_id, status, reason, n)
    VALUES (NEW.docket_id, NEW.status,
            CASE WHEN NEW.awaiting_confirmation = 1 THEN 'awaiting_confirmation' ELSE COALESCE(NEW.withheld_reason, '') END,
            1)
    ON CONFLICT (docket_id, status, reason) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER comment_counts_delete AFTER DELETE ON comments BEGIN
    UPDATE comment_counts SET n = n - 1
    WHERE docket_id = OLD.docket_id AND status = OLD.status
      AND reason = CASE WHEN OLD.awaiting_confirmation = 1 THEN 'awaiting_confirmation' ELSE COALESCE(OLD.withheld_reason, '') END;
END;

-- A comment's page asks whether it is a campaign's letter: found by its representative.
CREATE INDEX campaigns_by_representative ON campaigns (representative_id);
