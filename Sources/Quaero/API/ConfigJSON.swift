/// The JSON shape of `quaero config --json`: `{"file", "settings": [{"key", "value", "source", "env",
/// "allowed"}]}`; `value` is a number, a string, or null when not set (secrets show as `"(hidden)"`); `env` is
/// null for the keys of `[types.NAME]`, `[[limits]]` and `[[schedule]]`, which only a file sets.
public struct ConfigJSON: Encodable, Sendable {
    struct Setting: Encodable, Sendable {
        let key: String
        let value: ConfigDisplayValue
        let source: String
        let env: String?
        let allowed: String
    }

    let file: String?
    let settings: [Setting]

    /// The JSON form of `resolved`.
    public init(_ resolved: ResolvedConfig) {
        file = resolved.file
        settings = resolved.entries.map {
            Setting(key: $0.key.description, value: $0.value, source: $0.source.description,
                    env: $0.key.environmentVariable, allowed: $0.allowed)
        } + resolved.tableEntries.map {
            // The tables whose names the user chooses are read from the file only.
            Setting(key: $0.key, value: .string($0.value), source: $0.source.description, env: nil, allowed: "see docs/configuration.md")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(settings, forKey: .settings)
    }

    enum CodingKeys: String, CodingKey { case file, settings }
}

extension ConfigDisplayValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .integer(let value): try container.encode(value)
        case .unset: try container.encodeNil()
        case .secret: try container.encode("(hidden)")
        }
    }
}
