/// What one committed flush of a `LogService` stored: which jobs got new lines. Followers of a job's log
/// (the HTTP API's event stream) read that job's new lines when its id is among them, instead of polling.
public struct LogFlush: Sendable, Hashable {
    /// The jobs that have new stored lines; each line appended before the flush began is readable.
    public let jobIDs: Set<String>

    /// Creates a flush notice.
    public init(jobIDs: Set<String>) {
        self.jobIDs = jobIDs
    }
}
