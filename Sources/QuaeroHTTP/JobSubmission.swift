import Quaero
import HTTPTypes
import QuaeroQueue

/// The body of `POST /api/jobs`: `{"type": "crawler"|"summarizer"|"cleanup", "config": {...}}`, or any type
/// that remote workers serve. Each config of the app's types is checked before anything is created, so a bad
/// one is a 422 naming the field and enqueues nothing; a remote type's config is the worker's to check.
enum JobSubmission {
    /// The job types the API creates.
    static let types = QuaeroJobs.userTypes

    /// Checks `body` and creates the job.
    static func submit(_ body: [String: JSONValue], runtime: QuaeroRuntime) async throws -> Job {
        for key in body.keys where !keys.contains(key) {
            throw APIError(.unprocessableContent, code: "invalid_body",
                           "unknown key \"\(key)\"; a job request has \(keys.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        guard let type = body["type"]?.stringValue else {
            throw APIError(.unprocessableContent, code: "invalid_body", "\"type\" must be one of \(types.joined(separator: ", "))")
        }
        let config = body["config"] ?? .object([:])
        guard config.objectValue != nil else {
            throw APIError(.unprocessableContent, code: "invalid_body", "\"config\" must be a JSON object")
        }
        var spec: JobSpec
        if let app = try QuaeroJobs.spec(userType: type, config: config, crawler: runtime.config.crawler) {
            spec = app
        } else {
            guard try await RemoteJobTypes.accepts(JobType(type), runtime: runtime) else {
                throw APIError(.unprocessableContent, code: "unknown_job_type",
                               "unknown job type \"\(type.prefix(WorkerProtocol.maxNameLength))\"; give one of \(types.joined(separator: ", ")), or a type that a running HTTP worker serves (its claims name it)")
            }
            spec = JobSpec(type: JobType(type), config: config.objectValue ?? [:])
        }
        spec.unique = try unique(body)
        if let key = body["limit_key"] {
            guard let text = key.stringValue, !text.isEmpty else { throw invalid("\"limit_key\" must be a non-empty string") }
            spec.limitKey = text
        }
        return try await runtime.jobManager.createJob(spec)
    }

    /// The keys of a job request.
    static let keys = ["type", "config", "unique_key", "unique_for", "unique_statuses", "limit_key"]

    /// `unique_key` with `unique_for` (a duration such as "10m") and optionally `unique_statuses`: a unique job.
    private static func unique(_ body: [String: JSONValue]) throws -> UniqueJob? {
        guard body["unique_key"] != nil || body["unique_for"] != nil || body["unique_statuses"] != nil else { return nil }
        guard let key = body["unique_key"]?.stringValue, !key.isEmpty else {
            throw invalid("\"unique_key\" must be a non-empty string, given with \"unique_for\"")
        }
        guard let text = body["unique_for"]?.stringValue, let period = DurationText.parse(text), period > .zero else {
            throw invalid("\"unique_for\" must be a positive duration such as \"10m\", given with \"unique_key\"")
        }
        guard let names = body["unique_statuses"] else { return UniqueJob(key: key, for: period) }
        guard let list = names.arrayValue, !list.isEmpty else {
            throw invalid("\"unique_statuses\" must be a non-empty list of job statuses")
        }
        var statuses: Set<JobStatus> = []
        for name in list {
            guard let status = name.stringValue.flatMap(JobStatus.init(rawValue:)) else {
                throw invalid("\"unique_statuses\" holds \(name), which is not one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            statuses.insert(status)
        }
        return UniqueJob(key: key, for: period, statuses: statuses)
    }

    private static func invalid(_ message: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid_body", message)
    }
}

/// Job types that no in-process handler of the app serves but `POST /api/jobs` accepts: those a live remote
/// worker announced (its claims name them; the announcements are in the store, so every process sees them),
/// and those the worker pool leaves to remote workers (`WorkerPoolOptions.remoteTypes`, where `[types.NAME]`
/// declarations are to go).
enum RemoteJobTypes {
    /// Whether `type` may be submitted.
    static func accepts(_ type: JobType, runtime: QuaeroRuntime) async throws -> Bool {
        guard (try? WorkerProtocol.validate(name: type.rawValue, as: "the job type")) != nil else { return false }
        if runtime.pool.options.remoteTypes.contains(type) { return true }
        return try await runtime.jobManager.isServedRemotely(type)
    }
}
