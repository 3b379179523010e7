-- A password an admin reset must be replaced by its owner before anything else is done.
ALTER TABLE staff_users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
