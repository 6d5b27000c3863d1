-- Flow control (DESIGN §8), held in the database so that it holds across processes and restarts.

-- Paused queues and job types: a row with type '' pauses the whole queue, any other the messages of that
-- type in it. Claims skip what is paused; sends still land. Read by every claim through a short-lived cache
-- of the store (a probe per claim cost about 1.5 µs here, about 5 % of a receive and delete).
CREATE TABLE queue_pauses (
    queue       TEXT    NOT NULL,
    type        TEXT    NOT NULL,            -- '' for the whole queue
    paused_at   INTEGER NOT NULL,
    PRIMARY KEY (queue, type)
) STRICT, WITHOUT ROWID;

-- A message's limits, given by its sender (a job's limit key and the limits that apply to it, its type's
-- cluster-wide max_in_flight). NULL everywhere for a message without limits: the claim reads these columns
-- with the others and does nothing more for such a row.
ALTER TABLE messages ADD COLUMN limit_key TEXT;           -- e.g. host:example.com
ALTER TABLE messages ADD COLUMN limit_max INTEGER;        -- at most this many of the key's messages in flight
ALTER TABLE messages ADD COLUMN limit_interval INTEGER;   -- at least this many ms between starts of the key
ALTER TABLE messages ADD COLUMN type_max INTEGER;         -- at most this many of its type in flight in the queue

-- Leased messages by limit key: what the claim counts for a key. Only messages with a key are in it, so
-- a lease of any other message writes no entry here.
CREATE INDEX messages_limit ON messages (limit_key, leased_until) WHERE limit_key IS NOT NULL;
-- Leased messages of a type with a cluster-wide max_in_flight, likewise.
CREATE INDEX messages_type_limit ON messages (queue, type, leased_until) WHERE type_max IS NOT NULL;

-- The rate of each limit key: the earliest time its next message may start (a theoretical arrival time).
CREATE TABLE limit_keys (
    key         TEXT    PRIMARY KEY,
    next_start  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Unique jobs: a job created with a unique key is not created again while one with the same key, created
-- within the period the caller names, has one of the statuses it names.
ALTER TABLE jobs ADD COLUMN unique_key TEXT;
CREATE INDEX jobs_unique ON jobs (unique_key, created_at) WHERE unique_key IS NOT NULL;

-- Cron schedules: what each has fired, and whether it is paused. Definitions live in the configuration.
-- `watermark` is the latest fire time handled (fired, or skipped by its catch-up policy or a pause): a
-- fire time is handled once, by a compare-and-set on it, whatever the number of processes.
CREATE TABLE schedules (
    name         TEXT    PRIMARY KEY,
    paused       INTEGER NOT NULL DEFAULT 0,
    watermark    INTEGER NOT NULL,
    last_fire_at INTEGER,                   -- when it last created a job (on time, caught up, or run by hand)
    last_job_id  TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
