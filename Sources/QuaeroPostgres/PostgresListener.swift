import Logging
import PostgresNIO
import QuaeroQueue

/// The one LISTEN connection of a process: other processes' sends wake this process's consumers. It reconnects
/// with back-off when the connection breaks, and wakes every consumer after each (re)connect, since sends may
/// have been missed meanwhile (they poll once).
struct PostgresListener: Sendable {
    let connector: PostgresConnector
    let channel: String
    let signals: StoreSignals
    /// Whether the LISTEN connection is up.
    let listening = Flag()

    /// Listens until cancelled.
    func run() async {
        var backoff = Duration.milliseconds(100)
        var failures = 0
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
                        signals.postAll()
                        for try await notification in notifications {
                            signals.post(queue: notification.payload)
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                listening.set(false)
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
