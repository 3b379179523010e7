-- Comments counted by docket, status and reason, kept by a trigger in the transaction of every
-- change, so that a docket page reads its counts in O(1) however many comments the docket holds.
-- `reason` is the withholding reason, 'awaiting_confirmation' for a pending comment that waits
-- for its e-mail confirmation, or '' otherwise.
CREATE TABLE comment_counts (
    docket_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (docket_id, status, reason)
);

INSERT INTO comment_counts (docket_id, status, reason, n)
SELECT docket_id, status,
       CASE WHEN awaiting_confirmation = 1 THEN 'awaiting_confirmation' ELSE COALESCE(withheld_reason, '') END,
       COUNT(*)
FROM comments
GROUP BY 1, 2, 3;

CREATE FUNCTION count_comment_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE comment_counts SET n = n - 1
        WHERE docket_id = OLD.docket_id AND status = OLD.status
          AND reason = CASE WHEN OLD.awaiting_confirmation = 1 THEN 'awaiting_confirmation' ELSE COALESCE(OLD.withheld_reason, '') END;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO comment_counts (docket_id, status, reason, n)
        VALUES (NEW.docket_id, NEW.status,
                CASE WHEN NEW.awaiting_confirmation = 1 THEN 'awaiting_confirmation' ELSE COALESCE(NEW.withheld_reason, '') END,
                1)
        ON CONFLICT (docket_id, status, reason) DO UPDATE SET n = comment_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER comment_counts_insert_delete AFTER INSERT OR DELETE ON comments
FOR EACH ROW EXECUTE FUNCTION count_comment_change();

CREATE TRIGGER comment_counts_update AFTER UPDATE OF status, withheld_reason, awaiting_confirmation ON comments
FOR EACH ROW
WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.withheld_reason IS DISTINCT FROM NEW.withheld_reason
      OR OLD.awaiting_confirmation IS DISTINCT FROM NEW.awaiting_confirmation)
EXECUTE FUNCTION count_comment_change();

-- A comment's page asks whether it is a campaign's letter: found by its representative.
CREATE INDEX campaigns_by_representative ON campaigns (representative_id);
