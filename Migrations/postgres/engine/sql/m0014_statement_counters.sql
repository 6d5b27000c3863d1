-- The job counters of m0010 kept per statement instead of per row: one upsert of `job_counts` (and of
-- `job_minutes`) for all the rows a statement inserts, changes or deletes, from its transition tables.
--
-- Why: the engine's hot statements are batches (10 jobs created with one INSERT, a pool's claim of up to its free
-- slots, a pool's ends together), and the per-row trigger ran a PL/pgSQL call and an upsert for each row. In
-- `quaero bench --db postgres://… --only jobs_per_s` (4 worker processes, 2026-11-28) it was called 60,000 times
-- for 20,000 jobs and spent 10.1 s inside them, row-lock waits included (pg_stat_user_functions), against 8.4 s of
-- wall time for the whole run on 2 cores; sampling pg_stat_activity showed a third of the active backends
-- waiting for the row locks of those upserts. A statement of one row pays more than before (the transition
-- tables): 2,000 jobs inserted, started, their progress updated and completed one statement at a time took
-- 1,076–1,079 ms against 765–920 ms with m0010's triggers (psql, in one transaction); 2,000 inserted, started and
-- completed with three statements took 18 + 25 + 25 ms against 85 + 91 + 149 ms.
--
-- Each backend adds to its own row among 64 per type (m0010 had 8) and 16 per minute (8): a row stays locked
-- until its transaction commits, and with 8 the batches of 4 worker processes and 8 creators kept waiting for
-- each other's commits (about a third of the active backends in the samples above, with one upsert per row or per
-- statement alike; with 64 rows, a twelfth). Readers add up at most 64 rows per type, and 16 per minute.
--
-- The counts are m0010's: the UPDATE trigger fires for every UPDATE (transition tables cannot go with a column
-- list), and a row whose status and times did not change adds nothing; the jobs that ended are counted in
-- `job_minutes` by UPDATE statements only.
DROP TRIGGER job_counts_insert ON jobs;
DROP TRIGGER job_counts_status ON jobs;
DROP TRIGGER job_counts_delete ON jobs;

CREATE FUNCTION job_counts_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO job_counts AS c (type, slot, pending, running, completed, failed, cancelled, runs, run_ms)
        SELECT type, pg_backend_pid() % 64,
               count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'running'),
               count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed'),
               count(*) FILTER (WHERE status NOT IN ('pending', 'running', 'completed', 'failed')),
               count(*) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL),
               coalesce(sum(finished_at - started_at) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL), 0)
        FROM new_rows GROUP BY type
        ON CONFLICT (type, slot) DO UPDATE SET
            pending = c.pending + excluded.pending, running = c.running + excluded.running,
            completed = c.completed + excluded.completed, failed = c.failed + excluded.failed,
            cancelled = c.cancelled + excluded.cancelled, runs = c.runs + excluded.runs, run_ms = c.run_ms + excluded.run_ms;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO job_counts AS c (type, slot, pending, running, completed, failed, cancelled, runs, run_ms)
        SELECT type, pg_backend_pid() % 64,
               -count(*) FILTER (WHERE status = 'pending'), -count(*) FILTER (WHERE status = 'running'),
               -count(*) FILTER (WHERE status = 'completed'), -count(*) FILTER (WHERE status = 'failed'),
               -count(*) FILTER (WHERE status NOT IN ('pending', 'running', 'completed', 'failed')),
               -count(*) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL),
               -coalesce(sum(finished_at - started_at) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL), 0)
        FROM old_rows GROUP BY type
        ON CONFLICT (type, slot) DO UPDATE SET
            pending = c.pending + excluded.pending, running = c.running + excluded.running,
            completed = c.completed + excluded.completed, failed = c.failed + excluded.failed,
            cancelled = c.cancelled + excluded.cancelled, runs = c.runs + excluded.runs, run_ms = c.run_ms + excluded.run_ms;
    ELSE
        -- Each old row leaves its status (−1) and each new row enters its own (+1): a row whose status and times
        -- did not change adds nothing, without joining the two tables by id (the join's plan over transition
        -- tables, which have no statistics, was a nested loop: 650 ms for one UPDATE of 2,000 rows).
        WITH moves AS (
            SELECT type, status, -1 AS sign, started_at, finished_at FROM old_rows
            UNION ALL
            SELECT type, status, 1, started_at, finished_at FROM new_rows
        ), sums AS (
            SELECT type,
                   coalesce(sum(sign) FILTER (WHERE status = 'pending'), 0) AS pending,
                   coalesce(sum(sign) FILTER (WHERE status = 'running'), 0) AS running,
                   coalesce(sum(sign) FILTER (WHERE status = 'completed'), 0) AS completed,
                   coalesce(sum(sign) FILTER (WHERE status = 'failed'), 0) AS failed,
                   coalesce(sum(sign) FILTER (WHERE status NOT IN ('pending', 'running', 'completed', 'failed')), 0) AS cancelled,
                   coalesce(sum(sign) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL), 0) AS runs,
                   coalesce(sum(sign * coalesce(finished_at - started_at, 0)) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL), 0) AS run_ms
            FROM moves GROUP BY type
        ), counted AS (
            -- Only types whose counts changed: an UPDATE of progress or fields writes no counter row.
            INSERT INTO job_counts AS c (type, slot, pending, running, completed, failed, cancelled, runs, run_ms)
            SELECT type, pg_backend_pid() % 64, pending, running, completed, failed, cancelled, runs, run_ms FROM sums
            WHERE pending <> 0 OR running <> 0 OR completed <> 0 OR failed <> 0 OR cancelled <> 0 OR runs <> 0 OR run_ms <> 0
            ON CONFLICT (type, slot) DO UPDATE SET
                pending = c.pending + excluded.pending, running = c.running + excluded.running,
                completed = c.completed + excluded.completed, failed = c.failed + excluded.failed,
                cancelled = c.cancelled + excluded.cancelled, runs = c.runs + excluded.runs, run_ms = c.run_ms + excluded.run_ms
            RETURNING 1
        ), ended AS (
            -- The rows that entered completed or failed, by minute of their end (more new than old rows there).
            SELECT finished_at / 60000 AS minute, status, sum(sign) AS n FROM moves
            WHERE status IN ('completed', 'failed') AND finished_at IS NOT NULL
            GROUP BY 1, 2 HAVING sum(sign) > 0
        ), latest AS (
            -- One row per ring slot: a statement whose ends spanned a day keeps the newest minute, as the ring
            -- would after its rows one by one.
            SELECT minute % 1440 AS slot, max(minute) AS minute FROM ended GROUP BY 1
        )
        INSERT INTO job_minutes AS m (slot, shard, minute, completed, failed)
        SELECT l.slot, pg_backend_pid() % 16, l.minute,
               coalesce(sum(e.n) FILTER (WHERE e.status = 'completed'), 0), coalesce(sum(e.n) FILTER (WHERE e.status = 'failed'), 0)
        FROM latest l JOIN ended e ON e.minute = l.minute
        GROUP BY l.slot, l.minute
        ON CONFLICT (slot, shard) DO UPDATE SET
            completed = CASE WHEN excluded.minute = m.minute THEN m.completed + excluded.completed
                             WHEN excluded.minute > m.minute THEN excluded.completed ELSE m.completed END,
            failed = CASE WHEN excluded.minute = m.minute THEN m.failed + excluded.failed
                          WHEN excluded.minute > m.minute THEN excluded.failed ELSE m.failed END,
            minute = greatest(m.minute, excluded.minute);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION job_counts_statement();
CREATE TRIGGER job_counts_update AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION job_counts_statement();
CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION job_counts_statement();

DROP FUNCTION job_counts_trigger();
