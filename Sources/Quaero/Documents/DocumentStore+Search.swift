import Foundation
import QuaeroQueue

extension DocumentStore {
    /// Searches titles and texts, best match first.
    ///
    /// On SQLite `query` uses FTS5's syntax: words (all must occur), `"a phrase"`, `OR`, `NOT`, `prefix*`,
    /// `title: word`. Ranking is bm25 with a title match worth five text matches.
    /// - Parameters:
    ///   - query: the search query.
    ///   - jobID: when given, only documents last stored by that crawl.
    ///   - limit: the most hits to return.
    ///   - marks: the text put before and after each matched word in snippets.
    /// - Throws: `QuaeroError(.invalidArgument)` for an empty query, a query the store cannot parse (the message
    ///   has its reason and how to search literally), or a limit below 1.
    public func search(_ query: String, jobID: String? = nil, limit: Int = 20,
                       marks: (open: String, close: String) = ("[", "]")) async throws -> [DocumentSearchHit] {
        guard !query.trimmingWhitespace().isEmpty else {
            throw QuaeroError(.invalidArgument, "the search query is empty; give one or more words")
        }
        try Self.checkPage(limit: limit, offset: 0)
        return try await store.read { reader in
            try await self.content.search(query, jobID: jobID, limit: limit, marks: marks, in: reader)
        }
    }
}
