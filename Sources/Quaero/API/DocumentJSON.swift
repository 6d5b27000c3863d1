/// The JSON shape of a document (DESIGN §9): `{"id", "url", "title", "content_hash", "summary",
/// "crawled_at"}`, plus `job_id`, and `text` only when the document was loaded with it.
public struct DocumentJSON: Encodable, Sendable {
    let document: Document

    /// The JSON form of `document`.
    public init(_ document: Document) {
        self.document = document
    }

    enum CodingKeys: String, CodingKey {
        case id, url, title, text, summary, contentHash = "content_hash", crawledAt = "crawled_at", jobID = "job_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(document.id, forKey: .id)
        try container.encode(document.url, forKey: .url)
        try container.encode(document.title, forKey: .title)
        try container.encode(document.contentHash, forKey: .contentHash)
        try container.encode(document.summary, forKey: .summary)  // null until summarized
        try container.encode(APIJSON.timestamp(milliseconds: document.crawledAt), forKey: .crawledAt)
        try container.encode(document.jobID, forKey: .jobID)
        try container.encodeIfPresent(document.text, forKey: .text)
    }
}

/// The JSON shape of a search hit: `{"id", "url", "title", "snippet", "score", "job_id", "crawled_at"}`.
public struct DocumentSearchHitJSON: Encodable, Sendable {
    let hit: DocumentSearchHit

    /// The JSON form of `hit`.
    public init(_ hit: DocumentSearchHit) {
        self.hit = hit
    }

    enum CodingKeys: String, CodingKey {
        case id, url, title, snippet, score, jobID = "job_id", crawledAt = "crawled_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hit.id, forKey: .id)
        try container.encode(hit.url, forKey: .url)
        try container.encode(hit.title, forKey: .title)
        try container.encode(hit.snippet, forKey: .snippet)
        try container.encode(hit.score, forKey: .score)
        try container.encode(hit.jobID, forKey: .jobID)
        try container.encode(APIJSON.timestamp(milliseconds: hit.crawledAt), forKey: .crawledAt)
    }
}
