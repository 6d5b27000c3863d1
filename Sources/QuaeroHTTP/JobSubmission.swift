import Quaero
import HTTPTypes
import QuaeroQueue

/// The body of `POST /api/jobs`: `{"type": "crawler"|"summarizer"|"cleanup", "config": {...}}`. Each
/// config is checked before anything is created, so a bad one is a 422 naming the field and enqueues nothing.
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
            throw APIError(.unprocessableContent, code: "unknown_job_type",
                           "unknown job type \"\(type)\"; give one of \(types.joined(separator: ", "))")
        }
    }
}
