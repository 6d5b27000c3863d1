import Foundation
import Logging
import QuaeroQueue

/// The one LISTEN connection of a process: other processes' sends wake this process's consumers. It reconnects
/// with back-off when the connection breaks, and wakes every consumer after each reconnect, since sends may
/// have been missed meanwhile (they poll once).
///
/// Wake-ups come only from sends: a consumer that was woken at some other moment claims when a test (or an
/// operator) does not expect it. So the store's `open` waits for the first LISTEN (`ready`): a send of
/// another process after `open` returned is never missed, and there is nothing to wake at that first connect
/// (no consumer exists yet). And the notifications this store itself sent are not passed on: its own
/// consumers were woken at the commit (`StoreSignals`), and the echo, which comes back at some later moment,
/// once made a worker pool claim again a delivery a test had just released (a hang of the conformance suite).
struct PostgresListener: Sendable {
    let connector: PostgresConnector
    let channel: String
    let signals: StoreSignals
    /// Whose notifications to leave out: this store's own (`PostgresNotifier.payload`).
    let sender: String
    /// Whether the LISTEN connection is up.
    let listening = Flag()
    /// Fired once, when the first LISTEN is up (true) or the first attempt failed (false).
    let ready = Signal<Bool>()

    /// Listens until cancelled.
    func run() async {
        var backoff = Duration.milliseconds(100)
        var failures = 0
        var connected = false
        while !Task.isCancelled {
            do {
                let connection = try await connector.connect(id: -2)
                do {
                    try await withTaskCancellationHandler {
                        try await withTaskExecutorPreference(connection.thread) {
                            try await listen(on: connection, reconnected: connected, failures: failures)
                        }
                    } onCancel: {
                        connection.interrupt()
                    }
                } catch {
                    await connection.close()
                    throw error
                }
                await connection.close()
            } catch {
                if listening.isSet {
                    // It was up: this is a new outage, retried quickly again.
                    (failures, backoff, connected) = (0, .milliseconds(100), true)
                }
                listening.set(false)
                ready.fire(false)
                if Task.isCancelled { return }
                failures += 1
                // The first failure is worth a warning; the retries are not, until it works again.
                let level: Logger.Level = failures == 1 ? .warning : .debug
                connector.logger.log(level: level, "lost the LISTEN connection; polling until it is back",
                                     metadata: ["error": "\(PostgresErrors.map(error, url: connector.url, doing: "listening"))"])
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    /// LISTENs on `connection` and passes notifications on until cancelled (`interrupt` ends a wait) or the
    /// connection breaks. The task runs on the connection's thread, whose waits block nothing else.
    private func listen(on connection: PostgresConnection, reconnected: Bool, failures: Int) async throws {
        let channel = self.channel
        try await connection.run { try $0.simple("LISTEN \"\(channel.replacingOccurrences(of: "\"", with: "\"\""))\"") }
        if failures > 0 {
            connector.logger.info("listening for other processes' messages again", metadata: ["server": "\(connector.url.endpoint)"])
        }
        listening.set(true)
        if reconnected { signals.postAll() }  // a reconnect: sends may have been missed meanwhile
        ready.fire(true)
        while !Task.isCancelled {
            for payload in try await connection.run({ try $0.notifications(within: .seconds(1)) }) {
                guard let queue = PostgresNotifier.queue(of: payload, unless: sender) else { continue }
                signals.post(queue: queue)
            }
        }
    }
}
