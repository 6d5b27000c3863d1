-- SQLite's m0014 moves its count of deliveries in flight per limit key into a table of its own (`limit_holds`),
-- because its partial indexes on the lease's end cost every message's insert, lease and delete. PostgreSQL
-- never indexed a lease column (m0009: `messages_limit` is on limit_key alone, so that a claim stays a HOT
-- update) and counts a key's leases through that index: it has nothing to change. The version is kept so that
-- both chains carry the same numbers.
SELECT 1;
