/// Every statement of the queue on PostgreSQL (messages and worker pools). `$1` is the pinned time or NULL
/// (`PostgresTime.now`); leases are fenced by (id, lease) everywhere.
enum QueueSQL {
    static let now = PostgresTime.now

    /// $2 queue, $3 type, $4 body, $5 priority, $6 delay (ms), $7 dedup key, $8 job. A message whose key a
    /// live message holds is not stored (no row returned).
    enum Send: PostgresSQL {
        static let sql = """
            INSERT INTO messages (queue, type, body, priority, visible_at, dedup_key, created_at, job_id)
            VALUES ($2::text, $3::text, $4::bytea, $5::bigint, \(now) + $6::bigint, $7::text, \(now), $8::text)
            ON CONFLICT (queue, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
            RETURNING id
            """
    }

    /// As `Send`, many at once from arrays ($3 types, $4 bodies, $5 priorities, $6 delays, $7 keys, $8 jobs);
    /// returns the id and key of each stored one, in order.
    enum SendMany: PostgresSQL {
        static let sql = """
            INSERT INTO messages (queue, type, body, priority, visible_at, dedup_key, created_at, job_id)
            SELECT $2::text, m.type, m.body, m.priority, \(now) + m.delay, m.dedup_key, \(now), m.job_id
            FROM unnest($3::text[], $4::bytea[], $5::bigint[], $6::bigint[], $7::text[], $8::text[])
                 WITH ORDINALITY AS m (type, body, priority, delay, dedup_key, job_id, position)
            ORDER BY m.position
            ON CONFLICT (queue, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING
            RETURNING id, dedup_key
            """
    }

    /// $1 queue, $2 keys: the live messages that hold them.
    enum FindByKeys: PostgresSQL {
        static let sql = "SELECT dedup_key, id, job_id FROM messages WHERE queue = $1::text AND dedup_key = ANY($2::text[])"
    }

    /// The claim, in one statement: up to $3 visible messages of queue $2 not held by a current lease, best
    /// first, locked with SKIP LOCKED so that concurrent claims take different rows without waiting; each is
    /// leased ($4 random lease base, XORed with the id so that each delivery has its own; $5 owner; $6
    /// max_receive; $7 visibility in ms) with its delivery counted, or dead-lettered when it was already
    /// delivered max_receive times. $8: only these types (NULL: any); $9: never these types (NULL: none left
    /// out; a message without a type is never left out). The changed columns are not indexed, so a lease is a
    /// HOT update. The subquery's row lock is what the negative control leaves out.
    static func lease(locking: String) -> String {
        """
        UPDATE messages m SET
            received = CASE WHEN m.received < $6::bigint THEN m.received + 1 ELSE m.received END,
            lease = CASE WHEN m.received < $6::bigint THEN $4::bigint # m.id END,
            owner = CASE WHEN m.received < $6::bigint THEN $5::bigint END,
            leased_until = CASE WHEN m.received < $6::bigint THEN \(now) + $7::bigint END,
            solo = false,
            dead_at = CASE WHEN m.received < $6::bigint THEN NULL ELSE \(now) END,
            last_error = CASE WHEN m.received < $6::bigint THEN m.last_error
                ELSE 'delivered ' || m.received || ' times (max_receive ' || $6::bigint || ') without being deleted'
                     || coalesce('; last error: ' || m.last_error, '; the last lease expired') END
        FROM (
            SELECT id FROM messages
            WHERE queue = $2::text AND dead_at IS NULL AND visible_at <= \(now)
              AND (leased_until IS NULL OR leased_until <= \(now))
              AND ($8::text[] IS NULL OR type = ANY($8::text[]))
              AND ($9::text[] IS NULL OR type IS NULL OR type <> ALL($9::text[]))
            ORDER BY priority DESC, visible_at, id
            LIMIT $3::bigint
            \(locking)
        ) c
        WHERE m.id = c.id
        RETURNING m.id, m.type, m.body, m.received, m.priority, m.created_at, m.last_error, m.job_id, m.lease,
                  m.dead_at IS NOT NULL AS exhausted, m.visible_at
        """
    }

    /// The columns `lease` returns, in order (0…10).
    static let leaseColumns = 11

    enum Receive: PostgresSQL { static let sql = lease(locking: "FOR UPDATE SKIP LOCKED") }
    enum ReceiveUnlocked: PostgresSQL { static let sql = lease(locking: "") }

    /// As `Receive`, and starts the job of each delivered message in the same statement (a new attempt:
    /// running, attempts + 1, by worker $10); the job's columns follow the message's (NULL: no job, or it has
    /// ended).
    static func claim(locking: String) -> String {
        """
        WITH delivered AS (\(lease(locking: locking))),
        started AS (
            UPDATE jobs j SET status = 'running', attempts = j.attempts + 1, started_at = \(now), updated_at = \(now),
                worker = $10::text
            FROM delivered d
            WHERE j.id = d.job_id AND NOT d.exhausted AND j.status IN ('pending', 'running')
            RETURNING \(JobSQL.columns("j"))
        )
        SELECT d.*, s.* FROM delivered d LEFT JOIN started s ON s.id = d.job_id
        """
    }

    enum Claim: PostgresSQL { static let sql = claim(locking: "FOR UPDATE SKIP LOCKED") }
    enum ClaimUnlocked: PostgresSQL { static let sql = claim(locking: "") }

    /// $2 ids, $3 leases, $4 duration (ms): the current deliveries among them are hidden that long from now.
    enum Extend: PostgresSQL {
        static let sql = """
            UPDATE messages m SET leased_until = \(now) + $4::bigint
            FROM unnest($2::bigint[], $3::bigint[]) AS r (id, lease)
            WHERE m.id = r.id AND m.lease = r.lease AND m.dead_at IS NULL
            RETURNING m.id, m.lease
            """
    }

    /// $1 ids, $2 leases.
    enum MarkSolo: PostgresSQL {
        static let sql = """
            UPDATE messages m SET solo = true
            FROM unnest($1::bigint[], $2::bigint[]) AS r (id, lease)
            WHERE m.id = r.id AND m.lease = r.lease AND m.dead_at IS NULL
            RETURNING m.id, m.lease
            """
    }

    /// $1 ids, $2 leases: the acks, in one statement.
    enum Delete: PostgresSQL {
        static let sql = """
            DELETE FROM messages m USING unnest($1::bigint[], $2::bigint[]) AS r (id, lease)
            WHERE m.id = r.id AND m.lease = r.lease AND m.dead_at IS NULL
            RETURNING m.id, m.lease
            """
    }

    /// $1 id, $2 lease: one ack.
    enum DeleteOne: PostgresSQL {
        static let sql = "DELETE FROM messages WHERE id = $1::bigint AND lease = $2::bigint AND dead_at IS NULL RETURNING 1"
    }

    /// $2 id, $3 lease, $4 duration (ms).
    enum ExtendOne: PostgresSQL {
        static let sql = """
            UPDATE messages SET leased_until = \(now) + $4::bigint WHERE id = $2::bigint AND lease = $3::bigint AND dead_at IS NULL
            RETURNING 1
            """
    }

    /// $1 ids.
    enum DeleteAny: PostgresSQL {
        static let sql = "DELETE FROM messages WHERE id = ANY($1::bigint[])"
    }

    /// $2 id, $3 lease, $4 delay (ms), $5 error, $6 max_receive.
    enum Release: PostgresSQL {
        static let sql = """
            UPDATE messages SET
                lease = NULL, owner = NULL, leased_until = NULL,
                last_error = coalesce($5::text, last_error),
                visible_at = CASE WHEN received < $6::bigint THEN \(now) + $4::bigint ELSE visible_at END,
                dead_at = CASE WHEN received < $6::bigint THEN NULL ELSE \(now) END
            WHERE id = $2::bigint AND lease = $3::bigint AND dead_at IS NULL
            RETURNING dead_at IS NOT NULL
            """
    }

    /// $2 id, $3 lease: a delivery cut short by shutdown goes back at once, the attempt refunded.
    enum GiveBack: PostgresSQL {
        static let sql = """
            UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, visible_at = least(visible_at, \(now)),
                received = greatest(received - 1, 0)
            WHERE id = $2::bigint AND lease = $3::bigint AND dead_at IS NULL
            RETURNING 1
            """
    }

    /// $2 id, $3 lease, $4 reason.
    enum DeadLetter: PostgresSQL {
        static let sql = """
            UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, dead_at = \(now), last_error = $4::text
            WHERE id = $2::bigint AND lease = $3::bigint AND dead_at IS NULL
            RETURNING 1
            """
    }

    /// $1 queue, $2 limit, $3 offset.
    enum ListDead: PostgresSQL {
        static let sql = """
            SELECT id, type, body, received, last_error, dead_at, job_id FROM messages
            WHERE queue = $1::text AND dead_at IS NOT NULL ORDER BY dead_at, id LIMIT $2::bigint OFFSET $3::bigint
            """
    }

    /// $2 queue, $3 ids (NULL: all): dead letters back, with a fresh count.
    enum Requeue: PostgresSQL {
        static let sql = """
            UPDATE messages SET dead_at = NULL, received = 0, lease = NULL, owner = NULL, leased_until = NULL,
                last_error = NULL, visible_at = \(now)
            WHERE queue = $2::text AND dead_at IS NOT NULL AND ($3::bigint[] IS NULL OR id = ANY($3::bigint[]))
            RETURNING id, job_id
            """
    }

    /// $2 queue, $3 age (ms).
    enum PurgeDead: PostgresSQL {
        static let sql = "DELETE FROM messages WHERE queue = $2::text AND dead_at IS NOT NULL AND dead_at <= \(now) - $3::bigint RETURNING 1"
    }

    /// $1 queue.
    enum PurgeLive: PostgresSQL {
        static let sql = "DELETE FROM messages WHERE queue = $1::text AND dead_at IS NULL RETURNING 1"
    }

    /// $2 queue: counts by type of the live messages (through the receive index).
    enum LiveStats: PostgresSQL {
        static let sql = """
            SELECT coalesce(type, ''),
                   count(*) FILTER (WHERE visible_at <= \(now) AND (leased_until IS NULL OR leased_until <= \(now))),
                   count(*) FILTER (WHERE visible_at > \(now) AND (leased_until IS NULL OR leased_until <= \(now))),
                   count(*) FILTER (WHERE leased_until > \(now)),
                   min(visible_at) FILTER (WHERE visible_at <= \(now) AND (leased_until IS NULL OR leased_until <= \(now))),
                   \(now)
            FROM messages WHERE queue = $2::text AND dead_at IS NULL GROUP BY type
            """
    }

    /// $1 queue: dead letters by type.
    enum DeadStats: PostgresSQL {
        static let sql = "SELECT coalesce(type, ''), count(*) FROM messages WHERE queue = $1::text AND dead_at IS NOT NULL GROUP BY type"
    }

    /// The state of a message at `now`, and the columns `PostgresTransaction.queued` reads, in order.
    static let queuedColumns = """
        id, queue, type, job_id, priority,
        CASE WHEN dead_at IS NOT NULL THEN 'dead' WHEN leased_until > \(now) THEN 'in_flight'
             WHEN visible_at > \(now) THEN 'delayed' ELSE 'ready' END AS state,
        visible_at, CASE WHEN leased_until > \(now) THEN leased_until END, received, owner, last_error, created_at
        """
    /// $2 id.
    enum MessageByID: PostgresSQL {
        static let sql = "SELECT \(queuedColumns) FROM messages WHERE id = $2::bigint"
    }
    /// $2 job: through the job's record, whose message_id names its live message.
    enum MessageOfJob: PostgresSQL {
        static let sql = "SELECT \(queuedColumns) FROM messages WHERE id = (SELECT message_id FROM jobs WHERE id = $2::text)"
    }
    /// $2 queue, $3 state or NULL, $4 after id, $5 limit.
    enum MessagesOfQueue: PostgresSQL {
        static let sql = """
            SELECT * FROM (SELECT \(queuedColumns) FROM messages WHERE queue = $2::text AND id > $4::bigint) q
            WHERE $3::text IS NULL OR q.state = $3::text
            ORDER BY id LIMIT $5::bigint
            """
    }

    // MARK: Worker pools

    /// $2 name, $3 pid, $4 heartbeat interval (ms).
    enum RegisterPool: PostgresSQL {
        static let sql = """
            INSERT INTO worker_pools (name, pid, started_at, heartbeat_at, heartbeat_ms)
            VALUES ($2::text, $3::bigint, \(now), \(now), $4::bigint) RETURNING id
            """
    }
    /// $2 id, $3 name, $4 pid, $5 interval: also registers again a pool that another pool reaped.
    enum Heartbeat: PostgresSQL {
        static let sql = """
            INSERT INTO worker_pools (id, name, pid, started_at, heartbeat_at, heartbeat_ms)
            VALUES ($2::bigint, $3::text, $4::bigint, \(now), \(now), $5::bigint)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
            """
    }
    /// $2 the asking pool: pools that missed three heartbeats, locked so that one live pool (or the leader)
    /// releases each, while the others skip it.
    enum DeadPools: PostgresSQL {
        static let sql = """
            SELECT id FROM worker_pools WHERE heartbeat_at + 3 * heartbeat_ms < \(now) AND id <> $2::bigint
            ORDER BY id FOR UPDATE SKIP LOCKED
            """
    }
    /// $2 pool, $3 reason: its leases go back to the queue at once. A delivery that ran alone keeps its receive
    /// count; the others get theirs refunded. `owner` has no index (a claim stays a HOT update): this scan runs
    /// only for a pool that died or stops.
    ///
    /// Rows another transaction holds are skipped (`SKIP LOCKED`): the pool, taken for dead, may still be
    /// acking them, and an ack locks its rows in the order of its arrays while a plain `UPDATE … WHERE owner`
    /// locks them in the table's order; the two deadlocked (5 times in the multi-node runs). A skipped row is
    /// deleted by that ack, or released at the next reap, since the pool's row stays while it owns one
    /// (`DeletePool`). Nor does a reaper wait behind a stopped process's open transaction.
    enum ReleaseOwned: PostgresSQL {
        static let sql = """
            UPDATE messages m SET lease = NULL, owner = NULL, leased_until = NULL, visible_at = least(m.visible_at, \(now)),
                last_error = $3::text, received = CASE WHEN m.solo THEN m.received ELSE greatest(m.received - 1, 0) END
            FROM (SELECT id FROM messages WHERE owner = $2::bigint AND dead_at IS NULL ORDER BY id FOR UPDATE SKIP LOCKED) o
            WHERE m.id = o.id
            RETURNING m.id, m.job_id, m.solo, m.received
            """
    }
    /// $1 pool: forgotten once it owns no live message (one that `ReleaseOwned` skipped keeps it, so that the
    /// next reap releases that message).
    enum DeletePool: PostgresSQL {
        static let sql = """
            DELETE FROM worker_pools WHERE id = $1::bigint
              AND NOT EXISTS (SELECT 1 FROM messages WHERE owner = $1::bigint AND dead_at IS NULL)
            """
    }
    /// Every pool, oldest first.
    enum Pools: PostgresSQL {
        static let sql = "SELECT id, name, pid, started_at, heartbeat_at, heartbeat_ms FROM worker_pools ORDER BY id"
    }
}
