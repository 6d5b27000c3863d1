import Foundation
import QuaeroQueue
import QuaeroSQLite

/// The app's tables on SQLite: documents (FTS5 search, see the app's chain m0001) and crawl pages.
struct SQLiteContent: ContentStorage {
    private static let columns = "id, url, title, text, content_hash, summary, crawled_at, job_id"
    private static let columnsWithoutText = "id, url, title, NULL, content_hash, summary, crawled_at, job_id"

    func upsert(url: String, title: String, text: String, contentHash hash: String, jobID: String?, crawledAt: Int64,
                in tx: any StoreTransaction) async throws -> DocumentUpsert {
        let connection = try Self.connection(tx)
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
        guard let id else { throw QuaeroError(.storage, "storing \(url) returned no row id") }
        return DocumentUpsert(id: id, outcome: DocumentUpsertOutcome(previous: previous, now: hash), contentHash: hash)
    }

    func document(id: Int64, in reader: any StoreReader) async throws -> Document? {
        try Self.connection(reader).queryFirst("SELECT \(Self.columns) FROM documents WHERE id = ?", [id], Self.document)
    }

    func document(url: String, in reader: any StoreReader) async throws -> Document? {
        try Self.connection(reader).queryFirst("SELECT \(Self.columns) FROM documents WHERE url = ?", [url], Self.document)
    }

    func documents(ofJob jobID: String, limit: Int, offset: Int, includeText: Bool, in reader: any StoreReader) async throws -> [Document] {
        let columns = includeText ? Self.columns : Self.columnsWithoutText
        return try Self.connection(reader).query(
            "SELECT \(columns) FROM documents WHERE job_id = ? ORDER BY id LIMIT ? OFFSET ?", [jobID, limit, offset], Self.document)
    }

    func recent(before: Int64?, limit: Int, in reader: any StoreReader) async throws -> [Document] {
        try Self.connection(reader).query(
            "SELECT \(Self.columnsWithoutText) FROM documents WHERE id < ? ORDER BY id DESC LIMIT ?", [before ?? .max, limit], Self.document)
    }

    func count(ofJob jobID: String?, in reader: any StoreReader) async throws -> Int {
        let connection = try Self.connection(reader)
        if let jobID {
            return try connection.queryFirst("SELECT count(*) FROM documents WHERE job_id = ?", [jobID]) { $0.int(0) } ?? 0
        }
        return try connection.queryFirst("SELECT count(*) FROM documents") { $0.int(0) } ?? 0
    }

    func unsummarized(ofJob jobID: String, after: Int64, limit: Int, in reader: any StoreReader) async throws -> [Document] {
        try Self.connection(reader).query(
            "SELECT \(Self.columns) FROM documents WHERE job_id = ? AND summary IS NULL AND id > ? ORDER BY id LIMIT ?",
            [jobID, after, limit], Self.document)
    }

    func unsummarizedCount(ofJob jobID: String, in reader: any StoreReader) async throws -> Int {
        try Self.connection(reader).queryFirst(
            "SELECT count(*) FROM documents WHERE job_id = ? AND summary IS NULL", [jobID]) { $0.int(0) } ?? 0
    }

    func setSummary(_ summary: String, forDocument id: Int64, contentHash: String?, in tx: any StoreTransaction) async throws -> Bool {
        let connection = try Self.connection(tx)
        try connection.execute("UPDATE documents SET summary = ?1 WHERE id = ?2 AND (?3 IS NULL OR content_hash = ?3)",
                               [summary, id, contentHash])
        if connection.changes == 1 { return true }
        guard try connection.queryFirst("SELECT 1 FROM documents WHERE id = ?", [id], { _ in true }) != nil else {
            throw QuaeroError(.notFound, "there is no document \(id)")
        }
        return false
    }

    func search(_ query: String, jobID: String?, limit: Int, marks: (open: String, close: String),
                in reader: any StoreReader) async throws -> [DocumentSearchHit] {
        do {
            return try Self.connection(reader).query("""
                SELECT d.id, d.url, d.title, snippet(documents_fts, 1, ?2, ?3, '…', 16),
                       bm25(documents_fts, 5.0, 1.0), d.job_id, d.crawled_at
                FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid
                WHERE documents_fts MATCH ?1 AND (?4 IS NULL OR d.job_id = ?4)
                ORDER BY bm25(documents_fts, 5.0, 1.0), d.id
                LIMIT ?5
                """, [query, marks.open, marks.close, jobID, limit]) { row in
                DocumentSearchHit(id: row.int64(0), url: row.text(1), title: row.text(2), snippet: row.text(3),
                                  score: -row.double(4), jobID: row.optionalText(5), crawledAt: row.int64(6))
            }
        } catch let error as QuaeroError where error.code == .storage {
            guard let reason = Self.querySyntaxProblem(error.message) else { throw error }
            throw QuaeroError(.invalidArgument,
                "the search query \"\(query)\" is not valid FTS5 syntax (\(reason)); put words in double quotes to search for them literally")
        }
    }

    /// SQLite's reason when it rejected the MATCH expression itself (rather than failing for another reason).
    private static func querySyntaxProblem(_ message: String) -> String? {
        for marker in ["fts5:", "no such column", "unknown special query", "unterminated string"] {
            if let range = message.range(of: marker) { return String(message[range.lowerBound...]) }
        }
        return nil
    }

    // One statement per URL: in process, a prepared statement run again costs no round trip.
    func addCrawlPages(_ urls: [String], crawl crawlID: String, in tx: any StoreTransaction) async throws -> Set<String> {
        let connection = try Self.connection(tx)
        var added: Set<String> = []
        for url in urls {
            try connection.execute("INSERT INTO crawl_pages (crawl_id, url) VALUES (?1, ?2) ON CONFLICT DO NOTHING", [crawlID, url])
            if connection.changes > 0 { added.insert(url) }
        }
        return added
    }

    func crawlPages(among urls: [String], crawl crawlID: String, in reader: any StoreReader) async throws -> Set<String> {
        let connection = try Self.connection(reader)
        return try Set(urls.filter { url in
            try connection.queryFirst("SELECT 1 FROM crawl_pages WHERE crawl_id = ?1 AND url = ?2", [crawlID, url]) { _ in true } ?? false
        })
    }

    func claimRobots(crawl crawlID: String, origin: String, fetcher: String, now: Int64, until: Int64,
                     in tx: any StoreTransaction) async throws -> RobotsClaim {
        let connection = try Self.connection(tx)
        // Taken when absent, or when its fetch lapsed before a body came.
        try connection.execute("""
            INSERT INTO crawl_robots (crawl_id, origin, fetcher, expires_at) VALUES (?1, ?2, ?3, ?4)
            ON CONFLICT (crawl_id, origin) DO UPDATE SET fetcher = ?3, expires_at = ?4 WHERE status IS NULL AND expires_at <= ?5
            """, [crawlID, origin, fetcher, until, now])
        if connection.changes > 0 { return .claimed }
        let row = try connection.queryFirst("SELECT status, body, expires_at FROM crawl_robots WHERE crawl_id = ?1 AND origin = ?2",
                                            [crawlID, origin]) { ($0.optionalInt64(0), $0.optionalText(1), $0.int64(2)) }
        guard let row else { return .busy(until: now) }
        guard let status = row.0 else { return .busy(until: row.2) }
        return .fetched(RobotsFile(status: Int(status), body: row.1 ?? ""))
    }

    func storeRobots(_ file: RobotsFile, crawl crawlID: String, origin: String, fetcher: String,
                     in tx: any StoreTransaction) async throws {
        try Self.connection(tx).execute("""
            UPDATE crawl_robots SET status = ?4, body = ?5, fetcher = NULL WHERE crawl_id = ?1 AND origin = ?2 AND fetcher = ?3
            """, [crawlID, origin, fetcher, file.status, file.body])
    }

    func releaseRobots(crawl crawlID: String, origin: String, fetcher: String, in tx: any StoreTransaction) async throws {
        try Self.connection(tx).execute("""
            DELETE FROM crawl_robots WHERE crawl_id = ?1 AND origin = ?2 AND fetcher = ?3 AND status IS NULL
            """, [crawlID, origin, fetcher])
    }

    private static func document(_ row: Row) -> Document {
        Document(id: row.int64(0), url: row.text(1), title: row.text(2), text: row.optionalText(3),
                 contentHash: row.text(4), summary: row.optionalText(5), crawledAt: row.int64(6), jobID: row.optionalText(7))
    }

    /// The SQLite connection behind a transaction or reader of the SQLite store.
    private static func connection(_ reader: any StoreReader) throws -> Connection {
        guard let sqlite = reader as? SQLiteTransaction else {
            throw QuaeroError(.invalidArgument, "the SQLite content tables were given a transaction of another store")
        }
        return sqlite.connection
    }
}
