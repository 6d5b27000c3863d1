-- Flow control (DESIGN §8), held in the database so that it holds across processes and restarts: the tables
-- and columns of SQLite's m0009.

-- Paused queues and job types: a row with type '' pauses the whole queue, any other the messages of that
-- type in it. Claims skip what is paused (read inside the claim statement); sends still land.
CREATE TABLE queue_pauses (
    queue       text    NOT NULL,
    type        text    NOT NULL,            -- '' for the whole queue
    paused_at   bigint  NOT NULL,
    PRIMARY KEY (queue, type)
);

-- A message's limits, given by its sender. NULL everywhere for a message without limits.
ALTER TABLE messages ADD COLUMN limit_key text;           -- e.g. host:example.com
ALTER TABLE messages ADD COLUMN limit_max bigint;         -- at most this many of the key's messages in flight
ALTER TABLE messages ADD COLUMN limit_interval bigint;    -- at least this many ms between starts of the key
ALTER TABLE messages ADD COLUMN type_max bigint;          -- at most this many of its type in flight in the queue

-- Messages by limit key (and of a type with a max_in_flight): what the claim counts. Unlike SQLite's, these
-- leave leased_until out of the key: a claim changes leased_until, and an index on a changed column makes
-- every claim a non-HOT update (PostgreSQL docs, "Heap-Only Tuples"); the few rows of a key are read from
-- the heap instead.
CREATE INDEX messages_limit ON messages (limit_key) WHERE limit_key IS NOT NULL;
CREATE INDEX messages_type_limit ON messages (queue, type) WHERE type_max IS NOT NULL;

-- The rate of each limit key: the earliest time its next message may start. Its row is also what serializes
-- two claims starting the same key (INSERT ... ON CONFLICT DO UPDATE locks it).
CREATE TABLE limit_keys (
    key         text    PRIMARY KEY,
    next_start  bigint  NOT NULL
);

-- Unique jobs: a job created with a unique key is not created again while one with the same key, created
-- within the period the caller names, has one of the statuses it names.
ALTER TABLE jobs ADD COLUMN unique_key text;
CREATE INDEX jobs_unique ON jobs (unique_key, created_at) WHERE unique_key IS NOT NULL;

-- Cron schedules: what each has fired, and whether it is paused. `watermark` is the latest fire time handled:
-- a fire time is handled once, by a compare-and-set on it (an UPDATE ... WHERE watermark = expected, which
-- PostgreSQL re-checks on the latest row version after waiting for a concurrent writer), whatever the number
-- of processes.
CREATE TABLE schedules (
    name         text    PRIMARY KEY,
    paused       boolean NOT NULL DEFAULT false,
    watermark    bigint  NOT NULL,
    last_fire_at bigint,
    last_job_id  text,
    created_at   bigint  NOT NULL,
    updated_at   bigint  NOT NULL
);
