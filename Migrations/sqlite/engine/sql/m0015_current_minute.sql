-- The jobs a type ended in its latest minute kept in its `job_counts` row, beside its counts by status, and moved
-- to m0010's ring of minutes (`job_minutes`) when a later minute takes their place: a commit that ends jobs writes
-- one counter row instead of two.
--
-- Why: each commit of `quaero bench --only jobs_per_s` ran both upserts (69 and 44 VM steps), and each wrote its
-- own page to the WAL (`scripts/sqlite-steps`, 2026-11-29: two thirds of the extra work a job since bb385c5). The
-- ring is now written once a minute per type. An AFTER UPDATE trigger moving the old minute to the ring cost more
-- than the upsert it saved (113 steps a run against 69 + 44: SQLite loads the old row and runs the trigger's
-- program for every update); the store moves it itself, when the upsert finds another minute (`CounterDeltas`).
--
-- `minute` is UTC minutes since the epoch (0: none yet). Readers add the rows' minutes to the ring's.
ALTER TABLE job_counts ADD COLUMN minute INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_counts ADD COLUMN minute_completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job_counts ADD COLUMN minute_failed INTEGER NOT NULL DEFAULT 0;
