-- Every collection carries a version, 1 when created and one higher after each update,
-- which clients see as the ETag and name in If-Match.
ALTER TABLE collections ADD COLUMN version integer NOT NULL DEFAULT 1;

-- Each owner's collection count is kept by triggers, as in SQLite: whatever statement
-- inserts or deletes a collection, the count changes in the same transaction. Row
-- triggers of a statement run when it ends, after its genre upserts, so every write
-- locks the collection row, then the owner's genre rows (in genre order), then the
-- owner's users row: one order, no deadlocks.
CREATE FUNCTION count_collections() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE users SET collection_count = collection_count + 1 WHERE id = NEW.owner;
    ELSE
        UPDATE users SET collection_count = collection_count - 1 WHERE id = OLD.owner;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER collections_count AFTER INSERT OR DELETE ON collections
    FOR EACH ROW EXECUTE FUNCTION count_collections();
