-- The HTTP worker protocol (DESIGN §10): workers outside Quaero's processes claim jobs over HTTP.

-- The worker that started a job's latest attempt: a worker pool's name, or the name a remote worker gives.
ALTER TABLE jobs ADD COLUMN worker TEXT;

-- What remote workers announced, by claiming: the job types each serves, live until expires_at (renewed by
-- each claim, and by each heartbeat of a job it holds). Held in the database so that every process sees
-- them: a pool without a handler for a type that a live remote worker serves leaves its messages alone, and
-- `POST /api/jobs` accepts jobs of it. One row per worker and type; a few rows per running worker.
CREATE TABLE remote_workers (
    name           TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    first_seen_at  INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    PRIMARY KEY (name, type)
) STRICT, WITHOUT ROWID;

-- Every claim of a worker pool asks which types are served now (`expires_at > now`), and announcements are
-- forgotten by age: both are ranges of this index, which also carries the type (no table lookup).
CREATE INDEX remote_workers_expiry ON remote_workers (expires_at, type);
