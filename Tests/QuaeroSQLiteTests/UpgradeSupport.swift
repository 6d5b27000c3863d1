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
