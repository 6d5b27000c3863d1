-- robots.txt of each host of each crawl, fetched once across every process (SQLite's m0003): the first page
-- of a host to claim its row fetches it (until expires_at: then another may take over), the others wait for
-- its body.
CREATE TABLE crawl_robots (
    crawl_id    text    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    origin      text    NOT NULL,              -- scheme://host[:port]
    status      bigint,                        -- the HTTP status of robots.txt; NULL while it is being fetched
    body        text,
    fetcher     text,                          -- who fetches it now
    expires_at  bigint  NOT NULL,              -- the fetcher's claim lapses then (UTC milliseconds)
    PRIMARY KEY (crawl_id, origin)
);
