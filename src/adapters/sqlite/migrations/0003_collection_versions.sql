-- Every collection carries a version, 1 when created and one higher after each update,
-- which clients see as the ETag and name in If-Match.

ALTER TABLE collections ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Genre rows that fall to 0 stay, as in PostgreSQL (see moviecore's genre_counts port):
-- readers skip them, and no writer spends a statement deleting them.
