import Logging
public import QuaeroQueue
import Synchronization

/// One transaction (or read-only view) of the PostgreSQL store: the engine's operations as prepared statements
/// on the pooled connection it holds for its duration.
///
/// An app's own statements run on the same connection, in the same transaction (`rows`, `command`), with its
/// own `PostgresSQL` texts: its rows and the engine's operations commit together.
public struct PostgresTransaction: StoreTransaction {
    /// The connection, in its transaction.
    public let connection: PostgresConnection
    let core: PostgresStoreCore
    let commitActions: CommitActions

    init(connection: PostgresConnection, core: PostgresStoreCore) {
        self.connection = connection
        self.core = core
        self.commitActions = CommitActions()
    }

    /// The pinned time of a store given a clock, nil for the database's own (bind it as `$1`: `PostgresTime.now`).
    public var now: Int64? { core.pinnedClock?.nowMillis() }

    public func afterCommit(_ action: @escaping @Sendable () -> Void) {
        commitActions.add(action)
    }

    /// Wakes the consumers of `queue` after the commit (`PostgresStoreCore.committed`).
    func sent(to queue: String) {
        commitActions.sent(to: queue)
    }

    // MARK: Statements

    /// Runs a prepared statement and returns its rows.
    public func rows<S: PostgresSQL>(_ statement: S.Type, _ values: PostgresBind...) async throws -> [PostgresColumns] {
        try await rows(statement, values)
    }

    /// Runs a prepared statement and returns its rows.
    public func rows<S: PostgresSQL>(_ statement: S.Type, _ values: [PostgresBind]) async throws -> [PostgresColumns] {
        try await run { try await $0.awaitPrepared(S.self, values) }
    }

    /// Runs a prepared statement and returns its first row, if any.
    public func first<S: PostgresSQL>(_ statement: S.Type, _ values: PostgresBind...) async throws -> PostgresColumns? {
        try await rows(statement, values).first
    }

    /// Runs a prepared statement and returns how many rows it returned: a statement whose count matters ends
    /// with `RETURNING 1`.
    @discardableResult
    public func command<S: PostgresSQL>(_ statement: S.Type, _ values: PostgresBind...) async throws -> Int {
        try await rows(statement, values).count
    }

    /// Runs SQL that is built at run time (a listing's optional filters) as an unnamed statement, planned for
    /// its values each time.
    public func query(_ sql: String, _ values: [PostgresBind]) async throws -> [PostgresColumns] {
        try await run { try await $0.awaitExecute(sql, values) }
    }

    /// Runs `statement` on the connection (whose thread the operation's task runs on).
    private func run(_ statement: (PostgresConnection) async throws -> PostgresResult) async throws -> [PostgresColumns] {
        do {
            return try await statement(connection).rows
        } catch {
            throw PostgresErrors.map(error, url: core.url, doing: "running a statement")
        }
    }
}

/// What runs after a transaction commits, and which queues it sent to.
final class CommitActions: Sendable {
    private struct State {
        var actions: [@Sendable () -> Void] = []
        /// The queues sent to, whose consumers are woken after the other actions. Few, usually one: a list is
        /// cheaper than hashing each name.
        var queues: [String] = []
    }
    private let state = Mutex(State())

    func add(_ action: @escaping @Sendable () -> Void) {
        state.withLock { $0.actions.append(action) }
    }

    /// Wakes `queue`'s consumers after the commit (once per queue).
    func sent(to queue: String) {
        state.withLock { s in
            if !s.queues.contains(queue) { s.queues.append(queue) }
        }
    }

    /// Runs the actions once (after the commit), then wakes the consumers of the queues sent to with `wake`:
    /// last, so that what the actions publish, such as a job's `created` event, comes before a consumer woken
    /// here can start that job and publish its `started`.
    func run(wake: (String) -> Void) {
        let (actions, queues) = state.withLock { s in
            defer { s.actions = []; s.queues = [] }
            return (s.actions, s.queues)
        }
        for action in actions { action() }
        for queue in queues { wake(queue) }
    }
}
