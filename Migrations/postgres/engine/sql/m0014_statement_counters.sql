-- The job counters of m0010 kept per statement instead of per row: one upsert of `job_counts` (and of
-- `job_minutes`) for all the rows a statement inserts, changes or deletes, from its transition tables.
--
-- Why: the engine's hot statements are batches (10 jobs created with one INSERT, a pool's claim of up to its free
-- slots, a pool's ends together), and the per-row trigger ran a PL/pgSQL call and an upsert for each row. In
-- `quaero bench --db postgres://… --only jobs_per_s` (4 worker processes, 2026-11-28) it was called 60,000 times
-- for 20,000 jobs and spent 10.1 s inside them, row-lock waits included (pg_stat_user_functions), against 8.4 s of
-- wall time for the whole run on 2 cores; sampling pg_stat_activity showed a third of the active backends
-- waiting for the row locks of those upserts. A statement of one row pays a little more than before (the
-- transition tables; m0010 measured 2.22 s against 1.84 s for 2,000 jobs of four single-row changes each).
--
-- Each backend adds to its own row among 64 per type (m0010 had 8) and 16 per minute (8): a row stays locked
-- until its transaction commits, and with 8 the batches of 4 worker processes and 8 creators kept waiting for
-- each other's commits (about a third of the active backends in the samples above, with one upsert per row or per
-- statement alike; with 64 rows, a twelfth). Readers add up at most 64 rows per type, and 16 per minute.
--
-- The counts are the same as m0010's: a row whose status did not change counts nothing (the UPDATE trigger
-- compares the old and new rows by id, since transition tables cannot go with a column list), and the jobs
-- that ended are counted in `job_minutes` by UPDATE statements only.
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
        -- Each changed row leaves its old status (−1) and enters its new one (+1).
        WITH changed AS (
            SELECT o.type AS old_type, o.status AS old_status, o.started_at AS old_started, o.finished_at AS old_finished,
                   n.type AS new_type, n.status AS new_status, n.started_at AS new_started, n.finished_at AS new_finished
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.status IS DISTINCT FROM n.status
        ), moves AS (
            SELECT old_type AS type, old_status AS status, -1 AS sign, old_started AS started_at, old_finished AS finished_at FROM changed
            UNION ALL
            SELECT new_type, new_status, 1, new_started, new_finished FROM changed
        ), counted AS (
            INSERT INTO job_counts AS c (type, slot, pending, running, completed, failed, cancelled, runs, run_ms)
            SELECT type, pg_backend_pid() % 64,
                   coalesce(sum(sign) FILTER (WHERE status = 'pending'), 0),
                   coalesce(sum(sign) FILTER (WHERE status = 'running'), 0),
                   coalesce(sum(sign) FILTER (WHERE status = 'completed'), 0),
                   coalesce(sum(sign) FILTER (WHERE status = 'failed'), 0),
                   coalesce(sum(sign) FILTER (WHERE status NOT IN ('pending', 'running', 'completed', 'failed')), 0),
                   coalesce(sum(sign) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL), 0),
                   coalesce(sum(sign * coalesce(finished_at - started_at, 0)) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL), 0)
            FROM moves GROUP BY type
            ON CONFLICT (type, slot) DO UPDATE SET
                pending = c.pending + excluded.pending, running = c.running + excluded.running,
                completed = c.completed + excluded.completed, failed = c.failed + excluded.failed,
                cancelled = c.cancelled + excluded.cancelled, runs = c.runs + excluded.runs, run_ms = c.run_ms + excluded.run_ms
            RETURNING 1
        ), ended AS (
            SELECT new_finished / 60000 AS minute, new_status AS status FROM changed
            WHERE new_status IN ('completed', 'failed') AND new_finished IS NOT NULL
        ), latest AS (
            -- One row per ring slot: a statement whose ends spanned a day keeps the newest minute, as the ring
            -- would after its rows one by one.
            SELECT minute % 1440 AS slot, max(minute) AS minute FROM ended GROUP BY 1
        )
        INSERT INTO job_minutes AS m (slot, shard, minute, completed, failed)
        SELECT l.slot, pg_backend_pid() % 16, l.minute,
               count(*) FILTER (WHERE e.status = 'completed'), count(*) FILTER (WHERE e.status = 'failed')
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
