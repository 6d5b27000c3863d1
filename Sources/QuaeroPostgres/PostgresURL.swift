import Foundation
import QuaeroQueue

/// A `postgres://user:password@host:port/database?param=value` URL (libpq's form), taken apart; its
/// `description` never shows the password.
///
/// Parameters understood: `sslmode` (`disable`, `prefer`, `require`, `verify-ca`, `verify-full`),
/// `application_name`, `connect_timeout` (seconds), `options` (`-c name=value` settings, for example
/// `-c search_path=myschema`), `host` (a folder holding the server's Unix socket), `user` and `password`.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// The server's host name or address (for a Unix socket, the socket's folder).
    public var host: String
    /// The server's port.
    public var port: Int
    /// The user to connect as.
    public var user: String
    /// The password, if the URL has one (never printed).
    public var password: String?
    /// The database.
    public var database: String
    /// Server settings sent at connection start (`options=-c name=value`).
    public var settings: [(name: String, value: String)]
    /// The TLS mode the URL asks for (`sslmode`), if any.
    public var tls: PostgresStoreOptions.TLSMode?
    /// `connect_timeout`, if any.
    public var connectTimeout: Duration?
    /// `application_name`, if any.
    public var applicationName: String?

    /// Whether `text` is a PostgreSQL URL (`postgres://` or `postgresql://`) rather than a file path.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`.
    ///
    /// - Throws: `invalidArgument` naming what is wrong (the password is never repeated in the message).
    public init(_ text: String) throws {
        guard Self.isURL(text) else {
            throw QuaeroError(.invalidArgument, "\(Self.redact(text)) is not a PostgreSQL URL; write postgres://user@host:port/database")
        }
        let rest = text.drop(while: { $0 != ":" }).dropFirst(3)
        let queryStart = rest.firstIndex(of: "?")
        let main = rest[..<(queryStart ?? rest.endIndex)]
        let query = queryStart.map { rest[rest.index(after: $0)...] } ?? ""
        let slash = main.firstIndex(of: "/")
        let authority = main[..<(slash ?? main.endIndex)]
        let path = slash.map { main[main.index(after: $0)...] } ?? ""
        var userInfo: Substring?
        var hostPort = authority
        if let at = authority.lastIndex(of: "@") {
            userInfo = authority[..<at]
            hostPort = authority[authority.index(after: at)...]
        }
        let shown = Self.redact(text)
        if let userInfo {
            if let colon = userInfo.firstIndex(of: ":") {
                user = try Self.decode(userInfo[..<colon], "user", shown)
                password = try Self.decode(userInfo[userInfo.index(after: colon)...], "password", shown)
            } else {
                user = try Self.decode(userInfo, "user", shown)
            }
        } else {
            user = ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        }
        (host, port) = try Self.hostAndPort(hostPort, shown)
        database = try path.isEmpty ? user : Self.decode(path, "database", shown)
        settings = []
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = try Self.decode(parts[0], "parameter name", shown)
            let value = try parts.count == 2 ? Self.decode(parts[1], "value of \(name)", shown) : ""
            try apply(name, value, shown)
        }
        if host.isEmpty { throw QuaeroError(.invalidArgument, "\(shown) names no host; write postgres://user@host:port/database") }
    }

    private mutating func apply(_ name: String, _ value: String, _ shown: String) throws {
        switch name {
        case "sslmode":
            switch value {
            case "disable", "allow": tls = .off
            case "prefer": tls = .prefer
            case "require", "verify-ca", "verify-full": tls = .require
            default:
                throw QuaeroError(.invalidArgument, "sslmode=\(value) in \(shown) is not one of disable, prefer, require, verify-ca, verify-full")
            }
        case "application_name":
            applicationName = value
        case "connect_timeout":
            guard let seconds = Int(value), seconds > 0 else {
                throw QuaeroError(.invalidArgument, "connect_timeout=\(value) in \(shown) is not a positive number of seconds")
            }
            connectTimeout = .seconds(seconds)
        case "options":
            settings += try Self.settings(value, shown)
        case "host":
            host = value
        case "password":
            password = value
        case "user":
            user = value
        default:
            throw QuaeroError(.invalidArgument,
                "\(shown) has the parameter \(name), which Quaero does not know; it knows sslmode, application_name, connect_timeout, options, host, user and password")
        }
    }

    /// `-c name=value` settings of libpq's `options` parameter.
    private static func settings(_ text: String, _ shown: String) throws -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)[...]
        while let word = words.popFirst() {
            var setting: String
            if word == "-c" {
                guard let next = words.popFirst() else { break }
                setting = next
            } else if word.hasPrefix("-c") {
                setting = String(word.dropFirst(2))
            } else if word.hasPrefix("--") {
                setting = String(word.dropFirst(2))
            } else {
                throw QuaeroError(.invalidArgument, "options in \(shown) must be -c name=value settings, got \(word)")
            }
            let parts = setting.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else {
                throw QuaeroError(.invalidArgument, "the setting \(setting) in the options of \(shown) is not name=value")
            }
            result.append((name: String(parts[0]).replacingOccurrences(of: "-", with: "_"), value: String(parts[1])))
        }
        return result
    }

    private static func hostAndPort(_ text: Substring, _ shown: String) throws -> (String, Int) {
        var host = text
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw QuaeroError(.invalidArgument, "the IPv6 address in \(shown) lacks its closing ]")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let portText else { return (try decode(host, "host", shown), 5432) }
        guard let port = Int(portText), (1...65_535).contains(port) else {
            throw QuaeroError(.invalidArgument, "the port \"\(portText)\" in \(shown) is not a number from 1 to 65535")
        }
        return (try decode(host, "host", shown), port)
    }

    private static func decode(_ text: Substring, _ what: String, _ shown: String) throws -> String {
        guard let decoded = String(text).removingPercentEncoding else {
            throw QuaeroError(.invalidArgument, "the \(what) in \(shown) has a malformed %-escape")
        }
        return decoded
    }

    /// The URL as it may be shown: without its password.
    public var description: String {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(hostText):\(port)/\(database)"
    }

    /// Where the server is, for errors: host and port.
    public var endpoint: String { host.hasPrefix("/") ? "\(host)/.s.PGSQL.\(port)" : "\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    public static func == (a: PostgresURL, b: PostgresURL) -> Bool {
        a.host == b.host && a.port == b.port && a.user == b.user && a.password == b.password && a.database == b.database
            && a.settings.map(\.name) == b.settings.map(\.name) && a.settings.map(\.value) == b.settings.map(\.value)
            && a.tls == b.tls && a.connectTimeout == b.connectTimeout && a.applicationName == b.applicationName
    }

    /// `text` with the password of a PostgreSQL URL replaced by `***` (any other text unchanged): what may be
    /// printed of a `database.path`.
    public static func redact(_ text: String) -> String {
        guard isURL(text), let schemeEnd = text.range(of: "://") else { return text }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else {
            return redactQuery(text)
        }
        return redactQuery(String(text[..<rest.index(after: colon)]) + "***" + String(text[at...]))
    }

    /// A `password=` query parameter (which libpq accepts) is hidden too.
    private static func redactQuery(_ text: String) -> String {
        guard let range = text.range(of: "password=") else { return text }
        let end = text[range.upperBound...].firstIndex(of: "&") ?? text.endIndex
        return text.replacingCharacters(in: range.upperBound..<end, with: "***")
    }
}
