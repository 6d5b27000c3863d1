import CLibPQ
import Foundation
import QuaeroQueue
import Synchronization

/// One connection to PostgreSQL through libpq, on a thread (`ConnectionThread`, its own or shared with other
/// connections of a pool) on which every libpq call on it runs: the store's operations run their tasks there and
/// send their statements without a switch between threads, then suspend until the reply is in
/// (`awaitPrepared`), the thread free for its other connections meanwhile.
///
/// Statements of the store are prepared once per connection (`PQprepare`), then run by name with their values
/// in binary format and their rows in binary format. `execute` runs SQL built at run time, and `simple` a
/// statement or script without values through the simple protocol.
public final class PostgresConnection: SocketWaiter, @unchecked Sendable {
    /// A statement's reply being read (`reply`): its task and the results so far.
    private struct Reply {
        let continuation: UnsafeContinuation<[PostgresResult], any Error>
        var results: [PostgresResult] = []
    }

    // `handle` and `prepared` are touched only on `thread`.
    private var handle: OpaquePointer?
    /// The name each statement type was prepared under on this connection (no lock shared between
    /// connections: a process-wide table of names was a contended lock at 4 connections).
    private var prepared: [ObjectIdentifier: String] = [:]
    /// The reply awaited, while a statement's task is suspended (on `thread` only).
    private var replying: Reply?
    /// The parameter arrays of the statement being sent (`withParameters`).
    private var parameters = ParameterArrays()
    let thread: ConnectionThread
    /// Whether closing the connection ends its thread (false for a pool's connection: the thread belongs to
    /// the pool's place, and the next connection made for that place runs on it).
    private let ownsThread: Bool
    private let closed = Atomic<Bool>(false)
    /// Wakes a wait for notifications (an eventfd): `interrupt`.
    private let wake: Int32

    private init(thread: ConnectionThread, ownsThread: Bool) {
        self.thread = thread
        self.ownsThread = ownsThread
        wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    }

    deinit {
        if let handle { PQfinish(handle) }
        if wake >= 0 { Glibc.close(wake) }
    }

    /// Whether the server or the client ended the connection.
    public var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Opens a connection with libpq's connection `parameters` (keyword, value), failing with a
    /// `PostgresClientError` when it is not up by `deadline`. It runs on `thread` when given (which it does not
    /// end), else on a thread of its own named `name`.
    static func connect(_ parameters: [(String, String)], deadline: ContinuousClock.Instant, thread: ConnectionThread?,
                        name: String) async throws -> PostgresConnection {
        let connection = PostgresConnection(thread: thread ?? ConnectionThread(name: name), ownsThread: thread == nil)
        do {
            try await connection.thread.perform { try connection.open(parameters, deadline: deadline) }
            return connection
        } catch {
            if connection.ownsThread { connection.thread.stop() }
            throw error
        }
    }

    /// libpq's non-blocking connect (`PQconnectStartParams`, `PQconnectPoll`), waiting for the socket with
    /// `poll` until `deadline`: libpq's own `connect_timeout` counts whole seconds, and at least 2.
    private func open(_ parameters: [(String, String)], deadline: ContinuousClock.Instant) throws {
        let keys = parameters.map { strdup($0.0) } + [nil]
        let values = parameters.map { strdup($0.1) } + [nil]
        defer { for pointer in keys + values { free(pointer) } }
        let keyPointers = keys.map { UnsafePointer($0) }
        let valuePointers = values.map { UnsafePointer($0) }
        guard let conn = PQconnectStartParams(keyPointers, valuePointers, 0) else {
            throw PostgresClientError(message: "out of memory")
        }
        handle = conn
        guard PQstatus(conn) != CONNECTION_BAD else { throw failure() }
        var state = PGRES_POLLING_WRITING
        while true {
            switch state {
            case PGRES_POLLING_OK:
                // libpq prints the server's notices (a `DROP … CASCADE` listing what went with it) on standard
                // error by default; the store's output is its own log.
                PQsetNoticeProcessor(conn, { _, _ in }, nil)
                return
            case PGRES_POLLING_FAILED:
                throw failure()
            default:
                let remaining = deadline - .now
                guard remaining > .zero else { throw PostgresClientError(message: "no answer in time", timedOut: true) }
                var descriptor = pollfd(fd: PQsocket(conn), events: Int16(state == PGRES_POLLING_READING ? POLLIN : POLLOUT), revents: 0)
                let ready = poll(&descriptor, 1, Int32(clamping: max(1, remaining.milliseconds)))
                if ready == 0 { throw PostgresClientError(message: "no answer in time", timedOut: true) }
                if ready < 0 && errno != EINTR { throw PostgresClientError(message: String(cString: strerror(errno))) }
                state = PQconnectPoll(conn)
            }
        }
    }

    // MARK: Statements (on the connection's thread)

    /// Runs `body` with this connection on its thread: at once when the caller's task runs there.
    func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await thread.perform { try body(self) }
    }

    /// Runs `sql` with `values` as an unnamed statement, planned for its values.
    func execute(_ sql: String, _ values: [PostgresBind] = []) throws -> PostgresResult {
        let conn = try open()
        return try withParameters(values) { count, pointers, lengths, formats, types in
            try check(PQexecParams(conn, sql, count, types, pointers, lengths, formats, 1))
        }
    }

    /// Runs `sql`, which may hold several statements, through the simple protocol; no values, no rows.
    func simple(_ sql: String) throws {
        _ = try check(PQexec(try open(), sql))
    }

    // MARK: Statements whose replies are awaited (the thread free meanwhile)

    /// Runs `statement` prepared (preparing it the first time on this connection, named after its text), with
    /// the task suspended while the reply is on its way: the thread runs its other connections' work meanwhile
    /// (`ConnectionThread`).
    func awaitPrepared<S: PostgresSQL>(_ statement: S.Type, _ values: [PostgresBind]) async throws -> PostgresResult {
        guard thread.isCurrent else { return try await onThread { try await self.awaitPrepared(S.self, values) } }
        let conn = try open()
        let name: String
        if let known = prepared[ObjectIdentifier(statement)] {
            name = known
        } else {
            name = statementName(S.sql)
            try await reply(conn, sent: PQsendPrepare(conn, name, S.sql, 0, nil))
            prepared[ObjectIdentifier(statement)] = name
        }
        let sent = try withParameters(values) { count, pointers, lengths, formats, _ in
            PQsendQueryPrepared(conn, name, count, pointers, lengths, formats, 1)
        }
        return try await reply(conn, sent: sent)
    }

    /// Runs `sql` with `values` as an unnamed statement, as `execute` does, the reply awaited.
    func awaitExecute(_ sql: String, _ values: [PostgresBind] = []) async throws -> PostgresResult {
        guard thread.isCurrent else { return try await onThread { try await self.awaitExecute(sql, values) } }
        let conn = try open()
        let sent = try withParameters(values) { count, pointers, lengths, formats, types in
            PQsendQueryParams(conn, sql, count, types, pointers, lengths, formats, 1)
        }
        return try await reply(conn, sent: sent)
    }

    /// Runs `sql` (one statement or several) through the simple protocol, as `simple` does, the reply awaited.
    func awaitSimple(_ sql: String) async throws {
        guard thread.isCurrent else { return try await onThread { try await self.awaitSimple(sql) } }
        let conn = try open()
        try await reply(conn, sent: PQsendQuery(conn, sql))
    }

    /// Runs `body` in the caller's task moved to this connection's thread (a caller elsewhere; the store's
    /// operations run there already).
    private func onThread<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(thread) {
            // A stopped thread hands its jobs to the global executor.
            guard thread.isCurrent else { throw QuaeroConnectionClosed() }
            return try await body()
        }
    }

    /// The reply to the statement just sent (`sent`: what `PQsend…` returned): its last result, or the first
    /// error among its results. The task suspends until the socket has it; the thread reads it
    /// (`ConnectionThread.awaitReadable`, `readable`).
    @discardableResult
    private func reply(_ conn: OpaquePointer, sent: Int32) async throws -> PostgresResult {
        guard sent == 1 else { throw lost() }
        let results = try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<[PostgresResult], any Error>) in
            replying = Reply(continuation: continuation)
            // libpq may have read the reply already while it sent the statement (a full socket buffer).
            if !parseReply(conn) { thread.awaitReadable(PQsocket(conn), self) }
        }
        guard let last = results.last else { throw lost() }
        for result in results.dropLast() { _ = try checked(result) }
        return try checked(last)
    }

    /// Takes the results libpq has parsed; true when the reply is whole (then the waiting task was resumed).
    private func parseReply(_ conn: OpaquePointer) -> Bool {
        while PQisBusy(conn) == 0 {
            guard let result = PQgetResult(conn) else {
                let reply = replying.take()!
                reply.continuation.resume(returning: reply.results)
                return true
            }
            replying!.results.append(PostgresResult(result))
        }
        return false
    }

    func readable() -> Bool {
        guard let handle else {
            fail()
            return true
        }
        guard PQconsumeInput(handle) == 1 else {
            replying.take()?.continuation.resume(throwing: lost())
            return true
        }
        return parseReply(handle)
    }

    func fail() {
        replying.take()?.continuation.resume(throwing: QuaeroConnectionClosed())
    }

    /// The payloads of the notifications that arrived on this connection (after a LISTEN), waiting up to
    /// `timeout` for the first when none is there yet; empty when none came or `interrupt` was called.
    func notifications(within timeout: Duration) throws -> [String] {
        let conn = try open()
        var payloads = drainNotifications(conn)
        guard payloads.isEmpty else { return payloads }
        var descriptors = [pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0),
                           pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&descriptors, 2, Int32(clamping: max(0, timeout.milliseconds)))
        if descriptors[1].revents != 0 {
            var count: UInt64 = 0
            _ = read(wake, &count, 8)
        }
        if ready > 0 && descriptors[0].revents != 0 {
            guard PQconsumeInput(conn) == 1 else { throw lost() }
            payloads = drainNotifications(conn)
        }
        return payloads
    }

    /// Ends a wait of `notifications(within:)` now (from any thread).
    func interrupt() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    private func drainNotifications(_ conn: OpaquePointer) -> [String] {
        var payloads: [String] = []
        while let notification = PQnotifies(conn) {
            payloads.append(String(cString: notification.pointee.extra))
            PQfreemem(notification)
        }
        return payloads
    }

    /// Closes the connection (on its thread, after what is queued there), then ends the thread if it is the
    /// connection's own.
    public func close() async {
        _ = try? await thread.perform { [self] in finish() }
        if ownsThread { thread.stop() }
    }

    /// `close` without waiting (a connection the pool drops).
    func closeSoon() {
        thread.post { [self] in finish() }
        if ownsThread { thread.stop() }
    }

    private func finish() {
        closed.store(true, ordering: .releasing)
        thread.endWait(of: self)
        if let handle { PQfinish(handle) }
        handle = nil
    }

    private func open() throws -> OpaquePointer {
        guard let handle, !isClosed else { throw PostgresClientError(message: "the connection is closed") }
        return handle
    }

    /// The values as libpq's parameter arrays: each value's bytes in binary format, NULL as a null pointer. The
    /// arrays are this connection's own, emptied and filled again for each statement, so that sending one
    /// allocates nothing once they have grown (building them afresh was a fifth of the client's own CPU time in
    /// `send_4_connections_per_s`: perf, 2026-11-29).
    private func withParameters<T>(_ values: [PostgresBind],
                                   _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?,
                                            UnsafePointer<Int32>?, UnsafePointer<Oid>?) throws -> T) throws -> T {
        guard !values.isEmpty else { return try body(0, nil, nil, nil, nil) }
        // Taken out while in use (and put back after) so that each array stays uniquely referenced.
        var s = ParameterArrays()
        swap(&s, &parameters)
        defer { swap(&s, &parameters) }
        s.fill(values)
        return try s.bytes.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            for (offset, length) in zip(s.offsets, s.lengths) { s.pointers.append(length < 0 ? nil : base + offset) }
            return try body(Int32(values.count), s.pointers, s.lengths, s.formats, s.types)
        }
    }

    /// The result, or its error: a server error with its SQLSTATE, else the connection's (closed, broken).
    private func check(_ result: OpaquePointer?) throws -> PostgresResult {
        guard let result else { throw lost() }
        return try checked(PostgresResult(result))
    }

    /// `owned`, or its error (a server error with its SQLSTATE, else the connection's).
    private func checked(_ owned: PostgresResult) throws -> PostgresResult {
        let result = owned.handle
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return owned
        default:
            if let state = PQresultErrorField(result, Diagnostic.sqlState) {
                let field = { (code: Int32) in PQresultErrorField(result, code).map { String(cString: $0) } }
                let error = PostgresServerError(sqlState: String(cString: state), message: field(Diagnostic.message) ?? "an error",
                                                detail: field(Diagnostic.detail))
                if let handle, PQstatus(handle) == CONNECTION_BAD { closed.store(true, ordering: .releasing) }
                throw error
            }
            throw lost()
        }
    }

    /// The connection's own error; a connection that broke is marked closed.
    private func lost() -> PostgresClientError {
        let error = failure()
        if let handle, PQstatus(handle) == CONNECTION_BAD { closed.store(true, ordering: .releasing) }
        return error
    }

    /// libpq's message of the connection (its first line, without the "connection to server ... failed: " prefix:
    /// the store names the server itself).
    private func failure() -> PostgresClientError {
        let text = handle.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? ""
        var line = text.split(separator: "\n").first.map(String.init) ?? "the connection broke"
        if line.hasPrefix("connection to server"), let colon = line.range(of: "failed: ") {
            line = String(line[colon.upperBound...])
        }
        if line.hasPrefix("FATAL:") { line = String(line.dropFirst(6)) }
        return PostgresClientError(message: line.trimmingCharacters(in: .whitespaces))
    }
}

/// The fields of a server error that the store reads (`PG_DIAG_*` of postgres_ext.h, character macros that Swift
/// does not import).
private enum Diagnostic {
    static let sqlState = Int32(UInt8(ascii: "C")), message = Int32(UInt8(ascii: "M")), detail = Int32(UInt8(ascii: "D"))
}

/// An error the server reported, with its SQLSTATE.
struct PostgresServerError: Error, CustomStringConvertible {
    let sqlState: String
    let message: String
    let detail: String?

    var description: String { "\(message) (SQLSTATE \(sqlState))" }
}

/// An error of the connection itself (it could not be made, it broke, no answer in time), in libpq's words.
struct PostgresClientError: Error, CustomStringConvertible {
    let message: String
    var timedOut = false

    var description: String { message }
}

/// libpq's parameter arrays for one statement, kept by a connection and filled again for each.
private struct ParameterArrays {
    var bytes: [UInt8] = []
    var offsets: [Int] = []
    var lengths: [Int32] = []
    var types: [Oid] = []
    var formats: [Int32] = []
    var pointers: [UnsafePointer<CChar>?] = []

    /// The arrays for `values`, all in binary format; `pointers` is left empty (it points into `bytes`, which
    /// must not move any more when it is filled).
    mutating func fill(_ values: [PostgresBind]) {
        bytes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        types.removeAll(keepingCapacity: true)
        pointers.removeAll(keepingCapacity: true)
        for value in values {
            offsets.append(bytes.count)
            if let value {
                value.appendBinary(to: &bytes)
                lengths.append(Int32(bytes.count - offsets[offsets.count - 1]))
                types.append(Oid(value.postgresType))
            } else {
                lengths.append(-1)
                types.append(0)
            }
        }
        if formats.count != values.count { formats = [Int32](repeating: 1, count: values.count) }
        // One byte more, so that an empty last value still points inside the buffer.
        bytes.append(0)
    }
}
