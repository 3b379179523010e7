-- Sign-in lock-outs now apply to the network that failed and are kept in memory; an admin's
-- "unlock" is recorded here so every instance forgets the locks made before it.
ALTER TABLE staff_users ADD COLUMN unlocked_at INTEGER;
