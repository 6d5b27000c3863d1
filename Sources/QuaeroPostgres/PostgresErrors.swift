import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import QuaeroQueue

/// PostgreSQL's and postgres-nio's errors as `QuaeroError`s that say what to do, name the server (host and
/// port, never the password) and keep the SQLSTATE as `storeCode`.
enum PostgresErrors {
    /// `error` as a `QuaeroError`; `doing` says what the store was doing ("connecting", "running a statement").
    static func map(_ error: any Error, url: PostgresURL, doing: String) -> any Error {
        switch error {
        case is QuaeroError, is CancellationError:
            return error
        case let error as PostgresTransactionError:
            if let closure = error.closureError { return map(closure, url: url, doing: doing) }
            if let begin = error.beginError { return map(begin, url: url, doing: "starting a transaction") }
            if let commit = error.commitError {
                // An ambiguous COMMIT: it may or may not have been applied. Fenced acks make a retry harmless.
                let inner = map(commit, url: url, doing: "committing")
                return QuaeroError(.storage, "the outcome of a commit on PostgreSQL at \(url.endpoint) is unknown: \(inner)",
                                   storeCode: (inner as? QuaeroError)?.storeCode)
            }
            return QuaeroError(.storage, "a transaction on PostgreSQL at \(url.endpoint) failed")
        case let error as PSQLError:
            return map(error, url: url, doing: doing)
        case is PostgresDecodingError:
            return QuaeroError(.decoding, "PostgreSQL at \(url.endpoint): \(doing) failed: \(describe(error))")
        case is IOError, is ChannelError, is NIOConnectionError, is NIOSSLError:
            return QuaeroError(.unavailable, "cannot reach PostgreSQL at \(url.endpoint): \(doing) failed: \(describe(error))")
        default:
            // The caller's own error (thrown by a transaction's body): passed on as it is.
            return error
        }
    }

    private static func map(_ error: PSQLError, url: PostgresURL, doing: String) -> QuaeroError {
        if let info = error.serverInfo, let message = info[.message] {
            let state = info[.sqlState]
            let detail = info[.detail].map { " (\($0))" } ?? ""
            let code: QuaeroError.Code
            switch state {
            case "57014": code = .cancelled                     // query_canceled
            case "55P03", "40P01", "40001": code = .databaseBusy // lock_not_available, deadlock, serialization
            case "22P02", "22023", "42601": code = .invalidArgument
            case "57P01", "57P02", "57P03", "08000", "08003", "08006":
                return QuaeroError(.unavailable, "PostgreSQL at \(url.endpoint) is unavailable (\(message)); Quaero reconnects when it is back",
                                   storeCode: state)
            default: code = .storage
            }
            return QuaeroError(code, "PostgreSQL at \(url.endpoint) (database \(url.database), user \(url.user)): \(message)\(detail)",
                               storeCode: state)
        }
        switch error.code {
        case .sslUnsupported:
            return QuaeroError(.storage,
                "PostgreSQL at \(url.endpoint) does not offer TLS, and tls = require; enable ssl on the server or set [postgres] tls = prefer")
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            let why = error.underlying.map { ": " + describe($0) } ?? ""
            return QuaeroError(.unavailable, "cannot reach PostgreSQL at \(url.endpoint) (database \(url.database), user \(url.user))\(why)")
        case .poolClosed:
            return QuaeroError(.closed, "the PostgreSQL store of \(url) is closed")
        case .authMechanismRequiresPassword:
            return QuaeroError(.storage, "PostgreSQL at \(url.endpoint) asks user \(url.user) for a password; put it in the URL (postgres://user:password@host/db)")
        default:
            return QuaeroError(.storage, "PostgreSQL at \(url.endpoint): \(doing) failed (\(error.code))")
        }
    }

    /// A connection-level error in words (the socket's errno, a timeout, a TLS problem).
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        case let error as NIOConnectionError:
            return error.connectionErrors.first.map { describe($0.error) } ?? "no address to connect to (\(error.host))"
        case ChannelError.connectTimeout(let time):
            return "no answer within \(time.nanoseconds / 1_000_000) ms"
        case let error as NIOSSLError:
            return "TLS failed (\(error))"
        case let error as PSQLError:
            return error.serverInfo?[.message] ?? "\(error.code)"
        default:
            return "\(error)"
        }
    }
}
