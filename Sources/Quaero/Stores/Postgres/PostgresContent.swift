import Foundation
import QuaeroPostgres
import QuaeroQueue

/// The app's tables on PostgreSQL: documents (searched through their `tsvector` and its GIN index, see the
/// app's chain m0001) and crawl pages. Every statement is prepared once per connection.
struct PostgresContent: ContentStorage {
    private static let columns = "id, url, title, text, content_hash, summary, crawled_at, job_id"
    private static let columnsWithoutText = "id, url, title, NULL::text, content_hash, summary, crawled_at, job_id"

    /// $1 url, $2 title, $3 text, $4 hash, $5 crawled at, $6 job: the row and the hash it had before (NULL: new).
    private enum Upsert: PostgresSQL {
        static let sql = """
            WITH previous AS (SELECT content_hash FROM documents WHERE url = $1::text)
            INSERT INTO documents AS d (url, title, text, content_hash, summary, crawled_at, job_id)
            VALUES ($1::text, $2::text, $3::text, $4::text, NULL, $5::bigint, $6::text)
            ON CONFLICT (url) DO UPDATE SET
                title = excluded.title, text = excluded.text, content_hash = excluded.content_hash,
                summary = CASE WHEN d.content_hash = excluded.content_hash THEN d.summary END,
                crawled_at = excluded.crawled_at, job_id = excluded.job_id
            RETURNING id, (SELECT content_hash FROM previous)
            """
    }
    private enum ByID: PostgresSQL { static let sql = "SELECT \(columns) FROM documents WHERE id = $1::bigint" }
    private enum ByURL: PostgresSQL { static let sql = "SELECT \(columns) FROM documents WHERE url = $1::text" }
    private enum OfJob: PostgresSQL {
        static let sql = "SELECT \(columns) FROM documents WHERE job_id = $1::text ORDER BY id LIMIT $2::bigint OFFSET $3::bigint"
    }
    private enum OfJobWithoutText: PostgresSQL {
        static let sql = "SELECT \(columnsWithoutText) FROM documents WHERE job_id = $1::text ORDER BY id LIMIT $2::bigint OFFSET $3::bigint"
    }
    private enum Count: PostgresSQL {
        static let sql = "SELECT count(*) FROM documents WHERE $1::text IS NULL OR job_id = $1::text"
    }
    private enum Unsummarized: PostgresSQL {
        static let sql = """
            SELECT \(columns) FROM documents WHERE job_id = $1::text AND summary IS NULL AND id > $2::bigint ORDER BY id LIMIT $3::bigint
            """
    }
    private enum UnsummarizedCount: PostgresSQL {
        static let sql = "SELECT count(*) FROM documents WHERE job_id = $1::text AND summary IS NULL"
    }
    /// $1 summary, $2 id, $3 hash or NULL; returns whether the document exists at all.
    private enum SetSummary: PostgresSQL {
        static let sql = """
            WITH updated AS (
                UPDATE documents SET summary = $1::text WHERE id = $2::bigint AND ($3::text IS NULL OR content_hash = $3::text)
                RETURNING id)
            SELECT EXISTS (SELECT 1 FROM updated), EXISTS (SELECT 1 FROM documents WHERE id = $2::bigint)
            """
    }
    /// $1 tsquery text, $2 job or NULL, $3 limit, $4 ts_headline options. Ranked by ts_rank with the default
    /// weights (A 1.0 for the title, B 0.4 for the text), as bm25 weighs the title 5 to 1 on SQLite.
    private enum Search: PostgresSQL {
        static let sql = """
            SELECT d.id, d.url, d.title, ts_headline('english', d.text, q, $4::text), ts_rank(d.search, q)::float8,
                   d.job_id, d.crawled_at
            FROM documents d, to_tsquery('english', $1::text) q
            WHERE d.search @@ q AND ($2::text IS NULL OR d.job_id = $2::text)
            ORDER BY ts_rank(d.search, q) DESC, d.id
            LIMIT $3::bigint
            """
    }
    /// $1 crawl, $2 URLs: returns those added.
    private enum AddPages: PostgresSQL {
        static let sql = """
            INSERT INTO crawl_pages (crawl_id, url) SELECT $1::text, u FROM unnest($2::text[]) AS u ON CONFLICT DO NOTHING
            RETURNING url
            """
    }
    /// $1 crawl, $2 URLs: those the crawl has.
    private enum HasPages: PostgresSQL {
        static let sql = "SELECT url FROM crawl_pages WHERE crawl_id = $1::text AND url = ANY($2::text[])"
    }
    /// $1 before, $2 limit: newest first, without their text.
    private enum Recent: PostgresSQL {
        static let sql = "SELECT \(columnsWithoutText) FROM documents WHERE id < $1::bigint ORDER BY id DESC LIMIT $2::bigint"
    }
    /// $1 crawl, $2 origin, $3 fetcher, $4 until, $5 now: taken when absent, or when its fetch lapsed before a
    /// body came. A concurrent claim of the same row by another process waits for this one's commit, then
    /// re-checks the WHERE on the row it committed (READ COMMITTED), so one fetcher wins.
    private enum ClaimRobots: PostgresSQL {
        static let sql = """
            INSERT INTO crawl_robots AS r (crawl_id, origin, fetcher, expires_at) VALUES ($1::text, $2::text, $3::text, $4::bigint)
            ON CONFLICT (crawl_id, origin) DO UPDATE SET fetcher = excluded.fetcher, expires_at = excluded.expires_at
            WHERE r.status IS NULL AND r.expires_at <= $5::bigint
            RETURNING 1
            """
    }
    private enum Robots: PostgresSQL {
        static let sql = "SELECT status, body, expires_at FROM crawl_robots WHERE crawl_id = $1::text AND origin = $2::text"
    }
    /// $1 crawl, $2 origin, $3 fetcher, $4 status, $5 body.
    private enum StoreRobots: PostgresSQL {
        static let sql = """
            UPDATE crawl_robots SET status = $4::bigint, body = $5::text, fetcher = NULL
            WHERE crawl_id = $1::text AND origin = $2::text AND fetcher = $3::text RETURNING 1
            """
    }
    private enum ReleaseRobots: PostgresSQL {
        static let sql = """
            DELETE FROM crawl_robots WHERE crawl_id = $1::text AND origin = $2::text AND fetcher = $3::text AND status IS NULL RETURNING 1
            """
    }

    func upsert(url: String, title: String, text: String, contentHash hash: String, jobID: String?, crawledAt: Int64,
                in tx: any StoreTransaction) async throws -> DocumentUpsert {
        let row: PostgresColumns?
        do {
            row = try await Self.handle(tx).first(Upsert.self, url, title, text, hash, crawledAt, jobID)
        } catch let error as QuaeroError where error.storeCode == "23503" {
            throw QuaeroError(.invalidArgument, "cannot store \(url) for job \(jobID ?? "nil"): there is no such job")
        }
        guard let row else { throw QuaeroError(.storage, "storing \(url) returned no row id") }
        return DocumentUpsert(id: try row.int64(0), outcome: DocumentUpsertOutcome(previous: try row.optionalText(1), now: hash),
                              contentHash: hash)
    }

    func document(id: Int64, in reader: any StoreReader) async throws -> Document? {
        try await Self.handle(reader).first(ByID.self, id).map(Self.document)
    }

    func document(url: String, in reader: any StoreReader) async throws -> Document? {
        try await Self.handle(reader).first(ByURL.self, url).map(Self.document)
    }

    func documents(ofJob jobID: String, limit: Int, offset: Int, includeText: Bool, in reader: any StoreReader) async throws -> [Document] {
        let tx = try Self.handle(reader)
        let rows = includeText ? try await tx.rows(OfJob.self, jobID, Int64(limit), Int64(offset))
            : try await tx.rows(OfJobWithoutText.self, jobID, Int64(limit), Int64(offset))
        return try rows.map(Self.document)
    }

    func count(ofJob jobID: String?, in reader: any StoreReader) async throws -> Int {
        try await Self.handle(reader).first(Count.self, jobID)?.int(0) ?? 0
    }

    func unsummarized(ofJob jobID: String, after: Int64, limit: Int, in reader: any StoreReader) async throws -> [Document] {
        try await Self.handle(reader).rows(Unsummarized.self, jobID, after, Int64(limit)).map(Self.document)
    }

    func unsummarizedCount(ofJob jobID: String, in reader: any StoreReader) async throws -> Int {
        try await Self.handle(reader).first(UnsummarizedCount.self, jobID)?.int(0) ?? 0
    }

    func setSummary(_ summary: String, forDocument id: Int64, contentHash: String?, in tx: any StoreTransaction) async throws -> Bool {
        guard let row = try await Self.handle(tx).first(SetSummary.self, summary, id, contentHash), try row.bool(1) else {
            throw QuaeroError(.notFound, "there is no document \(id)")
        }
        return try row.bool(0)
    }

    func search(_ query: String, jobID: String?, limit: Int, marks: (open: String, close: String),
                in reader: any StoreReader) async throws -> [DocumentSearchHit] {
        let tsquery = try PostgresSearchQuery(query).tsquery
        // ts_headline's options: 16 words around the matches (FTS5's snippet of 16 tokens), one fragment.
        let quote = { (mark: String) in "\"" + mark.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let options = "StartSel=\(quote(marks.open)), StopSel=\(quote(marks.close)), MaxWords=16, MinWords=8, ShortWord=0, MaxFragments=1, FragmentDelimiter=\"…\""
        return try await Self.handle(reader).rows(Search.self, tsquery, jobID, Int64(limit), options).map { row in
            DocumentSearchHit(id: try row.int64(0), url: try row.text(1), title: try row.text(2), snippet: try row.text(3),
                              score: try row.double(4), jobID: try row.optionalText(5), crawledAt: try row.int64(6))
        }
    }

    func addCrawlPages(_ urls: [String], crawl crawlID: String, in tx: any StoreTransaction) async throws -> Set<String> {
        try await Set(Self.handle(tx).rows(AddPages.self, crawlID, urls).map { try $0.text(0) })
    }

    func crawlPages(among urls: [String], crawl crawlID: String, in reader: any StoreReader) async throws -> Set<String> {
        try await Set(Self.handle(reader).rows(HasPages.self, crawlID, urls).map { try $0.text(0) })
    }

    func recent(before: Int64?, limit: Int, in reader: any StoreReader) async throws -> [Document] {
        try await Self.handle(reader).rows(Recent.self, before ?? .max, Int64(limit)).map(Self.document)
    }

    func claimRobots(crawl crawlID: String, origin: String, fetcher: String, now: Int64, until: Int64,
                     in tx: any StoreTransaction) async throws -> RobotsClaim {
        let handle = try Self.handle(tx)
        if try await handle.command(ClaimRobots.self, crawlID, origin, fetcher, until, now) > 0 { return .claimed }
        guard let row = try await handle.first(Robots.self, crawlID, origin) else { return .busy(until: now) }
        guard let status = try row.optionalInt64(0) else { return .busy(until: try row.int64(2)) }
        return .fetched(RobotsFile(status: Int(status), body: try row.optionalText(1) ?? ""))
    }

    func storeRobots(_ file: RobotsFile, crawl crawlID: String, origin: String, fetcher: String,
                     in tx: any StoreTransaction) async throws {
        try await Self.handle(tx).command(StoreRobots.self, crawlID, origin, fetcher, Int64(file.status), file.body)
    }

    func releaseRobots(crawl crawlID: String, origin: String, fetcher: String, in tx: any StoreTransaction) async throws {
        try await Self.handle(tx).command(ReleaseRobots.self, crawlID, origin, fetcher)
    }

    private static func document(_ row: PostgresColumns) throws -> Document {
        Document(id: try row.int64(0), url: try row.text(1), title: try row.text(2), text: try row.optionalText(3),
                 contentHash: try row.text(4), summary: try row.optionalText(5), crawledAt: try row.int64(6),
                 jobID: try row.optionalText(7))
    }

    /// The PostgreSQL transaction behind a transaction or reader of the PostgreSQL store.
    private static func handle(_ reader: any StoreReader) throws -> PostgresTransaction {
        guard let postgres = reader as? PostgresTransaction else {
            throw QuaeroError(.invalidArgument, "the PostgreSQL content tables were given a transaction of another store")
        }
        return postgres
    }
}
