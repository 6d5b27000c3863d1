-- The pages of each crawl by URL: a crawl enqueues a URL at most once, even after its page job ended and its
-- message is gone, and however many workers on however many machines find the link at once (the primary key
-- decides: INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE crawl_pages (
    crawl_id text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    url      text NOT NULL,
    PRIMARY KEY (crawl_id, url)
);
