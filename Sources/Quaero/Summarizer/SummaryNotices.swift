public import Logging
import Synchronization

/// What a summarizer tells the reader of one job's log about how its summaries were made, each notice once
/// per job (a crawl's 500 summaries must not repeat "the endpoint is down" 500 times).
public final class SummaryNotices: Sendable {
    private let logger: Logger
    private let said = Mutex<Set<String>>([])

    /// Notices for the job whose log `logger` writes to (`JobContext.logger`).
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Logs `message` as a warning.
    public func warning(_ message: String) {
        logger.warning("\(message)")
    }

    /// Logs `message` as a warning the first time `key` is given, and never again for this job.
    public func warningOnce(_ key: String, _ message: @autoclosure () -> String) {
        guard said.withLock({ $0.insert(key).inserted }) else { return }
        logger.warning("\(message())")
    }
}
