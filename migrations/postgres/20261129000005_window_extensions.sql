-- Every extension of a comment window's deadline, shown publicly as "extended from ... to ...".
CREATE TABLE window_extensions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    window_id BIGINT NOT NULL REFERENCES comment_windows (id),
    from_closes_at BIGINT NOT NULL,
    to_closes_at BIGINT NOT NULL,
    extended_at BIGINT NOT NULL
);
CREATE INDEX window_extensions_by_window ON window_extensions (window_id, id);
