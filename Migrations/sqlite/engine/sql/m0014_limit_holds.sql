-- Limit slots held in a table of their own, so that plain messages pay nothing for flow control (issues 11
-- and 14).
--
-- m0009 counted a key's (and a type's) messages in flight through two partial indexes on `messages`,
-- (limit_key, leased_until) and (queue, type, leased_until). Every INSERT, lease UPDATE and DELETE of every
-- message, limited or not, then opened both indexes and tested their WHERE: counted with callgrind over send,
-- receive and delete of plain messages (SQLite 3.40.1, page size 1024), about 5,700 instructions per message,
-- half of what `messages` had come to cost more than before the store seam.
--
-- A delivery of a message with limits now writes one row here, keyed by the message, holding its lease's end;
-- its ack, release, dead letter, give back or snooze deletes it, an extend moves it. The store knows which
-- deliveries hold one from their lease token (its lowest bit), so a plain delivery never looks here. A hold
-- whose worker died stops counting when its lease ends, as before, and is pruned with the limit keys.
-- PostgreSQL keeps counting through its index on limit_key alone (no lease column is indexed there, so its
-- claims stay HOT updates): this table is SQLite's own.
CREATE TABLE limit_holds (
    message_id  INTEGER PRIMARY KEY,
    queue       TEXT    NOT NULL,
    type        TEXT,
    limit_key   TEXT,                   -- the message's limit key, if it has one
    type_max    INTEGER,                -- its type's max_in_flight, if it has one
    held_until  INTEGER NOT NULL        -- the end of the delivery's lease
) STRICT;

CREATE INDEX limit_holds_key ON limit_holds (limit_key, held_until) WHERE limit_key IS NOT NULL;
CREATE INDEX limit_holds_type ON limit_holds (queue, type, held_until) WHERE type_max IS NOT NULL;

-- The deliveries in flight now hold their slots. Their tokens predate the mark: the end of one whose token
-- happens to lack it leaves its hold to run out with the lease (the limit is then stricter than it needs to be
-- for at most one visibility timeout).
INSERT INTO limit_holds (message_id, queue, type, limit_key, type_max, held_until)
SELECT id, queue, type, limit_key, type_max, leased_until FROM messages
WHERE (limit_key IS NOT NULL OR type_max IS NOT NULL) AND leased_until IS NOT NULL AND dead_at IS NULL;

DROP INDEX messages_limit;
DROP INDEX messages_type_limit;
