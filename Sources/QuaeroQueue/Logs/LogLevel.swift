import Foundation
public import Logging

/// The severity of a job log line, named as in swift-log.
///
/// Stored as its name (`debug`, `info`, `warning`, `error`), so the table reads well in the sqlite3 shell.
/// Ordered by severity: `debug < info < warning < error`.
public enum LogLevel: String, Sendable, Hashable, CaseIterable, Comparable, Codable, CustomStringConvertible {
    case debug
    case info
    case warning
    case error

    /// Parses a level name, ignoring case and surrounding spaces.
    ///
    /// - Throws: `invalidArgument` naming the unknown text and the accepted names.
    public init(parsing text: String) throws {
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard let level = LogLevel(rawValue: name) else {
            let names = LogLevel.allCases.map(\.rawValue).joined(separator: ", ")
            throw QuaeroError(.invalidArgument, "unknown log level \"\(text)\"; use one of \(names)")
        }
        self = level
    }

    /// The job log level of a swift-log level: trace is kept as debug, notice as info, critical as error.
    public init(_ level: Logger.Level) {
        switch level {
        case .trace, .debug: self = .debug
        case .info, .notice: self = .info
        case .warning: self = .warning
        case .error, .critical: self = .error
        }
    }

    /// The matching swift-log level.
    public var loggerLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .warning: .warning
        case .error: .error
        }
    }

    /// This level and every more severe one, least severe first.
    public var andAbove: [LogLevel] { LogLevel.allCases.filter { $0 >= self } }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.severity < rhs.severity }

    public var description: String { rawValue }

    private var severity: Int {
        switch self {
        case .debug: 0
        case .info: 1
        case .warning: 2
        case .error: 3
        }
    }
}
