-- Which of an owner's collections hold a movie (GET /collections/?movie=): one probe
-- of this index per collection of the owner, instead of reading each one's movies.
CREATE INDEX collection_movies_by_uuid ON collection_movies (collection, uuid);
