import Synchronization

/// Tells other processes that a queue has new messages (`pg_notify`), at most once per queue per 100 ms from
/// this process, after the sending transaction committed and on a connection of its own: a NOTIFY inside every
/// sending transaction cut durable throughput by 77 % at 16 clients here (it takes a global lock at commit
/// and defeats group commit; ../shared/bench/README.md), and never from a trigger, for the same reason.
///
/// The first send of a quiet queue notifies at once; sends within the next 100 ms are covered by one more
/// notification at the end of that window, so that none is left waiting for the poll.
final class PostgresNotifier: Sendable {
    /// The shortest time between two notifications of one queue.
    static let window = Duration.milliseconds(100)

    let channel: String
    /// Names this store in its notifications, so that its own listener leaves them out.
    let sender: String
    private struct State {
        var pending: Set<String> = []
        var wake: AsyncStream<Void>.Continuation?
    }
    private let state = Mutex(State())
    private let wakeups: AsyncStream<Void>

    init(channel: String, sender: String = String(UInt64.random(in: .min ... .max), radix: 16)) {
        self.channel = channel
        self.sender = sender
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wakeups = stream
        state.withLock { $0.wake = continuation }
    }

    /// The payload that tells other processes about `queue`: "SENDER:QUEUE".
    func payload(_ queue: String) -> String { "\(sender):\(queue)" }

    /// The queue a notification is about, nil when `sender` (this store) sent it. A payload without a sender
    /// (sent by hand, or by an older version) names the queue alone.
    static func queue(of payload: String, unless sender: String) -> String? {
        guard let colon = payload.firstIndex(of: ":") else { return payload }
        return payload[..<colon] == sender ? nil : String(payload[payload.index(after: colon)...])
    }

    /// Asks for a notification of `queue` (after a commit that sent to it).
    func request(_ queue: String) {
        let wake = state.withLock { s in s.pending.insert(queue).inserted ? s.wake : nil }
        wake?.yield()
    }

    /// Sends the notifications until cancelled.
    func run(send: @Sendable (String) async -> Void) async {
        let clock = ContinuousClock()
        var last: [String: ContinuousClock.Instant] = [:]
        var iterator = wakeups.makeAsyncIterator()
        while !Task.isCancelled {
            let pending = state.withLock { s in
                defer { s.pending = [] }
                return s.pending
            }
            var later: [String] = []
            var nextDue: ContinuousClock.Instant?
            let now = clock.now
            for queue in pending {
                if let sent = last[queue], now - sent < Self.window {
                    later.append(queue)
                    let due = sent + Self.window
                    nextDue = min(nextDue ?? due, due)
                } else {
                    last[queue] = now
                    await send(queue)
                }
            }
            if !later.isEmpty {
                state.withLock { s in s.pending.formUnion(later) }
                try? await clock.sleep(until: nextDue!)
                continue
            }
            if last.count > 1000 { last = last.filter { now - $0.value < Self.window } }
            guard await iterator.next() != nil else { return }
        }
    }
}

/// The notifier's own connection, made when the first notification is sent and again after it broke.
///
/// Not one of the pool's: a notification that waited for a pooled connection took the one a sender next to it
/// was about to use again (`QuaeroStore.affinityExecutors`), that sender waited for the next one given back and
/// ran on another's thread, whose owner then did the same, and so on. `durable_send_16_connections_notify_per_s`
/// ran at 0.92 of the same sends without notifications (median of 6 pairs in alternating order, all 6 below 1),
/// and at 1.01 with this connection (2026-11-29), where the notifications themselves are about ten commits a
/// second.
final class NotifyConnection: Sendable {
    private let connector: PostgresConnector
    private let current = Mutex<PostgresConnection?>(nil)

    init(connector: PostgresConnector) {
        self.connector = connector
    }

    /// Sends `payload` on `channel` (`pg_notify`), connecting first when there is no open connection.
    func notify(_ channel: String, _ payload: String) async throws {
        let connection = try await open()
        do {
            _ = try await connection.run { try $0.execute("SELECT pg_notify($1::text, $2::text)", [channel, payload]) }
        } catch {
            if connection.isClosed { await drop(connection) }
            throw error
        }
    }

    /// Closes the connection, if any.
    func close() async {
        if let connection = current.withLock({ $0 }) { await drop(connection) }
    }

    private func open() async throws -> PostgresConnection {
        if let connection = current.withLock({ $0 }) {
            if !connection.isClosed { return connection }
            await drop(connection)
        }
        let connection = try await connector.connect(id: -3)
        current.withLock { $0 = connection }
        return connection
    }

    private func drop(_ connection: PostgresConnection) async {
        current.withLock { if $0 === connection { $0 = nil } }
        await connection.close()
    }
}
