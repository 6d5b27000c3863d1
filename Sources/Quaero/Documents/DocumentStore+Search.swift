import Foundation
import QuaeroQueue

extension DocumentStore {
    /// Searches titles and texts with an FTS5 query, best match first.
    ///
    /// `query` uses FTS5's syntax: words (all must occur), `"a phrase"`, `OR`, `NOT`, `prefix*`,
    /// `title: word`. Ranking is bm25 with a title match worth five text matches.
    /// - Parameters:
    ///   - query: the FTS5 query.
    ///   - jobID: when given, only documents last stored by that crawl.
    ///   - limit: the most hits to return.
    ///   - marks: the text put before and after each matched word in snippets.
    /// - Throws: `QuaeroError(.invalidArgument)` for an empty query, a query FTS5 cannot parse (the message
    ///   has FTS5's reason and how to search literally), or a limit below 1.
    public func search(_ query: String, jobID: String? = nil, limit: Int = 20,
                       marks: (open: String, close: String) = ("[", "]")) async throws -> [DocumentSearchHit] {
        guard !query.trimmingWhitespace().isEmpty else {
            throw QuaeroError(.invalidArgument, "the search query is empty; give one or more words")
        }
        try Self.checkPage(limit: limit, offset: 0)
        let (open, close) = marks
        do {
            return try await database.read { connection in
                try connection.query("""
                    SELECT d.id, d.url, d.title, snippet(documents_fts, 1, ?2, ?3, '…', 16),
                           bm25(documents_fts, 5.0, 1.0), d.job_id, d.crawled_at
                    FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid
                    WHERE documents_fts MATCH ?1 AND (?4 IS NULL OR d.job_id = ?4)
                    ORDER BY bm25(documents_fts, 5.0, 1.0), d.id
                    LIMIT ?5
                    """, [query, open, close, jobID, limit]) { row in
                    DocumentSearchHit(id: row.int64(0), url: row.text(1), title: row.text(2), snippet: row.text(3),
                                      score: -row.double(4), jobID: row.optionalText(5), crawledAt: row.int64(6))
                }
            }
        } catch let error as QuaeroError where error.code == .sqlite {
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
}
