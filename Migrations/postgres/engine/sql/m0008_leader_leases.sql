-- Leadership: one row per kind of work that must run once per cluster (releasing dead pools' leases, the
-- cleanup schedule, vacuuming the hot tables). The holder renews its row before it expires; when it dies,
-- another process takes the row once it has expired.
CREATE TABLE leader_leases (
    name        text   PRIMARY KEY,
    holder      text   NOT NULL,  -- the leading process (host, pid and a random part)
    acquired_at bigint NOT NULL,  -- when this holder took it
    expires_at  bigint NOT NULL   -- taken over by another after this
) WITH (fillfactor = 50);
