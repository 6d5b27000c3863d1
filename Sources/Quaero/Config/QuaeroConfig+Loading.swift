import Foundation
import QuaeroQueue

/// What `QuaeroConfig.load` reads: the file to use, the environment and the command-line flags.
public struct ConfigRequest: Sendable {
    /// A value given by a command-line flag, such as `--db` for `database.path`.
    public struct Flag: Sendable {
        /// The setting it overrides.
        public let key: ConfigKey
        /// The value as typed.
        public let value: String
        /// The flag's name, for errors and `quaero config`.
        public let name: String

        /// Creates a flag override.
        public init(_ key: ConfigKey, _ value: String, name: String) {
            self.key = key
            self.value = value
            self.name = name
        }
    }

    /// `--config PATH`: this file must exist. When nil, `quaero.toml` in `workingDirectory` is read if present.
    public var configPath: String?
    /// Where to look for `quaero.toml`.
    public var workingDirectory: String
    /// The environment; only `QUAERO_*` variables are read.
    public var environment: [String: String]
    /// Flag overrides, applied last.
    public var flags: [Flag]

    /// Creates a request; nil means the process's working directory and environment.
    public init(configPath: String? = nil,
                workingDirectory: String? = nil,
                environment: [String: String]? = nil,
                flags: [Flag] = []) {
        self.configPath = configPath
        self.workingDirectory = workingDirectory ?? FileManager.default.currentDirectoryPath
        self.environment = environment ?? ProcessInfo.processInfo.environment
        self.flags = flags
    }
}

extension QuaeroConfig {
    /// The prefix of every configuration environment variable.
    public static let environmentPrefix = "QUAERO_"

    /// Loads the configuration: defaults < TOML file < `QUAERO_<SECTION>_<KEY>` variables < flags.
    ///
    /// The keys, their types and defaults (documented with their variables in `quaero.toml.example`):
    /// - `[database]` `path` (string, `./quaero.db`), `synchronous` (`normal` | `full`, `normal`)
    /// - `[queue]` `queue_name` (string, `quaero_jobs`), `poll_interval` (duration, `1s`), `concurrency`
    ///   (integer ≥ 1, `5`), `visibility_timeout` (`5m`), `max_receive` (integer ≥ 1, `3`), `backoff_base`
    ///   (`1s`), `backoff_max` (`5m`), `heartbeat_interval` (`5s`), `shutdown_timeout` (`30s`), `leader_ttl` (`10s`)
    /// - `[logs]` `batch_size` (integer ≥ 1, `100`), `flush_interval` (`1s`), `buffer_limit` (`100000`)
    /// - `[server]` `host` (`127.0.0.1`), `port` (1–65535, `8080`), `api_token` (string, none),
    ///   `max_event_streams` (1–100000, `256`)
    ///
    /// Durations are written `500ms`, `1s`, `5m`, `1h` or combined, `1m30s`, and must be positive.
    ///
    /// Layering is done here rather than with swift-configuration's `ConfigReader`: every value must keep its
    /// exact source (file and line, variable, flag) for errors and `quaero config`, unknown keys in each layer
    /// must be refused, and a malformed value must stop start-up; a reader answers lookups only, with no line
    /// numbers, and its plain getters fall back to defaults.
    ///
    /// - Throws: `QuaeroConfigError` naming the key, its source and what is allowed.
    public static func load(_ request: ConfigRequest = ConfigRequest()) throws -> ResolvedConfig {
        var layers: [[ConfigKey: (RawConfigValue, ConfigSource)]] = []
        let file = try configFile(request)
        let toml = try file.map { try TOMLConfigFile(path: $0.path, source: $0.source) }
        if let toml { layers.append(toml.values) }
        layers.append(try environmentLayer(request.environment))
        layers.append(try flagLayer(request.flags))

        var config = QuaeroConfig()
        var sources: [ConfigKey: ConfigSource] = [:]
        for layer in layers {
            for setting in ConfigSetting.all {
                guard let (raw, source) = layer[setting.key] else { continue }
                do {
                    try setting.apply(raw, &config)
                } catch {
                    throw QuaeroConfigError(error.kind, key: setting.key.description, source: source,
                        message: "\(source): \(setting.key) = \(raw.shown): \(error.problem); allowed: \(setting.allowed)")
                }
                sources[setting.key] = source
            }
        }
        if let flow = toml?.flow {
            config.types = flow.types
            config.limits = flow.limits
            config.schedules = try checkedSchedules(flow, config: config)
        }
        let resolved = ResolvedConfig(config: config, file: file?.path, sources: sources, tableEntries: toml?.flow.entries ?? [])
        try checkConsistency(resolved)
        return resolved
    }

    /// The schedules of the file, each job config of the app's types checked (a crawl's normalized, over the
    /// `[crawler]` defaults), none named as the cleanup schedule.
    private static func checkedSchedules(_ flow: FlowConfigFile, config: QuaeroConfig) throws -> [ScheduleDefinition] {
        try flow.schedules.enumerated().map { index, schedule in
            let key = "schedule[\(index)]"
            guard schedule.name != cleanupScheduleName else {
                throw flow.problem("\(key).name", .invalidValue,
                    "= \"\(cleanupScheduleName)\": the name is taken by the schedule of [cleanup] interval; choose another")
            }
            let spec: JobSpec?
            do {
                spec = try QuaeroJobs.spec(userType: schedule.type.userName, config: .object(schedule.config), crawler: config.crawler)
            } catch let error as JobConfigError {
                throw flow.problem("\(key).config", .invalidValue, "is not a usable \(schedule.type.userName) config: \(error.message)")
            }
            guard let spec else { return schedule }
            return try ScheduleDefinition(name: schedule.name, cron: schedule.cron, type: spec.type, config: spec.config,
                                          timeZone: schedule.timeZone, catchUp: schedule.catchUp, enabled: schedule.enabled)
        }
    }

    private static func configFile(_ request: ConfigRequest) throws -> (path: String, source: ConfigSource)? {
        if let path = request.configPath {
            let source = ConfigSource.flag("--config")
            guard FileManager.default.fileExists(atPath: path) else {
                throw QuaeroConfigError(.missingFile, key: nil, source: source,
                    message: "the configuration file \(path) given by --config does not exist")
            }
            return (path, source)
        }
        let path = URL(fileURLWithPath: request.workingDirectory).appendingPathComponent("quaero.toml").path
        return FileManager.default.fileExists(atPath: path) ? (path, .file(path: path, line: nil)) : nil
    }

    private static func environmentLayer(_ environment: [String: String]) throws -> [ConfigKey: (RawConfigValue, ConfigSource)] {
        let byVariable = Dictionary(uniqueKeysWithValues: ConfigSetting.all.map { ($0.key.environmentVariable, $0.key) })
        var layer: [ConfigKey: (RawConfigValue, ConfigSource)] = [:]
        for (variable, value) in environment where variable.hasPrefix(environmentPrefix) {
            guard let key = byVariable[variable] else {
                throw QuaeroConfigError(.unknownKey, key: nil, source: .environment(variable: variable),
                    message: "unknown configuration variable \(variable); the variables are QUAERO_<SECTION>_<KEY> for "
                        + "the keys listed by `quaero config` and in quaero.toml.example")
            }
            layer[key] = (.text(value), .environment(variable: variable))
        }
        return layer
    }

    private static func flagLayer(_ flags: [ConfigRequest.Flag]) throws -> [ConfigKey: (RawConfigValue, ConfigSource)] {
        var layer: [ConfigKey: (RawConfigValue, ConfigSource)] = [:]
        for flag in flags {
            guard ConfigSetting.named(flag.key) != nil else {
                throw QuaeroConfigError(.unknownKey, key: flag.key.description, source: .flag(flag.name),
                    message: "flag \(flag.name) sets \(flag.key), which is not a configuration key")
            }
            layer[flag.key] = (.text(flag.value), .flag(flag.name))
        }
        return layer
    }

    /// Checks rules that involve two keys.
    private static func checkConsistency(_ resolved: ResolvedConfig) throws {
        let queue = resolved.config.queue
        try require(queue.backoffBase <= queue.backoffMax, .queue, "backoff_base", "backoff_max",
                    "must not be longer than", resolved)
        try require(queue.heartbeatInterval < queue.visibilityTimeout, .queue, "heartbeat_interval",
                    "visibility_timeout", "must be shorter than", resolved)
        // At least 1s: the cleanup schedule's `@every` takes no less; a leader lease renewed every third of less
        // would lapse in a moment's stall of a loaded machine, and the leadership would flap.
        let floors = [(ConfigKey(.cleanup, "interval"), resolved.config.cleanup.interval), (ConfigKey(.queue, "leader_ttl"), queue.leaderTTL)]
        for (key, value) in floors where value < .seconds(1) {
            throw QuaeroConfigError(.invalidValue, key: key.description, source: resolved.source(of: key),
                message: "\(resolved.source(of: key)): \(key) = \(DurationText.format(value)): shorter than 1s; allowed: a duration of at least 1s")
        }
        for (type, policy) in resolved.config.types {
            let base = policy.backoffBase ?? queue.backoffBase
            let max = policy.backoffMax ?? queue.backoffMax
            guard base <= max else {
                let key = "types.\(type.userName).backoff_base"
                let source = resolved.tableEntries.first { $0.key == key || $0.key == "types.\(type.userName).backoff_max" }?.source
                throw QuaeroConfigError(.invalidValue, key: key, source: source,
                    message: "\(source.map { "\($0): " } ?? "")\(key) (\(DurationText.format(base))) must not be longer than its "
                        + "backoff_max (\(DurationText.format(max))); change or remove one of them")
            }
        }
        // Each age of [cleanup] is given once: whole days or a duration.
        for (duration, days) in [("older_than", "age_threshold_days"), ("dead_letter_older_than", "dead_letter_age_days")] {
            let both = resolved.source(of: ConfigKey(.cleanup, duration)) != .defaultValue
                && resolved.source(of: ConfigKey(.cleanup, days)) != .defaultValue
                && ConfigSetting.named(ConfigKey(.cleanup, duration))?.show(resolved.config) != .unset
            try require(!both, .cleanup, duration, days, "cannot be set together with", resolved)
        }
    }

    private static func require(_ condition: Bool, _ section: ConfigSection, _ first: String, _ second: String,
                                _ relation: String, _ resolved: ResolvedConfig) throws {
        guard !condition else { return }
        let (a, b) = (ConfigKey(section, first), ConfigKey(section, second))
        let shown = { (key: ConfigKey) in
            "\(key) = \(ConfigSetting.named(key)!.show(resolved.config)) (\(resolved.source(of: key)))"
        }
        throw QuaeroConfigError(.invalidValue, key: a.description, source: resolved.source(of: a),
            message: "\(shown(a)) \(relation) \(shown(b)); change or remove one of them")
    }
}
