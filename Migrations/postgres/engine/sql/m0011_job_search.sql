-- Full-text search over jobs: their config, their other fields (a page job's URL) and their error, for the
-- dashboard's job list (`JobFilter.search`); SQLite's m0011 with a tsvector and a GIN index in place of FTS5.
--
-- `job_search` gives each indexed job an integer key in the order jobs were indexed (results page newest
-- first by it, as on SQLite) and holds its words. The text is split at every character that is not a letter
-- or digit before it is indexed ('simple' configuration: lower case, no stemming, no stop words), as FTS5's
-- unicode61 tokenizer does: PostgreSQL's own parser would keep `example.com/docs` as one URL token, and a
-- search for `example` would miss it. Unlike SQLite, diacritics are not folded.
--
-- Only jobs with something to find are indexed: a config or fields other than '{}', or an error.
CREATE TABLE job_search (
    docid   bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id  text    NOT NULL UNIQUE,
    words   tsvector NOT NULL
);
CREATE INDEX job_search_words ON job_search USING gin (words);

CREATE FUNCTION job_search_words(config text, fields text, error text) RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_tsvector('simple', regexp_replace(config || ' ' || fields || ' ' || coalesce(error, ''), '[^[:alnum:]]+', ' ', 'g'))
$$;

INSERT INTO job_search (job_id, words)
SELECT id, job_search_words(config, fields, error) FROM jobs
WHERE config <> '{}' OR fields <> '{}' OR error IS NOT NULL ORDER BY id;

-- A job keeps its key when its text changes (a retry's error, a completion that clears it), and leaves the
-- index when nothing is left to find.
CREATE FUNCTION job_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NOT (NEW.config <> '{}' OR NEW.fields <> '{}' OR NEW.error IS NOT NULL) THEN
        DELETE FROM job_search WHERE job_id = OLD.id;
    ELSE
        INSERT INTO job_search (job_id, words) VALUES (NEW.id, job_search_words(NEW.config, NEW.fields, NEW.error))
        ON CONFLICT (job_id) DO UPDATE SET words = excluded.words;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER job_search_insert AFTER INSERT ON jobs FOR EACH ROW
    WHEN (NEW.config <> '{}' OR NEW.fields <> '{}' OR NEW.error IS NOT NULL) EXECUTE FUNCTION job_search_trigger();
CREATE TRIGGER job_search_update AFTER UPDATE OF config, fields, error ON jobs FOR EACH ROW
    WHEN (OLD.config IS DISTINCT FROM NEW.config OR OLD.fields IS DISTINCT FROM NEW.fields OR OLD.error IS DISTINCT FROM NEW.error)
    EXECUTE FUNCTION job_search_trigger();
CREATE TRIGGER job_search_delete AFTER DELETE ON jobs FOR EACH ROW
    WHEN (OLD.config <> '{}' OR OLD.fields <> '{}' OR OLD.error IS NOT NULL) EXECUTE FUNCTION job_search_trigger();
