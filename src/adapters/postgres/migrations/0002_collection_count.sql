-- Each user's number of collections, kept on write in the transaction that adds or
-- removes one, so that listing a page never counts the user's collections.

ALTER TABLE users ADD COLUMN collection_count integer NOT NULL DEFAULT 0
    CHECK (collection_count >= 0);

UPDATE users SET collection_count = owned.n
FROM (SELECT owner, count(*) AS n FROM collections GROUP BY owner) AS owned
WHERE users.id = owned.owner;

-- From now on a genre count that falls to 0 may stay as a row: readers skip it, and
-- writers need no extra statement to delete it.
COMMENT ON TABLE genre_counts IS
    'Per owner and genre, in how many (movie, collection) pairs it appears; rows of 0 are ignored.';
