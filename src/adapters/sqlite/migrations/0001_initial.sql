-- The first schema: accounts, collections with their movie snapshots, the
-- per-owner genre counts kept on write, the local catalog and the request count.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL,
    username_key  TEXT NOT NULL UNIQUE,  -- username.casefold(): names are unique case-insensitively
    password_hash TEXT NOT NULL
) STRICT;

-- seq is the insertion order, so "newest first" is ORDER BY seq DESC without ties.
CREATE TABLE collections (
    seq         INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    owner       TEXT NOT NULL REFERENCES users (id),
    title       TEXT NOT NULL,
    description TEXT NOT NULL
) STRICT;

CREATE INDEX collections_by_owner ON collections (owner, seq DESC);

CREATE TABLE collection_movies (
    collection  INTEGER NOT NULL REFERENCES collections (seq) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    uuid        TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    genres      TEXT NOT NULL,
    PRIMARY KEY (collection, position)
) STRICT, WITHOUT ROWID;

-- For each owner and genre, in how many (movie, collection) pairs it appears;
-- kept in step with collection_movies by every write so reads never scan.
CREATE TABLE genre_counts (
    owner TEXT NOT NULL REFERENCES users (id),
    genre TEXT NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (owner, genre)
) STRICT, WITHOUT ROWID;

-- The local catalog; seq keeps insertion order for paging.
CREATE TABLE movies (
    seq         INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    genres      TEXT NOT NULL
) STRICT;

CREATE TABLE request_count (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;

INSERT INTO request_count (id, n) VALUES (1, 0);
