-- A window now closes at 00:00:00 of the day after its due date (exclusive) instead of at
-- 23:59:59.000 of the due date, so a comment at 23:59:59.5 is on time. Deadlines made from a due
-- date ended on a :59 second (every zone's offset is a whole number of minutes); they move on by
-- one second. Pages still show 11:59:59 PM.
UPDATE comment_windows SET closes_at = closes_at + 1000 WHERE closes_at % 60000 = 59000;
UPDATE window_extensions SET from_closes_at = from_closes_at + 1000 WHERE from_closes_at % 60000 = 59000;
UPDATE window_extensions SET to_closes_at = to_closes_at + 1000 WHERE to_closes_at % 60000 = 59000;
