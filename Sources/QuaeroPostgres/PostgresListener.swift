import Logging
import PostgresNIO
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
                    try await connection.listen(on: channel) { notifications in
                        if failures > 0 {
                            connector.logger.info("listening for other processes' messages again",
                                                  metadata: ["server": "\(connector.url.endpoint)"])
                        }
                        failures = 0
                        backoff = .milliseconds(100)
                        listening.set(true)
                        if connected { signals.postAll() }  // a reconnect: sends may have been missed meanwhile
                        connected = true
                        ready.fire(true)
                        for try await notification in notifications {
                            guard let queue = PostgresNotifier.queue(of: notification.payload, unless: sender) else { continue }
                            signals.post(queue: queue)
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
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
}
