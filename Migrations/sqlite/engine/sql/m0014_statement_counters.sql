-- PostgreSQL's m0014 keeps its job counters per statement instead of per row. SQLite has kept them at commit
-- since m0013 (the store's own `CounterDeltas`), so nothing changes here: the migration is recorded so that one
-- version means the same schema on both stores.
SELECT 1;
