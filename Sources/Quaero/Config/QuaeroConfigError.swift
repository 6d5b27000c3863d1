/// A configuration that cannot be used: it names the key, where the value came from, and what is allowed.
public struct QuaeroConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem it is; new kinds may be added without breaking callers.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let value: String
        private init(_ value: String) { self.value = value }

        /// A section, key or `QUAERO_*` variable that Quaero does not know.
        public static let unknownKey = Kind("unknown_key")
        /// A value of the wrong type, such as text where a number belongs.
        public static let wrongType = Kind("wrong_type")
        /// A value of the right type but out of its allowed range or set.
        public static let invalidValue = Kind("invalid_value")
        /// A TOML file that does not parse.
        public static let malformedFile = Kind("malformed_file")
        /// A `--config` file that does not exist or cannot be read.
        public static let missingFile = Kind("missing_file")

        public var description: String { value }
    }

    /// What kind of problem it is.
    public let kind: Kind
    /// The setting concerned (`queue.max_receive`), when there is one.
    public let key: String?
    /// Where the bad value came from.
    public let source: ConfigSource?
    /// One line: the source, the key, what is wrong and what is allowed.
    public let message: String

    /// Creates an error; `message` should already name the source and what is allowed.
    public init(_ kind: Kind, key: String?, source: ConfigSource?, message: String) {
        self.kind = kind
        self.key = key
        self.source = source
        self.message = message
    }

    public var description: String { message }
}
