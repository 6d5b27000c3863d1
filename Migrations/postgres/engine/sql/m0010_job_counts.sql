-- Per-type counts of jobs by status, and the run time of those that ran, kept in the same transaction as each
-- status change (SQLite's m0010): what the dashboard's overview, `GET /metrics` and `JobManager.stats()` read,
-- in time that does not grow with the jobs table.
--
-- Triggers keep them, as on SQLite, so that every statement that creates, changes or deletes a job (cascades
-- included) counts without any caller's help. Unlike SQLite (one writer at a time), PostgreSQL runs many
-- writers at once, and a row updated by a transaction stays locked until it commits: one row per type would
-- make every status change of a type wait for the previous one's commit. So each type has up to 8 rows
-- (`slot`, chosen by the backend's process id), and readers add them up.
CREATE TABLE job_counts (
    type       text    NOT NULL,
    slot       integer NOT NULL,
    pending    bigint  NOT NULL DEFAULT 0,
    running    bigint  NOT NULL DEFAULT 0,
    completed  bigint  NOT NULL DEFAULT 0,
    failed     bigint  NOT NULL DEFAULT 0,
    cancelled  bigint  NOT NULL DEFAULT 0,
    -- Completed and failed jobs with a start and an end: their number and total run time (end − last start).
    runs       bigint  NOT NULL DEFAULT 0,
    run_ms     bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (type, slot)
) WITH (fillfactor = 50);

-- Jobs that ended per minute (UTC minutes since the epoch), for the last day: a ring of 1440 slots
-- (minute % 1440) per shard, so the table never grows. A slot holding an older minute starts over.
CREATE TABLE job_minutes (
    slot       bigint  NOT NULL,
    shard      integer NOT NULL,
    minute     bigint  NOT NULL,
    completed  bigint  NOT NULL DEFAULT 0,
    failed     bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (slot, shard)
) WITH (fillfactor = 50);

-- The jobs already stored are counted once.
INSERT INTO job_counts (type, slot, pending, running, completed, failed, cancelled, runs, run_ms)
SELECT type, 0, count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'running'),
       count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed'),
       count(*) FILTER (WHERE status = 'cancelled'),
       count(*) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL AND finished_at IS NOT NULL),
       coalesce(sum(finished_at - started_at) FILTER (WHERE status IN ('completed', 'failed') AND started_at IS NOT NULL), 0)
FROM jobs GROUP BY type;

-- One statement per change: the job's share of the counters leaves its old status and joins its new one in one
-- upsert. Measured (2,000 jobs, each inserted, started, its progress updated and completed in its own
-- transaction, psql on this machine): 1.41–1.57 s without counters, 1.84–2.00 s with these (about 70 µs per
-- status change), 2.22–2.27 s with statement-level triggers over transition tables. Many changes of one type
-- in one transaction update one row again and again: 1,000 jobs inserted at once take 28 ms, 5,000 take 315 ms.
CREATE FUNCTION job_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d bigint[] := '{0,0,0,0,0,0,0}';
    t text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        t := OLD.type;
        CASE OLD.status WHEN 'pending' THEN d[1] := -1; WHEN 'running' THEN d[2] := -1; WHEN 'completed' THEN d[3] := -1;
                        WHEN 'failed' THEN d[4] := -1; ELSE d[5] := -1; END CASE;
        IF OLD.status IN ('completed', 'failed') AND OLD.started_at IS NOT NULL THEN
            d[6] := -(OLD.finished_at IS NOT NULL)::int;
            d[7] := -coalesce(OLD.finished_at - OLD.started_at, 0);
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        t := NEW.type;
        CASE NEW.status WHEN 'pending' THEN d[1] := d[1] + 1; WHEN 'running' THEN d[2] := d[2] + 1; WHEN 'completed' THEN d[3] := d[3] + 1;
                        WHEN 'failed' THEN d[4] := d[4] + 1; ELSE d[5] := d[5] + 1; END CASE;
        IF NEW.status IN ('completed', 'failed') AND NEW.started_at IS NOT NULL THEN
            d[6] := d[6] + (NEW.finished_at IS NOT NULL)::int;
            d[7] := d[7] + coalesce(NEW.finished_at - NEW.started_at, 0);
        END IF;
    END IF;
    INSERT INTO job_counts AS c (type, slot, pending, running, completed, failed, cancelled, runs, run_ms)
    VALUES (t, pg_backend_pid() % 8, d[1], d[2], d[3], d[4], d[5], d[6], d[7])
    ON CONFLICT (type, slot) DO UPDATE SET
        pending = c.pending + excluded.pending, running = c.running + excluded.running,
        completed = c.completed + excluded.completed, failed = c.failed + excluded.failed,
        cancelled = c.cancelled + excluded.cancelled, runs = c.runs + excluded.runs, run_ms = c.run_ms + excluded.run_ms;
    IF TG_OP = 'UPDATE' AND NEW.status IN ('completed', 'failed') AND NEW.finished_at IS NOT NULL THEN
        INSERT INTO job_minutes AS m (slot, shard, minute, completed, failed)
        VALUES (NEW.finished_at / 60000 % 1440, pg_backend_pid() % 8, NEW.finished_at / 60000,
                (NEW.status = 'completed')::int, (NEW.status = 'failed')::int)
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
CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION job_counts_trigger();
-- Only when the status really changes (a re-claim of a running job sets it to running again).
CREATE TRIGGER job_counts_status AFTER UPDATE OF status ON jobs FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION job_counts_trigger();
CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION job_counts_trigger();
