/// The statements that list a queue's live messages by state (the dashboard's queue page), in delivery order:
/// priority (highest first), then visible time, then id.
///
/// Ready and delayed messages are ranges of `messages_receive` (queue, priority DESC, visible_at, id): within
/// one priority the ready ones (visible_at <= now) come first, then the delayed. A page walks one priority's
/// range at a time from its cursor, so it reads the rows it shows (plus, among the ready, the leased ones, as
/// a claim does) and never the others. In-flight messages have no index of their own (an index on the lease
/// would cost every delivery a page write; see m0005): they are the messages of the running jobs
/// (`jobs_status`), so that page reads as many rows as jobs run, and sorts them.
enum QueueListingSQL {
    /// ?1 queue: the highest priority of a live message.
    static let topPriority = SQLStatement("""
        SELECT priority FROM messages WHERE queue = ?1 AND dead_at IS NULL ORDER BY priority DESC LIMIT 1
        """)
    /// ?1 queue, ?2 priority: the next lower priority of a live message.
    static let nextPriority = SQLStatement("""
        SELECT priority FROM messages WHERE queue = ?1 AND dead_at IS NULL AND priority < ?2 ORDER BY priority DESC LIMIT 1
        """)
    /// ?1 now, ?2 queue, ?3 priority, ?4 ?5 after (visible_at, id), ?6 limit: ready messages of one priority.
    static let ready = SQLStatement("""
        SELECT \(QueueSQL.queuedColumns) FROM messages
        WHERE queue = ?2 AND dead_at IS NULL AND priority = ?3 AND (visible_at, id) > (?4, ?5) AND visible_at <= ?1
          AND (leased_until IS NULL OR leased_until <= ?1)
        ORDER BY visible_at, id LIMIT ?6
        """)
    /// ?1 now, ?2 queue, ?3 priority, ?4 ?5 after (visible_at, id), at least (now, max id), ?6 limit: delayed
    /// messages of one priority.
    static let delayed = SQLStatement("""
        SELECT \(QueueSQL.queuedColumns) FROM messages
        WHERE queue = ?2 AND dead_at IS NULL AND priority = ?3 AND (visible_at, id) > (?4, ?5)
          AND (leased_until IS NULL OR leased_until <= ?1)
        ORDER BY visible_at, id LIMIT ?6
        """)
    /// ?1 now, ?2 queue, ?3 ?4 ?5 after (priority, visible_at, id), ?6 limit: messages of running jobs held by a
    /// lease. CROSS JOIN keeps the running jobs the outer loop (else the planner walks every live message).
    static let inFlight = SQLStatement("""
        SELECT m.id, m.queue, m.type, m.job_id, m.priority, 'in_flight', m.visible_at, m.leased_until, m.received,
               m.owner, m.last_error, m.created_at
        FROM jobs AS j CROSS JOIN messages AS m ON m.id = j.message_id
        WHERE j.status = 'running' AND m.queue = ?2 AND m.dead_at IS NULL AND m.leased_until > ?1
          AND (m.priority < ?3 OR (m.priority = ?3 AND (m.visible_at, m.id) > (?4, ?5)))
        ORDER BY m.priority DESC, m.visible_at, m.id LIMIT ?6
        """)
}
