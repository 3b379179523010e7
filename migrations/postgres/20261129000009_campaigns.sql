-- Form-letter campaigns: comments that are copies of one letter. Comments are placed as they
-- arrive; `campaign_checked` marks those already looked at, so a sweep finds any left behind.

CREATE TABLE campaigns (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    docket_id TEXT NOT NULL REFERENCES dockets (id),
    -- The comment whose text stands for the campaign's letter.
    representative_id BIGINT NOT NULL REFERENCES comments (id),
    created_at BIGINT NOT NULL,
    -- Set when staff merged this campaign into another; its comments moved there.
    merged_into BIGINT REFERENCES campaigns (id)
);
CREATE INDEX campaigns_by_docket ON campaigns (docket_id, id);

ALTER TABLE comments ADD COLUMN campaign_checked BIGINT NOT NULL DEFAULT 0;
-- Hash of the normalised words; NULL for comments too short to be part of any campaign.
ALTER TABLE comments ADD COLUMN text_hash BIGINT;
ALTER TABLE comments ADD COLUMN campaign_id BIGINT REFERENCES campaigns (id);
-- Staff said this comment is not part of a campaign: it is never placed in one again.
ALTER TABLE comments ADD COLUMN campaign_excluded BIGINT NOT NULL DEFAULT 0;
-- Words the comment adds to its campaign's letter.
ALTER TABLE comments ADD COLUMN added_words BIGINT;
CREATE INDEX comments_by_text_hash ON comments (docket_id, text_hash);
CREATE INDEX comments_by_campaign ON comments (campaign_id, received_at);
CREATE INDEX comments_campaign_unchecked ON comments (id) WHERE campaign_checked = 0;

-- Comments remembered as examples of their letter (the first of each, and copies that drifted
-- from it), with their MinHash values; new comments are compared with these.
CREATE TABLE campaign_examples (
    comment_id BIGINT PRIMARY KEY REFERENCES comments (id),
    docket_id TEXT NOT NULL,
    minhash BYTEA NOT NULL
);
-- Locality-sensitive band keys of the examples: a shared key makes a comment a candidate.
CREATE TABLE campaign_bands (
    docket_id TEXT NOT NULL,
    band_key BIGINT NOT NULL,
    comment_id BIGINT NOT NULL REFERENCES comments (id)
);
CREATE INDEX campaign_bands_lookup ON campaign_bands (docket_id, band_key);

-- Docket summaries kept as they were made: at each close, and when an admin publishes one.
CREATE TABLE docket_summaries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    docket_id TEXT NOT NULL REFERENCES dockets (id),
    made_at BIGINT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('closed', 'published')),
    summary_json TEXT NOT NULL
);
CREATE INDEX docket_summaries_by_docket ON docket_summaries (docket_id, id);
