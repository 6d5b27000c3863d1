/// How the `LogService` batches: the `[logs]` section of the configuration.
public struct LogServiceOptions: Sendable, Hashable {
    /// `logs.batch_size`: a flush starts as soon as this many lines are buffered (default 100).
    public var batchSize: Int
    /// `logs.flush_interval`: buffered lines are flushed at least this often (default 1 s).
    public var flushInterval: Duration
    /// `logs.buffer_limit`: the most lines kept waiting; past it the oldest waiting lines are shed and
    /// counted (default 100,000).
    public var bufferLimit: Int

    /// Creates options; the defaults are the seed design's (100 lines or 1 s, whichever comes first).
    public init(batchSize: Int = 100, flushInterval: Duration = .seconds(1), bufferLimit: Int = 100_000) {
        self.batchSize = batchSize
        self.flushInterval = flushInterval
        self.bufferLimit = bufferLimit
    }

    /// Checks the ranges.
    ///
    /// - Throws: `invalidArgument` naming the key, its value and what is allowed.
    public func validate() throws {
        guard batchSize >= 1 else {
            throw QuaeroError(.invalidArgument, "logs.batch_size must be at least 1, got \(batchSize)")
        }
        guard flushInterval.milliseconds >= 1 else {
            throw QuaeroError(.invalidArgument, "logs.flush_interval must be at least 1ms, got \(flushInterval)")
        }
        guard bufferLimit >= batchSize else {
            throw QuaeroError(.invalidArgument,
                "logs.buffer_limit must be at least logs.batch_size (\(batchSize)), got \(bufferLimit)")
        }
    }
}

/// What a `LogService` has done since it was created.
///
/// Every appended line is accounted for: `appended == written + shed + missingJob + failed + pending`.
public struct LogServiceStats: Sendable, Hashable {
    /// Lines passed to `append`.
    public var appended = 0
    /// Lines stored in the database.
    public var written = 0
    /// Lines dropped because the buffer was full (`logs.buffer_limit`); the oldest waiting lines go first.
    public var shed = 0
    /// Lines dropped because their job does not exist (deleted while it was still logging, or never created).
    public var missingJob = 0
    /// Lines given up on because the final flush (at stop) could not write them.
    public var failed = 0
    /// Flushes that committed: each is one write transaction.
    public var transactions = 0
    /// Flushes whose write failed; their lines were put back and retried at the next flush.
    public var failedTransactions = 0
    /// Lines buffered or being written right now.
    public var pending = 0

    /// Creates empty stats.
    public init() {}

    /// 1 − transactions ÷ appended lines: the share of per-line transactions the batching saved.
    public var writeReduction: Double {
        appended == 0 ? 0 : 1 - Double(transactions) / Double(appended)
    }
}
