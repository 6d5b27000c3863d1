public import QuaeroQueue

/// The app's job types, registered once on a worker pool.
public enum QuaeroJobs {
    /// Registers every job type Quaero runs.
    public static func register(on pool: WorkerPool) {
        pool.register(.cleanup, handler: CleanupJob.run)
    }

    /// The most days a cleanup's ages may be (100 years): a larger one would overflow its arithmetic.
    public static let cleanupMaxDays = CleanupJob.Settings.maxDays

    /// A cleanup job for `config` (`older_than` or `age_threshold_days`, the same for dead letters,
    /// `status_filter`, `all_ages`), checked before anything is stored.
    /// - Throws: `JobConfigError` naming the key at fault (an age of zero or less among them).
    public static func cleanup(_ config: [String: JSONValue], parentID: String? = nil) throws(JobConfigError) -> JobSpec {
        _ = try CleanupJob.Settings(config)
        return JobSpec(type: .cleanup, config: config, parentID: parentID)
    }
}
