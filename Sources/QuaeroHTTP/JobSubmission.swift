import Quaero
import HTTPTypes
import QuaeroQueue

/// The body of `POST /api/jobs`: `{"type": "crawler"|"summarizer"|"cleanup", "config": {...}}`, or any type
/// that remote workers serve. Each config of the app's types is checked before anything is created, so a bad
/// one is a 422 naming the field and enqueues nothing; a remote type's config is the worker's to check.
enum JobSubmission {
    /// The job types the API creates.
    static let types = ["crawler", "summarizer", "cleanup"]

    /// Checks `body` and creates the job.
    static func submit(_ body: [String: JSONValue], runtime: QuaeroRuntime) async throws -> Job {
        for key in body.keys where key != "type" && key != "config" {
            throw APIError(.unprocessableContent, code: "invalid_body", "unknown key \"\(key)\"; a job request has \"type\" and \"config\"")
        }
        guard let type = body["type"]?.stringValue else {
            throw APIError(.unprocessableContent, code: "invalid_body", "\"type\" must be one of \(types.joined(separator: ", "))")
        }
        let config = body["config"] ?? .object([:])
        guard let fields = config.objectValue else {
            throw APIError(.unprocessableContent, code: "invalid_body", "\"config\" must be a JSON object")
        }
        let manager = runtime.jobManager
        switch type {
        case "crawler":
            let crawl = try CrawlConfig(json: config, defaults: runtime.config.crawler)
            return try await CrawlerJobs.submit(crawl, manager: manager)
        case "summarizer":
            let request = try SummarizeRequest(json: config)
            return try await manager.createJob(JobSpec(type: .summarizer, config: request.json.objectValue ?? [:]))
        case "cleanup":
            return try await manager.createJob(try QuaeroJobs.cleanup(fields))
        default:
            guard try await RemoteJobTypes.accepts(JobType(type), runtime: runtime) else {
                throw APIError(.unprocessableContent, code: "unknown_job_type",
                               "unknown job type \"\(type.prefix(WorkerProtocol.maxNameLength))\"; give one of \(types.joined(separator: ", ")), or a type that a running HTTP worker serves (its claims name it)")
            }
            return try await manager.createJob(JobSpec(type: JobType(type), config: fields))
        }
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
