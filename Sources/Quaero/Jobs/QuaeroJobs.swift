public import QuaeroQueue

/// The app's job types, registered once on a worker pool.
public enum QuaeroJobs {
    /// Registers every job type Quaero runs.
    public static func register(on pool: WorkerPool) {
        pool.register(.cleanup, handler: CleanupJob.run)
    }
}
