public import Logging

/// A swift-log handler that writes each line to a job's log (through a `LogService`) and passes it on to
/// another handler, with the job id added to its metadata.
///
/// The worker pool gives a handler a `Logger` built on it, so whatever the handler logs ends up both in the
/// job's stored log and in the process log. Metadata is appended to the stored line as `key=value` pairs
/// (sorted by key), and an attached error as `error=…`.
public struct JobLogHandler: LogHandler {
    /// The job whose log receives the lines.
    public let jobID: String
    /// The service that buffers and stores them.
    public let service: LogService
    /// Where lines are passed on (nil: only the job log).
    public var upstream: (any LogHandler)?
    /// Lines below this level go nowhere (the `Logger` checks it).
    public var logLevel: Logger.Level
    /// Metadata added to every line.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata added to every line.
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler for `jobID`'s log.
    ///
    /// - Parameters:
    ///   - jobID: the job.
    ///   - service: the log service.
    ///   - upstream: a handler that also receives every line; its own `logLevel` still applies to it.
    ///   - logLevel: the lowest level logged; by default the upstream's, or `info`.
    public init(jobID: String, service: LogService, upstream: (any LogHandler)? = nil, logLevel: Logger.Level? = nil) {
        self.jobID = jobID
        self.service = service
        self.upstream = upstream
        self.logLevel = logLevel ?? upstream?.logLevel ?? .info
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadataProvider?.get() ?? [:]
        merged.merge(metadata) { _, new in new }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        service.append(jobID: jobID, level: LogLevel(event.level), message: Self.line(event, merged))
        if let upstream, event.level >= upstream.logLevel {
            var forwarded = event
            merged["job_id"] = .string(jobID)
            forwarded.metadata = merged
            upstream.log(event: forwarded)
        }
    }

    /// The stored text: the message, then the metadata and the error.
    static func line(_ event: LogEvent, _ metadata: Logger.Metadata) -> String {
        var text = event.message.description
        for key in metadata.keys.sorted() {
            text += " \(key)=\(metadata[key]!)"
        }
        if let error = event.error { text += " error=\(error)" }
        return text
    }
}

extension LogService {
    /// A logger whose lines go to `jobID`'s log and to `base` (with `job_id` in their metadata), at
    /// `base`'s level and label.
    public func logger(forJob jobID: String, passingTo base: Logger) -> Logger {
        let handler = JobLogHandler(jobID: jobID, service: self, upstream: base.handler, logLevel: base.logLevel)
        return Logger(label: base.label) { _ in handler }
    }
}
