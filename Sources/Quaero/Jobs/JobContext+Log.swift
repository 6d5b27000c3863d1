public import Logging
public import QuaeroQueue

extension JobContext {
    /// A logger whose lines go to the log of `jobID` (this job unless given) when `logs` is set, and always
    /// to the pool's logger, so that every step of a job can be read back with `quaero jobs logs`.
    public func jobLogger(_ logs: LogService?, for jobID: String? = nil) -> Logger {
        guard let logs else { return logger }
        return logs.logger(forJob: jobID ?? job.id, passingTo: logger)
    }
}
