/// How a database file is opened.
public struct DatabaseOptions: Sendable, Equatable {
    /// SQLite's `synchronous` setting in WAL mode.
    public enum Synchronous: String, Sendable, CaseIterable {
        /// Survives a crash of the process; the last commits can be lost on power failure or OS crash.
        case normal = "NORMAL"
        /// Also survives power failure: every commit waits for an fsync.
        case full = "FULL"
    }

    /// `synchronous` in WAL mode; `.normal` by default.
    public var synchronous: Synchronous
    /// How long a write waits for another process's write lock before it fails with `databaseBusy`.
    public var busyTimeout: Duration
    /// How many reader connections are kept open for concurrent reads.
    public var readers: Int

    /// Creates options; the defaults suit one process on a local disk.
    public init(synchronous: Synchronous = .normal, busyTimeout: Duration = .seconds(5), readers: Int = 4) {
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        self.readers = readers
    }
}
