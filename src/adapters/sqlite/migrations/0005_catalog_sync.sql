-- Where `moviecore catalog sync` stands for each upstream it copies from: the last
-- page it completed, and whether that page was the upstream's last. A sync resumes
-- from here, whatever the local catalog holds besides.

CREATE TABLE catalog_sync (
    source    TEXT PRIMARY KEY,
    last_page INTEGER NOT NULL CHECK (last_page >= 1),
    at_end    INTEGER NOT NULL CHECK (at_end IN (0, 1))
) STRICT;
