-- E-mail confirmation, per docket. A comment that gives an e-mail address on a docket that
-- confirms by e-mail waits for its submitter to follow a single-use link (kept here as a hash)
-- before it enters the queue; still unconfirmed at the close, it is withheld as "not confirmed".
ALTER TABLE dockets ADD COLUMN confirm_by_email INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN awaiting_confirmation INTEGER NOT NULL DEFAULT 0;
CREATE INDEX comments_awaiting_confirmation ON comments (awaiting_confirmation, window_id);
CREATE TABLE comment_confirmations (
    token_hash TEXT PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments (id),
    created_at INTEGER NOT NULL
);
CREATE INDEX comment_confirmations_by_comment ON comment_confirmations (comment_id);
-- Messages waiting to be sent, written in the transaction that makes them due; a message is
-- deleted once sent (or given up after its last attempt), so addresses are not kept here.
CREATE TABLE outgoing_mail (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL
);
CREATE INDEX outgoing_mail_due ON outgoing_mail (next_attempt_at);
