-- Job records: one per job, with its parent, status, progress and outcome (the columns of SQLite's m0002).
-- Times are UTC milliseconds.
CREATE TABLE jobs (
    id                    text    PRIMARY KEY,  -- 26-char time-ordered id (JobMessage.newID)
    parent_id             text    REFERENCES jobs (id) ON DELETE CASCADE,
    type                  text    NOT NULL,
    status                text    NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    config                text    NOT NULL DEFAULT '{}',   -- JSON, as the engine wrote it
    fields                text    NOT NULL DEFAULT '{}',   -- JSON: the message's other fields (a rerun resends them)
    progress_total        integer NOT NULL DEFAULT 0,      -- children created, or what the handler reports
    progress_completed    integer NOT NULL DEFAULT 0,
    progress_failed       integer NOT NULL DEFAULT 0,
    message               text,                  -- the latest progress message
    result                text,                  -- JSON
    error                 text,
    message_id            bigint,                -- the queue message that runs it, while there is one
    attempts              integer NOT NULL DEFAULT 0,
    -- The engine's own child counters (progress_* may be rewritten by a handler's progress reports): a parent
    -- whose handler is done ends when children_ended reaches children.
    children              integer NOT NULL DEFAULT 0,
    children_ended        integer NOT NULL DEFAULT 0,
    children_failed       integer NOT NULL DEFAULT 0,
    fail_on_child_failure boolean NOT NULL DEFAULT true,   -- the parent fails when any child failed
    created_at            bigint  NOT NULL,
    started_at            bigint,
    finished_at           bigint,
    updated_at            bigint  NOT NULL
);

-- Listing: ids are time-ordered, so (filter, id) gives newest-first pages without a sort.
CREATE INDEX jobs_parent ON jobs (parent_id, id) WHERE parent_id IS NOT NULL;
CREATE INDEX jobs_status ON jobs (status, id);
CREATE INDEX jobs_type ON jobs (type, id);
