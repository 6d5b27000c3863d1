-- The HTTP worker protocol (DESIGN §10): workers outside Quaero's processes claim jobs over HTTP. The same
-- columns as SQLite's m0007.

-- The worker that started a job's latest attempt: a worker pool's name, or the name a remote worker gives.
-- Not indexed: set by the claim's update of the job, which stays a HOT update.
ALTER TABLE jobs ADD COLUMN worker text;

-- What remote workers announced, by claiming: the job types each serves, live until expires_at (renewed by
-- each claim, and by each heartbeat of a job it holds). In the database so that every process on every
-- machine sees them. One row per worker and type.
CREATE TABLE remote_workers (
    name           text   NOT NULL,
    type           text   NOT NULL,
    first_seen_at  bigint NOT NULL,
    last_seen_at   bigint NOT NULL,
    expires_at     bigint NOT NULL,
    PRIMARY KEY (name, type)
);

-- Every claim of a worker pool asks which types are served now (`expires_at > now`), and announcements are
-- forgotten by age: both are ranges of this index, which also carries the type (an index-only scan).
CREATE INDEX remote_workers_expiry ON remote_workers (expires_at, type);
