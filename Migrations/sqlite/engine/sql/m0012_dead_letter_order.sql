-- Dead letters newest first, a page at a time (the dashboard; `StoreReader.deadLetters(_:)`): keyset pages by
-- (dead_at, id), in total or of one type. In each index the rowid (the message id) follows dead_at, so
-- `ORDER BY dead_at DESC, id DESC` walks the index without a sort. Only dead rows are in them, and a message is
-- dead-lettered at most once per life, so they cost the hot path (send, receive, delete) nothing.
-- m0001's (queue, dead_at, type) put the type between dead_at and the id; counts by type read the new
-- (queue, type, dead_at) instead.
DROP INDEX messages_dead;
CREATE INDEX messages_dead ON messages (queue, dead_at) WHERE dead_at IS NOT NULL;
CREATE INDEX messages_dead_type ON messages (queue, type, dead_at) WHERE dead_at IS NOT NULL;
