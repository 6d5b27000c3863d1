/// Every statement of the queue on PostgreSQL (messages and worker pools). `$1` is the pinned time or NULL
/// (`PostgresTime.now`); leases are fenced by (id, lease) everywhere.
///
/// A dead-lettered message has no lease: every statement that sets `dead_at` clears `lease` in the same update
/// (the claim, `Release`, `DeadLetter`), so a statement fenced by `lease = $n` never touches a dead letter, and
/// says nothing of `dead_at`. It must not: `dead_at IS NULL` next to `id = $n` lets the planner use the
/// partial index `messages_receive` (whose last column is `id`), and the generic plan of a statement prepared
/// while the table was small did just that, reading the whole index per ack: 92 buffers and 0.14 ms for one
/// `DeleteOne` against 0.02 ms through the primary key (pg_stat_statements, `lifecycle_1_worker_per_s`).
enum QueueSQL {
    static let now = PostgresTime.now

    /// $2 queue, $3 type, $4 body, $5 priority, $6 delay (ms), $7 dedup key, $8 job, $9 limit key, $10 its max
    /// in flight, $11 its interval (ms), $12 the type's max in flight. A message whose key a live message holds
    /// is not stored (no row returned).
    enum Send: PostgresSQL { static let sql = send(keyed: true) }
    /// `Send` of a message without a dedup key: a plain insert. `ON CONFLICT` makes every insert speculative
    /// (the arbiter index is checked, the row inserted as speculative, then confirmed: one more WAL record),
    /// even when the row has no key for the partial index to hold ("INSERT", PostgreSQL's docs; pgbench with the
    /// floor's `send.sql` and 4 clients, 2026-11-29: 14,699 and 15,452 inserts/s with the clause, 15,598 and
    /// 15,953 without, 16,042 and 15,795 without `RETURNING` either).
    enum SendUnkeyed: PostgresSQL { static let sql = send(keyed: false) }

    private static func send(keyed: Bool) -> String {
        """
        INSERT INTO messages (queue, type, body, priority, visible_at, dedup_key, created_at, job_id,
                              limit_key, limit_max, limit_interval, type_max)
        VALUES ($2::text, $3::text, $4::bytea, $5::bigint, \(now) + $6::bigint, $7::text, \(now), $8::text,
                $9::text, $10::bigint, $11::bigint, $12::bigint)
        \(keyed ? conflict : "")RETURNING id
        """
    }
    /// A keyed message whose key a live message holds is not stored.
    private static let conflict = "ON CONFLICT (queue, dedup_key) WHERE dedup_key IS NOT NULL DO NOTHING\n"

    /// As `Send`, many at once from arrays ($3 types, $4 bodies, $5 priorities, $6 delays, $7 keys, $8 jobs,
    /// $9…$12 the limits); returns the id and key of each stored one, in order.
    enum SendMany: PostgresSQL { static let sql = sendMany(keyed: true) }
    /// `SendMany` of messages none of which has a dedup key (`SendUnkeyed`).
    enum SendManyUnkeyed: PostgresSQL { static let sql = sendMany(keyed: false) }

    private static func sendMany(keyed: Bool) -> String {
        """
        INSERT INTO messages (queue, type, body, priority, visible_at, dedup_key, created_at, job_id,
                              limit_key, limit_max, limit_interval, type_max)
        SELECT $2::text, m.type, m.body, m.priority, \(now) + m.delay, m.dedup_key, \(now), m.job_id,
               m.limit_key, m.limit_max, m.limit_interval, m.type_max
        FROM unnest($3::text[], $4::bytea[], $5::bigint[], $6::bigint[], $7::text[], $8::text[],
                    $9::text[], $10::bigint[], $11::bigint[], $12::bigint[])
             WITH ORDINALITY AS m (type, body, priority, delay, dedup_key, job_id, limit_key, limit_max, limit_interval,
                                   type_max, position)
        ORDER BY m.position
        \(keyed ? conflict : "")RETURNING id, dedup_key
        """
    }

    /// `SendManyUnkeyed` of exactly `L.count` (2 to 8) messages as rows of one `VALUES` list: $2 queue, then nine
    /// values a message ($3 type, $4 body, $5 priority, $6 delay, $7 job, $8…$11 the limits, and so on); returns
    /// the ids in order. The few sends that share a statement (`StatementGathering`) go this way: no arrays to
    /// encode, unpack and sort by position.
    struct SendRows<L: FixedLimit>: PostgresSQL {
        static var sql: String { sendRows[L.count]! }
    }
    /// The type of each size of `SendRows`.
    static let sendRowSizes: [Int: any FixedLimit.Type] = [
        2: FixedLimit2.self, 3: FixedLimit3.self, 4: FixedLimit4.self, 5: FixedLimit5.self, 6: FixedLimit6.self,
        7: FixedLimit7.self, 8: FixedLimit8.self,
    ]
    private static let sendRows = Dictionary(uniqueKeysWithValues: sendRowSizes.keys.map { ($0, sendRows(count: $0)) })

    private static func sendRows(count: Int) -> String {
        let rows = (0..<count).map { row in
            let p = 3 + 9 * row
            return "($2::text, $\(p)::text, $\(p + 1)::bytea, $\(p + 2)::bigint, \(now) + $\(p + 3)::bigint, \(now), $\(p + 4)::text, "
                + "$\(p + 5)::text, $\(p + 6)::bigint, $\(p + 7)::bigint, $\(p + 8)::bigint)"
        }
        return """
            INSERT INTO messages (queue, type, body, priority, visible_at, created_at, job_id, limit_key, limit_max,
                                  limit_interval, type_max)
            VALUES \(rows.joined(separator: ",\n       "))
            RETURNING id
            """
    }

    /// $1 queue, $2 keys: the live messages that hold them.
    enum FindByKeys: PostgresSQL {
        static let sql = "SELECT dedup_key, id, job_id FROM messages WHERE queue = $1::text AND dedup_key = ANY($2::text[])"
    }

    /// The claim, in one statement: up to $3 visible messages of queue $2 not held by a current lease, best
    /// first, locked with SKIP LOCKED so that concurrent claims take different rows without waiting; each is
    /// leased ($4 random lease base, XORed with the id so that each delivery has its own; $5 owner; $7
    /// visibility in ms) with its delivery counted, or dead-lettered when it was already delivered max_receive
    /// times ($6, or the type's in $11/$12). $8: only these types (NULL: any); $9: never these types (NULL:
    /// none; a message without a type is never left out); $10: never these limit keys. Paused types (and a
    /// paused queue) are read from `queue_pauses` in the statement itself.
    ///
    /// Flow control (DESIGN §8) is decided in the same statement, over the locked candidates: a candidate
    /// whose key already has `limit_max` messages in flight (counting the candidates of its key ranked before
    /// it), whose key's rate does not allow a start now (or that is its key's second candidate: a rate starts
    /// a key at most once per claim), or whose type is at its `type_max`, is passed over untouched, and the
    /// others are leased: no claim-then-release, and a saturated key does not hold back the other keys'
    /// messages behind it. The last columns say what was passed over (the caller looks again without those
    /// keys and types) and when the earliest rate-limited key may start. The counts are this statement's
    /// snapshot: `PostgresTransaction.settleLimits` re-checks them under a lock once the claim is done, for
    /// claims that run at once in several processes.
    ///
    /// Candidates without any limit (no key, no type maximum: every message where no limits are configured)
    /// skip the judgement: `judged` is the candidates as they are when none of them has a limit, and the
    /// judgement otherwise, each branch behind a one-time filter on the same `EXISTS`, so the windows, sorts
    /// and counts of the other branch never run. The blocked keys and types are gathered without `DISTINCT`
    /// (the caller makes sets of them), which sorted each. Measured on 2,000 ready messages (`EXPLAIN
    /// ANALYZE`, a claim of one): 0.44–0.59 ms of execution with the judgement run for every claim.
    ///
    /// The changed columns are not indexed, so a lease is a HOT update. The candidates' row lock is what the
    /// negative control leaves out.
    ///
    /// `fixed`: the claim of exactly that many messages (one of `fixedLimits`) without a type filter or left-out
    /// keys and types (a worker pool's free slots, `Queue.receive(limit:)`), whose plan PostgreSQL can keep. With
    /// `LIMIT $3` (planned for 10 % of the rows when generic) and the optional filters (each given a default
    /// selectivity), the generic plan was costed at 5,193 against 48 for a custom one, so every execution was
    /// planned again: 1–8 ms of planning for 0.2 ms of execution here, receive+delete at 345/s against the
    /// floor's 2,006/s. With a constant `LIMIT` and those filters replaced by a gate on their parameters (no
    /// column in it: a one-time filter that costs nothing) the generic plan costs the same as a custom one and is
    /// kept after the fifth run (PostgreSQL's plancache.c, `choose_custom_plan`). Both are needed: on an analyzed
    /// table of 20,000 ready messages, a claim of 10 with `LIMIT $3` was planned at all 8 runs with the gate as
    /// without it (1.3–1.6 ms each), and with `LIMIT 10` and the gate it kept its generic plan (0.55 ms).
    ///
    /// `judging: false`: without the judgement (`unjudged`, `unjudgedSummary`), for claims that met no limit lately;
    /// the summary's sixth column says whether a candidate carried one, and then nothing was claimed.
    ///
    /// `leaving` (claims only): $14 the worker pool's handled types (NULL: no pool, nothing left out) and $15
    /// its declared remote types. A type the pool has no handler for is left out when it is declared or when a
    /// live remote worker serves it, read from `remote_workers` in the statement itself: no statement of its
    /// own before each claim, and no type filter that would take the claim off its fixed, kept plan.
    static func lease(locking: String, fixed: Int? = nil, leaving: Bool = false, judging: Bool = true) -> String {
        """
        WITH candidates AS (
            SELECT id, type, received, priority, visible_at, limit_key, limit_max, limit_interval, type_max,
                   coalesce((SELECT r.max FROM unnest($11::text[], $12::bigint[]) AS r (type, max) WHERE r.type = messages.type),
                            $6::bigint) AS max_receive
            FROM messages
            WHERE queue = $2::text AND dead_at IS NULL AND visible_at <= \(now)
              AND (leased_until IS NULL OR leased_until <= \(now))
              \(fixed.map(gate) ?? filters)
              AND NOT EXISTS (SELECT 1 FROM queue_pauses p WHERE p.queue = $2::text AND p.type = '')
              AND (type IS NULL OR NOT EXISTS (SELECT 1 FROM queue_pauses p WHERE p.queue = $2::text AND p.type = messages.type))
              \(leaving ? leavingFilter : "")
            ORDER BY priority DESC, visible_at, id
            LIMIT \(fixed.map(String.init) ?? "$3::bigint")
            \(locking)
        ),
        \(judging ? judgement : unjudged)
        delivered AS (
            UPDATE messages m SET
                received = CASE WHEN NOT c.exhausted THEN m.received + 1 ELSE m.received END,
                lease = CASE WHEN NOT c.exhausted THEN $4::bigint # m.id END,
                owner = CASE WHEN NOT c.exhausted THEN $5::bigint END,
                leased_until = CASE WHEN NOT c.exhausted THEN \(now) + $7::bigint END,
                solo = false,
                dead_at = CASE WHEN NOT c.exhausted THEN NULL ELSE \(now) END,
                last_error = CASE WHEN NOT c.exhausted THEN m.last_error
                    ELSE 'delivered ' || m.received || ' times (max_receive ' || c.max_receive || ') without being deleted'
                         || coalesce('; last error: ' || m.last_error, '; the last lease expired') END
            FROM judged c
            WHERE m.id = c.id AND m.id = ANY(ARRAY(SELECT id FROM candidates)) AND NOT c.key_blocked AND NOT c.type_blocked
            RETURNING m.id, m.type, m.body, m.received, m.priority, m.created_at, m.last_error, m.job_id, m.lease,
                      m.dead_at IS NOT NULL AS exhausted, m.visible_at, m.limit_key, m.limit_max, m.limit_interval, m.type_max
        ),
        \(judging ? summary : unjudgedSummary)
        """
    }

    /// The flow-control judgement of `lease` over its candidates (`judged`), with the windows and counts it needs.
    private static let judgement = """
        ranked AS (
            SELECT c.*, c.received >= c.max_receive AS exhausted,
                   count(*) FILTER (WHERE c.received < c.max_receive)
                       OVER (PARTITION BY c.limit_key ORDER BY c.priority DESC, c.visible_at, c.id) AS key_rank,
                   count(*) FILTER (WHERE c.received < c.max_receive AND c.type_max IS NOT NULL)
                       OVER (PARTITION BY c.type ORDER BY c.priority DESC, c.visible_at, c.id) AS type_rank
            FROM candidates c
        ),
        keys AS (
            SELECT k.key,
                   (SELECT count(*) FROM messages m WHERE m.limit_key = k.key AND m.leased_until > \(now)) AS in_flight,
                   (SELECT l.next_start FROM limit_keys l WHERE l.key = k.key) AS next_start
            FROM (SELECT DISTINCT limit_key AS key FROM candidates WHERE limit_key IS NOT NULL) k
        ),
        types AS (
            SELECT t.type,
                   (SELECT count(*) FROM messages m
                    WHERE m.queue = $2::text AND m.type = t.type AND m.type_max IS NOT NULL AND m.leased_until > \(now)) AS in_flight
            FROM (SELECT DISTINCT type FROM candidates WHERE type_max IS NOT NULL AND type IS NOT NULL) t
        ),
        judged AS (
            SELECT c.*, c.received >= c.max_receive AS exhausted, 0::bigint AS key_rank, 0::bigint AS type_rank,
                   NULL::bigint AS next_start, false AS key_blocked, false AS type_blocked
            FROM candidates c
            WHERE NOT EXISTS (SELECT 1 FROM candidates WHERE limit_key IS NOT NULL OR type_max IS NOT NULL)
            UNION ALL
            SELECT r.*, k.next_start,
                   coalesce(NOT r.exhausted AND r.limit_key IS NOT NULL AND (
                       (r.limit_max IS NOT NULL AND k.in_flight + r.key_rank > r.limit_max)
                       OR (r.limit_interval IS NOT NULL AND (r.key_rank > 1 OR coalesce(k.next_start > \(now), false)))),
                       false) AS key_blocked,
                   coalesce(NOT r.exhausted AND r.type_max IS NOT NULL AND t.in_flight + r.type_rank > r.type_max, false) AS type_blocked
            FROM ranked r LEFT JOIN keys k ON k.key = r.limit_key LEFT JOIN types t ON t.type = r.type
            WHERE EXISTS (SELECT 1 FROM candidates WHERE limit_key IS NOT NULL OR type_max IS NOT NULL)
        ),
        """
    /// `lease` without the judgement (`judging: false`): every candidate as it is, none at all when one of them
    /// carries a limit. Its plan has a fraction of the nodes, and PostgreSQL builds a statement's whole plan
    /// state at every execution, its one-time filters' branches included: a quarter of the server's samples
    /// (238 of 946) were in `ExecutorStart` during `lifecycle_4_workers_per_s`. The caller runs the judging
    /// statement instead when `limited` (the summary's last column) says so.
    private static let unjudged = """
        judged AS (
            SELECT c.*, c.received >= c.max_receive AS exhausted, NULL::bigint AS next_start,
                   false AS key_blocked, false AS type_blocked
            FROM candidates c
            WHERE NOT EXISTS (SELECT 1 FROM candidates WHERE limit_key IS NOT NULL OR type_max IS NOT NULL)
        ),
        """
    /// The summary of `judged`: how many candidates, whether some were held back, when the earliest
    /// rate-limited key may start, the keys and types held back.
    private static let summary = """
        summary AS (
            SELECT count(*) AS found,
                   coalesce(bool_or(key_blocked OR type_blocked), false) AS held_back,
                   min(CASE WHEN key_blocked AND limit_interval IS NOT NULL THEN
                           CASE WHEN next_start > \(now) THEN next_start
                                WHEN \(now) - next_start < limit_interval THEN next_start + limit_interval
                                ELSE \(now) + limit_interval END END) AS rate_until,
                   array_agg(limit_key) FILTER (WHERE key_blocked) AS blocked_keys,
                   array_agg(type) FILTER (WHERE type_blocked) AS blocked_types
            FROM judged
        )
        """
    /// `summary` without a judgement, and whether a candidate carried a limit (then nothing was claimed).
    private static let unjudgedSummary = """
        summary AS (
            SELECT count(*) AS found, false AS held_back, NULL::bigint AS rate_until, NULL::text[] AS blocked_keys,
                   NULL::text[] AS blocked_types, coalesce(bool_or(limit_key IS NOT NULL OR type_max IS NOT NULL), false) AS limited
            FROM candidates
        )
        """

    /// The optional filters: $8 only these types, $9 never these, $10 never these limit keys.
    static let filters = """
        AND ($8::text[] IS NULL OR type = ANY($8::text[]))
              AND ($9::text[] IS NULL OR type IS NULL OR type <> ALL($9::text[]))
              AND ($10::text[] IS NULL OR limit_key IS NULL OR limit_key <> ALL($10::text[]))
        """
    /// The types a worker pool leaves to remote workers (`lease(leaving:)`).
    static let leavingFilter = """
        AND ($14::text[] IS NULL OR type IS NULL OR type = ANY($14::text[])
                   OR NOT (type = ANY($15::text[])
                           OR EXISTS (SELECT 1 FROM remote_workers w WHERE w.type = messages.type AND w.expires_at > \(now))))
        """
    /// What a `fixed` claim asks of its parameters instead (false: nothing is claimed).
    static func gate(_ count: Int) -> String {
        "AND $3::bigint = \(count) AND $8::text[] IS NULL AND $9::text[] IS NULL AND $10::text[] IS NULL"
    }
    /// The sizes of the fixed claims: a claim of several messages without filters takes the largest that fits,
    /// then the next (12 messages: 10, then 2), each a statement whose generic plan is made for its own limit,
    /// where one with `LIMIT $3` is costed for 10 % of the rows (and, before the sessions forced generic plans,
    /// was planned again at every run). Every size up to 8: a worker pool's free slots (8 by
    /// default) are claimed in one statement; and 10, the batch the PostgreSQL floor measures
    /// (`recv_delete_b10`), which took two statements (8 and 2) before.
    static let fixedLimits = fixedLimitTypes.map { $0.count }

    /// The columns of a delivered message in the claim's rows, in order (0…14), before the job's (claims) and
    /// the summary's.
    static let leaseColumns = 15
    /// The columns of the summary (found, held back, rate-limited until, blocked keys, blocked types).
    static let summaryColumns = 5

    /// The claims' row locking: concurrent claims take different rows without waiting.
    private static let skipLocked = "FOR UPDATE OF messages SKIP LOCKED"

    /// `lease` and its rows: every row carries the summary; without a delivery, one row whose message columns
    /// are NULL.
    static func receive(locking: String, fixed: Int? = nil, judging: Bool = true) -> String {
        lease(locking: locking, fixed: fixed, judging: judging) + "\nSELECT d.*, s.* FROM summary s LEFT JOIN delivered d ON true"
    }
    /// One statement per size of `fixedLimits`, built by `statement`.
    private static func bySize(_ statement: (Int) -> String) -> [Int: String] {
        Dictionary(uniqueKeysWithValues: fixedLimits.map { ($0, statement($0)) })
    }

    enum Receive: PostgresSQL { static let sql = receive(locking: skipLocked) }
    /// `Receive` of `L.count` messages without filters (`lease(fixed:)`).
    struct ReceiveFixed<L: FixedLimit>: PostgresSQL {
        static var sql: String { fixedReceives[L.count]! }
    }
    private static let fixedReceives = bySize { receive(locking: skipLocked, fixed: $0) }
    /// `Receive` without the flow-control judgement (`lease(judging:)`): nothing is received when a candidate
    /// carries a limit, which the summary's last column says.
    enum ReceiveUnjudged: PostgresSQL { static let sql = receive(locking: skipLocked, judging: false) }
    /// `ReceiveFixed` without the judgement.
    struct ReceiveFixedUnjudged<L: FixedLimit>: PostgresSQL {
        static var sql: String { fixedUnjudgedReceives[L.count]! }
    }
    private static let fixedUnjudgedReceives = bySize { receive(locking: skipLocked, fixed: $0, judging: false) }
    enum ReceiveUnlocked: PostgresSQL { static let sql = receive(locking: "") }

    /// As `Receive`, and starts the job of each delivered message in the same statement (a new attempt:
    /// running, attempts + 1, by worker $13); the job's columns follow the message's (NULL: no job, or it has
    /// ended). Leaves out what a worker pool leaves to remote workers ($14, $15: `lease(leaving:)`).
    static func claim(locking: String, fixed: Int? = nil, judging: Bool = true) -> String {
        """
        \(lease(locking: locking, fixed: fixed, leaving: true, judging: judging)),
        started AS (
            UPDATE jobs j SET status = 'running', attempts = j.attempts + 1, started_at = \(now), updated_at = \(now),
                worker = $13::text
            WHERE j.id = ANY(ARRAY(SELECT job_id FROM delivered WHERE NOT exhausted)) AND (j.status IN ('pending', 'running')) IS TRUE
            RETURNING \(JobSQL.columns("j"))
        )
        SELECT d.*, s.*, summary.* FROM summary LEFT JOIN (delivered d LEFT JOIN started s ON s.id = d.job_id) ON true
        """
    }

    enum Claim: PostgresSQL { static let sql = claim(locking: skipLocked) }
    enum ClaimUnlocked: PostgresSQL { static let sql = claim(locking: "") }
    /// `Claim` without the flow-control judgement (`lease(judging:)`).
    enum ClaimUnjudged: PostgresSQL { static let sql = claim(locking: skipLocked, judging: false) }
    /// `ClaimFixed` without the judgement.
    struct ClaimFixedUnjudged<L: FixedLimit>: PostgresSQL {
        static var sql: String { fixedUnjudgedClaims[L.count]! }
    }
    private static let fixedUnjudgedClaims = bySize { claim(locking: skipLocked, fixed: $0, judging: false) }
    /// `Claim` of `L.count` messages without filters (`lease(fixed:)`).
    struct ClaimFixed<L: FixedLimit>: PostgresSQL {
        static var sql: String { fixedClaims[L.count]! }
    }
    private static let fixedClaims = bySize { claim(locking: skipLocked, fixed: $0) }

    /// $2 ids, $3 leases, $4 duration (ms): the current deliveries among them are hidden that long from now.
    enum Extend: PostgresSQL {
        static let sql = """
            UPDATE messages m SET leased_until = \(now) + $4::bigint
            FROM unnest($2::bigint[], $3::bigint[]) AS r (id, lease)
            WHERE m.id = r.id AND m.id = ANY($2::bigint[]) AND m.lease = r.lease
            RETURNING m.id, m.lease
            """
    }

    /// $1 ids, $2 leases.
    enum MarkSolo: PostgresSQL {
        static let sql = """
            UPDATE messages m SET solo = true
            FROM unnest($1::bigint[], $2::bigint[]) AS r (id, lease)
            WHERE m.id = r.id AND m.id = ANY($1::bigint[]) AND m.lease = r.lease
            RETURNING m.id, m.lease
            """
    }

    /// $1 ids, $2 leases: the acks, in one statement.
    ///
    /// `m.id = ANY($1)` says again what the join says, as a condition the primary key's index can take: a
    /// connection keeps the plan it made at the statement's first run, for the table's size then, and with the
    /// join alone a plan made on an empty or small table read the whole primary key index at every run (a
    /// nested loop or a merge join over it), until the next VACUUM or ANALYZE made it plan again. Every
    /// statement that finds rows by ids from an array or another CTE does the same (KeptPlanTests). Those on jobs find them by `id = ANY(…)` alone, without a join (see
    /// `JobSQL.succeeded`), and write their status condition as `(…) IS TRUE`, which no index takes: the
    /// status index (status, id) could otherwise serve the status alone, with the ids a filter over every
    /// pending or running job.
    enum Delete: PostgresSQL {
        static let sql = """
            DELETE FROM messages m USING unnest($1::bigint[], $2::bigint[]) AS r (id, lease)
            WHERE m.id = r.id AND m.id = ANY($1::bigint[]) AND m.lease = r.lease
            RETURNING m.id, m.lease
            """
    }

    /// $1 id, $2 lease: one ack.
    enum DeleteOne: PostgresSQL {
        static let sql = "DELETE FROM messages WHERE id = $1::bigint AND lease = $2::bigint RETURNING 1"
    }

    /// $2 id, $3 lease, $4 duration (ms).
    enum ExtendOne: PostgresSQL {
        static let sql = """
            UPDATE messages SET leased_until = \(now) + $4::bigint WHERE id = $2::bigint AND lease = $3::bigint
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
            WHERE id = $2::bigint AND lease = $3::bigint
            RETURNING dead_at IS NOT NULL
            """
    }

    /// $2 id, $3 lease: a delivery cut short by shutdown goes back at once, the attempt refunded.
    enum GiveBack: PostgresSQL {
        static let sql = """
            UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, visible_at = least(visible_at, \(now)),
                received = greatest(received - 1, 0)
            WHERE id = $2::bigint AND lease = $3::bigint
            RETURNING 1
            """
    }

    /// $2 id, $3 lease, $4 delay (ms): a snooze, not counted as a delivery; the last error is kept.
    enum Snooze: PostgresSQL {
        static let sql = """
            UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, visible_at = \(now) + $4::bigint,
                received = greatest(received - 1, 0)
            WHERE id = $2::bigint AND lease = $3::bigint
            RETURNING 1
            """
    }

    /// $2 id, $3 lease, $4 reason.
    enum DeadLetter: PostgresSQL {
        static let sql = """
            UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, dead_at = \(now), last_error = $4::text
            WHERE id = $2::bigint AND lease = $3::bigint
            RETURNING 1
            """
    }

    /// $1 queue, $2 limit, $3 offset.
    enum ListDead: PostgresSQL {
        static let sql = """
            SELECT \(deadColumns) FROM messages
            WHERE queue = $1::text AND dead_at IS NOT NULL ORDER BY dead_at, id LIMIT $2::bigint OFFSET $3::bigint
            """
    }

    /// The columns `PostgresTransaction.deadLetter` reads, in order.
    static let deadColumns = "id, type, body, received, last_error, dead_at, job_id"
    /// $1 queue, $2 dead at, $3 id (the previous page's last), $4 limit, $5 type or NULL: newest first, through
    /// `messages_dead` or `messages_dead_type` (m0012), walked backwards without a sort.
    enum DeadPage: PostgresSQL {
        static let sql = """
            SELECT \(deadColumns) FROM messages
            WHERE queue = $1::text AND dead_at IS NOT NULL AND (dead_at, id) < ($2::bigint, $3::bigint)
            ORDER BY dead_at DESC, id DESC LIMIT $4::bigint
            """
    }
    /// As `DeadPage`, of type $5.
    enum DeadPageOfType: PostgresSQL {
        static let sql = """
            SELECT \(deadColumns) FROM messages
            WHERE queue = $1::text AND type = $5::text AND dead_at IS NOT NULL AND (dead_at, id) < ($2::bigint, $3::bigint)
            ORDER BY dead_at DESC, id DESC LIMIT $4::bigint
            """
    }
    /// $2 queue: current leases per holding pool, of the running jobs' messages (through `jobs_status`, as the
    /// in-flight listing).
    enum LeaseCounts: PostgresSQL {
        static let sql = """
            SELECT m.owner, count(*) FROM jobs j JOIN messages m ON m.id = j.message_id
            WHERE j.status = 'running' AND m.queue = $2::text AND m.dead_at IS NULL AND m.leased_until > \(now)
              AND m.owner IS NOT NULL
            GROUP BY m.owner
            """
    }
    /// The database's size in bytes.
    enum StorageSize: PostgresSQL {
        static let sql = "SELECT pg_database_size(current_database())"
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

    /// $1 queue: dead letters by type, from the counters of m0013.
    enum DeadStats: PostgresSQL {
        static let sql = "SELECT type, dead FROM dead_counts WHERE queue = $1::text AND dead > 0"
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
    /// After the position ($3 priority, $4 visible at, $5 id) in delivery order (priority highest first, then
    /// visible time, then id): a walk of `messages_receive` from the cursor.
    static let afterPosition = "(priority < $3::bigint OR (priority = $3::bigint AND (visible_at, id) > ($4::bigint, $5::bigint)))"
    /// $2 queue, $3…$5 after, $6 limit: ready messages in delivery order.
    enum ReadyPage: PostgresSQL {
        static let sql = """
            SELECT \(queuedColumns) FROM messages
            WHERE queue = $2::text AND dead_at IS NULL AND visible_at <= \(now) AND (leased_until IS NULL OR leased_until <= \(now))
              AND \(afterPosition)
            ORDER BY priority DESC, visible_at, id LIMIT $6::bigint
            """
    }
    /// $2 queue, $3…$5 after, $6 limit: delayed messages in delivery order.
    enum DelayedPage: PostgresSQL {
        static let sql = """
            SELECT \(queuedColumns) FROM messages
            WHERE queue = $2::text AND dead_at IS NULL AND visible_at > \(now) AND (leased_until IS NULL OR leased_until <= \(now))
              AND \(afterPosition)
            ORDER BY priority DESC, visible_at, id LIMIT $6::bigint
            """
    }
    /// $2 queue, $3…$5 after, $6 limit: messages of running jobs held by a lease (no index on the lease: a
    /// claim stays a HOT update), found through the running jobs.
    enum InFlightPage: PostgresSQL {
        static let sql = """
            SELECT m.id, m.queue, m.type, m.job_id, m.priority, 'in_flight', m.visible_at, m.leased_until, m.received,
                   m.owner, m.last_error, m.created_at
            FROM jobs j JOIN messages m ON m.id = j.message_id
            WHERE j.status = 'running' AND m.queue = $2::text AND m.dead_at IS NULL AND m.leased_until > \(now)
              AND (m.priority < $3::bigint OR (m.priority = $3::bigint AND (m.visible_at, m.id) > ($4::bigint, $5::bigint)))
            ORDER BY m.priority DESC, m.visible_at, m.id LIMIT $6::bigint
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
