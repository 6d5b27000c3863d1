import QuaeroQueue
import QuaeroSQLite
import QuaeroTestSupport

/// A store on the file `old.db` in `directory` and a job manager on its queue "q": the database an upgrade test
/// fills, takes back to an older schema, and opens again with `upgradeStore(at:)`.
func upgradeStore(in directory: TemporaryDirectory) throws -> (path: String, store: SQLiteStore, manager: JobManager) {
    let path = directory.path("old.db")
    let (store, manager) = try upgradeStore(at: path)
    return (path, store, manager)
}

/// The store on `path` (migrated to this build's chains as it opens) and a job manager on its queue "q".
func upgradeStore(at path: String) throws -> (store: SQLiteStore, manager: JobManager) {
    let store = try SQLiteStore(path: path)
    return (store, JobManager(queue: try Queue(name: "q", store: store)))
}

/// Takes a database back to before engine m0016 (its version left for the caller to unrecord): the lease's end in
/// m0009's two limit indexes, no `limit_until`.
let undoLimitsOffTheLease = """
    DROP INDEX messages_limited;
    ALTER TABLE messages DROP COLUMN limit_until;
    CREATE INDEX messages_limit ON messages (limit_key, leased_until) WHERE limit_key IS NOT NULL;
    CREATE INDEX messages_type_limit ON messages (queue, type, leased_until) WHERE type_max IS NOT NULL;
    """
