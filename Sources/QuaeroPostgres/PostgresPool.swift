import QuaeroQueue
import Synchronization

/// The store's connections: up to `size` places, each with a connection made when first needed and kept open,
/// lent to one operation at a time. The places share a few threads (`ConnectionThread`, one per core: place `p`
/// runs on thread `p % threads`), made when first used and kept until the pool closes; a connection runs on its
/// place's thread, and so does the one made again for that place after it was lost.
///
/// A free connection is taken under a lock, so that the operation's task can start on that connection's thread
/// and never leave it, and no timer is armed per lease. A caller whose task already runs on one of the threads
/// (`affinity`) is given a free connection of that thread: then the operation needs no switch between threads
/// at all.
///
/// A connection the server closed is dropped when it comes back or is found idle; the next lease makes a new
/// one on the same place's thread. A failed connect fails the operation that made it (naming the host, never
/// the password), and the next waiter tries again.
final class PostgresPool: Sendable {
    /// What a waiting lease is woken with.
    private enum Grant: Sendable {
        case connection(PostgresConnection)
        /// A place became free: make a connection for it.
        case connect(place: Int)
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, any Error>
    }

    private struct State {
        var idle: [PostgresConnection] = []
        /// Places without a connection (none open or being made), lowest first.
        var freePlaces: [Int]
        /// The threads, made when first used: place `p` runs on thread `p % threads.count`.
        var threads: [ConnectionThread?]
        /// The place of each open connection.
        var places: [ObjectIdentifier: Int] = [:]
        var waiters: [Waiter] = []
        var nextWaiter = 0
        var closed = false

        init(size: Int, threads: Int) {
            freePlaces = Array(0..<size)
            self.threads = Array(repeating: nil, count: threads)
        }

        mutating func thread(_ place: Int) -> ConnectionThread {
            let index = place % threads.count
            if let thread = threads[index] { return thread }
            let thread = ConnectionThread(name: "quaero-pg-\(index + 1)")
            threads[index] = thread
            return thread
        }

        /// The place of a connection that closed, which is free again.
        mutating func free(_ connection: PostgresConnection) -> Int {
            let place = places.removeValue(forKey: ObjectIdentifier(connection))!
            return place
        }

        /// The lowest free place: places fill in order, as `affinity` hands out the first ones.
        mutating func takePlace() -> Int? {
            freePlaces.isEmpty ? nil : freePlaces.removeFirst()
        }

        mutating func givePlace(_ place: Int) {
            freePlaces.insert(place, at: freePlaces.firstIndex { $0 > place } ?? freePlaces.endIndex)
        }

        /// A free connection (the caller's own place's is `leaseOwn`'s); closed ones found on the way free their
        /// places.
        mutating func takeIdle() -> PostgresConnection? {
            while let connection = idle.popLast() {
                if !connection.isClosed { return connection }
                givePlace(free(connection))
                connection.closeSoon()
            }
            return nil
        }
    }

    private let state: Mutex<State>
    private let size: Int
    private let connect: @Sendable (ConnectionThread, Int) async throws -> PostgresConnection

    /// `connect(thread, place)` opens a connection on `thread`; the places share `threads` threads (at most one
    /// a place).
    init(size: Int, threads: Int, connect: @escaping @Sendable (ConnectionThread, Int) async throws -> PostgresConnection) {
        precondition(size >= 1 && threads >= 1)
        self.size = size
        self.state = Mutex(State(size: size, threads: min(size, threads)))
        self.connect = connect
    }

    /// The threads of the first `count` places (at most `size`; places share threads), made now if need be: a
    /// task that runs on one of them is given a free connection of that thread, and its operations run without
    /// a switch between threads.
    func affinity(_ count: Int) -> [ConnectionThread] {
        state.withLock { s in (0..<min(count, size)).map { s.thread($0) } }
    }

    /// The pool's thread the caller runs on, if any.
    func currentThread() -> ConnectionThread? {
        state.withLock { s in s.threads.first { $0?.isCurrent == true } ?? nil }
    }

    /// A free connection at once, if there is one; never waits.
    func leaseIfIdle() throws -> PostgresConnection? {
        try state.withLock { s -> PostgresConnection? in
            guard !s.closed else { throw QuaeroError(.closed, "the PostgreSQL store is closed") }
            return s.takeIdle()
        }
    }

    /// A free connection of the caller's own thread (`affinity`), if any; never waits.
    func leaseOwn() throws -> PostgresConnection? {
        try state.withLock { s -> PostgresConnection? in
            guard !s.closed else { throw QuaeroError(.closed, "the PostgreSQL store is closed") }
            guard let index = s.idle.firstIndex(where: { $0.thread.isCurrent }), !s.idle[index].isClosed else { return nil }
            return s.idle.remove(at: index)
        }
    }

    /// A new connection for a free place of the caller's own thread (`affinity`), so that a task there is not
    /// lent another thread's idle connection; nil when the caller is on none of the threads or its thread has no
    /// free place.
    func makeOwn() async throws -> PostgresConnection? {
        let own = try state.withLock { s -> (Int, ConnectionThread)? in
            guard !s.closed else { throw QuaeroError(.closed, "the PostgreSQL store is closed") }
            guard let current = s.threads.firstIndex(where: { $0?.isCurrent == true }),
                  let free = s.freePlaces.firstIndex(where: { $0 % s.threads.count == current }) else { return nil }
            let place = s.freePlaces.remove(at: free)
            return (place, s.thread(place))
        }
        guard let (place, thread) = own else { return nil }
        return try await make(place, on: thread)
    }

    /// A connection: a free one, a new one while a place is free, or else the next one given back.
    func lease() async throws -> PostgresConnection {
        enum Next { case got(PostgresConnection), make(Int, ConnectionThread), wait }
        let next = try state.withLock { s -> Next in
            guard !s.closed else { throw QuaeroError(.closed, "the PostgreSQL store is closed") }
            if let connection = s.takeIdle() { return .got(connection) }
            guard let place = s.takePlace() else { return .wait }
            return .make(place, s.thread(place))
        }
        switch next {
        case .got(let connection): return connection
        case .make(let place, let thread): return try await make(place, on: thread)
        case .wait:
            switch try await waitForTurn() {
            case .connection(let connection): return connection
            case .connect(let place): return try await make(place, on: state.withLock { $0.thread(place) })
            }
        }
    }

    /// Gives `connection` back: to the first waiter, or to the free ones; a closed one frees its place.
    func release(_ connection: PostgresConnection) {
        let (waiter, grant, stale) = state.withLock { s -> (Waiter?, Grant?, PostgresConnection?) in
            if s.closed { return (nil, nil, connection) }
            if connection.isClosed {
                let place = s.free(connection)
                guard !s.waiters.isEmpty else {
                    s.givePlace(place)
                    return (nil, nil, connection)
                }
                return (s.waiters.removeFirst(), .connect(place: place), connection)
            }
            guard !s.waiters.isEmpty else {
                s.idle.append(connection)
                return (nil, nil, nil)
            }
            return (s.waiters.removeFirst(), .connection(connection), nil)
        }
        if let waiter, let grant { waiter.continuation.resume(returning: grant) }
        stale?.closeSoon()
    }

    /// Closes every free connection, fails the waiters and ends the places' threads; connections still in use
    /// (none once the store's operations have ended) close when released.
    func close() async {
        let (idle, waiters, threads) = state.withLock { s -> ([PostgresConnection], [Waiter], [ConnectionThread]) in
            s.closed = true
            defer { s.idle = []; s.waiters = [] }
            return (s.idle, s.waiters, s.threads.compactMap { $0 })
        }
        for waiter in waiters { waiter.continuation.resume(throwing: QuaeroError(.closed, "the PostgreSQL store is closed")) }
        for connection in idle { await connection.close() }
        for thread in threads { thread.stop() }
    }

    /// Makes a connection for `place`, already taken from the free ones.
    private func make(_ place: Int, on thread: ConnectionThread) async throws -> PostgresConnection {
        do {
            let connection = try await connect(thread, place)
            state.withLock { $0.places[ObjectIdentifier(connection)] = place }
            return connection
        } catch {
            // Its place is free again: the next waiter tries to connect in turn.
            let waiter = state.withLock { s -> Waiter? in
                guard !s.waiters.isEmpty else {
                    s.givePlace(place)
                    return nil
                }
                return s.waiters.removeFirst()
            }
            waiter?.continuation.resume(returning: .connect(place: place))
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
                    if let connection = s.takeIdle() { return .success(.connection(connection)) }
                    if let place = s.takePlace() { return .success(.connect(place: place)) }
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
