/// Writes each job event (started, completed, failed with its error, retried with its delay, dead-lettered,
/// cancelled, progress) as a line of that job's log.
public struct JobEventLogSink: JobEventSink {
    /// The job log written to.
    public let service: LogService

    /// Creates the sink; add it with `JobManager.addSink`.
    public init(service: LogService) { self.service = service }

    public func record(_ event: JobEvent) {
        guard !event.isLoggedByEngine else { return }
        let line = event.logLine
        service.append(jobID: event.jobID, level: LogLevel(line.level), message: line.message)
    }
}
