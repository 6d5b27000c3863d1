/// Every statement on the `jobs` table on PostgreSQL (SQLite's `JobSQL`, in PostgreSQL's dialect). `$1` is
/// the pinned time or NULL where a statement reads or stamps a time.
enum JobSQL {
    static let now = PostgresTime.now

    /// The columns `PostgresRows.job` reads, in order, of table alias `alias`.
    static func columns(_ alias: String) -> String {
        ["id", "parent_id", "type", "status", "config", "fields", "progress_total", "progress_completed", "progress_failed",
         "message", "result", "error", "attempts", "fail_on_child_failure", "created_at", "started_at", "finished_at",
         "updated_at", "worker"].map { "\(alias).\($0)" }.joined(separator: ", ")
    }
    /// How many columns `columns` lists.
    static let columnCount = 19

    // MARK: Records

    /// $2 id, $3 parent, $4 type, $5 config, $6 fields, $7 message id, $8 fail on child failure, $9 unique key;
    /// returns the time it stamped.
    enum Insert: PostgresSQL {
        static let sql = """
            INSERT INTO jobs (id, parent_id, type, status, config, fields, message_id, fail_on_child_failure, created_at, updated_at,
                              unique_key)
            VALUES ($2::text, $3::text, $4::text, 'pending', $5::text, $6::text, $7::bigint, $8::boolean, \(now), \(now), $9::text)
            RETURNING created_at
            """
    }
    /// The records of `insertJobs`: $2 ids, $3 parents, $4 types, $5 configs, $6 fields, $7 messages, $8 fail on
    /// child failure, $9 unique keys, row by row. All get the same time.
    enum InsertMany: PostgresSQL {
        static let sql = """
            INSERT INTO jobs (id, parent_id, type, status, config, fields, message_id, fail_on_child_failure, created_at, updated_at,
                              unique_key)
            SELECT r.id, r.parent_id, r.type, 'pending', r.config, r.fields, r.message_id, r.fail, \(now), \(now), r.unique_key
            FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::boolean[], $9::text[])
                 AS r (id, parent_id, type, config, fields, message_id, fail, unique_key)
            RETURNING created_at
            """
    }
    /// $2 parent, $3 how many: new children are counted before they can end (only on a parent that has not
    /// ended). Returns whether they were counted and the parent's status (no row: no such job).
    enum CountChildren: PostgresSQL {
        static let sql = """
            WITH counted AS (
                UPDATE jobs SET children = children + $3::bigint, progress_total = progress_total + $3::bigint,
                                updated_at = \(now)
                WHERE id = $2::text AND status IN ('pending', 'running')
                RETURNING status)
            SELECT true, status FROM counted
            UNION ALL
            SELECT false, status FROM jobs WHERE id = $2::text AND NOT EXISTS (SELECT 1 FROM counted)
            """
    }
    /// $1 id.
    enum Get: PostgresSQL {
        static let sql = "SELECT \(columns("j")) FROM jobs j WHERE j.id = $1::text"
    }
    /// $1 parent.
    enum Children: PostgresSQL {
        static let sql = "SELECT \(columns("j")) FROM jobs j WHERE j.parent_id = $1::text ORDER BY j.id"
    }
    /// $2 id, $3 config, $4 has progress, $5 total, $6 completed, $7 failed, $8 message, $9 result; NULL keeps
    /// a field.
    enum Update: PostgresSQL {
        static let sql = """
            UPDATE jobs j SET config = coalesce($3::text, j.config),
                progress_total = CASE WHEN $4::boolean THEN $5::bigint ELSE j.progress_total END,
                progress_completed = CASE WHEN $4::boolean THEN $6::bigint ELSE j.progress_completed END,
                progress_failed = CASE WHEN $4::boolean THEN $7::bigint ELSE j.progress_failed END,
                message = coalesce($8::text, j.message), result = coalesce($9::text, j.result), updated_at = \(now)
            WHERE j.id = $2::text
            RETURNING \(columns("j"))
            """
    }
    /// $1 id: the job and all its descendants, with what cancel and delete need.
    enum Subtree: PostgresSQL {
        static let sql = """
            WITH RECURSIVE tree (id) AS (SELECT $1::text UNION ALL SELECT j.id FROM jobs j JOIN tree t ON j.parent_id = t.id)
            SELECT j.id, j.parent_id, j.type, j.status, j.message_id, j.attempts FROM jobs j JOIN tree USING (id)
            """
    }
    /// $1 id (its descendants and their logs go with it: ON DELETE CASCADE).
    enum Delete: PostgresSQL {
        static let sql = "DELETE FROM jobs WHERE id = $1::text"
    }
    /// $2 parent, $3 1 when the removed child had ended, $4 1 when it ended badly.
    enum UncountChild: PostgresSQL {
        static let sql = """
            UPDATE jobs SET children = children - 1, progress_total = greatest(progress_total - 1, 0),
                children_ended = children_ended - $3::bigint, children_failed = children_failed - $4::bigint,
                progress_completed = greatest(progress_completed - ($3::bigint - $4::bigint), 0),
                progress_failed = greatest(progress_failed - $4::bigint, 0), updated_at = \(now)
            WHERE id = $2::text
            """
    }
    /// Counts by status and run times per type, from the counters the engine chain's m0010 triggers keep (the
    /// slots of a type added up).
    enum Stats: PostgresSQL {
        static let sql = """
            SELECT type, sum(pending)::bigint, sum(running)::bigint, sum(completed)::bigint, sum(failed)::bigint,
                   sum(cancelled)::bigint, sum(runs)::bigint, sum(run_ms)::bigint
            FROM job_counts GROUP BY type
            HAVING sum(pending) + sum(running) + sum(completed) + sum(failed) + sum(cancelled) > 0
            """
    }
    /// $1 first minute: jobs ended per minute (m0010's ring of minutes, its shards added up), oldest first.
    enum EndsPerMinute: PostgresSQL {
        static let sql = """
            SELECT minute, sum(completed)::bigint, sum(failed)::bigint FROM job_minutes WHERE minute >= $1::bigint
            GROUP BY minute ORDER BY minute
            """
    }
    /// $2 id: the attempt snoozed; it does not count.
    enum Snooze: PostgresSQL {
        static let sql = """
            UPDATE jobs SET status = 'pending', attempts = greatest(attempts - 1, 0), updated_at = \(now)
            WHERE id = $2::text AND status = 'running'
            """
    }
    /// $1 id: the child counters summed over it and every descendant that has children (the walk reads the
    /// parent index; the rows read are those of the parents).
    enum DescendantProgress: PostgresSQL {
        static let sql = """
            WITH RECURSIVE parents(id) AS (
                SELECT $1::text
                UNION ALL SELECT c.id FROM parents p JOIN jobs c ON c.parent_id = p.id
                    WHERE EXISTS (SELECT 1 FROM jobs g WHERE g.parent_id = c.id))
            SELECT coalesce(sum(j.children), 0)::bigint, coalesce(sum(j.children_ended), 0)::bigint,
                   coalesce(sum(j.children_failed), 0)::bigint
            FROM parents JOIN jobs j USING (id)
            """
    }
    /// $1 key, $2 created at or after, $3 statuses: the newest such job.
    enum Unique: PostgresSQL {
        static let sql = """
            SELECT \(columns("j")) FROM jobs j
            WHERE j.unique_key = $1::text AND j.created_at >= $2::bigint AND j.status = ANY($3::text[])
            ORDER BY j.created_at DESC LIMIT 1
            """
    }
    /// $1 cutoff, $2 statuses, $3 limit: top-level jobs that ended before the cutoff.
    enum EndedBefore: PostgresSQL {
        static let sql = """
            SELECT id FROM jobs
            WHERE status = ANY($2::text[]) AND parent_id IS NULL AND coalesce(finished_at, updated_at) < $1::bigint
            ORDER BY id LIMIT $3::bigint
            """
    }

    // MARK: Execution

    /// $2 id: an unfinished job starts another attempt (by no named worker).
    enum Start: PostgresSQL {
        static let sql = """
            UPDATE jobs j SET status = 'running', attempts = j.attempts + 1, started_at = \(now), updated_at = \(now), worker = NULL
            WHERE j.id = $2::text AND j.status IN ('pending', 'running')
            RETURNING \(columns("j"))
            """
    }
    /// $1 message, $2 job: the message runs the job.
    enum AttachMessage: PostgresSQL {
        static let sql = """
            WITH attached AS (UPDATE messages SET job_id = $2::text WHERE id = $1::bigint)
            UPDATE jobs SET message_id = $1::bigint WHERE id = $2::text
            """
    }
    /// How a parent ends once its children all ended: failed when any child failed and it fails on a child's
    /// failure, or when every child failed (nothing it started worked); completed otherwise.
    private static let parentOutcome = """
        CASE WHEN j.children_failed > 0 AND (j.fail_on_child_failure OR j.children_failed >= j.children) THEN 'failed' ELSE 'completed' END
        """
    private static let parentError = """
        CASE WHEN j.children_failed > 0 AND (j.fail_on_child_failure OR j.children_failed >= j.children)
             THEN j.children_failed || ' of ' || j.children || ' children failed' END
        """
    /// $2 id, $3 result: the handler succeeded; the job ends unless children still run.
    enum Succeed: PostgresSQL {
        static let sql = """
            UPDATE jobs j SET result = $3::text, message_id = NULL, updated_at = \(now),
                status = CASE WHEN j.children_ended < j.children THEN 'running' ELSE \(parentOutcome) END,
                error = CASE WHEN j.children_ended < j.children THEN NULL ELSE \(parentError) END,
                finished_at = CASE WHEN j.children_ended >= j.children THEN \(now) END
            WHERE j.id = $2::text AND j.status = 'running'
            RETURNING j.status, j.error
            """
    }
    /// What a succeeded attempt sets on its job `j` (its handler's result, the text of the array `ids`'s element
    /// that names the job in the parallel array `results`): it ends unless children still run.
    ///
    /// The batched ends find their jobs by `j.id = ANY(…)` alone, with no join to the arrays: a join let the
    /// plan made on a small table (a connection keeps the plan of its first run) look each job up through the
    /// status or type index, whose id comes second, reading that whole index per job; a condition `= ANY` on
    /// the id is costed per element of the array, which only the primary key does in one probe (KeptPlanTests).
    private static func succeeded(ids: String, results: String) -> String {
        """
        result = (SELECT r.result FROM unnest(\(ids), \(results)) AS r (id, result) WHERE r.id = j.id LIMIT 1),
                message_id = NULL, updated_at = \(now),
                status = CASE WHEN j.children_ended < j.children THEN 'running' ELSE \(parentOutcome) END,
                error = CASE WHEN j.children_ended < j.children THEN NULL ELSE \(parentError) END,
                finished_at = CASE WHEN j.children_ended >= j.children THEN \(now) END
        """
    }
    /// $2 ids, $3 results: `Succeed` of many jobs in one statement (a batch of a pool's ends). Returns the id,
    /// status and error of each job that was running.
    enum SucceedMany: PostgresSQL {
        static let sql = """
            UPDATE jobs j SET \(succeeded(ids: "$2::text[]", results: "$3::text[]"))
            WHERE j.id = ANY($2::text[]) AND (j.status = 'running') IS TRUE
            RETURNING j.id, j.status, j.error
            """
    }
    /// $2 message ids, $3 leases, $4 job ids, $5 results, row by row (each succeeded attempt's delivery and job):
    /// the deliveries that are current deleted (as `QueueSQL.Delete`), and the jobs of those completed (as
    /// `SucceedMany`), in one statement. A data-modifying CTE sees only the other's RETURNING rows, which is
    /// all the jobs' update needs. Rows: each delivery deleted (id, lease), then each job that was running (its
    /// id, status and error).
    enum DeleteAndSucceedMany: PostgresSQL {
        static let sql = """
            WITH deleted AS (
                DELETE FROM messages m USING unnest($2::bigint[], $3::bigint[]) AS r (id, lease)
                WHERE m.id = r.id AND m.id = ANY($2::bigint[]) AND m.lease = r.lease
                RETURNING m.id, m.lease
            ),
            ended AS (
                UPDATE jobs j SET \(succeeded(ids: "$4::text[]", results: "$5::text[]"))
                WHERE j.id = ANY(ARRAY(SELECT r.id FROM unnest($4::text[], $2::bigint[]) AS r (id, message)
                                       WHERE r.message IN (SELECT id FROM deleted)))
                  AND (j.status = 'running') IS TRUE
                RETURNING j.id, j.status, j.error
            )
            SELECT d.id, d.lease, NULL::text, NULL::text, NULL::text FROM deleted d
            UNION ALL
            SELECT NULL, NULL, e.id, e.status, e.error FROM ended e
            """
    }
    /// $2 id, $3 error: the attempt failed; the job waits for its retry.
    enum Retry: PostgresSQL {
        static let sql = "UPDATE jobs SET status = 'pending', error = $3::text, updated_at = \(now) WHERE id = $2::text AND status = 'running'"
    }
    /// $2 id, $3 error: the job ends failed.
    enum Fail: PostgresSQL {
        static let sql = """
            UPDATE jobs SET status = 'failed', error = $3::text, message_id = NULL, finished_at = \(now), updated_at = \(now)
            WHERE id = $2::text AND status IN ('pending', 'running')
            RETURNING parent_id, type, attempts
            """
    }
    /// $2 id.
    enum CancelOne: PostgresSQL {
        static let sql = """
            UPDATE jobs SET status = 'cancelled', message_id = NULL, finished_at = \(now), updated_at = \(now),
                error = coalesce(error, 'cancelled')
            WHERE id = $2::text AND status IN ('pending', 'running')
            RETURNING 1
            """
    }
    /// $2 parent, $3 1 when the child ended badly: a child's end is counted on its parent.
    enum ChildEnded: PostgresSQL {
        static let sql = """
            UPDATE jobs SET children_ended = children_ended + 1, children_failed = children_failed + $3::bigint,
                progress_completed = progress_completed + 1 - $3::bigint, progress_failed = progress_failed + $3::bigint,
                updated_at = \(now)
            WHERE id = $2::text
            RETURNING parent_id, type, status, attempts, progress_total, progress_completed, progress_failed
            """
    }
    /// $2 id: a running parent whose handler is done and whose children all ended.
    enum Settle: PostgresSQL {
        static let sql = """
            UPDATE jobs j SET status = \(parentOutcome), error = \(parentError), finished_at = \(now), updated_at = \(now)
            WHERE j.id = $2::text AND j.status = 'running' AND j.message_id IS NULL AND j.children_ended >= j.children
            RETURNING j.status, j.error, j.parent_id, j.type, j.attempts
            """
    }
    /// $2 ids.
    enum Unstart: PostgresSQL {
        static let sql = "UPDATE jobs SET status = 'pending', updated_at = \(now) WHERE id = ANY($2::text[]) AND status = 'running'"
    }
    /// $2 id, $3 message: a failed job whose message was requeued runs again, and no longer counts as ended
    /// (failed) on its parent.
    enum Revive: PostgresSQL {
        static let sql = """
            WITH revived AS (
                UPDATE jobs SET status = 'pending', error = NULL, finished_at = NULL, message_id = $3::bigint, updated_at = \(now)
                WHERE id = $2::text AND status = 'failed'
                RETURNING parent_id, type, attempts),
            parent AS (
                UPDATE jobs p SET children_ended = greatest(p.children_ended - 1, 0), children_failed = greatest(p.children_failed - 1, 0),
                    progress_failed = greatest(p.progress_failed - 1, 0), updated_at = \(now)
                FROM revived r WHERE p.id = r.parent_id AND p.id = (SELECT parent_id FROM revived))
            SELECT parent_id, type, attempts FROM revived
            """
    }

    // MARK: Reconciliation

    /// Running jobs whose message is back in the queue (their worker died) wait again.
    enum RequeuedRunning: PostgresSQL {
        static let sql = """
            UPDATE jobs SET status = 'pending', updated_at = \(now)
            WHERE status = 'running' AND message_id IS NOT NULL
              AND EXISTS (SELECT 1 FROM messages m WHERE m.id = jobs.message_id AND m.lease IS NULL AND m.dead_at IS NULL)
            RETURNING 1
            """
    }
    /// Unfinished jobs whose message is dead or gone, with the reason.
    enum Orphaned: PostgresSQL {
        static let sql = """
            SELECT j.id, coalesce(m.last_error, 'its queue message is gone (purged or deleted)') FROM jobs j
            LEFT JOIN messages m ON m.id = j.message_id
            WHERE j.status IN ('pending', 'running') AND j.message_id IS NOT NULL AND (m.id IS NULL OR m.dead_at IS NOT NULL)
            """
    }
    /// Parents whose handler is done and whose children all ended, but that were not finished (a crash between).
    enum StalledParents: PostgresSQL {
        static let sql = "SELECT id FROM jobs WHERE status = 'running' AND message_id IS NULL AND children_ended >= children"
    }
}
