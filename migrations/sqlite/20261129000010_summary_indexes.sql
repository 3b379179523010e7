-- Indexes the docket summary reads instead of the comments themselves: each breakdown is one pass
-- over an index already in the order it groups by.
CREATE INDEX comments_summary_totals ON comments (docket_id, submitter_type, status, withheld_reason, late);
CREATE INDEX comments_by_docket_campaign ON comments (docket_id, campaign_id);
CREATE INDEX comments_by_docket_state ON comments (docket_id, state_province_region, status);
CREATE INDEX comments_by_docket_country ON comments (docket_id, country, status);
CREATE INDEX comments_by_docket_organization ON comments (docket_id, organization, status);
-- A campaign's counts by status, its substantial copies and first and last arrival, without
-- reading the copies themselves.
CREATE INDEX comments_campaign_facts ON comments (campaign_id, added_words, status, received_at);
