-- SQLite's m0016 takes the lease's end out of its limit indexes (each delivery maintained them) into a column
-- written only for messages with limits. PostgreSQL's limit indexes never held leased_until (m0009: an indexed
-- lease column would make every claim a non-HOT update), so nothing changes here: the migration is recorded so that
-- one version means the same stage on both stores, and the schema test lists SQLite's column as its own.
SELECT 1;
