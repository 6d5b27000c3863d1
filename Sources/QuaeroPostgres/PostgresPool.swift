import QuaeroQueue
import Synchronization

/// The store's connections: up to `size`, each made when first needed and kept open, lent to one operation at a
/// time.
///
/// A free connection is taken under a lock, so that the operation's task can start on that connection's thread
/// and never leave it (`ConnectionThread`), and no timer is armed per lease.
///
/// A connection the server closed is dropped when it comes back or is found idle; the next lease makes a new
/// one. A failed connect fails the operation that made it (naming the host, never the password), and the next
/// waiter tries again.
final class PostgresPool: Sendable {
    /// What a waiting lease is woken with.
    private enum Grant: Sendable {
        case connection(PostgresConnection)
        /// A place became free: make a connection for it.
        case connect
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, any Error>
    }

    private struct State {
        var idle: [PostgresConnection] = []
        /// Connections open or being made.
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiter = 0
        var nextConnection = 1
        var closed = false
    }

    private let state = Mutex(State())
    private let size: Int
    private let connect: @Sendable (Int) async throws -> PostgresConnection

    init(size: Int, connect: @escaping @Sendable (Int) async throws -> PostgresConnection) {
        precondition(size >= 1)
        self.size = size
        self.connect = connect
    }

    /// A free connection at once, if there is one; never waits.
    func leaseIfIdle() throws -> PostgresConnection? {
        try state.withLock { s -> PostgresConnection? in
            guard !s.closed else { throw QuaeroError(.closed, "the PostgreSQL store is closed") }
            return Self.takeIdle(&s)
        }
    }

    /// A connection: a free one, a new one while fewer than `size` are open, or else the next one given back.
    func lease() async throws -> PostgresConnection {
        enum Next { case got(PostgresConnection), make, wait }
        let next = try state.withLock { s -> Next in
            guard !s.closed else { throw QuaeroError(.closed, "the PostgreSQL store is closed") }
            if let connection = Self.takeIdle(&s) { return .got(connection) }
            guard s.open < size else { return .wait }
            s.open += 1
            return .make
        }
        switch next {
        case .got(let connection): return connection
        case .make: return try await make()
        case .wait:
            switch try await waitForTurn() {
            case .connection(let connection): return connection
            case .connect: return try await make()
            }
        }
    }

    /// Gives `connection` back: to the first waiter, or to the free ones; a closed one frees its place.
    func release(_ connection: PostgresConnection) {
        let (waiter, grant, stale) = state.withLock { s -> (Waiter?, Grant?, PostgresConnection?) in
            if s.closed { return (nil, nil, connection) }
            if connection.isClosed {
                guard !s.waiters.isEmpty else {
                    s.open -= 1
                    return (nil, nil, connection)
                }
                return (s.waiters.removeFirst(), .connect, connection)
            }
            guard !s.waiters.isEmpty else {
                s.idle.append(connection)
                return (nil, nil, nil)
            }
            return (s.waiters.removeFirst(), .connection(connection), nil)
        }
        if let waiter, let grant { waiter.continuation.resume(returning: grant) }
        if let stale { Self.close(stale) }
    }

    /// Closes every free connection and fails the waiters; connections in use are closed as they come back.
    func close() async {
        let (idle, waiters) = state.withLock { s -> ([PostgresConnection], [Waiter]) in
            s.closed = true
            defer { s.idle = []; s.waiters = [] }
            return (s.idle, s.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: QuaeroError(.closed, "the PostgreSQL store is closed")) }
        for connection in idle { await connection.close() }
    }

    private static func takeIdle(_ s: inout State) -> PostgresConnection? {
        while let connection = s.idle.popLast() {
            if !connection.isClosed { return connection }
            s.open -= 1
            // Its thread ends (a connection the server closed keeps nothing else).
            connection.closeSoon()
        }
        return nil
    }

    /// Makes a connection for a place already counted in `open`.
    private func make() async throws -> PostgresConnection {
        let id = state.withLock { s in
            defer { s.nextConnection += 1 }
            return s.nextConnection
        }
        do {
            return try await connect(id)
        } catch {
            // Its place is free again: the next waiter tries to connect in turn.
            let waiter = state.withLock { s -> Waiter? in
                guard !s.waiters.isEmpty else {
                    s.open -= 1
                    return nil
                }
                return s.waiters.removeFirst()
            }
            waiter?.continuation.resume(returning: .connect)
            throw error
        }
    }

    /// Waits for a connection given back (or a place to connect); a cancelled wait leaves the queue.
    private func waitForTurn() async throws -> Grant {
        let id = state.withLock { s in
            defer { s.nextWaiter += 1 }
            return s.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                let now = state.withLock { s -> Result<Grant, any Error>? in
                    if s.closed { return .failure(QuaeroError(.closed, "the PostgreSQL store is closed")) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    // Given back or freed since the first look.
                    if let connection = Self.takeIdle(&s) { return .success(.connection(connection)) }
                    if s.open < size {
                        s.open += 1
                        return .success(.connect)
                    }
                    s.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let waiter = state.withLock { s -> Waiter? in
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private static func close(_ connection: PostgresConnection) {
        connection.closeSoon()
    }
}

extension PostgresPool {
    /// The connection of one operation, given back once: by the operation at its end, or for it when the
    /// connection closed under it and the operation was given up (`OperationWatch`), whose wait may never end.
    final class Lease: Sendable {
        private let pool: PostgresPool
        private let state = Mutex<(connection: PostgresConnection?, returned: Bool)>((nil, false))

        init(pool: PostgresPool) { self.pool = pool }

        func hold(_ connection: PostgresConnection) {
            state.withLock { $0.connection = connection }
        }

        func giveBack() {
            let connection = state.withLock { s -> PostgresConnection? in
                guard !s.returned, let connection = s.connection else { return nil }
                s.returned = true
                return connection
            }
            if let connection { pool.release(connection) }
        }
    }
}
