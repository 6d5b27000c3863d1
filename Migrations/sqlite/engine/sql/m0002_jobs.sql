-- Job records: one per job, with its parent, status, progress and outcome. Times are UTC milliseconds.
CREATE TABLE jobs (
    id                  TEXT    PRIMARY KEY,   -- 26-char time-ordered id (JobMessage.newID)
    parent_id           TEXT    REFERENCES jobs (id) ON DELETE CASCADE,
    type                TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    config              TEXT    NOT NULL DEFAULT '{}',   -- JSON
    fields              TEXT    NOT NULL DEFAULT '{}',   -- JSON: the message's other fields (a rerun resends them)
    progress_total      INTEGER NOT NULL DEFAULT 0,      -- children created, or what the handler reports
    progress_completed  INTEGER NOT NULL DEFAULT 0,
    progress_failed     INTEGER NOT NULL DEFAULT 0,
    message             TEXT,                  -- the latest progress message
    result              TEXT,                  -- JSON
    error               TEXT,
    message_id          INTEGER,               -- the queue message that runs it, while there is one
    attempts            INTEGER NOT NULL DEFAULT 0,
    -- The engine's own child counters (progress_* may be rewritten by a handler's progress reports):
    -- a parent whose handler is done ends when children_ended reaches children.
    children            INTEGER NOT NULL DEFAULT 0,
    children_ended      INTEGER NOT NULL DEFAULT 0,
    children_failed     INTEGER NOT NULL DEFAULT 0,
    fail_on_child_failure INTEGER NOT NULL DEFAULT 1,  -- the parent fails when any child failed
    created_at          INTEGER NOT NULL,
    started_at          INTEGER,
    finished_at         INTEGER,
    updated_at          INTEGER NOT NULL
) STRICT, WITHOUT ROWID;  -- one b-tree keyed by id: no separate rowid tree and id index to write per job

-- Listing: ids are time-ordered, so (filter, id) gives newest-first pages without a sort.
CREATE INDEX jobs_parent ON jobs (parent_id, id) WHERE parent_id IS NOT NULL;
CREATE INDEX jobs_status ON jobs (status, id);
-- By type without the status: a status change (three per job run) does not have to move this entry.
CREATE INDEX jobs_type ON jobs (type, id);
-- The worker finds the job of a delivered message by its message id (hot path).
CREATE UNIQUE INDEX jobs_message ON jobs (message_id) WHERE message_id IS NOT NULL;
