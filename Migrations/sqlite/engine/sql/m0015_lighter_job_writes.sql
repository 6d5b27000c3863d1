-- Two changes that make each job's writes lighter (measured with `scripts/sqlite-steps` on `quaero bench --only
-- jobs_per_s`, 2026-11-29).
--
-- 1. A type's latest minute of ends kept in its `job_counts` row, beside its counts by status, and moved to m0010's
-- ring of minutes (`job_minutes`) when a later minute takes its place: a commit that ends jobs writes one counter
-- row instead of two. Each commit ran both upserts (69 and 44 VM steps) and each wrote its own page to the WAL; the
-- ring is now written once a minute per type. An AFTER UPDATE trigger moving the old minute to the ring cost more
-- than the upsert it saved (113 steps a run against 69 + 44: SQLite loads the old row and runs the trigger's
-- program for every update); the store moves it itself when its update finds another minute (`CounterDeltas`).
-- `minute` is UTC minutes since the epoch (0: none yet). Readers add the rows' minutes to the ring's.
ALTER TABLE job_counts ADD COLUMN minute INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_counts ADD COLUMN minute_completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_counts ADD COLUMN minute_failed INTEGER NOT NULL DEFAULT 0;

-- 2. The status CHECK of `jobs` spelled with OR instead of IN, as m0003 spells job_logs' level: SQLite builds an
-- IN list's lookup table (an ephemeral b-tree of five rows) again at every statement that writes the column, the
-- insert, the start and the end of every job. The two spellings accept the same values, so the stored rows need no
-- check; SQLite's documented way to change a CHECK constraint without rebuilding the table is to edit its text in
-- sqlite_schema (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes").
-- RESET makes this connection read the schema again; the table created and dropped moves the schema cookie, so
-- that every other connection does too. A table whose text differs (none that this chain made) keeps its IN.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'CHECK (status IN (''pending'', ''running'', ''completed'', ''failed'', ''cancelled''))',
                  'CHECK (status = ''pending'' OR status = ''running'' OR status = ''completed'' OR status = ''failed'' OR status = ''cancelled'')')
WHERE type = 'table' AND name = 'jobs';
PRAGMA writable_schema = RESET;
CREATE TABLE m0015_schema_cookie (x);
DROP TABLE m0015_schema_cookie;
