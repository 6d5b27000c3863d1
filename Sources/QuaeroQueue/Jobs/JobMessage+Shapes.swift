/// The message shapes of the original Quaero design, one constructor per job type, so that senders do not
/// spell field names by hand.
extension JobMessage {
    /// A crawl: `{"id", "type": "parent", "parent_id", "source_type", "entity_type", "config"}`.
    public static func parent(id: String = newID(), sourceType: String, entityType: String,
                              config: [String: JSONValue]) -> JobMessage {
        JobMessage(id: id, type: .parent, fields: [
            "source_type": .string(sourceType), "entity_type": .string(entityType), "config": .object(config),
        ])
    }

    /// One page of a crawl: `{"id", "type": "crawler_url", "parent_id", "url", "depth", "config"}`.
    public static func crawlerURL(id: String = newID(), parentID: String, url: String, depth: Int,
                                  config: [String: JSONValue] = [:]) -> JobMessage {
        JobMessage(id: id, type: .crawlerURL, parentID: parentID, fields: [
            "url": .string(url), "depth": .number(Double(depth)), "config": .object(config),
        ])
    }

    /// Summaries: `{"id", "type": "summarizer", "parent_id", "config": {"document_ids": [...]}}`.
    public static func summarizer(id: String = newID(), parentID: String? = nil, documentIDs: [String]) -> JobMessage {
        JobMessage(id: id, type: .summarizer, parentID: parentID, fields: [
            "config": .object(["document_ids": .array(documentIDs.map(JSONValue.string))]),
        ])
    }

    /// Cleanup: `{"id", "type": "cleanup", "parent_id", "config": {"age_threshold_days", "status_filter"}}`.
    public static func cleanup(id: String = newID(), ageThresholdDays: Int, statusFilter: [String]) -> JobMessage {
        JobMessage(id: id, type: .cleanup, fields: [
            "config": .object([
                "age_threshold_days": .number(Double(ageThresholdDays)),
                "status_filter": .array(statusFilter.map(JSONValue.string)),
            ]),
        ])
    }
}
