import QuaeroQueue
import QuaeroSQLite
import QuaeroPostgres

/// One setting: its key, its meaning, and how its value is read into `QuaeroConfig` and shown.
struct ConfigSetting: Sendable {
    let key: ConfigKey
    /// One line for `quaero.toml.example` and `quaero config`.
    let summary: String
    /// What values are allowed.
    let allowed: String
    /// Parses `raw` and stores it into the config.
    let apply: @Sendable (RawConfigValue, inout QuaeroConfig) throws(ConfigValueProblem) -> Void
    /// The current value in `config`.
    let show: @Sendable (QuaeroConfig) -> ConfigDisplayValue

    init<Value: Sendable>(_ section: ConfigSection, _ name: String,
                          _ path: any WritableKeyPath<QuaeroConfig, Value> & Sendable,
                          _ kind: ConfigValueKind<Value>, _ summary: String) {
        key = ConfigKey(section, name)
        self.summary = summary
        allowed = kind.allowed
        apply = { raw, config throws(ConfigValueProblem) in config[keyPath: path] = try kind.parse(raw) }
        show = { kind.show($0[keyPath: path]) }
    }
}

extension ConfigSetting {
    /// Every setting, in the order `quaero config` prints them. Adding a key: a property with its default in
    /// `QuaeroConfig`, one line here, and its entry in `quaero.toml.example` (a test checks they agree).
    static let all: [ConfigSetting] = [
        ConfigSetting(.database, "path", \.database.path, databasePath,
                      "The SQLite database file, or a PostgreSQL URL (postgres://user:password@host:port/database)."),
        ConfigSetting(.database, "synchronous", \.database.synchronous, .choice(DatabaseOptions.Synchronous.self),
                      "normal survives a process crash; full also survives power loss (slower commits)."),
        ConfigSetting(.database, "busy_timeout", \.database.busyTimeout, .duration,
                      "How long a statement waits for another process's lock on the database before it fails."),

        ConfigSetting(.postgres, "pool_size", \.postgres.poolSize, .integer(1...1000),
                      "Connections in each process's pool to PostgreSQL."),
        ConfigSetting(.postgres, "tls", \.postgres.tls, .choice(PostgresStoreOptions.TLSMode.self),
                      "off; prefer (TLS when the server offers it, certificate not checked); require (checked). A URL's sslmode wins."),
        ConfigSetting(.postgres, "connect_timeout", \.postgres.connectTimeout, .duration,
                      "How long connecting to PostgreSQL may take before an operation fails naming the server."),
        ConfigSetting(.postgres, "poll_only", \.postgres.pollOnly, .boolean,
                      "No LISTEN connection (for PgBouncer in transaction mode): other processes' jobs are found by polling."),

        ConfigSetting(.queue, "queue_name", \.queue.queueName,
                      .text("1 to \(Queue.maxNameLength) printable characters", check: queueNameProblem),
                      "The name of the job queue in the database."),
        ConfigSetting(.queue, "poll_interval", \.queue.pollInterval, .duration,
                      "How often an idle worker looks for messages when no send wakes it."),
        ConfigSetting(.queue, "concurrency", \.queue.concurrency, .integer(1...10_000),
                      "How many jobs run at once."),
        ConfigSetting(.queue, "visibility_timeout", \.queue.visibilityTimeout, .duration,
                      "How long a received message stays hidden unless its lease is extended."),
        ConfigSetting(.queue, "max_receive", \.queue.maxReceive, .integer(1...Int.max),
                      "Deliveries after which a message that is still not done is dead-lettered."),
        ConfigSetting(.queue, "backoff_base", \.queue.backoffBase, .duration,
                      "The first retry delay; it doubles with each further delivery."),
        ConfigSetting(.queue, "backoff_max", \.queue.backoffMax, .duration,
                      "The longest retry delay."),
        ConfigSetting(.queue, "heartbeat_interval", \.queue.heartbeatInterval, .duration,
                      "How often a running job extends its lease; shorter than visibility_timeout."),
        ConfigSetting(.queue, "shutdown_timeout", \.queue.shutdownTimeout, .duration,
                      "How long a graceful shutdown waits for running jobs."),
        ConfigSetting(.queue, "max_ready", \.queue.maxReady, .integer(0...Int.max),
                      "A send to a queue holding this many ready messages is refused with queue_full; 0 for no bound."),
        ConfigSetting(.queue, "leader_ttl", \.queue.leaderTTL, .duration,
                      "How long the leader's lease holds (at least 1s): when the leader dies, another process takes over within it."),

        ConfigSetting(.logs, "batch_size", \.logs.batchSize, .integer(1...100_000),
                      "Job log entries written in one transaction at most."),
        ConfigSetting(.logs, "flush_interval", \.logs.flushInterval, .duration,
                      "How long a log entry waits before its batch is written."),
        ConfigSetting(.logs, "buffer_limit", \.logs.bufferLimit, .integer(1...Int.max),
                      "Log entries held in memory at most before writers wait."),

        ConfigSetting(.server, "host", \.server.host, .text("a host name or IP address", check: nonEmpty),
                      "The address the HTTP API listens on."),
        ConfigSetting(.server, "port", \.server.port, .integer(1...65_535),
                      "The TCP port of the HTTP API."),
        ConfigSetting(.server, "api_token", \.server.apiToken, .secret,
                      "When set, API requests need `Authorization: Bearer <token>`."),
        ConfigSetting(.server, "max_event_streams", \.server.maxEventStreams, .integer(1...100_000),
                      "Event streams (/api/jobs/{id}/events) open at once at most; one more gets 503."),
        ConfigSetting(.server, "read_only_ui", \.server.readOnlyUI, .boolean,
                      "When true, the dashboard (/ui) shows everything but offers no action (start, cancel, rerun, delete, requeue, purge)."),

        ConfigSetting(.crawler, "max_depth", \.crawler.maxDepth, .integer(CrawlerSettings.maxDepthRange),
                      "Links are followed this many steps from a seed URL (seeds have depth 0)."),
        ConfigSetting(.crawler, "max_pages", \.crawler.maxPages, .integer(1...Int.max),
                      "A crawl fetches at most this many pages."),
        ConfigSetting(.crawler, "same_host", \.crawler.sameHost, .boolean,
                      "Only links to the host (and port) of a seed URL are followed."),
        ConfigSetting(.crawler, "user_agent", \.crawler.userAgent, .text("a non-empty string", check: nonEmpty),
                      "The User-Agent header; its first word is the name robots.txt groups are matched against."),
        ConfigSetting(.crawler, "request_timeout", \.crawler.requestTimeout, .duration,
                      "How long fetching one URL may take: connecting, redirects and the body."),
        ConfigSetting(.crawler, "max_body_bytes", \.crawler.maxBodyBytes, .integer(1...Int.max),
                      "A page larger than this many bytes is not stored."),
        ConfigSetting(.crawler, "max_redirects", \.crawler.maxRedirects, .integer(CrawlerSettings.maxRedirectsRange),
                      "Redirects followed at most for one URL."),
        ConfigSetting(.crawler, "per_host_concurrency", \.crawler.perHostConcurrency, .integer(CrawlerSettings.perHostConcurrencyRange),
                      "Requests to one host that may run at the same time, across every process."),
        ConfigSetting(.crawler, "per_host_rate", \.crawler.perHostRate, .optionalRate,
                      "How often a request to one host may start, across every process, such as 10/s; empty for no limit."),
        ConfigSetting(.crawler, "respect_robots", \.crawler.respectRobots, .boolean,
                      "Whether robots.txt is fetched (once per host and crawl) and obeyed."),

        ConfigSetting(.summarizer, "llm_url", \.summarizer.llmURL, .optionalText("an http(s) URL, or empty for none"),
                      "An OpenAI-compatible chat completions endpoint; empty uses the built-in extractive summarizer."),
        ConfigSetting(.summarizer, "model", \.summarizer.model, .text("a model name (empty when llm_url is empty)"),
                      "The model name sent to llm_url."),
        ConfigSetting(.summarizer, "api_key", \.summarizer.apiKey, .secret,
                      "Sent to llm_url as `Authorization: Bearer <key>` when set."),
        ConfigSetting(.summarizer, "timeout", \.summarizer.timeout, .duration,
                      "How long one summary from llm_url may take before the built-in summarizer is used."),

        ConfigSetting(.cleanup, "interval", \.cleanup.interval, .duration,
                      "How often the cleanup schedule creates a cleanup job (at least 1s)."),
        ConfigSetting(.cleanup, "age_threshold_days", \.cleanup.ageThresholdDays, .integer(1...36_500),
                      "Scheduled cleanups delete jobs that ended more than this many days ago."),
        ConfigSetting(.cleanup, "older_than", \.cleanup.olderThan, .optionalDuration,
                      "Instead of age_threshold_days: scheduled cleanups delete jobs that ended longer ago than this."),
        ConfigSetting(.cleanup, "dead_letter_age_days", \.cleanup.deadLetterAgeDays, .integer(1...36_500),
                      "Scheduled cleanups delete dead letters older than this many days."),
        ConfigSetting(.cleanup, "dead_letter_older_than", \.cleanup.deadLetterOlderThan, .optionalDuration,
                      "Instead of dead_letter_age_days: scheduled cleanups delete dead letters older than this."),
    ]

    /// The setting of `key`, if Quaero knows it.
    static func named(_ key: ConfigKey) -> ConfigSetting? { all.first { $0.key == key } }

    /// A file path, `:memory:` or a PostgreSQL URL (checked here, so that a bad URL stops start-up naming the
    /// key); shown without a URL's password.
    private static var databasePath: ConfigValueKind<String> {
        let text = ConfigValueKind<String>.text("a file path, :memory:, or a postgres:// URL") { path in
            if path.isEmpty { return "empty" }
            guard PostgresURL.isURL(path) else { return nil }
            do {
                _ = try PostgresURL(path)
                return nil
            } catch {
                return "\(error)"
            }
        }
        return ConfigValueKind(allowed: text.allowed, parse: text.parse, show: { .string(PostgresURL.redact($0)) })
    }

    private static func nonEmpty(_ text: String) -> String? {
        text.isEmpty ? "empty" : nil
    }

    private static func queueNameProblem(_ name: String) -> String? {
        do {
            try Queue.validate(name: name)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
