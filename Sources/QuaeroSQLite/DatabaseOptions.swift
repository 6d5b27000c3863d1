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
    /// How long any statement waits for another connection's lock before it fails with `databaseBusy`: from
    /// the first pragma of the open on (SQLite's busy handler there), then writes, reads and checkpoints
    /// (waiting asynchronously). quaero's `database.busy_timeout`.
    public var busyTimeout: Duration
    /// How many reader connections are kept open for concurrent reads.
    public var readers: Int
    /// WAL pages after which the WAL is copied back into the database file (SQLite's `wal_autocheckpoint`).
    ///
    /// The copy runs on a connection and thread of its own while writes go on (see `Checkpointer`); SQLite's
    /// default runs it inside the commit that crosses the threshold, which measured here cost the job engine
    /// about a tenth of its throughput. SQLite's default is 1,000 pages. A checkpoint writes every page changed
    /// since the last one and fsyncs twice; the queue rewrites the same few pages (the ends of its indexes) in
    /// every transaction, so checkpointing ten times less often copies far fewer pages in all. Measured here,
    /// 10,000 pages (a WAL of about 10 MB with 1 KiB pages) gave the job engine about a third more throughput.
    public var walAutocheckpointPages: Int
    /// The page size of a database this creates (an existing file keeps its own).
    ///
    /// Every commit writes each page it changed to the WAL; a queue changes a few bytes on each of a dozen
    /// pages (a row, the ends of its indexes) per transaction, so smaller pages mean less to write. Measured
    /// here against SQLite's default 4,096: 1,024-byte pages gave 1.6× the sends, 1.45× receive+delete and
    /// 1.5× send→receive→delete per second, and 1.15× the jobs; 512 helped the queue a little more but cost
    /// the job log 20 %.
    public var pageSize: Int

    /// The pragmas a database is opened with, for reports.
    public var pragmas: String {
        "journal_mode=WAL synchronous=\(synchronous.rawValue) foreign_keys=ON wal_autocheckpoint=\(walAutocheckpointPages) page_size=\(pageSize)"
    }

    /// Creates options; the defaults suit one process on a local disk.
    public init(synchronous: Synchronous = .normal, busyTimeout: Duration = .seconds(5), readers: Int = 4,
                walAutocheckpointPages: Int = 10_000, pageSize: Int = 1024) {
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        self.readers = readers
        self.walAutocheckpointPages = walAutocheckpointPages
        self.pageSize = pageSize
    }
}
