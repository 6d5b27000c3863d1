import Foundation
import QuaeroTestSupport
import Testing

/// Whether the run has a PostgreSQL test server.
private let hasPostgres = PostgresTestServer.url != nil

/// `quaero bench --db postgres://…`: its options, and one small run against the test server.
@Suite("CLI: bench on PostgreSQL")
struct BenchCommandTests {
    @Test("a bad option of the PostgreSQL benchmark exits 2 naming it",
          arguments: [["--soak", "0"], ["--floor-seconds", "0"], ["--processes", "0"]])
    func badOption(arguments: [String]) async throws {
        try await withWorkspace { dir in
            let outcome = try QuaeroBinary.run(["bench", "--db", "postgres://quaero@127.0.0.1:1/none"] + arguments, in: dir.url)
            #expect(outcome.status == 2, "\(outcome)")
            #expect(outcome.stderr.contains(arguments[0]), "\(outcome)")
        }
    }

    /// The floor's scripts beside the repository (../shared/bench/postgres), when this checkout has them.
    static let floor: URL? = {
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = package.appendingPathComponent("../shared/bench/postgres").standardizedFileURL
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent("send.sql").path) ? folder : nil
    }()

    @Test("without the floor's scripts its figures are left out, and the output says why", .enabled(if: hasPostgres))
    func withoutFloor() async throws {
        try await withWorkspace { dir in
            let figures = try bench(dir, floor: dir.path("no-floor-here"))
            #expect((figures["send_per_s"] as? Double ?? 0) > 0, "\(figures)")
            #expect(figures["floor_send_per_s"] == nil && figures["send_vs_floor"] == nil, "\(figures)")
            let why = try #require(figures["floor"] as? String)
            #expect(why.hasPrefix("not measured") && why.contains("no-floor-here"), "\(why)")
        }
    }

    @Test("the floor runs in the same run and gives the ratio", .enabled(if: hasPostgres && floor != nil))
    func withFloor() async throws {
        try await withWorkspace { dir in
            let figures = try bench(dir, floor: try #require(Self.floor).path)
            let (quaero, floor, ratio) = (figures["send_per_s"] as? Double ?? 0, figures["floor_send_per_s"] as? Double ?? 0,
                                          figures["send_vs_floor"] as? Double ?? 0)
            #expect(quaero > 0 && floor > 0, "\(figures)")
            // Rounded to three decimals in the JSON.
            #expect(abs(ratio - quaero / floor) < 0.01, "\(figures)")
        }
    }

    /// `quaero bench --db … --json` of one round of `send_per_s` (and its floor, for one second).
    private func bench(_ dir: TemporaryDirectory, floor: String) throws -> [String: Any] {
        let url = try #require(PostgresTestServer.url)
        let outcome = try QuaeroBinary.run(["bench", "--db", url, "--json", "--messages", "200", "--rounds", "1",
                                            "--only", "floor_send_per_s", "--only", "send_per_s", "--floor", floor,
                                            "--floor-seconds", "1"], in: dir.url)
        #expect(outcome.status == 0, "\(outcome)")
        return try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
    }
}
