public import QuaeroQueue
public import QuaeroSQLite
public import QuaeroPostgres

/// Quaero's settings, one nested struct per section of `quaero.toml`, with the defaults in each `init`.
///
/// Loading (file, environment, flags) lives in `QuaeroConfig+Loading.swift`; the keys, their types and
/// their checks are listed once in `ConfigSetting.all`.
public struct QuaeroConfig: Sendable, Equatable {
    /// `[database]`: the SQLite file, or a PostgreSQL URL.
    public struct DatabaseSettings: Sendable, Equatable {
        /// The database file; `:memory:` for a throwaway in-memory database; a `postgres://` URL for PostgreSQL.
        public var path = "./quaero.db"
        /// `synchronous` in WAL mode: `.normal` survives a process crash, `.full` also power loss.
        public var synchronous = DatabaseOptions.Synchronous.normal
        /// How long a statement waits for another process's lock (opening, reading, writing) before it fails.
        public var busyTimeout = DatabaseOptions().busyTimeout
        /// Creates the defaults.
        public init() {}
    }

    /// `[postgres]`: the PostgreSQL store (when `database.path` is a `postgres://` URL).
    public struct PostgresSettings: Sendable, Equatable {
        /// Connections in each process's pool.
        public var poolSize = PostgresStoreOptions().poolSize
        /// TLS: off, prefer or require; a URL's `sslmode` wins.
        public var tls = PostgresStoreOptions().tls
        /// How long connecting may take before an operation fails naming the server.
        public var connectTimeout = PostgresStoreOptions().connectTimeout
        /// No LISTEN connection (for PgBouncer in transaction mode): other processes' sends are found by polling.
        public var pollOnly = PostgresStoreOptions().pollOnly
        /// Creates the defaults.
        public init() {}
    }

    /// `[queue]`: the job queue and its workers.
    public struct QueueSettings: Sendable, Equatable {
        /// The queue's name in the messages table.
        public var queueName = "quaero_jobs"
        /// How often an idle worker looks for messages when no send wakes it.
        public var pollInterval = Duration.seconds(1)
        /// How many jobs run at once.
        public var concurrency = 5
        /// How long a received message stays hidden unless its lease is extended.
        public var visibilityTimeout = Duration.seconds(300)
        /// Deliveries after which an undeleted message is dead-lettered.
        public var maxReceive = 3
        /// The first retry delay; it doubles with each delivery.
        public var backoffBase = Duration.seconds(1)
        /// The longest retry delay.
        public var backoffMax = Duration.seconds(300)
        /// How often a running job extends its lease.
        public var heartbeatInterval = Duration.seconds(5)
        /// How long a graceful shutdown waits for running jobs.
        public var shutdownTimeout = Duration.seconds(30)
        /// A send to the queue while it holds this many ready messages is refused with `queue_full`; 0 for no bound.
        public var maxReady = 0
        /// How long the leader's lease holds without renewal: a dead leader is replaced within it.
        public var leaderTTL = LeaderElection.defaultTTL
        /// Creates the defaults.
        public init() {}
    }

    /// `[logs]`: job log batching.
    public struct LogSettings: Sendable, Equatable {
        /// Entries written in one transaction at most.
        public var batchSize = 100
        /// How long an entry waits before its batch is written.
        public var flushInterval = Duration.seconds(1)
        /// Entries held in memory at most before writers wait.
        public var bufferLimit = 100_000
        /// Creates the defaults.
        public init() {}
    }

    /// `[server]`: the HTTP API.
    public struct ServerSettings: Sendable, Equatable {
        /// The address to listen on.
        public var host = "127.0.0.1"
        /// The TCP port.
        public var port = 8080
        /// When set, every API request needs `Authorization: Bearer <token>`.
        public var apiToken: String?
        /// The most `/api/jobs/{id}/events` streams open at once; one more is refused with 503.
        public var maxEventStreams = 256
        /// When true, the dashboard (`/ui`) shows everything and offers no action: no forms, and every action
        /// route answers 403.
        public var readOnlyUI = false
        /// Creates the defaults.
        public init() {}
    }

    /// `[summarizer]`: the summarizer job.
    public struct SummarizerSettings: Sendable, Equatable {
        /// An OpenAI-compatible chat completions endpoint; when nil the built-in summarizer is used.
        public var llmURL: String?
        /// The model name sent to the endpoint.
        public var model = ""
        /// Sent as `Authorization: Bearer …` when set.
        public var apiKey: String?
        /// How long one summary from the endpoint may take.
        public var timeout = Duration.seconds(60)
        /// Creates the defaults.
        public init() {}
    }

    /// `[cleanup]`: deleting old jobs and dead letters.
    public struct CleanupSettings: Sendable, Equatable {
        /// How often a cleanup job is created while workers run.
        public var interval = Duration.seconds(3600)
        /// Ended jobs older than this many days are deleted by the scheduled cleanups.
        public var ageThresholdDays = 30
        /// When set, the age of deleted jobs instead of `ageThresholdDays`, to the millisecond.
        public var olderThan: Duration?
        /// Dead letters older than this many days are deleted by the scheduled cleanups.
        public var deadLetterAgeDays = 30
        /// When set, the age of deleted dead letters instead of `deadLetterAgeDays`.
        public var deadLetterOlderThan: Duration?
        /// Creates the defaults.
        public init() {}
    }

    /// `[database]`
    public var database = DatabaseSettings()
    /// `[postgres]`
    public var postgres = PostgresSettings()
    /// `[queue]`
    public var queue = QueueSettings()
    /// `[logs]`
    public var logs = LogSettings()
    /// `[server]`
    public var server = ServerSettings()
    /// `[crawler]`
    public var crawler = CrawlerSettings()
    /// `[summarizer]`
    public var summarizer = SummarizerSettings()
    /// `[cleanup]`
    public var cleanup = CleanupSettings()
    /// `[types.NAME]`: the policy of each job type that has one.
    public var types: [JobType: JobTypePolicy] = [:]
    /// `[[limits]]`: limits of limit keys by prefix.
    public var limits: [LimitRule] = []
    /// `[[schedule]]`: cron schedules (the cleanup schedule of `[cleanup] interval` comes on top).
    public var schedules: [ScheduleDefinition] = []

    /// Creates the default configuration.
    public init() {}
}

extension QuaeroConfig.DatabaseSettings {
    /// The options to open the database with.
    public var options: DatabaseOptions { DatabaseOptions(synchronous: synchronous, busyTimeout: busyTimeout) }

    /// Whether `path` names a PostgreSQL database (a `postgres://` URL).
    public var isPostgres: Bool { PostgresURL.isURL(path) }

    /// `path` as it may be shown: a URL without its password.
    public var shownPath: String { PostgresURL.redact(path) }
}

extension QuaeroConfig.PostgresSettings {
    /// The options to open a PostgreSQL store with.
    public var options: PostgresStoreOptions {
        PostgresStoreOptions(poolSize: poolSize, tls: tls, connectTimeout: connectTimeout, pollOnly: pollOnly)
    }
}

extension QuaeroConfig.QueueSettings {
    /// The options of the queue.
    public var options: QueueOptions {
        QueueOptions(visibilityTimeout: visibilityTimeout, maxReceive: maxReceive, maxReady: maxReady > 0 ? maxReady : nil)
    }
}

extension QuaeroConfig.SummarizerSettings {
    /// The endpoint's settings, or nil when no `llm_url` is set.
    public var llm: LLMSettings? {
        llmURL.map { LLMSettings(url: $0, model: model, apiKey: apiKey, timeout: timeout) }
    }
}

extension QuaeroConfig.CleanupSettings {
    /// The config of each scheduled cleanup job: `older_than` when set, otherwise the whole days of
    /// `age_threshold_days` (the original design's key); likewise for dead letters.
    public var jobConfig: [String: JSONValue] {
        var config: [String: JSONValue] = [:]
        if let olderThan {
            config["older_than"] = .string(DurationText.format(olderThan))
        } else {
            config["age_threshold_days"] = .number(Double(ageThresholdDays))
        }
        if let deadLetterOlderThan {
            config["dead_letter_older_than"] = .string(DurationText.format(deadLetterOlderThan))
        } else {
            config["dead_letter_age_days"] = .number(Double(deadLetterAgeDays))
        }
        return config
    }
}

extension QuaeroConfig {
    /// The name of the schedule that `[cleanup] interval` makes.
    public static let cleanupScheduleName = "cleanup"

    /// The job policies of `[types.NAME]` and `[[limits]]`.
    public var jobPolicies: JobPolicies { JobPolicies(types: types, limits: limits) }

    /// Every schedule: the cleanup every `[cleanup] interval` (catching up the latest missed one), then
    /// `[[schedule]]`.
    public var allSchedules: [ScheduleDefinition] {
        get throws {
            let cleanup = try ScheduleDefinition(name: Self.cleanupScheduleName,
                                                 cron: CronSchedule("@every \(DurationText.format(self.cleanup.interval))"),
                                                 type: .cleanup, config: self.cleanup.jobConfig, catchUp: .latest)
            return [cleanup] + schedules
        }
    }
}
