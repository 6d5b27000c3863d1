-- SQLite's m0005 dropped the indexes on messages.owner and jobs.message_id; this chain never had them, so
-- that a claim, an extend and a heartbeat stay HOT updates (no index entry written; PostgreSQL docs,
-- "Heap-Only Tuples"). What HOT also needs is room on the row's page for its new version, and what a queue
-- needs is dead versions cleared quickly: with default autovacuum, receive+delete fell from 3.9k/s to
-- 1.4k/s within a minute of a 600k backlog here (dead index entries at the head of messages_receive;
-- ../shared/bench/README.md). The leader vacuums the hot tables every few seconds; autovacuum is the backstop.
ALTER TABLE messages SET (
    fillfactor = 70,
    autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0,
    autovacuum_analyze_scale_factor = 0.02
);
-- Three updates per job run (start, end, and a parent's counters).
ALTER TABLE jobs SET (
    fillfactor = 80,
    autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 0
);
-- One row per pool, rewritten at every heartbeat.
ALTER TABLE worker_pools SET (fillfactor = 50, autovacuum_vacuum_threshold = 100, autovacuum_vacuum_scale_factor = 0);
