/// The one error type of the Quaero engine: a stable code, a message that says what to do, and context.
public struct QuaeroError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, as a value callers can match on; new codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Sendable {
            case leaseLost = "lease_lost"
            case notFound = "not_found"
            case invalidArgument = "invalid_argument"
            case databaseBusy = "database_busy"
            case databaseReadOnly = "database_read_only"
            case notADatabase = "not_a_database"
            case schemaTooNew = "schema_too_new"
            case storage = "storage_error"
            case closed = "closed"
            case decoding = "decoding"
            case conflict = "conflict"
            case cancelled = "cancelled"
            case timeout = "timeout"
            case unavailable = "unavailable"
            case queueFull = "queue_full"
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The delivery named by a receipt is no longer current: the lease expired and another worker took it.
        public static let leaseLost = Code(.leaseLost)
        /// The named message, job or row does not exist.
        public static let notFound = Code(.notFound)
        /// An argument is out of its allowed range.
        public static let invalidArgument = Code(.invalidArgument)
        /// Another process held the database's write lock for longer than the busy timeout.
        public static let databaseBusy = Code(.databaseBusy)
        /// The database file or its folder cannot be written.
        public static let databaseReadOnly = Code(.databaseReadOnly)
        /// The file is not a SQLite database.
        public static let notADatabase = Code(.notADatabase)
        /// The database was written by a newer Quaero whose schema this binary does not know.
        public static let schemaTooNew = Code(.schemaTooNew)
        /// The store (SQLite, PostgreSQL) reported an error.
        public static let storage = Code(.storage)
        /// The database or service was already closed.
        public static let closed = Code(.closed)
        /// A stored value or message body could not be decoded.
        public static let decoding = Code(.decoding)
        /// The operation does not fit the current state (for example cancelling a finished job).
        public static let conflict = Code(.conflict)
        /// The operation was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The operation ran out of time.
        public static let timeout = Code(.timeout)
        /// The database server cannot be reached (down, or the network between is); trying again later may work.
        public static let unavailable = Code(.unavailable)
        /// The queue holds `max_ready` ready messages: the send was refused (try again later).
        public static let queueFull = Code(.queueFull)

        /// The code as a snake_case string, as used in JSON errors.
        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// A sentence that says what is wrong and what to do.
    public let message: String
    /// The store's own code for the error, when the store reported it (SQLite's extended result code, or
    /// PostgreSQL's SQLSTATE).
    public let storeCode: String?

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String, storeCode: String? = nil) {
        self.code = code
        self.message = message
        self.storeCode = storeCode
    }

    public var description: String { message }
}
