-- Leadership: one row per kind of work that must run once across the processes sharing the database
-- (releasing dead pools' leases, the cleanup schedule). The holder renews its row before it expires; when it
-- dies, another process takes the row once it has expired.
CREATE TABLE leader_leases (
    name        TEXT    PRIMARY KEY,
    holder      TEXT    NOT NULL,  -- the leading process (host, pid and a random part)
    acquired_at INTEGER NOT NULL,  -- when this holder took it
    expires_at  INTEGER NOT NULL   -- taken over by another after this
) STRICT, WITHOUT ROWID;
