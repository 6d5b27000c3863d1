import QuaeroQueue

/// Adds pages to a crawl: each URL once per crawl, and no more pages than `max_pages`.
///
/// Runs inside the write transaction of the page that found the links, so that the document, the new pages
/// and the crawl's counters commit together (the single writer makes the count and the check exact).
enum CrawlFrontier {
    /// ?1 crawl, ?2 URL: the expression and the condition of the `jobs_crawl_url` index, which it uses.
    static let containsSQL = """
        SELECT 1 FROM jobs WHERE parent_id = ?1 AND type = 'crawler_url' AND json_extract(fields, '$.url') = ?2
        """

    /// Whether crawl `crawlID` already has a page for `url`.
    static func contains(_ url: CrawlURL, crawl crawlID: String, in connection: Connection) throws -> Bool {
        try connection.queryFirst(containsSQL, [crawlID, url.string]) { _ in true } ?? false
    }

    /// How many pages crawl `crawlID` has (running, done or failed), and whether the crawl still runs.
    static func state(crawl crawlID: String, in connection: Connection) throws -> (pages: Int, running: Bool) {
        try connection.queryFirst("SELECT children, status FROM jobs WHERE id = ?1", [crawlID]) { row in
            (row.int(0), !(JobStatus(rawValue: row.text(1))?.isTerminal ?? true))
        } ?? (0, false)
    }

    /// Adds `tasks` that are new to their crawl, while the crawl has fewer than `max_pages` pages and has
    /// not ended (a cancelled crawl gets no more pages; its last running pages just finish).
    /// - Returns: the tasks added, and how many were left out by `max_pages`.
    static func add(_ tasks: [CrawlPageTask], manager: JobManager,
                    in connection: Connection) throws -> (added: [CrawlPageTask], overLimit: Int) {
        guard let first = tasks.first else { return ([], 0) }
        let crawl = try state(crawl: first.crawlID, in: connection)
        guard crawl.running else { return ([], 0) }
        var room = first.config.settings.maxPages - crawl.pages
        var added: [CrawlPageTask] = []
        var overLimit = 0
        for task in tasks where !(try contains(task.url, crawl: task.crawlID, in: connection)) {
            guard room > 0 else {
                overLimit += 1
                continue
            }
            try manager.createJob(task.spec, in: connection)
            added.append(task)
            room -= 1
        }
        return (added, overLimit)
    }
}

extension CrawlPageTask {
    /// The job to create for this page: a child of the crawl, with the crawl's config, deduplicated by URL.
    var spec: JobSpec {
        JobSpec(type: .crawlerURL, config: config.json.objectValue ?? [:],
                fields: ["url": .string(url.string), "depth": .number(Double(depth))], parentID: crawlID, key: dedupKey)
    }

    /// The task of a running `crawler_url` job.
    init(job: Job, defaults: CrawlerSettings) throws(JobConfigError) {
        var fields = job.fields
        fields["config"] = .object(job.config)
        try self.init(message: JobMessage(id: job.id, type: job.type, parentID: job.parentID, fields: fields), defaults: defaults)
    }
}
