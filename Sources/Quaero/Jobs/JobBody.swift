import QuaeroQueue

/// A job's settings as a message body may carry them: inside `config` (the original design's message shapes)
/// or at the top level of the body, as a user writes them in `quaero send summarizer '{"job_id": "..."}'`.
enum JobBody {
    /// `config` with the members of `fields` that are among `keys` added.
    /// - Throws: `JobConfigError` for a key given both at the top level and in `config`.
    static func config(_ config: [String: JSONValue], fields: [String: JSONValue], keys: [String],
                       job: String) throws(JobConfigError) -> [String: JSONValue] {
        var merged = config
        for key in fields.keys.sorted() where keys.contains(key) {
            guard merged[key] == nil else {
                throw JobConfigError(job: job, field: key, "is given both at the top level and in config; give it once")
            }
            merged[key] = fields[key]
        }
        return merged
    }

    /// The settings of a running job: its config and the settings its message carried at the top level.
    static func config(of job: Job, keys: [String], job name: String) throws(JobConfigError) -> [String: JSONValue] {
        try config(job.config, fields: job.fields, keys: keys, job: name)
    }
}
