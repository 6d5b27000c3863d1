import Logging
public import QuaeroQueue

/// The `summarizer` job: summarizes the documents its config names (`SummarizeRequest`) and stores each
/// summary, reporting progress and logging every document to the job's log.
///
/// A summary is stored only if the document still has the content it was made from; a document recrawled
/// meanwhile keeps no stale summary (and a later summarizer run picks it up). Ids that name no document are
/// listed in the result; a job whose ids all name nothing fails without retry.
public struct SummarizerJob: Sendable {
    /// Where the documents are.
    public let store: DocumentStore
    /// What makes the summaries (`ExtractiveSummarizer`, or a `FallbackSummarizer` over an LLM).
    public let summarizer: any DocumentSummarizer
    /// Documents read at a time for a crawl.
    public let batchSize: Int

    /// Creates the job's handler. Its steps go to `JobContext.logger`, which the pool also writes to the
    /// job's log when it has a log service.
    public init(store: DocumentStore, summarizer: any DocumentSummarizer = ExtractiveSummarizer(), batchSize: Int = 50) {
        self.store = store
        self.summarizer = summarizer
        self.batchSize = max(1, batchSize)
    }

    /// Registers the handler for `summarizer` jobs on `pool`.
    public func register(on pool: WorkerPool) {
        pool.register(.summarizer) { try await self.run($0) }
    }

    /// Runs one job: `{"summarized": n, "changed": n, "missing": [ids]}` is its result.
    /// - Throws: `UnrecoverableJobError` for a bad config or ids that all name nothing; a summarizer's error
    ///   (the attempt is retried); `CancellationError`.
    public func run(_ context: JobContext) async throws -> JSONValue? {
        let request = try readJobConfig { () throws(JobConfigError) in
            try SummarizeRequest(json: .object(try JobBody.config(of: context.job, keys: SummarizeRequest.keys, job: "summarizer")))
        }
        var tally = Tally()
        let notices = SummaryNotices(logger: context.logger)
        switch request.target {
        case .documents(let ids):
            for (index, id) in ids.enumerated() {
                try context.checkCancellation()
                if let document = try await store.document(id: id) {
                    try await summarize(document, &tally, context, notices)
                } else {
                    tally.missing.append(id)
                    context.logger.warning("no document \(id) to summarize")
                }
                try await context.reportProgress(completed: index + 1 - tally.missing.count, total: ids.count, failed: tally.missing.count)
            }
            if tally.missing.count == ids.count {
                throw UnrecoverableJobError("none of the documents exist: \(ids.map(String.init).joined(separator: ", "))")
            }
        case .crawl(let jobID):
            let total = try await store.unsummarizedCount(ofJob: jobID)
            context.logger.info("summarizing \(total) documents of crawl \(jobID)")
            var done = 0
            var after: Int64 = 0
            while true {
                try context.checkCancellation()
                let batch = try await store.unsummarized(ofJob: jobID, after: after, limit: batchSize)
                guard let last = batch.last else { break }
                after = last.id
                for document in batch {
                    try context.checkCancellation()
                    try await summarize(document, &tally, context, notices)
                    done += 1
                    try await context.reportProgress(completed: done, total: max(total, done))
                }
            }
        }
        return .object([
            "summarized": .number(Double(tally.summarized)),
            "changed": .number(Double(tally.changed)),
            "missing": .array(tally.missing.map { .number(Double($0)) }),
        ])
    }

    private struct Tally {
        var summarized = 0
        var changed = 0
        var missing: [Int64] = []
    }

    private func summarize(_ document: Document, _ tally: inout Tally, _ context: JobContext, _ notices: SummaryNotices) async throws {
        let summary = try await summarizer.summarize(title: document.title, text: document.text ?? "", notices: notices)
        if try await store.setSummary(summary, forDocument: document.id, contentHash: document.contentHash) {
            tally.summarized += 1
            context.logger.info("summarized document \(document.id) \(document.url)")
        } else {
            tally.changed += 1
            context.logger.info("document \(document.id) \(document.url) changed while it was summarized; its summary was not stored")
        }
    }
}
