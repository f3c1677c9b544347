-- The size of the local catalog, kept by triggers as SQLite keeps it, so that a page
-- of the catalog reads one row instead of counting every movie (a count(*) per page
-- reads every row: about 20 ms a page for 45,466 movies, measured on 2 busy cores).
--
-- Statement-level triggers see every row a statement inserted or deleted at once
-- (transition tables), so a bulk import of thousands of movies updates the count once.
-- An upsert that updates a stored movie inserts no row: it is not a new movie.

CREATE TABLE movie_count (
    id integer PRIMARY KEY CHECK (id = 1),
    n  bigint NOT NULL
);

INSERT INTO movie_count (id, n) SELECT 1, count(*) FROM movies;

CREATE FUNCTION count_inserted_movies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE movie_count SET n = n + (SELECT count(*) FROM inserted) WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE FUNCTION count_deleted_movies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE movie_count SET n = n - (SELECT count(*) FROM deleted) WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE FUNCTION count_no_movies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE movie_count SET n = 0 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER movies_count_insert AFTER INSERT ON movies
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION count_inserted_movies();

CREATE TRIGGER movies_count_delete AFTER DELETE ON movies
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION count_deleted_movies();

CREATE TRIGGER movies_count_truncate AFTER TRUNCATE ON movies
    FOR EACH STATEMENT EXECUTE FUNCTION count_no_movies();
