import QuaeroQueue

/// A job config that cannot be used (a crawl's, a summarizer's, a cleanup's): it names the job type and the
/// key at fault (`urls`, `urls[1]`, `include[0]`, `max_depth`, `document_ids[2]`).
public struct JobConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kind of job whose config it is: `crawl`, `summarizer`, `cleanup`.
    public let job: String
    /// The key at fault, with the index for a list entry.
    public let field: String
    /// One sentence: the job, the field, what is wrong and what is allowed.
    public let message: String

    /// Creates an error about `field`; `problem` continues the sentence after the field's name.
    public init(job: String, field: String, _ problem: String) {
        self.job = job
        self.field = field
        message = "\(job) config: \(field) \(problem)"
    }

    /// An error about a crawl config.
    static func crawl(_ field: String, _ problem: String) -> JobConfigError {
        JobConfigError(job: "crawl", field: field, problem)
    }

    public var description: String { message }
}

/// Reads a job's config inside its handler: a config that cannot be used fails the job at once, as no
/// retry would fix it.
func readJobConfig<Config>(_ read: () throws(JobConfigError) -> Config) throws -> Config {
    do {
        return try read()
    } catch {
        throw UnrecoverableJobError(error.message)
    }
}
