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

-- One job's share of the counters: +1 in its status, and its run when it ended with a start and an end.
CREATE FUNCTION job_counts_add(t text, status text, started bigint, finished bigint, sign integer) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO job_counts AS c (type, slot, pending, running, completed, failed, cancelled, runs, run_ms)
    VALUES (t, pg_backend_pid() % 8,
            sign * (status = 'pending')::int, sign * (status = 'running')::int, sign * (status = 'completed')::int,
            sign * (status = 'failed')::int, sign * (status = 'cancelled')::int,
            sign * (status IN ('completed', 'failed') AND started IS NOT NULL AND finished IS NOT NULL)::int,
            sign * CASE WHEN status IN ('completed', 'failed') AND started IS NOT NULL THEN coalesce(finished - started, 0) ELSE 0 END)
    ON CONFLICT (type, slot) DO UPDATE SET
        pending = c.pending + excluded.pending, running = c.running + excluded.running,
        completed = c.completed + excluded.completed, failed = c.failed + excluded.failed,
        cancelled = c.cancelled + excluded.cancelled, runs = c.runs + excluded.runs, run_ms = c.run_ms + excluded.run_ms
$$;

CREATE FUNCTION job_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM job_counts_add(OLD.type, OLD.status, OLD.started_at, OLD.finished_at, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM job_counts_add(NEW.type, NEW.status, NEW.started_at, NEW.finished_at, 1);
    END IF;
    -- Its minute, when it ends (a minute older than the slot holds is counted nowhere: its day has passed).
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
