-- Every extension of a comment window's deadline, shown publicly as "extended from ... to ...".
CREATE TABLE window_extensions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    window_id INTEGER NOT NULL REFERENCES comment_windows (id),
    from_closes_at INTEGER NOT NULL,
    to_closes_at INTEGER NOT NULL,
    extended_at INTEGER NOT NULL
);
CREATE INDEX window_extensions_by_window ON window_extensions (window_id, id);
