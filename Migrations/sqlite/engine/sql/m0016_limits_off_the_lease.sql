-- A delivery writes no index again, as m0001 meant ("a delivery changes only leased_until, which is not indexed"):
-- m0009 indexed leased_until for the messages with limits (messages_limit by key, messages_type_limit by type),
-- and SQLite maintains an index on every UPDATE that assigns one of its columns, whatever the row: each lease of
-- any message opened both indexes and tested both partial conditions, 51 VM steps against 35 (`scripts/sqlite-steps`
-- on `quaero bench --only receive_delete_per_s`, 2026-11-29), and each send and delete tested two conditions.
--
-- `limit_until` is the lease's end of a message with limits, written by the claim that leases such a message (and
-- by extend, and cleared by every statement that clears leased_until); NULL for any other message. One partial
-- index holds the leased messages with limits, few at any time (at most the slots of the pools that claim): a claim
-- that meets limits reads them all once and counts by key and by type (`FlowSQL.limitedInFlight`).
ALTER TABLE messages ADD COLUMN limit_until INTEGER;
UPDATE messages SET limit_until = leased_until
WHERE leased_until IS NOT NULL AND dead_at IS NULL AND (limit_key IS NOT NULL OR type_max IS NOT NULL);
DROP INDEX messages_limit;
DROP INDEX messages_type_limit;
CREATE INDEX messages_limited ON messages (limit_until) WHERE limit_until IS NOT NULL;
