-- Crawled documents, one row per URL (a recrawl updates the row), and their full-text index.
-- Times are UTC milliseconds. The id is the rowid, which the FTS index uses as its key.
CREATE TABLE documents (
    id            INTEGER PRIMARY KEY,
    url           TEXT    NOT NULL UNIQUE,      -- normalized absolute URL
    title         TEXT    NOT NULL DEFAULT '',
    text          TEXT    NOT NULL DEFAULT '',  -- visible text, whitespace collapsed
    content_hash  TEXT    NOT NULL,             -- sha256 hex of title and text
    summary       TEXT,                         -- NULL until summarized; reset when the content changes
    crawled_at    INTEGER NOT NULL,
    job_id        TEXT    REFERENCES jobs (id) ON DELETE SET NULL   -- the crawl that last stored it
) STRICT;

-- Documents of a crawl (listing, summarizing), and the foreign key check when a job is deleted.
CREATE INDEX documents_job ON documents (job_id, id);

-- External-content FTS5 over title and text: the words are indexed once, the text itself stays only in
-- `documents`, and snippet()/highlight() can still read it through content='documents'. (A contentless
-- table could not produce snippets, and on SQLite 3.40 could not delete rows without the old values.)
-- The porter stemmer lets "crawling" find "crawl"; remove_diacritics 2 lets "cafe" find "café".
CREATE VIRTUAL TABLE documents_fts USING fts5 (
    title, text,
    content = 'documents', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- Triggers keep the index in step with the table. An external-content index is updated by deleting the
-- old values (the special 'delete' insert, which needs exactly the indexed values) and inserting the new.
CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;

CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;

-- Only when the indexed columns really change: setting a summary or recrawling unchanged text reindexes nothing.
CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents
WHEN old.title IS NOT new.title OR old.text IS NOT new.text BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;

