-- Job records: one per job, with its parent, status, progress and outcome. Times are UTC milliseconds.
CREATE TABLE jobs (
    id                  TEXT    PRIMARY KEY,   -- 26-char time-ordered id (JobMessage.newID)
    parent_id           TEXT    REFERENCES jobs (id) ON DELETE CASCADE,
    type                TEXT    NOT NULL,
    status              TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    config              TEXT    NOT NULL DEFAULT '{}',   -- JSON
    progress_total      INTEGER NOT NULL DEFAULT 0,
    progress_completed  INTEGER NOT NULL DEFAULT 0,
    progress_failed     INTEGER NOT NULL DEFAULT 0,
    result              TEXT,                  -- JSON
    error               TEXT,
    message_id          INTEGER,               -- the queue message that runs it, while there is one
    attempts            INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    started_at          INTEGER,
    finished_at         INTEGER,
    updated_at          INTEGER NOT NULL
) STRICT;

CREATE INDEX jobs_parent ON jobs (parent_id, created_at) WHERE parent_id IS NOT NULL;
CREATE INDEX jobs_status ON jobs (status, created_at);
CREATE INDEX jobs_type_status ON jobs (type, status);
