public import QuaeroQueue

/// The progress of a crawl as `quaero crawl --wait` shows it: a live line while it runs, a summary at the end.
public struct CrawlProgress: Sendable, Equatable {
    /// Pages fetched (or skipped) successfully.
    public let done: Int
    /// Pages that failed.
    public let failed: Int
    /// Pages enqueued and not yet ended.
    public let queued: Int
    /// Pages ended per second since the crawl started.
    public let rate: Double

    /// The progress of `crawl` after `elapsed` since it started.
    public init(crawl: Job, elapsed: Duration) {
        done = crawl.progress.completed
        failed = crawl.progress.failed
        queued = max(0, crawl.progress.total - crawl.progress.completed - crawl.progress.failed)
        let seconds = Self.seconds(elapsed)
        rate = seconds > 0 ? Double(done + failed) / seconds : 0
    }

    /// `12 done, 1 failed, 5 queued, 3.4 pages/s`.
    public var line: String {
        "\(done) done, \(failed) failed, \(queued) queued, \(Self.oneDecimal(rate)) pages/s"
    }

    /// `crawl 01j… completed: 17 pages stored, 1 failed in 5.0s`.
    public static func summary(crawl: Job, elapsed: Duration, documents: Int) -> String {
        let progress = CrawlProgress(crawl: crawl, elapsed: elapsed)
        return "crawl \(crawl.id) \(crawl.status): \(documents) pages stored, \(progress.failed) failed in \(oneDecimal(seconds(elapsed)))s"
    }

    /// How many failed pages a summary lists (the rest are counted).
    public static let failuresShown = 10

    /// The lines that follow a crawl's summary when pages failed: `  URL: reason` for each of `pages` (the
    /// first `failuresShown` failed pages), then how many more failed and how to list them.
    /// - Parameter failed: how many pages failed in all.
    public static func failures(of crawl: Job, pages: [Job], failed: Int) -> [String] {
        guard failed > 0 else { return [] }
        var lines = ["failed pages:"]
        for page in pages.prefix(failuresShown) {
            lines.append("  \(page.fields["url"]?.stringValue ?? page.id): \(page.error ?? page.status.rawValue)")
        }
        let more = failed - min(pages.count, failuresShown)
        if more > 0 {
            lines.append("  and \(more) more: quaero jobs list --parent \(crawl.id) --status failed")
        }
        return lines
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
