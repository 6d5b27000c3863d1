-- The message table shared by every named queue (goqite's idea, with fenced leases and dead letters).
-- Times are UTC milliseconds since the epoch.
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    queue       TEXT    NOT NULL,
    type        TEXT,                          -- the message type, when the sender names one (per-type stats)
    body        BLOB    NOT NULL,
    priority    INTEGER NOT NULL DEFAULT 0,    -- higher first
    visible_at  INTEGER NOT NULL,              -- available from then on (send delay, retry backoff)
    received    INTEGER NOT NULL DEFAULT 0,    -- deliveries so far
    lease       INTEGER,                       -- names the current delivery; NULL when nobody holds it
    leased_until INTEGER,                      -- the current delivery hides it until then
    owner       INTEGER,                       -- the worker pool holding the lease, for liveness
    dedup_key   TEXT,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    dead_at     INTEGER                        -- set when dead-lettered; such a row is never delivered
) STRICT;

-- The hot path: receive walks (queue, priority DESC, visible_at, id) and takes the first rows whose lease
-- (if any) has expired, so delayed rows (visible_at in the future) sit behind the ready ones of each
-- priority. A delivery changes only leased_until, which is not indexed: receiving, extending and deleting
-- touch as few pages as the plain C floor does. Rows held by a lease are skipped by reading the row; there
-- are as many of those as messages in flight.
CREATE INDEX messages_receive ON messages (queue, priority DESC, visible_at) WHERE dead_at IS NULL;

-- Dead letters, listed oldest first; only dead rows are in it.
CREATE INDEX messages_dead ON messages (queue, dead_at, type) WHERE dead_at IS NOT NULL;

-- At most one live message per dedup key in a queue.
CREATE UNIQUE INDEX messages_dedup ON messages (queue, dedup_key) WHERE dedup_key IS NOT NULL;

-- Leases by holder: a pool found dead gets all of its leases released in one indexed statement.
CREATE INDEX messages_owner ON messages (owner) WHERE owner IS NOT NULL;

-- Running worker pools and their last heartbeat: a pool that missed three loses its leases.
-- AUTOINCREMENT: an id is never reused, so a lease can never be credited to a later pool.
CREATE TABLE worker_pools (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT    NOT NULL,
    pid            INTEGER NOT NULL,
    started_at     INTEGER NOT NULL,
    heartbeat_at   INTEGER NOT NULL,
    heartbeat_ms   INTEGER NOT NULL
) STRICT;
