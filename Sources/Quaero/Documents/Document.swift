/// A stored page: what the crawler extracted from one URL, and its summary once made.
public struct Document: Sendable, Equatable, Identifiable {
    /// The row id; stable across recrawls of the same URL.
    public let id: Int64
    /// The normalized absolute URL, unique among documents.
    public let url: String
    /// The page title, or empty.
    public let title: String
    /// The visible text; nil when a listing did not load it.
    public let text: String?
    /// SHA-256 (hex) of the title and text, to tell a changed page from an unchanged one.
    public let contentHash: String
    /// The summary, or nil until one is made (and again after the content changes).
    public let summary: String?
    /// When the page was last stored, in UTC milliseconds.
    public let crawledAt: Int64
    /// The crawl job that last stored it; nil when that job was deleted or none was given.
    public let jobID: String?
}

/// What storing a page did to the table.
public enum DocumentUpsertOutcome: String, Sendable, Equatable {
    /// The URL was new: a row was added.
    case inserted
    /// The URL was known and its title or text changed: the row was updated and its summary cleared.
    case updated
    /// The URL was known with the same content: only the crawl time and job were updated.
    case unchanged
}

/// The result of `DocumentStore.upsert`.
public struct DocumentUpsert: Sendable, Equatable {
    /// The document's id.
    public let id: Int64
    /// Whether the row was added, changed or left as it was.
    public let outcome: DocumentUpsertOutcome
    /// The content hash stored.
    public let contentHash: String
}

/// One search result, best first.
public struct DocumentSearchHit: Sendable, Equatable {
    /// The document's id.
    public let id: Int64
    /// Its URL.
    public let url: String
    /// Its title.
    public let title: String
    /// A short piece of the text around the matches, the matched words between the markers.
    public let snippet: String
    /// Relevance: SQLite's bm25 negated, so that higher is better (title matches weigh more).
    public let score: Double
    /// The crawl that last stored it.
    public let jobID: String?
    /// When it was last stored, in UTC milliseconds.
    public let crawledAt: Int64
}
