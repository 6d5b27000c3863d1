/// Every statement of flow control on PostgreSQL (DESIGN §8; SQLite's `FlowSQL`): pauses, limit keys, ready
/// counts, leader leases and schedules. `$1` is the pinned time or NULL where a statement reads or stamps a time.
enum FlowSQL {
    static let now = PostgresTime.now

    // MARK: Pauses

    /// $1 queue: its paused types ('' for the whole queue).
    enum Pauses: PostgresSQL {
        static let sql = "SELECT type FROM queue_pauses WHERE queue = $1::text"
    }
    /// $2 queue, $3 type ('' for the whole queue).
    enum Pause: PostgresSQL {
        static let sql = """
            INSERT INTO queue_pauses (queue, type, paused_at) VALUES ($2::text, $3::text, \(now))
            ON CONFLICT (queue, type) DO NOTHING RETURNING 1
            """
    }
    /// $1 queue, $2 type ('' for the whole queue).
    enum Resume: PostgresSQL {
        static let sql = "DELETE FROM queue_pauses WHERE queue = $1::text AND type = $2::text RETURNING 1"
    }

    // MARK: Limits

    /// $1 cutoff.
    enum PruneKeys: PostgresSQL {
        static let sql = "DELETE FROM limit_keys WHERE next_start < $1::bigint RETURNING 1"
    }
    /// $1 lock names, sorted: transaction-scoped advisory locks, taken in that order (so that two claims
    /// never wait for each other in a cycle) and released at commit. `unnest` emits in array order.
    enum LockLimits: PostgresSQL {
        static let sql = """
            SELECT pg_advisory_xact_lock(hashtextextended(l.name, 0)) FROM unnest($1::text[]) AS l (name)
            """
    }
    /// $2 keys: each key's messages held by a current lease, as committed now (this transaction's included).
    enum KeysInFlight: PostgresSQL {
        static let sql = """
            SELECT k.key, (SELECT count(*) FROM messages m WHERE m.limit_key = k.key AND m.leased_until > \(now))
            FROM unnest($2::text[]) AS k (key)
            """
    }
    /// $2 queue, $3 types: each type's messages held by a current lease, of the types with a max_in_flight.
    enum TypesInFlight: PostgresSQL {
        static let sql = """
            SELECT t.type, (SELECT count(*) FROM messages m
                            WHERE m.queue = $2::text AND m.type = t.type AND m.type_max IS NOT NULL AND m.leased_until > \(now))
            FROM unnest($3::text[]) AS t (type)
            """
    }
    /// $2 keys, $3 their intervals (ms): one start of each key whose rate allows it now, moving its next start
    /// on (on schedule when the previous start was due less than one interval ago, so that the rate holds on
    /// average; from now when the key was idle, so that it gets no burst). Returns the keys started. The
    /// upsert locks the key's row and re-checks `next_start` on its latest version, so that two processes
    /// cannot both start a key in one interval.
    enum StartKeys: PostgresSQL {
        static let sql = """
            INSERT INTO limit_keys AS l (key, next_start)
            SELECT k.key, \(now) + k.interval FROM unnest($2::text[], $3::bigint[]) AS k (key, interval) ORDER BY k.key
            ON CONFLICT (key) DO UPDATE SET next_start = CASE
                WHEN \(now) - l.next_start < excluded.next_start - \(now) THEN l.next_start + (excluded.next_start - \(now))
                ELSE excluded.next_start END
            WHERE l.next_start <= \(now)
            RETURNING l.key
            """
    }
    /// $1 ids, $2 leases: claimed deliveries a limit did not allow after all (a concurrent claim in another
    /// process took the key's last slot first) go back untouched: lease and delivery count undone.
    enum Unclaim: PostgresSQL {
        static let sql = """
            UPDATE messages m SET lease = NULL, owner = NULL, leased_until = NULL, received = greatest(m.received - 1, 0)
            FROM unnest($1::bigint[], $2::bigint[]) AS r (id, lease)
            WHERE m.id = r.id AND m.id = ANY($1::bigint[]) AND m.lease = r.lease
            RETURNING m.job_id
            """
    }

    // MARK: Bounded queues

    /// $2 queue, $3 the most to count: ready messages (through the receive index).
    enum ReadyCount: PostgresSQL {
        static let sql = """
            SELECT count(*) FROM (SELECT 1 FROM messages
                WHERE queue = $2::text AND dead_at IS NULL AND visible_at <= \(now) AND (leased_until IS NULL OR leased_until <= \(now))
                LIMIT $3::bigint) r
            """
    }

    // MARK: Leader leases are in LeaderSQL.

    // MARK: Schedules

    /// The columns `PostgresTransaction.schedule` reads, in order.
    static let scheduleColumns = "name, paused, watermark, last_fire_at, last_job_id"
    /// $2 name: created once (its first watermark is now); a concurrent creation by another process wins alike.
    enum EnsureSchedule: PostgresSQL {
        static let sql = """
            INSERT INTO schedules (name, watermark, created_at, updated_at) VALUES ($2::text, \(now), \(now), \(now))
            ON CONFLICT (name) DO NOTHING RETURNING 1
            """
    }
    /// $1 name.
    enum Schedule: PostgresSQL {
        static let sql = "SELECT \(scheduleColumns) FROM schedules WHERE name = $1::text"
    }
    /// Every schedule, by name.
    enum Schedules: PostgresSQL {
        static let sql = "SELECT \(scheduleColumns) FROM schedules ORDER BY name"
    }
    /// $2 name, $3 expected watermark, $4 new watermark: the compare-and-set that hands out a fire time once.
    enum AdvanceSchedule: PostgresSQL {
        static let sql = """
            UPDATE schedules SET watermark = $4::bigint, updated_at = \(now) WHERE name = $2::text AND watermark = $3::bigint RETURNING 1
            """
    }
    /// $2 name, $3 job.
    enum RecordFire: PostgresSQL {
        static let sql = """
            UPDATE schedules SET last_fire_at = \(now), last_job_id = $3::text, updated_at = \(now) WHERE name = $2::text RETURNING 1
            """
    }
    /// $2 name, $3 paused.
    enum SetSchedulePaused: PostgresSQL {
        static let sql = """
            UPDATE schedules SET paused = $3::boolean, updated_at = \(now) WHERE name = $2::text AND paused <> $3::boolean RETURNING 1
            """
    }
}
