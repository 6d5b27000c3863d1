-- robots.txt of each host of each crawl, fetched once across every process: the first page of a host to
-- claim its row fetches it (until expires_at: then another may take over), the others wait for its body.
CREATE TABLE crawl_robots (
    crawl_id    TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    origin      TEXT    NOT NULL,              -- scheme://host[:port]
    status      INTEGER,                       -- the HTTP status of robots.txt; NULL while it is being fetched
    body        TEXT,
    fetcher     TEXT,                          -- who fetches it now
    expires_at  INTEGER NOT NULL,              -- the fetcher's claim lapses then (UTC milliseconds)
    PRIMARY KEY (crawl_id, origin)
) STRICT, WITHOUT ROWID;
