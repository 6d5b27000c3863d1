import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import QuaeroQueue
import Synchronization

/// How the store reaches its server: the connections' configuration, and connecting within the connect timeout,
/// which the store enforces itself (postgres-nio's own is not always honoured: vapor/postgres-nio#574).
struct PostgresConnector: Sendable {
    let url: PostgresURL
    let options: PostgresStoreOptions
    let logger: Logger

    /// The TLS mode in force: the URL's `sslmode` wins over `[postgres] tls`.
    var tls: PostgresStoreOptions.TLSMode { url.tls ?? options.tls }
    /// The connect timeout in force: the URL's `connect_timeout` wins.
    var timeout: Duration { url.connectTimeout ?? options.connectTimeout }

    private var startupParameters: [(String, String)] {
        [("application_name", url.applicationName ?? options.applicationName)] + url.settings.map { ($0.name, $0.value) }
    }

    /// `prefer` does not check the certificate (libpq's `sslmode=prefer`); `require` checks it and the host name.
    private func tlsConfiguration() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if tls == .prefer { configuration.certificateVerification = .none }
        return configuration
    }

    private var socketPath: String { "\(url.host)/.s.PGSQL.\(url.port)" }

    /// Opens a connection (the pool's, LISTEN's, the migrations'), within the connect timeout.
    func connect(id: Int) async throws -> PostgresConnection {
        let connectionTLS: PostgresConnection.Configuration.TLS
        switch tls {
        case .off: connectionTLS = .disable
        case .prefer: connectionTLS = .prefer(try NIOSSLContext(configuration: tlsConfiguration()))
        case .require: connectionTLS = .require(try NIOSSLContext(configuration: tlsConfiguration()))
        }
        var configuration = url.host.hasPrefix("/")
            ? PostgresConnection.Configuration(unixSocketPath: socketPath, username: url.user, password: url.password, database: url.database)
            : PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user, password: url.password,
                                               database: url.database, tls: connectionTLS)
        configuration.options.connectTimeout = .milliseconds(timeout.milliseconds)
        configuration.options.additionalStartupParameters = startupParameters
        let url = self.url
        let timeout = self.timeout
        let logger = self.logger
        let final = configuration
        return try await deadline(timeout, or: unreachable(within: timeout, because: nil)) {
            do {
                return try await PostgresConnection.connect(configuration: final, id: id, logger: logger)
            } catch {
                throw PostgresErrors.map(error, url: url, doing: "connecting")
            }
        }
    }

    /// The error of a server that did not answer in time.
    func unreachable(within timeout: Duration, because reason: (any Error)?) -> QuaeroError {
        let why = reason.map { ": \(($0 as? QuaeroError)?.message ?? "\($0)")" } ?? ""
        return QuaeroError(.unavailable,
            "cannot reach PostgreSQL at \(url.endpoint) (database \(url.database), user \(url.user)) within \(timeout)\(why); check that the server runs and accepts connections (Quaero keeps trying)")
    }
}

/// Runs `body`, failing with `error` when it has not finished within `timeout` (the body is cancelled).
func deadline<T: Sendable>(_ timeout: Duration, or error: @autoclosure @escaping @Sendable () -> any Error,
                           _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        while let next = try await group.next() {
            if let value = next { return value }
            if !Task.isCancelled { throw error() }
        }
        throw CancellationError()
    }
}

/// A boolean shared between threads.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set(_ on: Bool = true) { value.store(on, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
