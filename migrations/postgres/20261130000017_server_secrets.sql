-- Secrets every instance of one deployment must share, made once on the first start: the key
-- that signs comment-form tokens.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
