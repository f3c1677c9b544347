-- What a listing shows of each collection's movies, without reading them.

-- How many movies each collection holds, written with the movies by every write, so
-- that a page of the listing reads a column instead of counting each collection's
-- rows (counting cost a PostgreSQL page of 10 collections of 1,000 movies 3.9 ms
-- instead of 0.19).
ALTER TABLE collections ADD COLUMN movies_count INTEGER NOT NULL DEFAULT 0;
UPDATE collections
   SET movies_count = (SELECT count(*) FROM collection_movies WHERE collection = collections.seq);

-- Which of an owner's collections hold a movie (GET /collections/?movie=): one probe
-- of this index per collection of the owner, instead of reading each one's movies.
-- Measured for an owner of 200 collections of 1,000 movies each: a page of those
-- holding a movie 0.33 ms and their count 0.07 ms, against 19.6 ms and 35.3 ms
-- without it; writing the 200,000 movies took no measurably longer (3.1 s, 3.4 s).
CREATE INDEX collection_movies_by_uuid ON collection_movies (collection, uuid);
