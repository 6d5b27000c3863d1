/// Where a job is in its life: `pending` → `running` → `completed`, `failed` or `cancelled`.
public enum JobStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Waiting for a worker (new, or back in the queue for a retry).
    case pending
    /// A handler runs it, or its handler is done and it waits for its children.
    case running
    /// It ended well.
    case completed
    /// It ended badly: its last attempt failed, it was dead-lettered, or a child failed.
    case failed
    /// Someone cancelled it.
    case cancelled

    /// Whether the job has ended (completed, failed or cancelled).
    public var isTerminal: Bool { self == .completed || self == .failed || self == .cancelled }

    public var description: String { rawValue }

    /// Parses a status name; throws `invalidArgument` naming the allowed values.
    public static func parse(_ text: String) throws -> JobStatus {
        guard let status = JobStatus(rawValue: text) else {
            throw QuaeroError(.invalidArgument,
                "unknown job status \"\(text)\"; use one of \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }
}
