/// A loaded configuration and where each of its values came from.
public struct ResolvedConfig: Sendable {
    /// One setting as `quaero config` shows it.
    public struct Entry: Sendable, Hashable {
        /// The key, such as `queue.max_receive`.
        public let key: ConfigKey
        /// The effective value (secrets hidden).
        public let value: ConfigDisplayValue
        /// Where it came from.
        public let source: ConfigSource
        /// What values are allowed.
        public let allowed: String
        /// What the setting does.
        public let summary: String
    }

    /// The effective configuration.
    public let config: QuaeroConfig
    /// The TOML file that was read, if any.
    public let file: String?
    /// The source of every key that did not keep its default.
    public let sources: [ConfigKey: ConfigSource]
    /// The keys of `[types.NAME]`, `[[limits]]` and `[[schedule]]` as the file gives them (`schedule[0].cron`).
    public let tableEntries: [TableEntry]

    /// One key of a table whose name the user chooses, as `quaero config` shows it.
    public struct TableEntry: Sendable, Hashable {
        /// The key, such as `types.crawler_url.timeout` or `schedule[0].cron`.
        public let key: String
        /// The value as written.
        public let value: String
        /// Where it came from.
        public let source: ConfigSource
    }

    /// A configuration with the sources of its values (those not listed kept their defaults).
    public init(config: QuaeroConfig, file: String? = nil, sources: [ConfigKey: ConfigSource] = [:],
                tableEntries: [TableEntry] = []) {
        self.config = config
        self.file = file
        self.sources = sources
        self.tableEntries = tableEntries
    }

    /// Where `key`'s value came from.
    public func source(of key: ConfigKey) -> ConfigSource { sources[key] ?? .defaultValue }

    /// Every setting with its effective value and source, in a stable order.
    public var entries: [Entry] {
        ConfigSetting.all.map { setting in
            Entry(key: setting.key, value: setting.show(config), source: source(of: setting.key),
                  allowed: setting.allowed, summary: setting.summary)
        }
    }

    /// Every key Quaero knows, in the order of `entries`.
    public static var allKeys: [ConfigKey] { ConfigSetting.all.map(\.key) }
}
