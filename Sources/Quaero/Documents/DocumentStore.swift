public import QuaeroQueue
import Crypto

/// The `documents` table: pages stored by the crawler, one row per URL, searchable through FTS5.
///
/// Every write has a form that runs `in:` a connection, so that a job can store a document and update its
/// own progress in one transaction.
public struct DocumentStore: Sendable {
    /// The database holding the table.
    public let database: Database
    private let clock: any QuaeroClock

    /// Creates a store over `database`; `clock` stamps `crawled_at`.
    public init(database: Database, clock: any QuaeroClock = SystemClock()) {
        self.database = database
        self.clock = clock
    }

    /// Stores the page at `url`: a new row for a new URL, otherwise the same row updated (never a duplicate).
    ///
    /// When the title or text changed, the old summary is cleared because it no longer describes the page.
    /// - Parameters:
    ///   - url: the normalized absolute URL (the crawler's `CrawlURL.string`).
    ///   - title: the page title, or empty.
    ///   - text: the visible text.
    ///   - jobID: the crawl that fetched it; must be a row of `jobs`, or nil.
    /// - Throws: `QuaeroError(.invalidArgument)` for an empty URL or an unknown job id.
    @discardableResult
    public func upsert(url: String, title: String, text: String, jobID: String?) async throws -> DocumentUpsert {
        let now = clock.nowMillis()
        return try await database.write { try Self.upsert(url: url, title: title, text: text, jobID: jobID, crawledAt: now, in: $0) }
    }

    /// The store's time in UTC milliseconds, for `upsert(in:)` callers.
    public func now() -> Int64 { clock.nowMillis() }

    /// `upsert` inside the caller's write transaction.
    public static func upsert(url: String, title: String, text: String, jobID: String?, crawledAt: Int64,
                              in connection: Connection) throws -> DocumentUpsert {
        guard !url.isEmpty else { throw QuaeroError(.invalidArgument, "a document needs a URL; the URL is empty") }
        let hash = contentHash(title: title, text: text)
        let previous = try connection.queryFirst("SELECT content_hash FROM documents WHERE url = ?", [url]) { $0.text(0) }
        let id: Int64?
        do {
            id = try connection.queryFirst("""
                INSERT INTO documents (url, title, text, content_hash, summary, crawled_at, job_id)
                VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6)
                ON CONFLICT (url) DO UPDATE SET
                    title = excluded.title, text = excluded.text, content_hash = excluded.content_hash,
                    summary = CASE WHEN documents.content_hash = excluded.content_hash THEN documents.summary END,
                    crawled_at = excluded.crawled_at, job_id = excluded.job_id
                RETURNING id
                """, [url, title, text, hash, crawledAt, jobID]) { $0.int64(0) }
        } catch let error as QuaeroError where error.message.contains("FOREIGN KEY") {
            throw QuaeroError(.invalidArgument, "cannot store \(url) for job \(jobID ?? "nil"): there is no such job")
        }
        guard let id else { throw QuaeroError(.sqlite, "storing \(url) returned no row id") }
        let outcome: DocumentUpsertOutcome = switch previous {
        case nil: .inserted
        case hash?: .unchanged
        default: .updated
        }
        return DocumentUpsert(id: id, outcome: outcome, contentHash: hash)
    }

    /// The document with `id`, with its text; nil when there is none.
    public func document(id: Int64) async throws -> Document? {
        try await database.read { try $0.queryFirst("SELECT \(Self.columns) FROM documents WHERE id = ?", [id], Self.document) }
    }

    /// The document stored for `url` (normalized as stored), with its text; nil when there is none.
    public func document(url: String) async throws -> Document? {
        try await database.read { try $0.queryFirst("SELECT \(Self.columns) FROM documents WHERE url = ?", [url], Self.document) }
    }

    /// The documents last stored by crawl `jobID`, oldest first; `text` is nil unless `includeText`.
    /// - Throws: `QuaeroError(.invalidArgument)` when `limit` is not positive or `offset` is negative.
    public func documents(ofJob jobID: String, limit: Int = 100, offset: Int = 0, includeText: Bool = false) async throws -> [Document] {
        try Self.checkPage(limit: limit, offset: offset)
        let columns = includeText ? Self.columns : Self.columnsWithoutText
        return try await database.read {
            try $0.query("SELECT \(columns) FROM documents WHERE job_id = ? ORDER BY id LIMIT ? OFFSET ?",
                         [jobID, limit, offset], Self.document)
        }
    }

    /// How many documents crawl `jobID` last stored, or all documents when `jobID` is nil.
    public func count(ofJob jobID: String? = nil) async throws -> Int {
        try await database.read { connection in
            if let jobID {
                try connection.queryFirst("SELECT count(*) FROM documents WHERE job_id = ?", [jobID]) { $0.int(0) } ?? 0
            } else {
                try connection.queryFirst("SELECT count(*) FROM documents") { $0.int(0) } ?? 0
            }
        }
    }

    /// Documents of crawl `jobID` that have no summary yet, with their text, in id order.
    /// - Parameter after: only documents with a larger id (to page through a large crawl).
    public func unsummarized(ofJob jobID: String, after: Int64 = 0, limit: Int = 100) async throws -> [Document] {
        try Self.checkPage(limit: limit, offset: 0)
        return try await database.read {
            try $0.query("SELECT \(Self.columns) FROM documents WHERE job_id = ? AND summary IS NULL AND id > ? ORDER BY id LIMIT ?",
                         [jobID, after, limit], Self.document)
        }
    }

    /// How many documents of crawl `jobID` have no summary yet.
    public func unsummarizedCount(ofJob jobID: String) async throws -> Int {
        try await database.read {
            try $0.queryFirst("SELECT count(*) FROM documents WHERE job_id = ? AND summary IS NULL", [jobID]) { $0.int(0) } ?? 0
        }
    }

    /// Stores `summary` for document `id`.
    ///
    /// - Parameter contentHash: when given, the summary is stored only if the document still has this
    ///   content, so a summary of a page that was recrawled meanwhile is not kept.
    /// - Returns: false when `contentHash` no longer matches (nothing was written).
    /// - Throws: `QuaeroError(.notFound)` when there is no document `id`.
    @discardableResult
    public func setSummary(_ summary: String, forDocument id: Int64, contentHash: String? = nil) async throws -> Bool {
        try await database.write { connection in
            try connection.execute("UPDATE documents SET summary = ?1 WHERE id = ?2 AND (?3 IS NULL OR content_hash = ?3)",
                                   [summary, id, contentHash])
            if connection.changes == 1 { return true }
            guard try connection.queryFirst("SELECT 1 FROM documents WHERE id = ?", [id], { _ in true }) != nil else {
                throw QuaeroError(.notFound, "there is no document \(id)")
            }
            return false
        }
    }

    /// SHA-256 hex of the title and the text, separated so that moving words between them changes the hash.
    public static func contentHash(title: String, text: String) -> String {
        let digest = SHA256.hash(data: Array(title.utf8) + [0] + Array(text.utf8))
        return digest.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    static let columns = "id, url, title, text, content_hash, summary, crawled_at, job_id"
    private static let columnsWithoutText = "id, url, title, NULL, content_hash, summary, crawled_at, job_id"

    static func document(_ row: Row) -> Document {
        Document(id: row.int64(0), url: row.text(1), title: row.text(2), text: row.optionalText(3),
                 contentHash: row.text(4), summary: row.optionalText(5), crawledAt: row.int64(6), jobID: row.optionalText(7))
    }

    static func checkPage(limit: Int, offset: Int) throws {
        guard limit > 0 else { throw QuaeroError(.invalidArgument, "limit must be at least 1, not \(limit)") }
        guard offset >= 0 else { throw QuaeroError(.invalidArgument, "offset must be 0 or more, not \(offset)") }
    }
}
