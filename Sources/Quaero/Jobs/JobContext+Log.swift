public import Logging
public import QuaeroQueue

extension JobContext {
    /// A logger whose lines go to the log of `jobID` (another job, such as a page's crawl) when `logs` is set,
    /// and always to this job's `logger` (which the pool writes to this job's own log).
    public func jobLogger(_ logs: LogService?, for jobID: String? = nil) -> Logger {
        guard let logs else { return logger }
        return logs.logger(forJob: jobID ?? job.id, passingTo: logger)
    }
}
