-- Counters kept by the store at commit instead of per-row triggers (issues 11, 13, 14).
--
-- m0010's triggers updated job_counts (and job_minutes) once per status change: three counter updates per
-- job run, about 14 % of `quaero bench` `jobs_per_s`. The store now gathers each transaction's changes in
-- memory and adds them to the same tables, one upsert per type (and minute), just before COMMIT in the same
-- transaction: the counts stay exact and roll back with the rows they count. The tables keep their shape
-- and their contents.
DROP TRIGGER job_counts_insert;
DROP TRIGGER job_counts_status;
DROP TRIGGER job_counts_delete;

-- m0011's insert trigger ran its WHEN test on every new job (about 4 % of `jobs_per_s`, most jobs have
-- nothing to index); the store indexes a new job's text itself, with the same rows and text. The update and
-- delete triggers stay: they run only for statements that change the indexed columns or delete jobs.
DROP TRIGGER job_search_insert;

-- Dead letters per queue and type ('' for messages without a type), kept likewise at commit by every
-- statement that dead-letters, requeues, purges or deletes a dead letter: the overview reads these rows
-- instead of walking the dead letters (28–36 ms with 100,000 of them).
CREATE TABLE dead_counts (
    queue   TEXT    NOT NULL,
    type    TEXT    NOT NULL,
    dead    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (queue, type)
) STRICT, WITHOUT ROWID;

-- The dead letters already stored are counted once.
INSERT INTO dead_counts (queue, type, dead)
SELECT queue, coalesce(type, ''), count(*) FROM messages WHERE dead_at IS NOT NULL GROUP BY queue, coalesce(type, '');
