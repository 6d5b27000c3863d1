-- Per-type counts of jobs by status, and the run time of those that ran, kept in the same transaction as each
-- status change (DESIGN §5: counts come from counters, not from counting rows): what the dashboard's overview,
-- `GET /metrics` and `JobManager.stats()` read, in time that does not grow with the jobs table.
--
-- Triggers keep them, so every statement that creates, changes or deletes a job (cascades included: SQLite
-- fires the DELETE trigger for each row a foreign key cascade deletes) counts without any caller's help. One
-- row per type, one column per status: a status change is one row update. Cost measured with
-- `quaero bench --only jobs_per_s` (README, Dashboard).
CREATE TABLE job_counts (
    type       TEXT    PRIMARY KEY,
    pending    INTEGER NOT NULL DEFAULT 0,
    running    INTEGER NOT NULL DEFAULT 0,
    completed  INTEGER NOT NULL DEFAULT 0,
    failed     INTEGER NOT NULL DEFAULT 0,
    cancelled  INTEGER NOT NULL DEFAULT 0,
    -- Completed and failed jobs with a start and an end: their number and total run time (end − last start),
    -- for the mean run time.
    runs       INTEGER NOT NULL DEFAULT 0,
    run_ms     INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- Jobs that ended per minute (UTC minutes since the epoch), for the last day: a ring of 1440 slots
-- (minute % 1440), so the table never grows and needs no pruning. A slot holding an older minute starts over.
CREATE TABLE job_minutes (
    slot       INTEGER PRIMARY KEY,
    minute     INTEGER NOT NULL,
    completed  INTEGER NOT NULL DEFAULT 0,
    failed     INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The jobs already stored are counted once.
INSERT INTO job_counts (type, pending, running, completed, failed, cancelled, runs, run_ms)
SELECT type, sum(status = 'pending'), sum(status = 'running'), sum(status = 'completed'), sum(status = 'failed'),
       sum(status = 'cancelled'),
       sum(status IN ('completed', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL),
       coalesce(sum(finished_at - started_at) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL), 0)
FROM jobs GROUP BY type;

CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO job_counts (type, pending, running, completed, failed, cancelled)
    VALUES (new.type, new.status = 'pending', new.status = 'running', new.status = 'completed', new.status = 'failed',
            new.status = 'cancelled')
    ON CONFLICT (type) DO UPDATE SET
        pending = pending + excluded.pending, running = running + excluded.running,
        completed = completed + excluded.completed, failed = failed + excluded.failed,
        cancelled = cancelled + excluded.cancelled;
END;

-- Only when the status really changes (a re-claim of a running job sets it to running again).
CREATE TRIGGER job_counts_status AFTER UPDATE OF status ON jobs WHEN old.status IS NOT new.status BEGIN
    UPDATE job_counts SET
        pending = pending + (new.status = 'pending') - (old.status = 'pending'),
        running = running + (new.status = 'running') - (old.status = 'running'),
        completed = completed + (new.status = 'completed') - (old.status = 'completed'),
        failed = failed + (new.status = 'failed') - (old.status = 'failed'),
        cancelled = cancelled + (new.status = 'cancelled') - (old.status = 'cancelled'),
        runs = runs + (new.status IN ('completed', 'failed') AND new.started_at IS NOT NULL AND new.finished_at IS NOT NULL)
                    - (old.status IN ('completed', 'failed') AND old.started_at IS NOT NULL AND old.finished_at IS NOT NULL),
        run_ms = run_ms
            + iif(new.status IN ('completed', 'failed') AND new.started_at IS NOT NULL, coalesce(new.finished_at - new.started_at, 0), 0)
            - iif(old.status IN ('completed', 'failed') AND old.started_at IS NOT NULL, coalesce(old.finished_at - old.started_at, 0), 0)
    WHERE type = new.type;
    -- Its minute, when it ends (a minute older than the slot holds is counted nowhere: its day has passed).
    INSERT INTO job_minutes (slot, minute, completed, failed)
    SELECT new.finished_at / 60000 % 1440, new.finished_at / 60000, new.status = 'completed', new.status = 'failed'
    WHERE new.status IN ('completed', 'failed') AND new.finished_at IS NOT NULL
    ON CONFLICT (slot) DO UPDATE SET
        completed = CASE WHEN excluded.minute = minute THEN completed + excluded.completed
                         WHEN excluded.minute > minute THEN excluded.completed ELSE completed END,
        failed = CASE WHEN excluded.minute = minute THEN failed + excluded.failed
                      WHEN excluded.minute > minute THEN excluded.failed ELSE failed END,
        minute = max(minute, excluded.minute);
END;

CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs BEGIN
    UPDATE job_counts SET
        pending = pending - (old.status = 'pending'),
        running = running - (old.status = 'running'),
        completed = completed - (old.status = 'completed'),
        failed = failed - (old.status = 'failed'),
        cancelled = cancelled - (old.status = 'cancelled'),
        runs = runs - (old.status IN ('completed', 'failed') AND old.started_at IS NOT NULL AND old.finished_at IS NOT NULL),
        run_ms = run_ms - iif(old.status IN ('completed', 'failed') AND old.started_at IS NOT NULL, coalesce(old.finished_at - old.started_at, 0), 0)
    WHERE type = old.type;
END;
