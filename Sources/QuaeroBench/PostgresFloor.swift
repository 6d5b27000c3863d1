import Foundation
import QuaeroPostgres
import QuaeroQueue

/// The PostgreSQL floor (../shared/bench/postgres): what plain SQL does through pgbench, PostgreSQL's own C
/// client with prepared statements, on the queue's table shape. It runs the folder's own scripts and table the
/// way its `floor.sh` does (the same backlogs, `VACUUM ANALYZE` and `CHECKPOINT` before each cell, 2 pgbench
/// threads from 2 clients on), one cell at a time in a schema of its own, so that `quaero bench` takes its ratios
/// within one run.
struct PostgresFloor: Sendable {
    /// floor.sh's modes: the script of each, and its messages per transaction.
    enum Mode: String, Sendable {
        case send
        case receiveDelete = "recv_delete"
        case receiveDeleteBatch10 = "recv_delete_b10"
        case cycle

        var perTransaction: Double { self == .receiveDeleteBatch10 ? 10 : 1 }
        /// floor.sh's backlog before the cell.
        var backlog: Int {
            switch self {
            case .receiveDelete: 200_000
            case .receiveDeleteBatch10: 600_000
            case .send, .cycle: 0
            }
        }
    }

    /// The folder of floor.sh and its scripts.
    let folder: URL
    /// PostgreSQL's pgbench.
    let pgbench: URL
    /// Seconds a cell.
    let seconds: Int

    /// The floor in `folder`, with the newest installed pgbench; throws saying what is missing.
    init(folder: URL, seconds: Int) throws {
        for file in ["schema.sql"] + [Mode.send, .receiveDelete, .receiveDeleteBatch10, .cycle].map({ "\($0.rawValue).sql" }) {
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path) else {
                throw QuaeroError(.notFound, "the PostgreSQL floor has no \(file) in \(folder.path) (--floor names the folder of floor.sh)")
            }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.compactMap(Int.init).sorted().last(where: {
            FileManager.default.isExecutableFile(atPath: "/usr/lib/postgresql/\($0)/bin/pgbench")
        }) else {
            throw QuaeroError(.notFound, "no pgbench in /usr/lib/postgresql/*/bin (Debian's postgresql package has it)")
        }
        self.folder = folder
        self.pgbench = URL(fileURLWithPath: "/usr/lib/postgresql/\(newest)/bin/pgbench")
        self.seconds = seconds
    }

    /// Messages per second of `mode` with `clients` pgbench clients, in a fresh schema of the database at `url`
    /// (dropped after), `synchronous_commit` on when `durable`.
    func run(_ mode: Mode, clients: Int, url: String, durable: Bool = false) async throws -> Double {
        let schema = try await PostgresScratch.createSchema(url: url, prefix: "bench_floor")
        do {
            let cellURL = PostgresScratch.url(url, schema: schema, settings: [("synchronous_commit", durable ? "on" : "off")])
            let script = try String(contentsOf: folder.appendingPathComponent("schema.sql"), encoding: .utf8)
            try await PostgresScratch.prepareFloor(url: cellURL, script: script, backlog: mode.backlog)
            try await PostgresScratch.settle(url: cellURL)
            let output = try await runToEnd(pgbench.path, [
                "-n", "-M", "prepared", "-f", folder.appendingPathComponent("\(mode.rawValue).sql").path,
                "-c", "\(clients)", "-j", "\(clients >= 2 ? 2 : 1)", "-T", "\(seconds)", cellURL,
            ])
            // "tps = 4217.123456 (without initial connection time)"
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
                  let tps = Double(line.dropFirst(6).prefix { $0 != " " }) else {
                throw QuaeroError(.storage, "pgbench gave no tps for \(mode.rawValue) at \(clients) clients: \(PostgresURL.redact(output))")
            }
            try await PostgresScratch.dropSchema(schema, url: url)
            return tps * mode.perTransaction
        } catch {
            try? await PostgresScratch.dropSchema(schema, url: url)
            throw error
        }
    }
}
