-- When an agency withdraws a docket it stops taking comments at once; the record stays.
ALTER TABLE dockets ADD COLUMN withdrawn_at BIGINT;
