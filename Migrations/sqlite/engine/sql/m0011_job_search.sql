-- Full-text search over jobs: their config, their other fields (a page job's URL) and their error, for the
-- dashboard's job list (`JobFilter.search`).
--
-- `jobs` is keyed by its text id (WITHOUT ROWID), and FTS5 keys its rows by an integer, so `job_search`
-- gives each indexed job an integer key, in the order jobs were indexed: search results page newest first by
-- that key, which FTS5 walks in order (ORDER BY rowid DESC) without collecting every match first.
--
-- The index is contentless (content=''): the words are indexed once and the text stays only in `jobs`. On
-- SQLite 3.40 a contentless row is removed with the 'delete' command and exactly the values it was indexed
-- with, which the triggers have as `old`.
--
-- Only jobs with something to find are indexed: a config or fields other than '{}', or an error. A job without
-- (a no-op job, most of a benchmark) costs the insert trigger's WHEN test and nothing more.
CREATE TABLE job_search (
    docid   INTEGER PRIMARY KEY,
    job_id  TEXT    NOT NULL UNIQUE
) STRICT;

CREATE VIRTUAL TABLE jobs_fts USING fts5 (body, content = '', tokenize = 'unicode61 remove_diacritics 2');

INSERT INTO job_search (job_id)
SELECT id FROM jobs WHERE config != '{}' OR fields != '{}' OR error IS NOT NULL ORDER BY id;
INSERT INTO jobs_fts (rowid, body)
SELECT s.docid, j.config || ' ' || j.fields || ' ' || coalesce(j.error, '') FROM job_search s JOIN jobs j ON j.id = s.job_id;

CREATE TRIGGER job_search_insert AFTER INSERT ON jobs
WHEN new.config != '{}' OR new.fields != '{}' OR new.error IS NOT NULL BEGIN
    INSERT INTO job_search (job_id) VALUES (new.id);
    -- Inside a trigger, last_insert_rowid() is the row this trigger just inserted.
    INSERT INTO jobs_fts (rowid, body) VALUES (last_insert_rowid(), new.config || ' ' || new.fields || ' ' || coalesce(new.error, ''));
END;

-- A job keeps its key when its text changes (a retry's error, a completion that clears it), and leaves the
-- index when nothing is left to find.
CREATE TRIGGER job_search_update AFTER UPDATE OF config, fields, error ON jobs
WHEN old.config IS NOT new.config OR old.fields IS NOT new.fields OR old.error IS NOT new.error BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, body)
    SELECT 'delete', docid, old.config || ' ' || old.fields || ' ' || coalesce(old.error, '') FROM job_search WHERE job_id = old.id;
    INSERT OR IGNORE INTO job_search (job_id)
    SELECT new.id WHERE new.config != '{}' OR new.fields != '{}' OR new.error IS NOT NULL;
    INSERT INTO jobs_fts (rowid, body)
    SELECT docid, new.config || ' ' || new.fields || ' ' || coalesce(new.error, '') FROM job_search
    WHERE job_id = new.id AND (new.config != '{}' OR new.fields != '{}' OR new.error IS NOT NULL);
    DELETE FROM job_search WHERE job_id = old.id AND NOT (new.config != '{}' OR new.fields != '{}' OR new.error IS NOT NULL);
END;

CREATE TRIGGER job_search_delete AFTER DELETE ON jobs
WHEN old.config != '{}' OR old.fields != '{}' OR old.error IS NOT NULL BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, body)
    SELECT 'delete', docid, old.config || ' ' || old.fields || ' ' || coalesce(old.error, '') FROM job_search WHERE job_id = old.id;
    DELETE FROM job_search WHERE job_id = old.id;
END;
