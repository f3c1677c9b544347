-- Catalog search: each movie's title and description as search keys and its genres as
-- a key, all computed by moviecore (see moviecore._search), and a full-text index of
-- the words of the keys. Keys are NULL until computed: rows stored before this
-- migration get theirs as ``moviecore migrate`` finishes.
--
-- The keys are already casefolded, unaccented words separated by single spaces, so
-- the words are indexed as they are (array_to_tsvector), with no parser or dictionary
-- in between. Such a tsvector keeps no positions, hence no weights: the title's words
-- are a column of their own, read only for the movies that match.
--
-- Full-text search rather than pg_trgm, measured on 45,466 made-up movies (median of
-- 15 runs of the whole search statement): one-word searches took 0.2-0.6 ms against
-- 0.3-0.7 ms, a search matching every movie 30 ms against 40 ms, one of four common
-- words 2.6 ms against 2.1 ms; the index is 2.1 MB against 5.8 MB, built in 0.17 s
-- against 0.78 s, and needs no extension.

ALTER TABLE movies
    ADD COLUMN title_key text,
    ADD COLUMN description_key text,
    ADD COLUMN genre_key text,
    ADD COLUMN title_words tsvector
        GENERATED ALWAYS AS (array_to_tsvector(string_to_array(title_key, ' '))) STORED,
    ADD COLUMN search_words tsvector GENERATED ALWAYS AS (
        -- An empty key leaves an empty string between the spaces: no word, dropped.
        array_to_tsvector(
            array_remove(string_to_array(title_key || ' ' || description_key, ' '), '')
        )
    ) STORED;

CREATE INDEX movies_search_words ON movies USING gin (search_words);
