-- Dead letters counted per queue and type (SQLite's m0013 `dead_counts`), so that queue statistics and the
-- dashboard's overview read one row per type instead of counting dead rows. SQLite writes its counters once
-- per row at commit (its single writer); here, as the job counters of m0010, a trigger keeps them in the same
-- transaction as each change: it fires only when a message becomes dead, comes back from the dead, or a dead
-- one is deleted (the WHEN clauses), so a claim, an ack or an extend of a live message writes nothing here.
-- SQLite's m0013 also drops its per-row job counter and search triggers; PostgreSQL keeps m0010's and m0011's.
CREATE TABLE dead_counts (
    queue   text    NOT NULL,
    type    text    NOT NULL,               -- '' for messages without a type
    dead    bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (queue, type)
);

INSERT INTO dead_counts (queue, type, dead)
SELECT queue, coalesce(type, ''), count(*) FROM messages WHERE dead_at IS NOT NULL GROUP BY queue, coalesce(type, '');

CREATE FUNCTION dead_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.dead_at IS NOT NULL THEN
        UPDATE dead_counts SET dead = dead - 1 WHERE queue = OLD.queue AND type = coalesce(OLD.type, '');
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.dead_at IS NOT NULL THEN
        INSERT INTO dead_counts AS c (queue, type, dead) VALUES (NEW.queue, coalesce(NEW.type, ''), 1)
        ON CONFLICT (queue, type) DO UPDATE SET dead = c.dead + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER dead_counts_update AFTER UPDATE OF dead_at ON messages FOR EACH ROW
    WHEN ((OLD.dead_at IS NULL) <> (NEW.dead_at IS NULL)) EXECUTE FUNCTION dead_counts_trigger();
CREATE TRIGGER dead_counts_delete AFTER DELETE ON messages FOR EACH ROW
    WHEN (OLD.dead_at IS NOT NULL) EXECUTE FUNCTION dead_counts_trigger();
