import QuaeroQueue

/// PostgreSQL's and libpq's errors as `QuaeroError`s that say what to do, name the server (host and port, never
/// the password) and keep the SQLSTATE as `storeCode`.
enum PostgresErrors {
    /// `error` as a `QuaeroError`; `doing` says what the store was doing ("connecting", "running a statement").
    static func map(_ error: any Error, url: PostgresURL, doing: String) -> any Error {
        switch error {
        case let error as PostgresServerError:
            return map(error, url: url)
        case let error as PostgresClientError:
            return map(error, url: url, doing: doing)
        case is QuaeroConnectionClosed:
            return QuaeroError(.unavailable, "cannot reach PostgreSQL at \(url.endpoint): \(doing) failed: the connection is closed")
        default:
            // QuaeroError, CancellationError, and the caller's own error (thrown by a transaction's body): passed on.
            return error
        }
    }

    private static func map(_ error: PostgresServerError, url: PostgresURL) -> QuaeroError {
        let state = error.sqlState
        let detail = error.detail.map { " (\($0))" } ?? ""
        let code: QuaeroError.Code
        switch state {
        case "57014": code = .cancelled                     // query_canceled
        case "55P03", "40P01", "40001": code = .databaseBusy // lock_not_available, deadlock, serialization
        case "22P02", "22023", "42601": code = .invalidArgument
        case "57P01", "57P02", "57P03", "08000", "08003", "08006":
            return QuaeroError(.unavailable, "PostgreSQL at \(url.endpoint) is unavailable (\(error.message)); Quaero reconnects when it is back",
                               storeCode: state)
        default: code = .storage
        }
        return QuaeroError(code, "PostgreSQL at \(url.endpoint) (database \(url.database), user \(url.user)): \(error.message)\(detail)",
                           storeCode: state)
    }

    /// libpq's own errors: at connect (refused, authentication, TLS) or a connection that broke.
    private static func map(_ error: PostgresClientError, url: PostgresURL, doing: String) -> QuaeroError {
        let message = error.message
        if message.contains("SSL was required") || message.contains("server does not support SSL") {
            return QuaeroError(.storage,
                "PostgreSQL at \(url.endpoint) does not offer TLS, and tls = require; enable ssl on the server or set [postgres] tls = prefer")
        }
        if message.contains("no password supplied") {
            return QuaeroError(.storage, "PostgreSQL at \(url.endpoint) asks user \(url.user) for a password; put it in the URL (postgres://user:password@host/db)")
        }
        if message.contains("authentication failed") || message.contains("does not exist") {
            return QuaeroError(.storage, "PostgreSQL at \(url.endpoint) (database \(url.database), user \(url.user)): \(message)")
        }
        return QuaeroError(.unavailable, "cannot reach PostgreSQL at \(url.endpoint) (database \(url.database), user \(url.user)): \(doing) failed: \(message)")
    }
}
