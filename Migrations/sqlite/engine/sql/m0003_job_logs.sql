-- Job logs: the lines a job writes while it runs, appended in batches by the LogService.
-- Times are UTC milliseconds since the epoch. Within one process, ids and timestamps both increase in
-- append order, so (timestamp, id) orders a job's lines as they were written.
CREATE TABLE job_logs (
    id          INTEGER PRIMARY KEY,
    job_id      TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    timestamp   INTEGER NOT NULL,
    -- Spelled with OR, not IN: SQLite builds the IN list's lookup table again for every INSERT, which cut
    -- the insert rate by about 40% when measured here (SQLite 3.40).
    level       TEXT    NOT NULL CHECK (level = 'debug' OR level = 'info' OR level = 'warning' OR level = 'error'),
    message     TEXT    NOT NULL
) STRICT;

-- A job's lines, newest first (the rowid rides along, so ORDER BY timestamp DESC, id DESC needs no sort).
-- It also serves the ON DELETE CASCADE: deleting a job finds its lines here (job_id leads), so deleting
-- jobs costs a lookup per job instead of a scan of every log line.
CREATE INDEX job_logs_job ON job_logs (job_id, timestamp);

-- Lines by level across jobs (recent errors, counts per level), and retention: with the four levels
-- listed, `timestamp < ?` becomes four range scans of this index instead of a table scan.
CREATE INDEX job_logs_level ON job_logs (level, timestamp);
