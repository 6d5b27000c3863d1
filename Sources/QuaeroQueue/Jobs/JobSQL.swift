/// Every statement on the `jobs` table and the job-specific ones on `messages` and `worker_pools`: the one
/// place the job engine's SQL lives (used only by `JobStore`).
enum JobSQL {
    /// The columns `JobStore.job(from:)` reads, in order.
    static let columns = """
        id, parent_id, type, status, config, fields, progress_total, progress_completed, progress_failed, message,
        result, error, attempts, fail_on_child_failure, created_at, started_at, finished_at, updated_at
        """

    // MARK: Records

    /// ?1 id, ?2 parent, ?3 type, ?4 config, ?5 fields, ?6 message id, ?7 fail on child failure, ?8 now.
    static let insert = SQLStatement("""
        INSERT INTO jobs (id, parent_id, type, status, config, fields, message_id, fail_on_child_failure, created_at, updated_at)
        VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?7, ?8, ?8)
        """)
    /// The id of the job that message ?1 runs, as its body names it (`JobMessage` JSON); NULL when the body is
    /// not JSON. With `message_id = ?1` it finds a message's job by primary key, so `message_id` needs no
    /// index (one less b-tree to change per job).
    static let jobOfMessageID = """
        (SELECT CASE WHEN json_valid(b) THEN b ->> '$.id' END FROM (SELECT CAST(body AS TEXT) AS b FROM messages WHERE id = ?1))
        """
    /// ?1 message id: the job a (deduplicated) message already runs.
    static let jobOfMessage = SQLStatement("SELECT id FROM jobs WHERE id = \(jobOfMessageID) AND message_id = ?1")
    /// ?1 parent, ?2 now: a new child is counted before it can end.
    static let countChild = SQLStatement("""
        UPDATE jobs SET children = children + 1, progress_total = progress_total + 1, updated_at = ?2 WHERE id = ?1
        """)
    /// ?1 id.
    static let status = SQLStatement("SELECT status FROM jobs WHERE id = ?1")
    /// ?1 id.
    static let get = SQLStatement("SELECT \(columns) FROM jobs WHERE id = ?1")
    /// ?1 parent.
    static let children = SQLStatement("SELECT \(columns) FROM jobs WHERE parent_id = ?1 ORDER BY id")
    /// ?1 id, ?2 config, ?3 has progress, ?4 total, ?5 completed, ?6 failed, ?7 message, ?8 result, ?9 now;
    /// NULL keeps a field.
    static let update = SQLStatement("""
        UPDATE jobs SET config = coalesce(?2, config),
            progress_total = CASE WHEN ?3 THEN ?4 ELSE progress_total END,
            progress_completed = CASE WHEN ?3 THEN ?5 ELSE progress_completed END,
            progress_failed = CASE WHEN ?3 THEN ?6 ELSE progress_failed END,
            message = coalesce(?7, message), result = coalesce(?8, result), updated_at = ?9
        WHERE id = ?1
        """)
    /// ?1 id: the job and all its descendants, with what cancel and delete need.
    static let subtree = SQLStatement("""
        WITH RECURSIVE tree(id) AS (SELECT ?1 UNION ALL SELECT j.id FROM jobs j JOIN tree t ON j.parent_id = t.id)
        SELECT j.id, j.parent_id, j.type, j.status, j.message_id, j.attempts FROM jobs j JOIN tree USING (id)
        """)
    /// ?1 message id.
    static let deleteMessage = SQLStatement("DELETE FROM messages WHERE id = ?1")
    /// ?1 id.
    static let delete = SQLStatement("DELETE FROM jobs WHERE id = ?1")
    /// ?1 parent, ?2 1 when the removed child had ended, ?3 1 when it ended badly, ?4 now.
    static let uncountChild = SQLStatement("""
        UPDATE jobs SET children = children - 1, progress_total = max(progress_total - 1, 0),
            children_ended = children_ended - ?2, children_failed = children_failed - ?3,
            progress_completed = max(progress_completed - (?2 - ?3), 0), progress_failed = max(progress_failed - ?3, 0),
            updated_at = ?4
        WHERE id = ?1
        """)
    /// Counts and mean run time by type and status.
    static let stats = SQLStatement("""
        SELECT type, status, count(*), avg(finished_at - started_at) FILTER (WHERE finished_at IS NOT NULL AND started_at IS NOT NULL)
        FROM jobs GROUP BY type, status
        """)

    // MARK: Execution

    /// ?1 message id: the unfinished job of a delivered message, before `start`.
    static let startable = SQLStatement("""
        SELECT \(columns) FROM jobs WHERE id = \(jobOfMessageID) AND message_id = ?1 AND status IN ('pending', 'running')
        """)
    /// ?1 id, ?2 now: the job starts another attempt.
    ///
    /// The hot statements avoid RETURNING: SQLite collects RETURNING rows in an ephemeral table, whose page
    /// cache is allocated and freed on every execution.
    static let start = SQLStatement("""
        UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?2, updated_at = ?2 WHERE id = ?1
        """)
    /// ?1 id, ?2 message id, ?3 type, ?4 config, ?5 fields, ?6 parent, ?7 now: a message sent without a record
    /// (a raw send) gets one when it is first delivered.
    static let adopt = SQLStatement("""
        INSERT INTO jobs (id, parent_id, type, status, config, fields, message_id, attempts, created_at, started_at, updated_at)
        VALUES (?1, ?6, ?3, 'running', ?4, ?5, ?2, 1, ?7, ?7, ?7)
        ON CONFLICT (id) DO UPDATE SET status = 'running', message_id = ?2, attempts = attempts + 1,
            started_at = ?7, updated_at = ?7
        WHERE status IN ('pending', 'running')
        RETURNING \(columns)
        """)
    /// ?1 id, ?2 now, ?3 result: the handler of a job without children succeeded; it is completed.
    static let succeedLeaf = SQLStatement("""
        UPDATE jobs SET result = ?3, message_id = NULL, updated_at = ?2, status = 'completed', error = NULL, finished_at = ?2
        WHERE id = ?1 AND status = 'running' AND children = 0
        """)
    /// Whether a parent whose children all ended fails: a child failed and it fails on any child's failure,
    /// or every child failed (DESIGN §5: then it fails whatever `fail_on_child_failure` says).
    static let parentFails = "children_failed > 0 AND (fail_on_child_failure OR children_failed >= children)"
    /// ?1 id, ?2 now, ?3 result: the handler succeeded; the job ends unless children still run.
    static let succeed = SQLStatement("""
        UPDATE jobs SET result = ?3, message_id = NULL, updated_at = ?2,
            status = CASE WHEN children_ended < children THEN 'running'
                          WHEN \(parentFails) THEN 'failed' ELSE 'completed' END,
            error = CASE WHEN children_ended >= children AND \(parentFails)
                         THEN children_failed || ' of ' || children || ' children failed' END,
            finished_at = CASE WHEN children_ended >= children THEN ?2 END
        WHERE id = ?1 AND status = 'running'
        """)
    /// ?1 id: how `succeed` left the job.
    static let outcome = SQLStatement("SELECT status, error FROM jobs WHERE id = ?1")
    /// ?1 id, ?2 now, ?3 error: the attempt failed; the job waits for its retry.
    static let retry = SQLStatement("""
        UPDATE jobs SET status = 'pending', error = ?3, updated_at = ?2 WHERE id = ?1 AND status = 'running'
        """)
    /// ?1 id, ?2 now, ?3 error: the job ends failed (dead-lettered).
    static let fail = SQLStatement("""
        UPDATE jobs SET status = 'failed', error = ?3, message_id = NULL, finished_at = ?2, updated_at = ?2
        WHERE id = ?1 AND status IN ('pending', 'running')
        """)
    /// ?1 message id, ?2 now, ?3 error: the job of a message dead-lettered on receive ends failed.
    static let failByMessage = SQLStatement("""
        UPDATE jobs SET status = 'failed', error = ?3, message_id = NULL, finished_at = ?2, updated_at = ?2
        WHERE id = \(jobOfMessageID) AND message_id = ?1 AND status IN ('pending', 'running')
        RETURNING id, parent_id, type, attempts
        """)
    /// ?1 id, ?2 now.
    static let cancelOne = SQLStatement("""
        UPDATE jobs SET status = 'cancelled', message_id = NULL, finished_at = ?2, updated_at = ?2,
            error = coalesce(error, 'cancelled')
        WHERE id = ?1 AND status IN ('pending', 'running')
        """)
    /// ?1 parent, ?2 1 when the child ended badly, ?3 now: a child's end is counted on its parent.
    static let childEnded = SQLStatement("""
        UPDATE jobs SET children_ended = children_ended + 1, children_failed = children_failed + ?2,
            progress_completed = progress_completed + 1 - ?2, progress_failed = progress_failed + ?2, updated_at = ?3
        WHERE id = ?1
        """)
    /// ?1 id: what a progress event of the parent carries.
    static let progress = SQLStatement("""
        SELECT type, parent_id, status, attempts, progress_total, progress_completed, progress_failed FROM jobs WHERE id = ?1
        """)
    /// ?1 id: whether the job waits for nothing more (handler done, children all ended), and how it ends.
    static let settleable = SQLStatement("""
        SELECT \(parentFails), children_failed, children, parent_id, type, attempts
        FROM jobs WHERE id = ?1 AND status = 'running' AND message_id IS NULL AND children_ended >= children
        """)
    /// ?1 id, ?2 status, ?3 error, ?4 now: a parent whose last child ended.
    static let finishParent = SQLStatement("""
        UPDATE jobs SET status = ?2, error = ?3, finished_at = ?4, updated_at = ?4 WHERE id = ?1 AND status = 'running'
        """)
    /// ?1 message id, ?2 lease, ?3 now: a delivery cut short by shutdown goes back at once, the attempt refunded.
    static let giveBack = SQLStatement("""
        UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, visible_at = min(visible_at, ?3),
            received = max(received - 1, 0)
        WHERE id = ?1 AND lease = ?2 AND dead_at IS NULL
        """)
    /// ?1 id, ?2 now.
    static let unstart = SQLStatement("UPDATE jobs SET status = 'pending', updated_at = ?2 WHERE id = ?1 AND status = 'running'")

    // MARK: Reconciliation

    /// ?1 now: running jobs whose message is back in the queue (their worker died) wait again.
    static let requeuedRunning = SQLStatement("""
        UPDATE jobs SET status = 'pending', updated_at = ?1
        WHERE status = 'running' AND message_id IS NOT NULL
          AND EXISTS (SELECT 1 FROM messages m WHERE m.id = jobs.message_id AND m.lease IS NULL AND m.dead_at IS NULL)
        """)
    /// Unfinished jobs whose message is dead or gone, with the reason.
    static let orphaned = SQLStatement("""
        SELECT j.id, coalesce(m.last_error, 'its queue message is gone (purged or deleted)') FROM jobs j
        LEFT JOIN messages m ON m.id = j.message_id
        WHERE j.status IN ('pending', 'running') AND j.message_id IS NOT NULL AND (m.id IS NULL OR m.dead_at IS NOT NULL)
        """)
    /// Parents whose handler is done and whose children all ended, but that were not finished (a crash between).
    static let stalledParents = SQLStatement("""
        SELECT id FROM jobs WHERE status = 'running' AND message_id IS NULL AND children_ended >= children
        """)

    // MARK: Worker pools

    /// ?1 name, ?2 pid, ?3 now, ?4 heartbeat interval (ms).
    static let registerPool = SQLStatement("""
        INSERT INTO worker_pools (name, pid, started_at, heartbeat_at, heartbeat_ms) VALUES (?1, ?2, ?3, ?3, ?4) RETURNING id
        """)
    /// ?1 id, ?2 name, ?3 pid, ?4 now, ?5 interval: also re-registers a pool that another pool reaped.
    static let heartbeat = SQLStatement("""
        INSERT INTO worker_pools (id, name, pid, started_at, heartbeat_at, heartbeat_ms) VALUES (?1, ?2, ?3, ?4, ?4, ?5)
        ON CONFLICT (id) DO UPDATE SET heartbeat_at = ?4
        """)
    /// ?1 now, ?2 the asking pool: pools that missed three heartbeats.
    static let deadPools = SQLStatement("SELECT id FROM worker_pools WHERE heartbeat_at + 3 * heartbeat_ms < ?1 AND id != ?2")
    /// What `releaseOwned` records as the last error; a delivery that follows one is a suspect and runs solo.
    static let diedPrefix = "its worker pool died while running it"
    /// ?1 pool, ?2 now: its leases go back to the queue at once (the attempt stays counted: it may be poison).
    /// `owner` has no index: this scan of the messages runs only for a pool that died or stops.
    static let releaseOwned = SQLStatement("""
        UPDATE messages SET lease = NULL, owner = NULL, leased_until = NULL, visible_at = min(visible_at, ?2),
            last_error = '\(diedPrefix) (pool ' || ?1 || ')'
        WHERE owner = ?1 AND dead_at IS NULL RETURNING id
        """)
    /// ?1 message id, ?2 now.
    static let unstartByMessage = SQLStatement("""
        UPDATE jobs SET status = 'pending', updated_at = ?2 WHERE id = \(jobOfMessageID) AND message_id = ?1 AND status = 'running'
        """)
    /// ?1 pool.
    static let deletePool = SQLStatement("DELETE FROM worker_pools WHERE id = ?1")
}
