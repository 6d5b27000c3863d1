public import QuaeroQueue

/// What a `summarizer` job summarizes: `{"document_ids": [...]}` or `{"job_id": "..."}` (every document of
/// that crawl still without a summary).
public struct SummarizeRequest: Sendable, Equatable {
    /// The documents to summarize.
    public enum Target: Sendable, Equatable {
        /// These documents, in this order, without duplicates.
        case documents([Int64])
        /// The unsummarized documents of this crawl job.
        case crawl(jobID: String)
    }

    /// The documents to summarize.
    public let target: Target

    /// The JSON keys a summarizer config may have.
    public static let keys = ["document_ids", "job_id"]

    /// Creates a request.
    public init(target: Target) {
        self.target = target
    }

    /// Reads a summarizer config.
    /// - Throws: `JobConfigError` naming the key: neither or both of the keys, an empty list, an id that is
    ///   not a positive whole number, an empty job id, an unknown key.
    public init(json: JSONValue) throws(JobConfigError) {
        let reader = try JSONFieldReader(job: "summarizer", json: json, keys: Self.keys,
                                         example: "{\"job_id\": \"...\"} or {\"document_ids\": [1, 2]}")
        switch (reader.has("document_ids"), reader.has("job_id")) {
        case (true, true):
            throw reader.error("job_id", "cannot be given with document_ids; give one of them")
        case (false, false):
            throw reader.error("config", "needs document_ids (a list of document ids) or job_id (a crawl job id)")
        case (true, false):
            let ids = try reader.integers("document_ids") ?? []
            guard !ids.isEmpty else { throw reader.error("document_ids", "is empty; give at least one document id") }
            var unique: [Int64] = []
            for (index, id) in ids.enumerated() {
                guard id > 0 else { throw reader.error("document_ids[\(index)]", "must be a positive document id, not \(id)") }
                if !unique.contains(id) { unique.append(id) }
            }
            target = .documents(unique)
        case (false, true):
            var jobID = ""
            try reader.read("job_id", into: &jobID)
            guard !jobID.trimmingWhitespace().isEmpty else { throw reader.error("job_id", "is empty; give the id of a crawl job") }
            target = .crawl(jobID: jobID)
        }
    }

    /// The request as JSON, to store with the job.
    public var json: JSONValue {
        switch target {
        case .documents(let ids): .object(["document_ids": .array(ids.map { .number(Double($0)) })])
        case .crawl(let jobID): .object(["job_id": .string(jobID)])
        }
    }
}
