public import QuaeroQueue
import Crypto

/// Crawled pages, one per URL (a recrawl updates the row), searchable by their words.
///
/// Every write has a form that runs `in:` a transaction, so that a job can store a document together with
/// its own progress, its children and its completion.
public struct DocumentStore: Sendable {
    /// The store holding the documents.
    public let store: any QuaeroStore
    private let clock: any QuaeroClock
    let content: any ContentStorage

    /// Creates the documents of `store`; `clock` stamps `crawled_at` (the store's clock by default).
    ///
    /// - Throws: `invalidArgument` for a store the app has no tables for.
    public init(store: any QuaeroStore, clock: (any QuaeroClock)? = nil) throws {
        self.store = store
        self.clock = clock ?? store.clock
        self.content = try store.content
    }

    /// Stores the page at `url`: a new row for a new URL, otherwise the same row updated (never a duplicate).
    ///
    /// When the title or text changed, the old summary is cleared because it no longer describes the page.
    /// - Parameters:
    ///   - url: the normalized absolute URL (the crawler's `CrawlURL.string`).
    ///   - title: the page title, or empty.
    ///   - text: the visible text.
    ///   - jobID: the crawl that fetched it; must be an existing job, or nil.
    /// - Throws: `QuaeroError(.invalidArgument)` for an empty URL or an unknown job id.
    @discardableResult
    public func upsert(url: String, title: String, text: String, jobID: String?) async throws -> DocumentUpsert {
        let now = clock.nowMillis()
        return try await store.write { tx in try await self.upsert(url: url, title: title, text: text, jobID: jobID, crawledAt: now, in: tx) }
    }

    /// The store's time in UTC milliseconds, for `upsert(in:)` callers.
    public func now() -> Int64 { clock.nowMillis() }

    /// `upsert` inside the caller's write transaction.
    public func upsert(url: String, title: String, text: String, jobID: String?, crawledAt: Int64,
                       in tx: any StoreTransaction) async throws -> DocumentUpsert {
        guard !url.isEmpty else { throw QuaeroError(.invalidArgument, "a document needs a URL; the URL is empty") }
        return try await content.upsert(url: url, title: title, text: text, contentHash: Self.contentHash(title: title, text: text),
                                        jobID: jobID, crawledAt: crawledAt, in: tx)
    }

    /// The document with `id`, with its text; nil when there is none.
    public func document(id: Int64) async throws -> Document? {
        try await store.read { reader in try await self.content.document(id: id, in: reader) }
    }

    /// The document stored for `url` (normalized as stored), with its text; nil when there is none.
    public func document(url: String) async throws -> Document? {
        try await store.read { reader in try await self.content.document(url: url, in: reader) }
    }

    /// The documents last stored by crawl `jobID`, oldest first; `text` is nil unless `includeText`.
    /// - Throws: `QuaeroError(.invalidArgument)` when `limit` is not positive or `offset` is negative.
    public func documents(ofJob jobID: String, limit: Int = 100, offset: Int = 0, includeText: Bool = false) async throws -> [Document] {
        try Self.checkPage(limit: limit, offset: offset)
        return try await store.read { reader in
            try await self.content.documents(ofJob: jobID, limit: limit, offset: offset, includeText: includeText, in: reader)
        }
    }

    /// The newest documents, a keyset page at a time: those with an id below `before` (the last id of the
    /// previous page), without their text.
    /// - Throws: `QuaeroError(.invalidArgument)` when `limit` is not positive.
    public func recent(before: Int64? = nil, limit: Int = 50) async throws -> [Document] {
        try Self.checkPage(limit: limit, offset: 0)
        return try await store.read { reader in try await self.content.recent(before: before, limit: limit, in: reader) }
    }

    /// How many documents crawl `jobID` last stored, or all documents when `jobID` is nil.
    public func count(ofJob jobID: String? = nil) async throws -> Int {
        try await store.read { reader in try await self.content.count(ofJob: jobID, in: reader) }
    }

    /// Documents of crawl `jobID` that have no summary yet, with their text, in id order.
    /// - Parameter after: only documents with a larger id (to page through a large crawl).
    public func unsummarized(ofJob jobID: String, after: Int64 = 0, limit: Int = 100) async throws -> [Document] {
        try Self.checkPage(limit: limit, offset: 0)
        return try await store.read { reader in try await self.content.unsummarized(ofJob: jobID, after: after, limit: limit, in: reader) }
    }

    /// How many documents of crawl `jobID` have no summary yet.
    public func unsummarizedCount(ofJob jobID: String) async throws -> Int {
        try await store.read { reader in try await self.content.unsummarizedCount(ofJob: jobID, in: reader) }
    }

    /// Stores `summary` for document `id`.
    ///
    /// - Parameter contentHash: when given, the summary is stored only if the document still has this
    ///   content, so a summary of a page that was recrawled meanwhile is not kept.
    /// - Returns: false when `contentHash` no longer matches (nothing was written).
    /// - Throws: `QuaeroError(.notFound)` when there is no document `id`.
    @discardableResult
    public func setSummary(_ summary: String, forDocument id: Int64, contentHash: String? = nil) async throws -> Bool {
        try await store.write { tx in try await self.content.setSummary(summary, forDocument: id, contentHash: contentHash, in: tx) }
    }

    /// SHA-256 hex of the title and the text, separated so that moving words between them changes the hash.
    public static func contentHash(title: String, text: String) -> String {
        let digest = SHA256.hash(data: Array(title.utf8) + [0] + Array(text.utf8))
        return digest.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    static func checkPage(limit: Int, offset: Int) throws {
        guard limit > 0 else { throw QuaeroError(.invalidArgument, "limit must be at least 1, not \(limit)") }
        guard offset >= 0 else { throw QuaeroError(.invalidArgument, "offset must be 0 or more, not \(offset)") }
    }
}

extension DocumentUpsertOutcome {
    /// What storing a page with hash `now` did, given the hash it had before (nil: a new URL).
    init(previous: String?, now: String) {
        self = switch previous {
        case nil: .inserted
        case now?: .unchanged
        default: .updated
        }
    }
}
