import Quaero
import QuaeroQueue

/// The bodies of the worker protocol's requests (DESIGN §10), checked against `WorkerProtocol`'s limits.
enum WorkerRequests {
    /// The longest progress message and error.
    static let maxTextLength = 10_000
    /// The most log lines one request appends, and the longest line: so that every request the limits allow
    /// fits the 1 MiB body limit (100 × 2,000 characters, in plain text).
    static let maxLogLines = 100
    static let maxLogLineLength = 2000

    /// `POST /api/jobs/claim`: `{"types", "limit", "wait", "lease", "worker"}`.
    static func claim(_ object: [String: JSONValue]) throws -> WorkerClaim {
        let body = try WorkerBody(object, allowed: ["types", "limit", "wait", "lease", "worker"])
        guard let list = body.value("types")?.arrayValue else {
            throw WorkerBody.invalid("types is required: a list of the job types the worker serves")
        }
        guard (1...WorkerProtocol.maxTypes).contains(list.count) else {
            throw WorkerBody.invalid("types must list 1 to \(WorkerProtocol.maxTypes) job types, not \(list.count)")
        }
        var types: Set<JobType> = []
        for (index, item) in list.enumerated() {
            guard let name = item.stringValue else { throw WorkerBody.invalid("types[\(index)] must be a string") }
            try WorkerBody.checkLength(name, of: "types[\(index)]", max: WorkerProtocol.maxNameLength)
            types.insert(JobType(name))
        }
        do {
            return try WorkerClaim(
                types: types,
                limit: try body.integer("limit", in: 1...WorkerProtocol.maxClaimLimit) ?? 1,
                wait: try body.duration("wait", in: .zero...WorkerProtocol.maxWait) ?? .zero,
                lease: try body.duration("lease", in: WorkerProtocol.leaseRange) ?? WorkerProtocol.defaultLease,
                worker: try body.requiredString("worker", maxLength: WorkerProtocol.maxNameLength))
        } catch let error as QuaeroError where error.code == .invalidArgument {
            throw WorkerBody.invalid(error.message)  // a control character in a name
        }
    }

    /// `POST /api/jobs/{id}/heartbeat` and `/logs`' lease: `{"lease"}`.
    static func lease(_ object: [String: JSONValue]) throws -> LeaseToken {
        try WorkerBody(object, allowed: ["lease"]).lease()
    }

    /// `POST /api/jobs/{id}/progress`: `{"lease", "completed", "total", "failed", "message"}`; absent counters
    /// keep their values.
    static func progress(_ object: [String: JSONValue]) throws -> (LeaseToken, ProgressReport) {
        let body = try WorkerBody(object, allowed: ["lease", "completed", "total", "failed", "message"])
        let counter = 0...Int(APIRequest.maxExactInteger)
        return (try body.lease(), ProgressReport(
            completed: try body.integer("completed", in: counter), total: try body.integer("total", in: counter),
            failed: try body.integer("failed", in: counter), message: try body.string("message", maxLength: maxTextLength)))
    }

    /// `POST /api/jobs/{id}/logs`: `{"lease", "lines": [{"level", "message"}]}` (level `info` when absent).
    static func logs(_ object: [String: JSONValue]) throws -> (LeaseToken, [(LogLevel, String)]) {
        let body = try WorkerBody(object, allowed: ["lease", "lines"])
        let token = try body.lease()
        guard let list = body.value("lines")?.arrayValue, (1...maxLogLines).contains(list.count) else {
            throw WorkerBody.invalid("lines must be a list of 1 to \(maxLogLines) lines, each {\"level\", \"message\"}")
        }
        let lines = try list.enumerated().map { index, item -> (LogLevel, String) in
            guard let fields = item.objectValue else { throw WorkerBody.invalid("lines[\(index)] must be {\"level\", \"message\"}") }
            let line = try WorkerBody(fields, allowed: ["level", "message"])
            let levelName = try line.string("level", maxLength: 10) ?? LogLevel.info.rawValue
            guard let level = LogLevel(rawValue: levelName) else {
                throw WorkerBody.invalid("lines[\(index)].level must be one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return (level, try line.requiredString("message", maxLength: maxLogLineLength))
        }
        return (token, lines)
    }

    /// `POST /api/jobs/{id}/complete`: `{"lease", "result"}`.
    static func complete(_ object: [String: JSONValue]) throws -> (LeaseToken, JSONValue?) {
        let body = try WorkerBody(object, allowed: ["lease", "result"])
        return (try body.lease(), body.value("result").flatMap { $0 == .null ? nil : $0 })
    }

    /// `POST /api/jobs/{id}/fail`: `{"lease", "error", "retry", "retry_after"}`; `retry` is true when absent,
    /// and a retry waits for the backoff of the job's attempt unless `retry_after` is given.
    static func fail(_ object: [String: JSONValue], backoff: Backoff) throws -> (LeaseToken, String, RetryPolicy) {
        let body = try WorkerBody(object, allowed: ["lease", "error", "retry", "retry_after"])
        let token = try body.lease()
        let error = try body.requiredString("error", maxLength: maxTextLength)
        let retry = try body.bool("retry") ?? true
        let after = try body.duration("retry_after", in: .zero...WorkerProtocol.maxRetryAfter)
        if !retry, after != nil {
            throw WorkerBody.invalid("retry_after goes with retry: true; a job failed with retry: false never runs again")
        }
        return (token, error, retry ? after.map(RetryPolicy.after) ?? .backoff(backoff) : .never)
    }
}
