import Foundation
import Logging
import QuaeroQueue
import Synchronization

/// How the store reaches its server: libpq's connection parameters, and connecting within the connect timeout,
/// which the store enforces itself (to the millisecond; libpq's `connect_timeout` counts whole seconds).
struct PostgresConnector: Sendable {
    let url: PostgresURL
    let options: PostgresStoreOptions
    let logger: Logger

    /// The TLS mode in force: the URL's `sslmode` wins over `[postgres] tls`.
    var tls: PostgresStoreOptions.TLSMode { url.tls ?? options.tls }
    /// The connect timeout in force: the URL's `connect_timeout` wins.
    var timeout: Duration { url.connectTimeout ?? options.connectTimeout }

    /// libpq's keywords (its "Parameter Key Words"): `require` checks the server's certificate and host name
    /// against the system's trusted roots (`verify-full`), `prefer` encrypts when the server offers TLS without
    /// checking it.
    var parameters: [(String, String)] {
        var parameters = [("host", url.host), ("port", String(url.port)), ("user", url.user), ("dbname", url.database),
                          ("application_name", url.applicationName ?? options.applicationName),
                          ("client_encoding", "UTF8"),
                          // A statement blocks its connection's thread until the answer: a server gone without
                          // closing the connection (a network cut) is found by TCP keepalives within about
                          // 25 s, and unacknowledged writes give up after 30 s, instead of never.
                          ("keepalives", "1"), ("keepalives_idle", "10"), ("keepalives_interval", "5"),
                          ("keepalives_count", "3"), ("tcp_user_timeout", "30000")]
        if let password = url.password { parameters.append(("password", password)) }
        switch tls {
        case .off: parameters.append(("sslmode", "disable"))
        case .prefer: parameters.append(("sslmode", "prefer"))
        case .require:
            parameters.append(("sslmode", "verify-full"))
            let roots = "/etc/ssl/certs/ca-certificates.crt"
            if FileManager.default.fileExists(atPath: roots) { parameters.append(("sslrootcert", roots)) }
        }
        // `-c name=value` each, spaces in a value escaped with a backslash (libpq's `options`).
        let escape = { (text: String) in
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: " ", with: "\\ ")
        }
        parameters.append(("options", settings.map { "-c \(escape($0.name))=\(escape($0.value))" }.joined(separator: " ")))
        return parameters
    }

    /// The session's settings: the store's own, then the URL's (which win).
    ///
    /// `enable_seqscan = off`: every statement of the store is written for an index, and a sequential scan is
    /// only ever the planner's choice from the statistics of a table that looked empty. A queue's table often
    /// is, at the moment its statistics are taken (a VACUUM of an empty table records 0 pages), and a prepared
    /// statement's generic plan, made then, stays: an ack by id became a scan of the whole heap, 204 buffers
    /// and 0.25 ms a `DeleteOne` as dead rows piled up between vacuums, against 0.02 ms through the primary key
    /// (pg_stat_statements, `lifecycle_4_workers_per_s` after the benchmark's `VACUUM ANALYZE` of the empty
    /// table). The setting does not forbid a sequential scan: it costs one so high that any index path wins,
    /// and a statement with no index to use still scans (PostgreSQL's "Planner Method Configuration").
    ///
    /// `plan_cache_mode = force_generic_plan`: a prepared statement is planned once per connection, for any
    /// values. By default PostgreSQL plans its first five executions for their values before it tries a
    /// generic plan, and keeps planning each execution when the generic plan's estimate looks dearer than the
    /// custom plans' ("Notes" of PREPARE). The claim takes about 4.8 ms to plan and 1.5 ms to run under load:
    /// in `quaero bench --only jobs_per_s` (4 worker processes, about 40 connections, pg_stat_statements with
    /// `track_planning`, 2026-11-29) the claim was planned 253 times in 5,711 calls and the batched ends 966
    /// times in 4,399, 2.0 s of planning in 10 s of wall time on 2 cores; with this setting, none past each
    /// connection's first, and the figure went from 2,080 and 2,013 to 2,463 and 2,565 jobs/s in alternating runs.
    /// The statements are written for their indexes whatever the values (above), which is what a generic plan
    /// needs; a statement made for one listing (`PostgresJobListing`) has the values of its own criteria only.
    var settings: [(name: String, value: String)] {
        let own = [("enable_seqscan", "off"), ("plan_cache_mode", "force_generic_plan")]
            .filter { name, _ in !url.settings.contains { $0.name == name } }
        return own + url.settings
    }

    /// Opens a connection (the pool's on its place's `thread`, LISTEN's and the migrations' on threads of their
    /// own), within the connect timeout.
    func connect(id: Int, thread: ConnectionThread? = nil) async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(parameters, deadline: .now + timeout, thread: thread, name: "quaero-pg-\(id)")
        } catch let error as PostgresClientError where error.timedOut {
            throw unreachable(within: timeout, because: nil)
        } catch {
            throw PostgresErrors.map(error, url: url, doing: "connecting")
        }
    }

    /// The error of a server that did not answer in time.
    func unreachable(within timeout: Duration, because reason: (any Error)?) -> QuaeroError {
        let why = reason.map { ": \(($0 as? QuaeroError)?.message ?? "\($0)")" } ?? ""
        return QuaeroError(.unavailable,
            "cannot reach PostgreSQL at \(url.endpoint) (database \(url.database), user \(url.user)) within \(timeout)\(why); check that the server runs and accepts connections (Quaero keeps trying)")
    }
}

/// A boolean shared between threads.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set(_ on: Bool = true) { value.store(on, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
