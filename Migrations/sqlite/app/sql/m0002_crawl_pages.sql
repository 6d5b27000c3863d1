-- The pages of each crawl by URL: a crawl enqueues a URL at most once, even after its page job ended and its
-- message is gone, and however many workers (or processes) find the link at once (the primary key decides).
CREATE TABLE crawl_pages (
    crawl_id  TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    url       TEXT NOT NULL,
    PRIMARY KEY (crawl_id, url)
) STRICT, WITHOUT ROWID;

-- Databases from before crawl_pages found a crawl's pages through this index on the engine's jobs table.
-- Their existing crawls' pages are copied over, and the index goes.
INSERT OR IGNORE INTO crawl_pages (crawl_id, url)
    SELECT parent_id, json_extract(fields, '$.url') FROM jobs
    WHERE type = 'crawler_url' AND parent_id IS NOT NULL AND json_extract(fields, '$.url') IS NOT NULL;
DROP INDEX IF EXISTS jobs_crawl_url;
