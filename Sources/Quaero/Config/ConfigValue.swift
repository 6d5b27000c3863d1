import QuaeroPostgres
import QuaeroQueue

/// A value as a layer supplied it, before it is checked against its key's type.
enum RawConfigValue: Sendable {
    /// Untyped text from an environment variable or a flag; parsed according to the key's type.
    case text(String)
    /// A TOML string.
    case string(String)
    /// A TOML integer.
    case integer(Int)
    /// A TOML boolean.
    case boolean(Bool)
    /// A TOML value of another type (float, boolean, array, table, date), by its TOML type name.
    case other(String)

    /// How the value is described in an error.
    var shown: String {
        switch self {
        // A PostgreSQL URL's password is never repeated (in errors or anywhere else).
        case .text(let text), .string(let text): "\"\(PostgresURL.redact(text))\""
        case .integer(let value): "\(value)"
        case .boolean(let value): "\(value)"
        case .other(let type): "a TOML \(type)"
        }
    }
}

/// A setting's effective value as shown by `quaero config`.
public enum ConfigDisplayValue: Sendable, Hashable, CustomStringConvertible {
    /// Text (strings, durations, choices).
    case string(String)
    /// A whole number.
    case integer(Int)
    /// Not set.
    case unset
    /// Set, but secret: never printed.
    case secret

    public var description: String {
        switch self {
        case .string(let text): text
        case .integer(let value): "\(value)"
        case .unset: "(not set)"
        case .secret: "(set, hidden)"
        }
    }
}

/// Why a value was refused, before the key and source are added.
struct ConfigValueProblem: Error {
    let kind: QuaeroConfigError.Kind
    let problem: String
}

/// How the values of one type are read, checked and shown.
struct ConfigValueKind<Value: Sendable>: Sendable {
    /// What is allowed, for error messages and `quaero.toml.example`.
    let allowed: String
    let parse: @Sendable (RawConfigValue) throws(ConfigValueProblem) -> Value
    let show: @Sendable (Value) -> ConfigDisplayValue

    /// A whole number in `range`.
    static func integer(_ range: ClosedRange<Int>) -> ConfigValueKind<Int> {
        let allowed = range.upperBound == .max ? "an integer ≥ \(range.lowerBound)"
            : "an integer from \(range.lowerBound) to \(range.upperBound)"
        return ConfigValueKind<Int>(allowed: allowed, parse: { raw throws(ConfigValueProblem) in
            let value: Int
            switch raw {
            case .integer(let number): value = number
            case .text(let text):
                guard let number = Int(text.trimmingWhitespace()) else {
                    throw ConfigValueProblem(kind: .wrongType, problem: "not an integer")
                }
                value = number
            case .string:
                throw ConfigValueProblem(kind: .wrongType, problem: "not an integer (write it without quotes)")
            case .boolean, .other:
                throw ConfigValueProblem(kind: .wrongType, problem: "not an integer")
            }
            guard range.contains(value) else {
                throw ConfigValueProblem(kind: .invalidValue, problem: "out of range")
            }
            return value
        }, show: { .integer($0) })
    }

    /// A positive duration written like `5s`.
    static var duration: ConfigValueKind<Duration> {
        ConfigValueKind<Duration>(allowed: positiveDuration, parse: { raw throws(ConfigValueProblem) in
            try parsePositiveDuration(raw)
        }, show: { .string(DurationText.format($0)) })
    }

    /// An optional positive duration: empty means not set.
    static var optionalDuration: ConfigValueKind<Duration?> {
        ConfigValueKind<Duration?>(allowed: positiveDuration + ", or empty for none", parse: { raw throws(ConfigValueProblem) in
            if try raw.requireText(what: "a duration string in quotes, like \"5s\"").isEmpty { return nil }
            return try parsePositiveDuration(raw)
        }, show: { $0.map { .string(DurationText.format($0)) } ?? .unset })
    }

    /// Text checked by `check`, which throws a sentence saying what is wrong.
    static func text(_ allowed: String, check: @escaping @Sendable (String) -> String? = { _ in nil }) -> ConfigValueKind<String> {
        ConfigValueKind<String>(allowed: allowed, parse: { raw throws(ConfigValueProblem) in
            let text = try raw.requireText(what: "a string")
            if let problem = check(text) { throw ConfigValueProblem(kind: .invalidValue, problem: problem) }
            return text
        }, show: { .string($0) })
    }

    /// `true` or `false` (in the environment also `1`, `0`, `yes`, `no`).
    static var boolean: ConfigValueKind<Bool> {
        ConfigValueKind<Bool>(allowed: "true or false", parse: { raw throws(ConfigValueProblem) in
            switch raw {
            case .boolean(let value): return value
            case .text(let text):
                switch text.trimmingWhitespace().lowercased() {
                case "true", "1", "yes": return true
                case "false", "0", "no": return false
                default: throw ConfigValueProblem(kind: .invalidValue, problem: "not true or false")
                }
            case .string:
                throw ConfigValueProblem(kind: .wrongType, problem: "not a boolean (write true or false without quotes)")
            case .integer, .other:
                throw ConfigValueProblem(kind: .wrongType, problem: "not a boolean")
            }
        }, show: { .string($0 ? "true" : "false") })
    }

    /// Optional text that is shown: empty means not set.
    static func optionalText(_ allowed: String) -> ConfigValueKind<String?> {
        ConfigValueKind<String?>(allowed: allowed, parse: { raw throws(ConfigValueProblem) in
            let text = try raw.requireText(what: "a string")
            return text.isEmpty ? nil : text
        }, show: { $0.map(ConfigDisplayValue.string) ?? .unset })
    }

    /// Optional secret text: empty means not set, and the value is never shown.
    static var secret: ConfigValueKind<String?> {
        ConfigValueKind<String?>(allowed: "a string (empty for none)", parse: { raw throws(ConfigValueProblem) in
            let text = try raw.requireText(what: "a string")
            return text.isEmpty ? nil : text
        }, show: { $0 == nil ? .unset : .secret })
    }

    /// One of a fixed set of words, case-insensitive.
    static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(_ type: Choice.Type) -> ConfigValueKind<Choice>
    where Choice.RawValue == String {
        let names = Choice.allCases.map { $0.rawValue.lowercased() }
        return ConfigValueKind<Choice>(allowed: "one of " + names.joined(separator: ", "), parse: { raw throws(ConfigValueProblem) in
            let text = try raw.requireText(what: "a string")
            guard let choice = Choice.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw ConfigValueProblem(kind: .invalidValue, problem: "not allowed")
            }
            return choice
        }, show: { .string($0.rawValue.lowercased()) })
    }
}

private let positiveDuration = "a positive duration such as 500ms, 1s, 5m, 1h or 1m30s"

private func parsePositiveDuration(_ raw: RawConfigValue) throws(ConfigValueProblem) -> Duration {
    let text = try raw.requireText(what: "a duration string in quotes, like \"5s\"")
    guard let duration = DurationText.parse(text) else {
        throw ConfigValueProblem(kind: .invalidValue, problem: "not a duration")
    }
    guard duration > .zero else {
        throw ConfigValueProblem(kind: .invalidValue, problem: "not positive")
    }
    return duration
}

extension RawConfigValue {
    fileprivate func requireText(what: String) throws(ConfigValueProblem) -> String {
        switch self {
        case .text(let text), .string(let text): return text
        case .integer, .boolean, .other: throw ConfigValueProblem(kind: .wrongType, problem: "not \(what)")
        }
    }
}
