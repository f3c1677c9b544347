-- The first schema: accounts, collections with their movie snapshots, per-owner genre
-- counts kept on write, and the local movie catalog.

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text NOT NULL,
    -- username.casefold(): usernames are unique case-insensitively.
    username_key  text NOT NULL UNIQUE,
    password_hash text NOT NULL
);

CREATE TABLE collections (
    -- Insertion order, so that "newest first" is an index scan with no ties.
    seq         bigserial PRIMARY KEY,
    uuid        uuid NOT NULL UNIQUE,
    owner       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title       text NOT NULL,
    description text NOT NULL
);

-- Every per-owner listing and count reads only the owner's own index entries.
CREATE INDEX collections_owner_seq ON collections (owner, seq DESC);

CREATE TABLE collection_movies (
    collection  bigint NOT NULL REFERENCES collections (seq) ON DELETE CASCADE,
    position    integer NOT NULL,
    uuid        uuid NOT NULL,
    title       text NOT NULL,
    description text NOT NULL,
    genres      text NOT NULL,
    PRIMARY KEY (collection, position)
);

-- For each owner and genre, in how many (movie, collection) pairs it appears;
-- rows that reach 0 are deleted in the transaction that zeroed them. No CHECK (n >= 0):
-- a decrement is written as an upsert of a negative n, and CHECK would reject it
-- before the conflict turns it into an update.
CREATE TABLE genre_counts (
    owner uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    genre text NOT NULL,
    n     integer NOT NULL,
    PRIMARY KEY (owner, genre)
);

CREATE TABLE movies (
    -- Insertion order: catalog pages list movies in the order they were first stored.
    seq         bigserial PRIMARY KEY,
    uuid        uuid NOT NULL UNIQUE,
    title       text NOT NULL,
    description text NOT NULL,
    genres      text NOT NULL
);
