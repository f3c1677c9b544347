-- Where `moviecore catalog sync` stands for each upstream it copies from: the last
-- page it completed, and whether that page was the upstream's last. A sync resumes
-- from here, whatever the local catalog holds besides.

CREATE TABLE catalog_sync (
    source    text PRIMARY KEY,
    last_page integer NOT NULL CHECK (last_page >= 1),
    at_end    boolean NOT NULL
);
