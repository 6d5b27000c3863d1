public import Foundation
public import QuaeroQueue

/// What `quaero send TYPE BODY` creates: a job of TYPE from a body written in the original design's
/// message shapes (DESIGN §3, `JobMessage+Shapes.swift`), checked before anything is stored.
///
/// A job's settings may be written inside `"config"` or at the top level of the body
/// (`{"job_id": "..."}` is `{"config": {"job_id": "..."}}`). The app's own types are checked the way their
/// handlers will read them, and a body that could not run is refused with a `JobConfigError` naming the field.
/// Any other type is stored as given, for a worker of another program that serves it.
public struct JobSend: Sendable {
    /// The job to create (delay, priority and key are the caller's to set).
    public var spec: JobSpec
    /// Whether `quaero` itself runs jobs of this type.
    public let isKnownType: Bool

    /// The types `quaero` runs, by the names `send` takes: `crawler` (also `parent`, its stored name),
    /// `crawler_url`, `summarizer`, `cleanup`.
    public static let knownTypes = [JobType.crawlerName, JobType.crawl.rawValue, JobType.crawlerURL.rawValue,
                                    JobType.summarizer.rawValue, JobType.cleanup.rawValue]

    /// Reads `body` (a JSON object) as a job of `type` and checks it against the database.
    /// - Parameter crawler: the `[crawler]` defaults of a crawl's config.
    /// - Throws: `QuaeroError(.invalidArgument)` for a body that is not a JSON object or sets `id` or
    ///   `type`; `JobConfigError` for a body of a known type that could not run, or a `parent_id` that
    ///   names no job or an ended one.
    public init(type: String, body: Data, manager: JobManager, crawler: CrawlerSettings) async throws {
        let message = try SendRequest(type: type, json: body).message
        if let parentID = message.parentID {
            try await Self.checkParent(parentID, of: type, manager: manager)
        }
        isKnownType = Self.knownTypes.contains(type)
        switch type {
        case JobType.crawlerName, JobType.crawl.rawValue:
            spec = try Self.crawl(message, crawler: crawler)
        case JobType.crawlerURL.rawValue:
            spec = try await Self.page(message, manager: manager, crawler: crawler)
        case JobType.summarizer.rawValue:
            spec = try await Self.summarizer(message, manager: manager)
        case JobType.cleanup.rawValue:
            spec = try QuaeroJobs.cleanup(try Self.config(message, keys: CleanupJob.Settings.keys, job: "cleanup"),
                                          parentID: message.parentID)
        default:
            var fields = message.fields
            let config = fields.removeValue(forKey: "config") ?? .object([:])
            guard let object = config.objectValue else {
                throw JobConfigError(job: type, field: "config", "must be a JSON object")
            }
            spec = JobSpec(type: message.type, config: object, fields: fields, parentID: message.parentID)
        }
    }

    /// A parent must exist and not have ended, or the child could never be counted on it.
    private static func checkParent(_ id: String, of type: String, manager: JobManager) async throws {
        let parent: Job
        do {
            parent = try await manager.getJob(id)
        } catch let error as QuaeroError where error.code == .notFound {
            throw JobConfigError(job: type, field: "parent_id", "names no job (\(id)); list jobs with `quaero jobs list`")
        }
        guard !parent.status.isTerminal else {
            throw JobConfigError(job: type, field: "parent_id", "names job \(id), which already ended (\(parent.status)); a job cannot be added to it")
        }
    }

    /// The settings of a known type: `config` with the top-level members among `keys`; any other
    /// top-level member (besides `extra`) is refused.
    private static func config(_ message: JobMessage, keys: [String], extra: [String] = [], job: String) throws(JobConfigError) -> [String: JSONValue] {
        var fields = message.fields
        let config = fields.removeValue(forKey: "config") ?? .object([:])
        guard let object = config.objectValue else { throw JobConfigError(job: job, field: "config", "must be a JSON object") }
        for key in fields.keys.sorted() where !keys.contains(key) && !extra.contains(key) {
            throw JobConfigError(job: job, field: key, "is not a field of a \(job) job; its fields are "
                + (["parent_id", "config"] + extra + keys).joined(separator: ", "))
        }
        return try JobBody.config(object, fields: fields, keys: keys, job: job)
    }

    /// A crawl: `{"source_type", "entity_type", "config": {"urls": [...], ...}}`, or the crawl's keys at the
    /// top level (`{"urls": [...], "max_depth": 1}`).
    private static func crawl(_ message: JobMessage, crawler: CrawlerSettings) throws -> JobSpec {
        let shape = ["source_type", "entity_type"]
        let config = try config(message, keys: CrawlConfig.keys, extra: shape, job: "crawl")
        var fields: [String: JSONValue] = [:]
        for key in shape {
            guard let value = message.fields[key] else { continue }
            guard value.stringValue != nil else { throw JobConfigError(job: "crawl", field: key, "must be a string") }
            fields[key] = value
        }
        var spec = try CrawlerJobs.spec(CrawlConfig(json: .object(config), defaults: crawler), fields: fields)
        spec.parentID = message.parentID
        return spec
    }

    /// One page of a running crawl: `{"parent_id": CRAWL, "url", "depth", "config"}`; the config defaults
    /// to the crawl's, and keys given in `config` override it.
    private static func page(_ message: JobMessage, manager: JobManager, crawler: CrawlerSettings) async throws -> JobSpec {
        for key in message.fields.keys.sorted() where !["url", "depth", "config"].contains(key) {
            throw JobConfigError(job: "crawler_url", field: key, "is not a field of a crawler_url job; its fields are parent_id, url, depth, config")
        }
        guard let crawlID = message.parentID else {
            throw JobConfigError(job: "crawler_url", field: "parent_id",
                "is missing: a crawler_url job is one page of a running crawl; give the crawl's id, or start a crawl of the URL "
                    + "with `quaero crawl URL` (or `quaero send crawler '{\"urls\": [URL]}'`)")
        }
        let crawl = try await manager.getJob(crawlID)
        guard crawl.type == .crawl else {
            throw JobConfigError(job: "crawler_url", field: "parent_id", "names a \(crawl.type) job, not a crawl")
        }
        var fields = message.fields
        guard let given = (fields["config"] ?? .object([:])).objectValue else {
            throw JobConfigError(job: "crawler_url", field: "config", "must be a JSON object")
        }
        fields["config"] = .object(crawl.config.merging(given) { $1 })
        let task = try CrawlPageTask(message: JobMessage(id: message.id, type: .crawlerURL, parentID: crawlID, fields: fields),
                                     defaults: crawler)
        _ = try task.config.validated()
        return task.spec
    }

    /// Summaries: `{"config": {"document_ids": [...]}}` or `{"job_id": CRAWL}`, at the top level or in `config`;
    /// at least one of the documents, or the crawl, must exist.
    private static func summarizer(_ message: JobMessage, manager: JobManager) async throws -> JobSpec {
        let request = try SummarizeRequest(json: .object(try config(message, keys: SummarizeRequest.keys, job: "summarizer")))
        switch request.target {
        case .crawl(let jobID):
            do {
                _ = try await manager.getJob(jobID)
            } catch let error as QuaeroError where error.code == .notFound {
                throw JobConfigError(job: "summarizer", field: "job_id", "names no job (\(jobID)); give the id of a crawl")
            }
        case .documents(let ids):
            let store = try DocumentStore(store: manager.store)
            var found = false
            for id in ids where !found { found = try await store.document(id: id) != nil }
            guard found else {
                throw JobConfigError(job: "summarizer", field: "document_ids",
                    "names no stored document (\(ids.map(String.init).joined(separator: ", "))); list them with `quaero documents search`")
            }
        }
        return JobSpec(type: .summarizer, config: request.json.objectValue ?? [:], parentID: message.parentID)
    }
}
