import QuaeroQueue

/// Adds pages to a crawl: each URL once per crawl (the app's `crawl_pages` table decides, also between
/// processes), and no more pages than `max_pages`.
///
/// Runs inside the write transaction of the page that found the links, so that the document, the new pages,
/// the crawl's counters and the page's completion commit together.
enum CrawlFrontier {
    /// Adds `tasks` that are new to their crawl, while the crawl has fewer than `max_pages` pages and has
    /// not ended (a cancelled crawl gets no more pages; its last running pages just finish).
    /// - Returns: the tasks added, and how many new ones were left out by `max_pages`.
    static func add(_ tasks: [CrawlPageTask], manager: JobManager, content: any ContentStorage,
                    in tx: any StoreTransaction) async throws -> (added: [CrawlPageTask], overLimit: Int) {
        guard let first = tasks.first,
              let crawl = try await manager.job(first.crawlID, in: tx), !crawl.status.isTerminal
        else { return ([], 0) }
        var seen: Set<String> = []
        let found = tasks.filter { seen.insert($0.url.string).inserted }
        let known = try await content.crawlPages(among: found.map(\.url.string), crawl: first.crawlID, in: tx)
        var candidates = found.filter { !known.contains($0.url.string) }[...]
        // The engine counts each child of the crawl in its progress total as it is created.
        var room = first.config.settings.maxPages - crawl.progress.total
        var added: [CrawlPageTask] = []
        // Another process may add some of them meanwhile: those pages are its own, and the room they would have
        // taken goes to the next candidates.
        while room > 0, !candidates.isEmpty {
            let batch = candidates.prefix(room)
            candidates = candidates.dropFirst(batch.count)
            let stored = try await content.addCrawlPages(batch.map(\.url.string), crawl: first.crawlID, in: tx)
            let new = batch.filter { stored.contains($0.url.string) }
            added += new
            room -= new.count
        }
        // One batch: on PostgreSQL one statement per kind of row, not a round of statements per page.
        if !added.isEmpty { try await manager.createJobs(added.map(\.spec), in: tx) }
        return (added, candidates.count)
    }
}

extension CrawlPageTask {
    /// The job to create for this page: a child of the crawl, with the crawl's config, limited by its host's
    /// key (`host:example.com`) to the crawl's `per_host_concurrency` and `per_host_rate` (unless a
    /// `[[limits]]` entry says otherwise for the key).
    var spec: JobSpec {
        JobSpec(type: .crawlerURL, config: config.json.objectValue ?? [:],
                fields: ["url": .string(url.string), "depth": .number(Double(depth))], parentID: crawlID,
                limitKey: "host:\(url.authority)", limit: config.settings.hostLimit)
    }

    /// The task of a running `crawler_url` job.
    init(job: Job, defaults: CrawlerSettings) throws(JobConfigError) {
        var fields = job.fields
        fields["config"] = .object(job.config)
        try self.init(message: JobMessage(id: job.id, type: job.type, parentID: job.parentID, fields: fields), defaults: defaults)
    }
}
