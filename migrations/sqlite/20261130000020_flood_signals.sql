-- Flood signals. A docket may ask every commenter's browser for a proof of work. A comment is
-- "held" when it arrived with a sign of automation that needs a moderator's own decision (the
-- hidden field filled in, a proof of work asked for and not given, or a moderator holding its
-- burst): it is listed after the others and never posted in bulk. network_hash names the network
-- it came from by a keyed hash made for its docket alone (no address is stored); it is contact
-- detail, purged with them.
ALTER TABLE dockets ADD COLUMN ask_proof_of_work INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN network_hash TEXT;
CREATE INDEX comments_by_network ON comments (docket_id, network_hash, received_at);
