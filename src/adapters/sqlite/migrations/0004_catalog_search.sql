-- Catalog search: each movie's title and description as search keys and its genres as
-- a key, all computed by moviecore (see moviecore._search), and an FTS5 index of the
-- two text keys. Keys are NULL until computed: rows stored before this migration get
-- theirs when the store is next opened.

ALTER TABLE movies ADD COLUMN title_key TEXT;
ALTER TABLE movies ADD COLUMN description_key TEXT;
ALTER TABLE movies ADD COLUMN genre_key TEXT;

-- The keys are words of letters and digits separated by single spaces, already
-- casefolded and unaccented, so the "ascii" tokenizer (which splits on ASCII
-- punctuation and spaces only, and keeps every other character) finds exactly
-- those words. Searches need no phrases, so positions are not kept ("column").
CREATE VIRTUAL TABLE movie_words USING fts5 (
    title_key, description_key,
    content = 'movies', content_rowid = 'seq', tokenize = 'ascii', detail = 'column'
);

-- A movie is in the index exactly when it has keys: FTS5 must never be told to remove
-- a row it does not hold, as it would be for a movie stored before this migration.
CREATE TRIGGER movie_words_insert AFTER INSERT ON movies WHEN NEW.genre_key IS NOT NULL
BEGIN
    INSERT INTO movie_words (rowid, title_key, description_key)
    VALUES (NEW.seq, NEW.title_key, NEW.description_key);
END;

CREATE TRIGGER movie_words_delete AFTER DELETE ON movies WHEN OLD.genre_key IS NOT NULL
BEGIN
    INSERT INTO movie_words (movie_words, rowid, title_key, description_key)
    VALUES ('delete', OLD.seq, OLD.title_key, OLD.description_key);
END;

CREATE TRIGGER movie_words_update AFTER UPDATE OF title_key, description_key, genre_key
ON movies
BEGIN
    INSERT INTO movie_words (movie_words, rowid, title_key, description_key)
    SELECT 'delete', OLD.seq, OLD.title_key, OLD.description_key
    WHERE OLD.genre_key IS NOT NULL;
    INSERT INTO movie_words (rowid, title_key, description_key)
    SELECT NEW.seq, NEW.title_key, NEW.description_key
    WHERE NEW.genre_key IS NOT NULL;
END;
