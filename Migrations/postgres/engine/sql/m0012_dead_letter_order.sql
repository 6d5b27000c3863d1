-- Dead letters newest first, a page at a time (the dashboard; `StoreReader.deadLetters(_:)`): keyset pages by
-- (dead_at, id), in total or of one type, walked backwards through these indexes without a sort. Only dead
-- rows are in them (SQLite's m0012).
DROP INDEX messages_dead;
CREATE INDEX messages_dead ON messages (queue, dead_at, id) WHERE dead_at IS NOT NULL;
CREATE INDEX messages_dead_type ON messages (queue, type, dead_at, id) WHERE dead_at IS NOT NULL;
