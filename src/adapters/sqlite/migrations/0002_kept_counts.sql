-- Counts that requests read instead of counting rows: each owner's number of
-- collections and the size of the local catalog. Triggers keep them in step
-- inside the very transaction that inserts or deletes the rows, so they cannot
-- drift from what is stored, whichever statement changes it.

ALTER TABLE users ADD COLUMN collection_count INTEGER NOT NULL DEFAULT 0;

UPDATE users SET collection_count = (SELECT count(*) FROM collections WHERE owner = users.id);

-- A collection's owner is never changed, so inserts and deletes are all there is to count.
CREATE TRIGGER collections_count_insert AFTER INSERT ON collections
BEGIN
    UPDATE users SET collection_count = collection_count + 1 WHERE id = NEW.owner;
END;

CREATE TRIGGER collections_count_delete AFTER DELETE ON collections
BEGIN
    UPDATE users SET collection_count = collection_count - 1 WHERE id = OLD.owner;
END;

CREATE TABLE movie_count (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;

INSERT INTO movie_count (id, n) SELECT 1, count(*) FROM movies;

-- An upsert that updates a stored movie fires no INSERT trigger: it is not a new movie.
CREATE TRIGGER movies_count_insert AFTER INSERT ON movies
BEGIN
    UPDATE movie_count SET n = n + 1 WHERE id = 1;
END;

CREATE TRIGGER movies_count_delete AFTER DELETE ON movies
BEGIN
    UPDATE movie_count SET n = n - 1 WHERE id = 1;
END;
