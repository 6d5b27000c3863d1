/// A section of `quaero.toml`. Adding a section: a case here, a struct in `QuaeroConfig`, its keys in
/// `ConfigSetting.all`.
public enum ConfigSection: String, Sendable, CaseIterable {
    case database, postgres, queue, logs, server, crawler, summarizer, cleanup
}

/// The name of one setting: a section and a key, such as `queue.max_receive`.
public struct ConfigKey: Hashable, Sendable, CustomStringConvertible {
    /// The `[section]` it belongs to.
    public let section: ConfigSection
    /// The key inside the section, snake_case.
    public let name: String

    /// Creates a key.
    public init(_ section: ConfigSection, _ name: String) {
        self.section = section
        self.name = name
    }

    /// `section.name`, as printed by `quaero config`.
    public var description: String { "\(section.rawValue).\(name)" }

    /// The environment variable that sets it: `QUAERO_<SECTION>_<KEY>`.
    public var environmentVariable: String { "QUAERO_\(section.rawValue)_\(name)".uppercased() }
}
