public import QuaeroQueue

extension QuaeroJobs {
    /// The job types of the app a user creates by name (`POST /api/jobs`, `[[schedule]] type`).
    public static let userTypes = ["crawler", "summarizer", "cleanup"]

    /// The job a user asks for with `type` (one of `userTypes`) and `config`, checked before anything is
    /// created (a crawl's seeds normalized and every setting stored, over the `[crawler]` defaults); nil for a
    /// type the app does not know.
    ///
    /// - Throws: `JobConfigError` naming the field at fault; `invalidArgument` for a config that is not an object.
    public static func spec(userType type: String, config: JSONValue, crawler defaults: CrawlerSettings) throws -> JobSpec? {
        switch type {
        case "crawler":
            return try CrawlerJobs.spec(CrawlConfig(json: config, defaults: defaults))
        case "summarizer":
            return JobSpec(type: .summarizer, config: try SummarizeRequest(json: config).json.objectValue ?? [:])
        case "cleanup":
            guard let fields = config.objectValue else {
                throw QuaeroError(.invalidArgument, "the config of a cleanup job must be a JSON object")
            }
            return try cleanup(fields)
        default:
            return nil
        }
    }
}
