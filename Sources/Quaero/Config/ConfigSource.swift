/// Where a setting's value came from.
public enum ConfigSource: Sendable, Hashable, CustomStringConvertible {
    /// The built-in default.
    case defaultValue
    /// A TOML file, at a line when it could be found.
    case file(path: String, line: Int?)
    /// An environment variable.
    case environment(variable: String)
    /// A command-line flag such as `--db`.
    case flag(String)

    /// `default`, `path:line`, `environment variable NAME` or `flag --name`.
    public var description: String {
        switch self {
        case .defaultValue: "default"
        case .file(let path, let line?): "\(path):\(line)"
        case .file(let path, nil): path
        case .environment(let variable): "environment variable \(variable)"
        case .flag(let name): "flag \(name)"
        }
    }
}
