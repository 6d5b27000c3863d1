-- SQLite's m0015 makes each job's writes lighter there: it keeps the jobs a type ended in its latest minute in its
-- `job_counts` row, so that a commit writes one counter row instead of two, and spells the status CHECK of `jobs`
-- with OR, since SQLite builds an IN list's lookup table again at every write. PostgreSQL counts per statement
-- from transition tables (m0014), over 64 rows per type and 16 per minute so that concurrent writers do not wait
-- for one row, and checks `status IN (...)` without a table; its rows stay as they are, and the schema test lists
-- SQLite's three columns as SQLite's own. Nothing changes here: the migration is recorded so that one version
-- means the same stage on both stores.
SELECT 1;
